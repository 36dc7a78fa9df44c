ALTER TABLE services DROP COLUMN is_shared;
