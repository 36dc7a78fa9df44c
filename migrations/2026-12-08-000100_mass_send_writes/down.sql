ALTER TABLE correspondences
    DROP CONSTRAINT correspondences_sending_fkey,
    ADD CONSTRAINT correspondences_sending_id_fkey FOREIGN KEY (sending_id) REFERENCES sendings (id),
    ADD CONSTRAINT correspondences_service_id_fkey FOREIGN KEY (service_id) REFERENCES services (id),
    ADD CONSTRAINT correspondences_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES parties (id);
ALTER TABLE sendings DROP CONSTRAINT sendings_id_service_sender_key;
DROP TRIGGER correspondences_search_vector ON correspondences;
DROP FUNCTION correspondences_search_vector();
ALTER TABLE correspondences DROP COLUMN search_vector;
ALTER TABLE correspondences ADD COLUMN search_vector TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('norwegian'::regconfig, title), 'A') ||
    setweight(to_tsvector('norwegian'::regconfig, coalesce(summary, '')), 'B') ||
    setweight(to_tsvector('norwegian'::regconfig, coalesce(display_sender, sender_name)), 'B') ||
    setweight(to_tsvector('norwegian'::regconfig, body), 'C')
) STORED;
CREATE INDEX correspondences_search_idx ON correspondences USING gin (search_vector);
DROP FUNCTION message_search_vector(text, text, text, text);
ALTER TABLE notifications
    ADD CONSTRAINT notifications_correspondence_id_fkey FOREIGN KEY (correspondence_id) REFERENCES correspondences (id),
    ADD CONSTRAINT notifications_person_id_fkey FOREIGN KEY (person_id) REFERENCES parties (id);
ALTER TABLE correspondence_events
    ADD CONSTRAINT correspondence_events_correspondence_id_fkey FOREIGN KEY (correspondence_id) REFERENCES correspondences (id),
    ADD CONSTRAINT correspondence_events_actor_person_id_fkey FOREIGN KEY (actor_person_id) REFERENCES parties (id),
    ADD CONSTRAINT correspondence_events_actor_party_id_fkey FOREIGN KEY (actor_party_id) REFERENCES parties (id);
