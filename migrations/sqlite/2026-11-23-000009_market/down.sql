DROP INDEX commissions_created;
DROP TABLE family_agreements;
DROP TABLE risk_flags;
