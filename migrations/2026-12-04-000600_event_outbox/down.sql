DROP TRIGGER outbox_file_transfer_events ON file_transfer_events;
DROP FUNCTION outbox_file_transfer_events();
DROP TRIGGER outbox_forwards ON correspondence_forwards;
DROP FUNCTION outbox_forwards();
DROP TRIGGER outbox_notifications ON notifications;
DROP FUNCTION outbox_notifications();
DROP TRIGGER outbox_correspondence_events ON correspondence_events;
DROP FUNCTION outbox_correspondence_events();
DROP TABLE outbox_events;
