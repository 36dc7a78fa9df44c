-- The changed services' packages are in the audit log; nothing is put back automatically.
SELECT 1;
