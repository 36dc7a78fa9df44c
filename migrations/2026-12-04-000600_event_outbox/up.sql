-- The events outbox: one row per CloudEvent melding publishes (Altinn's
-- `no.altinn.correspondence.*` and `no.altinn.broker.*`), written by triggers in the same
-- transaction as the change it describes, whatever code path made the change. `seq` orders them
-- and is the cursor of the pull endpoint and of delivery.
CREATE TABLE outbox_events (
    seq               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
CREATE INDEX outbox_events_subject_idx ON outbox_events (subject_party, seq);
CREATE INDEX outbox_events_sender_idx ON outbox_events (sender_party, seq) WHERE sender_party IS NOT NULL;

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
