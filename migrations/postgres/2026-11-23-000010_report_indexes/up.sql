-- The market reports read a council's commissions plan by plan: this index
-- holds every column they read, in the order they filter, so they never
-- touch the table itself. Its first column replaces commissions_plan.
DROP INDEX commissions_plan;
CREATE INDEX commissions_plan_report ON commissions
    (plan_id, created_at, status, category, seller_id, total_pence, requested_by, acting_as);

-- The gaps report counts a council's searches by category and district over
-- a period, all of them and those that found nothing.
DROP INDEX search_events_council;
CREATE INDEX search_events_council_report ON search_events
    (council_code, searched_at, category, district, result_count);
-- Nothing filters searches by district first; the planner preferred this
-- index for its grouping and then read every row it pointed to.
DROP INDEX search_events_district;

-- The outcomes report reads every rating of a council's plans.
DROP INDEX outcome_ratings_plan;
CREATE INDEX outcome_ratings_plan_report ON outcome_ratings (plan_id, rated_at, stage, domain, rating);

-- A plan's balances are worked out from its ledger entries (the cost
-- preview, and `bespoke ledger verify` for every plan): without this, each
-- read scanned the whole ledger.
CREATE INDEX ledger_entries_plan ON ledger_entries (plan_id, portion_id, kind, amount_pence);
