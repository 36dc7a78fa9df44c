DROP TABLE audit_log;
DROP TABLE login_requests;
DROP TABLE sessions;
