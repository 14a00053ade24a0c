DROP TABLE council_reference_rates;
DROP TABLE request_alerts;
ALTER TABLE commissions DROP COLUMN offer_id;
DROP TABLE offers;
DROP TABLE support_request_areas;
DROP TABLE support_requests;
