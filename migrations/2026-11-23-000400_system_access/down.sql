DROP FUNCTION system_parties(bigint);
DROP FUNCTION system_attachment_right(bigint, bigint, text);
DROP FUNCTION system_readable_service_ids(bigint, bigint);
DROP FUNCTION system_grants(bigint, bigint);
DROP TABLE system_delegations;
