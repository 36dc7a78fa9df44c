-- The unread messages of a party and folder, newest first: an inbox filtered to unread (the
-- benchmark's filtered search among them) walks only the unread rows in order and stops at a
-- page, instead of gathering every unread row of a party with 100,000 messages and sorting them.
-- The unread counts stay answered from this index alone (recipient_id, folder, status, service_id).
DROP INDEX correspondences_unread_idx;
CREATE INDEX correspondences_unread_idx
    ON correspondences (recipient_id, folder, published_at DESC, id DESC) INCLUDE (service_id, status)
    WHERE first_read_at IS NULL OR marked_unread;

-- Full text without the recipient: no plan ever used the recipient column of the GIN index (the
-- recipient's btree narrows better), and each new message paid for an entry in it at a random
-- place, which a mass send into a large table pays a million times.
DROP INDEX correspondences_search_idx;
CREATE INDEX correspondences_search_idx ON correspondences USING gin (search_vector);

-- The events outbox is written only by triggers, from rows whose parties their own foreign keys
-- have just checked: its own checks were two more lookups per event, for every message of a
-- mass send (a profile of a send into 10,000,000 messages showed over a quarter of its time in foreign-key checks).
ALTER TABLE outbox_events DROP CONSTRAINT outbox_events_subject_party_fkey;
ALTER TABLE outbox_events DROP CONSTRAINT outbox_events_sender_party_fkey;
