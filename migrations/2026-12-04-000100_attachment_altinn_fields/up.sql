-- What Altinn's clients say of an attachment and read back: the service it is for, the name to
-- show, and whether its content is encrypted (kept, not acted on).
ALTER TABLE attachments
    ADD COLUMN resource_id TEXT,
    ADD COLUMN display_name TEXT,
    ADD COLUMN is_encrypted BOOLEAN NOT NULL DEFAULT FALSE;
