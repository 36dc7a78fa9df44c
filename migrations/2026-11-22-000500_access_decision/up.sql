-- The authorization decision, in SQL so that listings, counts and reports authorise in the same
-- query that fetches. Rules (domain.md): a person acting for a sub-unit holds what they hold for
-- its main unit; confidential packages never come from roles; revoked delegations and deleted
-- parties give nothing; a person always acts for themself.

-- The parties whose grants count for a party: itself and its main unit, neither deleted. The one
-- place the sub-unit inheritance rule is written.
CREATE FUNCTION party_scope(p_party bigint)
RETURNS TABLE (id bigint)
LANGUAGE sql STABLE AS $$
    SELECT p.id FROM parties p WHERE p.id = p_party AND NOT p.is_deleted
    UNION
    SELECT m.id FROM parties p JOIN parties m ON m.id = p.parent_id
    WHERE p.id = p_party AND NOT p.is_deleted AND NOT m.is_deleted
$$;

-- Everything a person holds for a party (or its main unit), with where it comes from.
CREATE FUNCTION access_grants(p_person bigint, p_party bigint)
RETURNS TABLE (
    package_id    text,
    service_id    text,
    source        text,      -- 'role' | 'delegation'
    role_code     text,
    delegation_id uuid,
    via_party     bigint,    -- the party the grant is held for (the unit itself or its main unit)
    granted_by    bigint,
    granted_at    timestamptz,
    may_delegate  boolean
)
LANGUAGE sql STABLE AS $$
    WITH scope AS (SELECT id FROM party_scope(p_party))
    SELECT rp.package_id, NULL::text, 'role', r.role_code, NULL::uuid, r.org_id, NULL::bigint, r.created_at,
           rp.may_delegate
    FROM er_roles r
    JOIN scope s ON s.id = r.org_id
    JOIN role_packages rp ON rp.role_code = r.role_code
    JOIN access_packages ap ON ap.id = rp.package_id AND NOT ap.is_confidential
    WHERE r.person_id = p_person
    UNION ALL
    SELECT d.package_id, d.service_id, 'delegation', NULL, d.id, d.party_id, d.granted_by, d.granted_at,
           false
    FROM delegations d
    JOIN scope s ON s.id = d.party_id
    WHERE d.to_person_id = p_person AND d.revoked_at IS NULL
$$;

-- The services whose mail the person may read for the party (login level aside): all of them
-- for oneself; otherwise those delegated singly, and those requiring a package held (through a
-- delegation only, when the service is confidential).
CREATE FUNCTION readable_service_ids(p_person bigint, p_party bigint)
RETURNS TABLE (service_id text)
LANGUAGE sql STABLE AS $$
    SELECT s.id FROM services s
    WHERE EXISTS (SELECT 1 FROM parties WHERE id = p_party AND id = p_person AND kind = 'person')
    UNION
    SELECT s.id
    FROM access_grants(p_person, p_party) g
    JOIN services s
      ON g.service_id = s.id
      OR (g.package_id = ANY (s.required_packages) AND (NOT s.is_confidential OR g.source = 'delegation'))
$$;

-- May the person read the service's mail for the party (login level aside)?
CREATE FUNCTION can_read_service(p_person bigint, p_party bigint, p_service text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM readable_service_ids(p_person, p_party) r WHERE r.service_id = p_service)
$$;

-- Does the person hold the package for the party (confidential ones only by delegation)?
CREATE FUNCTION holds_package(p_person bigint, p_party bigint, p_package text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM access_grants(p_person, p_party) g WHERE g.package_id = p_package)
$$;

-- Everyone who holds the package for the party: through a role on it or its main unit, or a
-- live delegation. Confidential packages only through delegation.
CREATE FUNCTION package_holders(p_party bigint, p_package text)
RETURNS TABLE (person_id bigint)
LANGUAGE sql STABLE AS $$
    WITH scope AS (SELECT id FROM party_scope(p_party))
    SELECT r.person_id
    FROM er_roles r
    JOIN scope s ON s.id = r.org_id
    JOIN role_packages rp ON rp.role_code = r.role_code AND rp.package_id = p_package
    JOIN access_packages ap ON ap.id = rp.package_id AND NOT ap.is_confidential
    UNION
    SELECT d.to_person_id
    FROM delegations d
    JOIN scope s ON s.id = d.party_id
    WHERE d.package_id = p_package AND d.revoked_at IS NULL
$$;

-- Everyone who can read the service's mail for the party: the same rules as can_read_service,
-- turned around. Drives the send-time check, the administrators' warnings and unread reports.
CREATE FUNCTION service_readers(p_party bigint, p_service text)
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

-- May the person administer access for the organisation (main administrator or access manager)?
CREATE FUNCTION may_administer(p_person bigint, p_party bigint)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM parties WHERE id = p_party AND kind = 'organization' AND NOT is_deleted)
       AND EXISTS (SELECT 1 FROM access_grants(p_person, p_party) g
                   WHERE g.package_id IN ('main-administrator', 'access-manager'))
$$;

-- Main administrators may delegate any package; access managers only delegable packages they hold.
CREATE FUNCTION may_delegate_package(p_person bigint, p_party bigint, p_package text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM parties WHERE id = p_party AND kind = 'organization' AND NOT is_deleted)
       AND EXISTS (SELECT 1 FROM access_packages WHERE id = p_package)
       AND (holds_package(p_person, p_party, 'main-administrator')
            OR (holds_package(p_person, p_party, 'access-manager') AND holds_package(p_person, p_party, p_package)
                AND (SELECT is_delegable FROM access_packages WHERE id = p_package)))
$$;

-- Main administrators may delegate any service; access managers only services they can read
-- themselves, and never confidential ones.
CREATE FUNCTION may_delegate_service(p_person bigint, p_party bigint, p_service text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM parties WHERE id = p_party AND kind = 'organization' AND NOT is_deleted)
       AND EXISTS (SELECT 1 FROM services WHERE id = p_service)
       AND (holds_package(p_person, p_party, 'main-administrator')
            OR (holds_package(p_person, p_party, 'access-manager') AND can_read_service(p_person, p_party, p_service)
                AND NOT (SELECT is_confidential FROM services WHERE id = p_service)))
$$;
