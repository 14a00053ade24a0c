-- Messages to people, written in the same transaction as the event they
-- tell of, and sent by a worker: by SMTP when configured, otherwise kept in
-- the operator's mailbox (and as .eml files in the data directory).
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    to_account_id BIGINT REFERENCES accounts (id),
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    sent_at TIMESTAMP,
    -- 'smtp', or 'mailbox' when no SMTP server is configured.
    sent_via TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, next_attempt_at);
