-- Support plans, their budgets split into portions, commissions against them,
-- and the ledger every money movement is written to.

CREATE TABLE plans (
    id INTEGER PRIMARY KEY NOT NULL,
    holder_id BIGINT NOT NULL REFERENCES accounts (id),
    council_code TEXT NOT NULL REFERENCES councils (code),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'ended')),
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    -- Counts approvals: a revised plan goes back to draft and is approved again.
    revision INTEGER NOT NULL DEFAULT 0,
    created_by BIGINT NOT NULL REFERENCES accounts (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (period_end >= period_start)
);
CREATE INDEX plans_holder ON plans (holder_id);
CREATE INDEX plans_council ON plans (council_code, status);

-- A plan's budget, split by how each part is held. The three figures are the
-- running balance of the ledger rows for the portion; `bespoke ledger verify`
-- recomputes them. The CHECK is the last guard against overspending.
CREATE TABLE plan_portions (
    id INTEGER PRIMARY KEY NOT NULL,
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('direct_payment', 'individual_service_fund', 'council_managed')),
    funding_stream TEXT NOT NULL,
    provider_id BIGINT REFERENCES accounts (id),
    budget_pence BIGINT NOT NULL,
    committed_pence BIGINT NOT NULL DEFAULT 0,
    spent_pence BIGINT NOT NULL DEFAULT 0,
    CHECK (budget_pence >= 0 AND committed_pence >= 0 AND spent_pence >= 0),
    CHECK (committed_pence + spent_pence <= budget_pence)
);
CREATE INDEX plan_portions_plan ON plan_portions (plan_id, position);

CREATE TABLE plan_outcomes (
    id INTEGER PRIMARY KEY NOT NULL,
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    domain TEXT NOT NULL
);
CREATE INDEX plan_outcomes_plan ON plan_outcomes (plan_id, position);

-- What the plan expects to buy. Quantities are kept in hundredths.
CREATE TABLE planned_support (
    id INTEGER PRIMARY KEY NOT NULL,
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    category TEXT NOT NULL,
    quantity_centi BIGINT,
    per TEXT NOT NULL,
    amount_pence BIGINT,
    outcome_id BIGINT REFERENCES plan_outcomes (id) ON DELETE SET NULL,
    portion_id BIGINT REFERENCES plan_portions (id) ON DELETE SET NULL
);
CREATE INDEX planned_support_plan ON planned_support (plan_id, position);

-- Family members or friends who may act on the plan with the holder's rights.
CREATE TABLE plan_representatives (
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    nominated_by BIGINT NOT NULL REFERENCES accounts (id),
    nominated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (plan_id, account_id)
);
CREATE INDEX plan_representatives_account ON plan_representatives (account_id);

-- Brokers the holder has given access to the plan.
CREATE TABLE plan_brokers (
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    broker_id BIGINT NOT NULL REFERENCES accounts (id),
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (plan_id, broker_id)
);
CREATE INDEX plan_brokers_broker ON plan_brokers (broker_id);

-- Who did what to a plan, and in which capacity.
CREATE TABLE plan_events (
    id INTEGER PRIMARY KEY NOT NULL,
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    actor_id BIGINT NOT NULL REFERENCES accounts (id),
    acting_as TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plan_events_plan ON plan_events (plan_id, at);

-- A purchase against a plan portion. Everything that decides the cost is a
-- snapshot taken at the moment of commissioning; later price changes do not touch it.
CREATE TABLE commissions (
    id INTEGER PRIMARY KEY NOT NULL,
    plan_id BIGINT NOT NULL REFERENCES plans (id),
    portion_id BIGINT NOT NULL REFERENCES plan_portions (id),
    listing_id BIGINT NOT NULL REFERENCES listings (id),
    seller_id BIGINT NOT NULL REFERENCES accounts (id),
    requested_by BIGINT NOT NULL REFERENCES accounts (id),
    acting_as TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('requested', 'accepted', 'declined', 'cancelled', 'completed')),
    listing_title TEXT NOT NULL,
    category TEXT NOT NULL,
    unit TEXT NOT NULL,
    band TEXT,
    quantity_centi BIGINT NOT NULL,
    per TEXT NOT NULL,
    visits_per_week_centi BIGINT,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    outcome_id BIGINT REFERENCES plan_outcomes (id) ON DELETE SET NULL,
    unit_price_pence BIGINT NOT NULL,
    weekly_pence BIGINT NOT NULL,
    fees_pence BIGINT NOT NULL,
    total_pence BIGINT NOT NULL,
    -- The whole cost breakdown (fee lines included) as JSON.
    cost TEXT NOT NULL,
    alternatives TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX commissions_plan ON commissions (plan_id, status);
CREATE INDEX commissions_seller ON commissions (seller_id, status);

-- Support delivered and invoiced against a commission.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY NOT NULL,
    commission_id BIGINT NOT NULL REFERENCES commissions (id),
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    quantity_centi BIGINT NOT NULL,
    amount_pence BIGINT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES accounts (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX deliveries_commission ON deliveries (commission_id);

-- Every money movement, never updated or deleted. `adjust` changes a
-- portion's budget (signed); `commit` and `release` move money into and out
-- of commitments; `spend` moves it from committed to spent.
CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY NOT NULL,
    plan_id BIGINT NOT NULL REFERENCES plans (id),
    portion_id BIGINT NOT NULL REFERENCES plan_portions (id),
    commission_id BIGINT REFERENCES commissions (id),
    kind TEXT NOT NULL CHECK (kind IN ('adjust', 'commit', 'release', 'spend')),
    amount_pence BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id BIGINT REFERENCES accounts (id),
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ledger_entries_portion ON ledger_entries (portion_id);
CREATE INDEX ledger_entries_commission ON ledger_entries (commission_id);

-- The first answer to a POST that carried an Idempotency-Key, replayed for repeats.
CREATE TABLE idempotency_keys (
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    key TEXT NOT NULL,
    request TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, key)
);
