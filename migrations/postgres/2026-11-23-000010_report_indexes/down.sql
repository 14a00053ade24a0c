DROP INDEX commissions_plan_report;
CREATE INDEX commissions_plan ON commissions (plan_id, status);
DROP INDEX search_events_council_report;
CREATE INDEX search_events_council ON search_events (council_code, searched_at);
CREATE INDEX search_events_district ON search_events (district, category, searched_at);
DROP INDEX outcome_ratings_plan_report;
CREATE INDEX outcome_ratings_plan ON outcome_ratings (plan_id, rated_at);
DROP INDEX ledger_entries_plan;
