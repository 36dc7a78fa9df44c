-- The reminder's notification channel when it is not the first notice's (Altinn's
-- reminderNotificationChannel): the reminder's addresses are looked up for that channel.
ALTER TABLE sendings ADD COLUMN reminder_notification_channel TEXT
    CHECK (reminder_notification_channel IN ('Email', 'Sms', 'EmailPreferred', 'SmsPreferred', 'EmailAndSms'));
