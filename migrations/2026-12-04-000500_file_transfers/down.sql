DROP TABLE file_transfer_segments;
DROP TABLE file_transfer_events;
DROP TABLE file_transfer_recipients;
DROP TABLE file_transfers;
DROP TABLE file_transfer_settings;
ALTER TABLE services DROP COLUMN kind;
