DROP FUNCTION may_delegate_service(bigint, bigint, text);
DROP FUNCTION may_delegate_package(bigint, bigint, text);
DROP FUNCTION may_administer(bigint, bigint);
DROP FUNCTION service_readers(bigint, text);
DROP FUNCTION package_holders(bigint, text);
DROP FUNCTION holds_package(bigint, bigint, text);
DROP FUNCTION can_read_service(bigint, bigint, text);
DROP FUNCTION readable_service_ids(bigint, bigint);
DROP FUNCTION access_grants(bigint, bigint);
