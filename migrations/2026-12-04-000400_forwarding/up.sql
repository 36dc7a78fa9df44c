-- Forwarding (Altinn's allowForwarding and POST /correspondence/{id}/forward): the sender allows
-- it per send; a recipient who has read a message may forward it by e-mail, once per address.
ALTER TABLE sendings ADD COLUMN allow_forwarding BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE correspondence_forwards (
    id                  UUID PRIMARY KEY,
    correspondence_id   UUID NOT NULL REFERENCES correspondences (id) ON DELETE CASCADE,
    -- The party the forwarding person or system acted for (the recipient), and who did it:
    -- a person in the inbox, or an organisation's system (`0192:<org number>`).
    forwarded_for       BIGINT NOT NULL REFERENCES parties (id),
    by_person           BIGINT REFERENCES parties (id),
    by_system           TEXT,
    to_address          TEXT NOT NULL CHECK (length(to_address) <= 254),
    forwarding_text     TEXT CHECK (length(forwarding_text) <= 200),
    include_attachments BOOLEAN NOT NULL DEFAULT false,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((by_person IS NULL) <> (by_system IS NULL))
);
CREATE UNIQUE INDEX correspondence_forwards_once ON correspondence_forwards (correspondence_id, lower(to_address));

-- The forwarded e-mail goes through the notice outbox (leases, retries, outcomes).
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('initial', 'reminder', 'forward'));
ALTER TABLE notifications ADD COLUMN forward_id UUID REFERENCES correspondence_forwards (id) ON DELETE CASCADE;
ALTER TABLE notifications ADD CONSTRAINT notifications_forward_check
    CHECK ((kind = 'forward') = (forward_id IS NOT NULL));
