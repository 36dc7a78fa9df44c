DELETE FROM notifications WHERE kind = 'forward';
ALTER TABLE notifications DROP CONSTRAINT notifications_forward_check;
ALTER TABLE notifications DROP COLUMN forward_id;
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('initial', 'reminder'));
DROP TABLE correspondence_forwards;
ALTER TABLE sendings DROP COLUMN allow_forwarding;
