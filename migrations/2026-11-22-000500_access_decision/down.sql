DROP FUNCTION service_readers(bigint, text);
DROP FUNCTION package_holders(bigint, text);
DROP FUNCTION holds_package(bigint, bigint, text);
DROP FUNCTION can_read_service(bigint, bigint, text);
DROP FUNCTION access_grants(bigint, bigint);
