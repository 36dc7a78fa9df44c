-- Webhook subscriptions (Altinn Events' `/subscriptions`): a client organisation's endpoint and
-- filters; the worker validates the endpoint, then delivers the matching events from the outbox
-- in order, one subscription at a time under a lease, retrying on Altinn's schedule.
CREATE TABLE event_subscriptions (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The client organisation that made it (and whose access decides what it receives).
    consumer_org    BIGINT NOT NULL REFERENCES parties (id),
    endpoint        TEXT NOT NULL CHECK (length(endpoint) <= 2000),
    source_filter   TEXT,
    resource_filter TEXT,
    type_filter     TEXT,
    -- `/organisation/<number>` or `/person/<id>`: one party's events only.
    subject_filter  TEXT,
    -- The key of the deliveries' HMAC-SHA256 signature (hex), told once, when it is made.
    secret          TEXT NOT NULL,
    validated       BOOLEAN NOT NULL DEFAULT false,
    -- The last outbox event looked at: delivery resumes after it.
    cursor          BIGINT NOT NULL,
    failures        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Set when the retry schedule ran out: shown, delivered no more until made again.
    disabled_at     TIMESTAMPTZ,
    last_error      TEXT,
    lease_until     TIMESTAMPTZ,
    leased_by       TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at      TIMESTAMPTZ
);
CREATE INDEX event_subscriptions_due_idx ON event_subscriptions (next_attempt_at)
    WHERE deleted_at IS NULL AND disabled_at IS NULL;
CREATE INDEX event_subscriptions_consumer_idx ON event_subscriptions (consumer_org);

-- Each attempt, for the pages and the metrics (kept as a log; old rows can be pruned).
CREATE TABLE event_deliveries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES event_subscriptions (id) ON DELETE CASCADE,
    -- The outbox event, or none for the validation event.
    event_seq       BIGINT,
    outcome         TEXT NOT NULL CHECK (outcome IN ('delivered', 'failed')),
    status_code     INTEGER,
    error           TEXT,
    at              TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX event_deliveries_subscription_idx ON event_deliveries (subscription_id, id DESC);
