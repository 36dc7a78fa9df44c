DROP TABLE notifications;
DROP TABLE org_notification_addresses;
DROP TABLE contact_points;
