-- A shared service (eFormidling's digital post processes): every service owner may send with it,
-- and what is sent is the sending owner's, not the service's owner's.
ALTER TABLE services ADD COLUMN is_shared BOOLEAN NOT NULL DEFAULT FALSE;
