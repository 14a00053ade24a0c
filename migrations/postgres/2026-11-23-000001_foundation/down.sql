DROP TABLE settings;
DROP TABLE sign_in_lockouts;
DROP TABLE sign_in_failures;
DROP TABLE sessions;
DROP TABLE accounts;
DROP TABLE councils;
