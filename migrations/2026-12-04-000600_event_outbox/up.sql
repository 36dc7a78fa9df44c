-- The events outbox: one row per CloudEvent melding publishes (Altinn's
-- `no.altinn.correspondence.*` and `no.altinn.broker.*`), written by triggers in the same
-- transaction as the change it describes, whatever code path made the change.
--
-- `seq` is taken when the row is written, but transactions commit in another order (a mass send
-- holds its numbers for minutes), so a reader that moved past `seq` 10 could miss 5 committed
-- later. `position` is the order readers use: given by `sequence_events()` only to rows whose
-- transaction ended before any transaction still running began (`xid` below the snapshot's
-- xmin), in `seq` order, under a lock; no row can later appear before a position given.
CREATE TABLE outbox_events (
    seq               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid               XID8 NOT NULL DEFAULT pg_current_xact_id(),
    position          BIGINT UNIQUE,
    id                UUID NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    -- `no.altinn.correspondence.correspondencepublished`, `no.altinn.broker.published`, ...
    type              TEXT NOT NULL,
    -- What the source URL names after the API's base: `correspondence`, `attachment`, `filetransfer`.
    source            TEXT NOT NULL,
    -- The service (`urn:altinn:resource:<id>` in the event).
    resource          TEXT NOT NULL,
    -- The message or the transfer.
    resource_instance UUID NOT NULL,
    -- The party the event is about (its subject): the recipient, or the sender for a sender's event.
    subject_party     BIGINT NOT NULL REFERENCES parties (id),
    -- The sending organisation (a sender system sees the events of what it sent).
    sender_party      BIGINT REFERENCES parties (id),
    time              TIMESTAMPTZ NOT NULL DEFAULT now(),
    data              JSONB
);
CREATE INDEX outbox_events_unplaced_idx ON outbox_events (seq) WHERE position IS NULL;
CREATE INDEX outbox_events_subject_idx ON outbox_events (subject_party, position);
CREATE INDEX outbox_events_sender_idx ON outbox_events (sender_party, position) WHERE sender_party IS NOT NULL;

-- Gives positions to the rows that can no longer be overtaken (see above); returns how many.
-- One caller at a time; a caller that finds another at it goes on without waiting (it reads
-- what has positions already).
CREATE FUNCTION sequence_events() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    placed bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(726173) THEN
        RETURN 0;
    END IF;
    WITH base AS (SELECT coalesce(max(position), 0) AS p FROM outbox_events),
         ready AS (SELECT seq, row_number() OVER (ORDER BY seq) AS n FROM outbox_events
                   WHERE position IS NULL AND xid < pg_snapshot_xmin(pg_current_snapshot())
                   ORDER BY seq LIMIT 100000)
    UPDATE outbox_events e SET position = base.p + ready.n FROM ready, base WHERE e.seq = ready.seq;
    GET DIAGNOSTICS placed = ROW_COUNT;
    RETURN placed;
END $$;

-- A message's status history: published, read, confirmed, purged, failed, reserved, downloaded.
CREATE FUNCTION outbox_correspondence_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_events (type, source, resource, resource_instance, subject_party, sender_party, time, data)
    SELECT 'no.altinn.correspondence.' || CASE n.status
               WHEN 'Published' THEN 'correspondencepublished'
               WHEN 'Read' THEN 'correspondencereceiverread'
               WHEN 'Confirmed' THEN 'correspondencereceiverconfirmed'
               WHEN 'PurgedByRecipient' THEN 'correspondencepurged'
               WHEN 'PurgedByService' THEN 'correspondencepurged'
               WHEN 'Failed' THEN 'correspondencepublishfailed'
               WHEN 'Reserved' THEN 'correspondencereceiverreserved'
               WHEN 'AttachmentsDownloaded' THEN 'attachmentdownloaded'
           END,
           CASE WHEN n.status = 'AttachmentsDownloaded' THEN 'attachment' ELSE 'correspondence' END,
           c.service_id, c.id, c.recipient_id, c.sender_id, n.occurred_at,
           jsonb_build_object('correspondenceId', c.id, 'status', n.status)
    FROM new_rows n JOIN correspondences c ON c.id = n.correspondence_id
    WHERE n.status IN ('Published', 'Read', 'Confirmed', 'PurgedByRecipient', 'PurgedByService',
                       'Failed', 'Reserved', 'AttachmentsDownloaded')
    ORDER BY n.id;
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_correspondence_events AFTER INSERT ON correspondence_events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_correspondence_events();

-- A notice that went out, or failed for good.
CREATE FUNCTION outbox_notifications() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_events (type, source, resource, resource_instance, subject_party, sender_party, time, data)
    SELECT 'no.altinn.correspondence.' || CASE
               WHEN n.state = 'failed' THEN 'correspondencenotificationfailed'
               WHEN n.kind = 'reminder' THEN 'correspondencenotificationreminderdelivered'
               ELSE 'correspondencenotificationdelivered' END,
           'correspondence', c.service_id, c.id, c.recipient_id, c.sender_id, n.updated_at,
           jsonb_build_object('correspondenceId', c.id, 'notificationChannel', n.channel)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    JOIN correspondences c ON c.id = n.correspondence_id
    WHERE n.kind IN ('initial', 'reminder') AND n.state IS DISTINCT FROM o.state
      AND (n.state = 'failed' OR (n.state = 'sent' AND o.state NOT IN ('sent', 'delivered')))
    ORDER BY n.id;
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_notifications AFTER UPDATE ON notifications
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_notifications();

-- A message forwarded by its recipient.
CREATE FUNCTION outbox_forwards() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_events (type, source, resource, resource_instance, subject_party, sender_party, time, data)
    SELECT 'no.altinn.correspondence.correspondenceforwarded', 'correspondence', c.service_id, c.id,
           c.recipient_id, NULL, n.created_at, jsonb_build_object('correspondenceId', c.id)
    FROM new_rows n JOIN correspondences c ON c.id = n.correspondence_id;
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_forwards AFTER INSERT ON correspondence_forwards
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_forwards();

-- Every file-transfer step with an Altinn event type: about the sender for the transfer's own
-- steps, about the recipient for a recipient's; a publication and a purge also to each recipient.
CREATE FUNCTION outbox_file_transfer_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_events (type, source, resource, resource_instance, subject_party, sender_party, time, data)
    SELECT 'no.altinn.broker.' || lower(n.event_type), 'filetransfer', t.service_id, t.id,
           s.party, t.sender_id, n.occurred_at,
           jsonb_build_object('fileTransferId', t.id, 'status', n.status)
    FROM new_rows n JOIN file_transfers t ON t.id = n.transfer_id
    CROSS JOIN LATERAL (
        SELECT coalesce(n.recipient_id, t.sender_id) AS party
        UNION
        SELECT r.recipient_id FROM file_transfer_recipients r
        WHERE n.recipient_id IS NULL AND n.event_type IN ('published', 'filePurged') AND r.transfer_id = t.id
    ) s
    WHERE n.event_type IS NOT NULL
    ORDER BY n.id, s.party;
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_file_transfer_events AFTER INSERT ON file_transfer_events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_file_transfer_events();
