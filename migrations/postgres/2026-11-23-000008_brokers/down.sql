ALTER TABLE commissions DROP COLUMN broker_affiliation;
DROP TABLE broker_affiliations;
