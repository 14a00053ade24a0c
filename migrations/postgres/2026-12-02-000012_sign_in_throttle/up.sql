-- Sign-in attempts are counted per email and client address (issue 22):
-- a guesser is slowed, the real person elsewhere is not locked out.
DELETE FROM sign_in_failures;
ALTER TABLE sign_in_failures ADD COLUMN client TEXT NOT NULL DEFAULT '';
DROP INDEX sign_in_failures_email;
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, client, failed_at);
CREATE INDEX sign_in_failures_client ON sign_in_failures (client, failed_at);
DROP TABLE sign_in_lockouts;
