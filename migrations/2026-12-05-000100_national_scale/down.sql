DROP INDEX correspondences_unread_idx;
CREATE INDEX correspondences_unread_idx
    ON correspondences (recipient_id, folder) INCLUDE (service_id, published_at, status)
    WHERE first_read_at IS NULL OR marked_unread;
DROP INDEX correspondences_search_idx;
CREATE INDEX correspondences_search_idx ON correspondences USING gin (recipient_id, search_vector);
ALTER TABLE outbox_events ADD CONSTRAINT outbox_events_subject_party_fkey
    FOREIGN KEY (subject_party) REFERENCES parties (id);
ALTER TABLE outbox_events ADD CONSTRAINT outbox_events_sender_party_fkey
    FOREIGN KEY (sender_party) REFERENCES parties (id);
