ALTER TABLE service_owners DROP COLUMN contact_email;
DROP TABLE dev_outbox;
DROP TABLE jobs;
ALTER TABLE notifications DROP COLUMN segments;
