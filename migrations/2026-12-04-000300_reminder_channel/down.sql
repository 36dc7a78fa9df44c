ALTER TABLE sendings DROP COLUMN reminder_notification_channel;
