-- A send from an uploaded CSV runs in the background; its progress and rejected lines live here
-- so the sender can follow it from any node.
CREATE TABLE mass_sends (
    sending_id     UUID PRIMARY KEY REFERENCES sendings (id),
    state          TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
    lines          INTEGER NOT NULL DEFAULT 0 CHECK (lines >= 0),
    stored         INTEGER NOT NULL DEFAULT 0 CHECK (stored >= 0),
    rejected       INTEGER NOT NULL DEFAULT 0 CHECK (rejected >= 0),
    -- The first rejected lines: [{"line": 12, "value": "...", "reason": "invalid"}, ...]
    rejected_lines JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(rejected_lines) = 'array'),
    error          TEXT,
    started_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at    TIMESTAMPTZ
);
