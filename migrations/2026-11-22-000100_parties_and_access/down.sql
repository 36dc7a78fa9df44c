DROP TABLE role_packages;
DROP TABLE access_packages;
DROP TABLE er_roles;
DROP TABLE er_role_types;
DROP TABLE service_owners;
DROP TABLE parties;
DROP EXTENSION IF EXISTS btree_gin;
DROP EXTENSION IF EXISTS pg_trgm;
