ALTER TABLE attachments DROP COLUMN resource_id, DROP COLUMN display_name, DROP COLUMN is_encrypted;
