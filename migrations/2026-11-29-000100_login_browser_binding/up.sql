-- A pending login belongs to the browser that started it: the SHA-256 of a random value in that
-- browser's login cookie. A callback from another browser (login CSRF) finds a different hash.
-- Logins pending when this is applied have none and must be started again.
ALTER TABLE login_requests
    ADD COLUMN browser_hash TEXT NOT NULL DEFAULT '' CHECK (browser_hash = '' OR browser_hash ~ '^[0-9a-f]{64}$');
