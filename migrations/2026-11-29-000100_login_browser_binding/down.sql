ALTER TABLE login_requests DROP COLUMN browser_hash;
