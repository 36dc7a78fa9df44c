DROP TABLE party_favourites;
DROP TRIGGER parties_update_acting ON parties;
DROP TRIGGER parties_insert_acting ON parties;
DROP FUNCTION acting_parties_parties_updated();
DROP FUNCTION acting_parties_parties_inserted();
DROP TRIGGER delegations_update_acting ON delegations;
DROP TRIGGER delegations_insert_acting ON delegations;
DROP FUNCTION acting_parties_delegations_changed();
DROP TRIGGER er_roles_delete_acting ON er_roles;
DROP TRIGGER er_roles_update_acting ON er_roles;
DROP TRIGGER er_roles_insert_acting ON er_roles;
DROP FUNCTION acting_parties_roles_changed();
DROP FUNCTION refresh_acting_parties(bigint[]);
DROP TABLE acting_parties;
DROP FUNCTION party_access(bigint, bigint);

CREATE OR REPLACE FUNCTION service_readers(p_party bigint, p_service text)
RETURNS TABLE (person_id bigint)
LANGUAGE sql STABLE AS $$
    WITH target AS (
        SELECT id, kind FROM parties WHERE id = p_party AND NOT is_deleted
    ), scope AS (SELECT id FROM party_scope(p_party)), service AS (
        SELECT id, required_packages, is_confidential FROM services WHERE id = p_service
    )
    SELECT t.id FROM target t WHERE t.kind = 'person'
    UNION
    SELECT r.person_id
    FROM er_roles r
    JOIN scope s ON s.id = r.org_id
    JOIN role_packages rp ON rp.role_code = r.role_code
    JOIN access_packages ap ON ap.id = rp.package_id AND NOT ap.is_confidential
    JOIN service sv ON rp.package_id = ANY (sv.required_packages) AND NOT sv.is_confidential
    UNION
    SELECT d.to_person_id
    FROM delegations d
    JOIN scope s ON s.id = d.party_id
    JOIN service sv ON d.service_id = sv.id OR d.package_id = ANY (sv.required_packages)
    WHERE d.revoked_at IS NULL
$$;

CREATE OR REPLACE FUNCTION party_scope(p_party bigint)
RETURNS TABLE (id bigint)
LANGUAGE sql STABLE AS $$
    SELECT p.id FROM parties p WHERE p.id = p_party AND NOT p.is_deleted
    UNION
    SELECT m.id FROM parties p JOIN parties m ON m.id = p.parent_id
    WHERE p.id = p_party AND NOT p.is_deleted AND NOT m.is_deleted
$$;
