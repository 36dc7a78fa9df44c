-- The authorization decision: the current definition of every function it is made of, in one
-- place. Applied after the migrations on every start (CREATE OR REPLACE, in one transaction under
-- an advisory lock, so nodes starting together take turns), so a change to a rule is a diff of
-- this file; the migrations keep only tables and data. Earlier migrations created these functions
-- too; what is here replaces them. A function whose signature changes needs a DROP FUNCTION IF
-- EXISTS of the old one first, here.
--
-- Rules (domain.md): a person acting for a sub-unit holds what they hold for its main unit;
-- confidential packages never come from roles; revoked delegations give nothing; a person always
-- acts for themself. SQL, so that listings, counts and reports authorise in the same query that
-- fetches; every function is a single SELECT that PostgreSQL inlines into the calling query.

-- Messages a recipient can see: published, not withdrawn, delivered and not deleted. Called with
-- the message's columns (delivered(c.published_at, c.status)); inlined, so indexes still apply.
CREATE OR REPLACE FUNCTION delivered(p_published_at timestamptz, p_status text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_published_at <= now() AND p_status NOT IN
        ('Initialized', 'ReadyForPublish', 'PurgedByService', 'PurgedByRecipient', 'Reserved', 'Failed')
$$;

-- The parties whose grants count for a party: itself and its main unit. The one place the
-- sub-unit inheritance rule is written. A deleted unit's mail stays readable for those who held
-- access to it: nothing is lost when a unit leaves the register. Nobody can administer or delegate for a deleted unit (the
-- may_administer/may_delegate_* functions check that themselves), and the picker lists deleted
-- units only on request.
CREATE OR REPLACE FUNCTION party_scope(p_party bigint)
RETURNS TABLE (id bigint)
LANGUAGE sql STABLE AS $$
    -- One index lookup, no UNION: this runs inside every authorization check.
    SELECT s.id FROM parties p CROSS JOIN LATERAL (VALUES (p.id), (p.parent_id)) s (id)
    WHERE p.id = p_party AND s.id IS NOT NULL
$$;

-- Everything a person holds for a party (or its main unit), with where it comes from.
CREATE OR REPLACE FUNCTION access_grants(p_person bigint, p_party bigint)
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
CREATE OR REPLACE FUNCTION readable_service_ids(p_person bigint, p_party bigint)
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
CREATE OR REPLACE FUNCTION can_read_service(p_person bigint, p_party bigint, p_service text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM readable_service_ids(p_person, p_party) r WHERE r.service_id = p_service)
$$;

-- Does the person hold the package for the party (confidential ones only by delegation)?
CREATE OR REPLACE FUNCTION holds_package(p_person bigint, p_party bigint, p_package text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM access_grants(p_person, p_party) g WHERE g.package_id = p_package)
$$;

-- Everyone who holds the package for the party: through a role on it or its main unit, or a
-- live delegation. Confidential packages only through delegation.
CREATE OR REPLACE FUNCTION package_holders(p_party bigint, p_package text)
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

-- Everyone who can read the service's mail for the party, and how (self, role, delegation): the
-- same rules as can_read_service, turned around. Drives the send-time check, the preflight, the
-- administrators' warnings and unread reports.
CREATE OR REPLACE FUNCTION service_readers_by(p_party bigint, p_service text)
RETURNS TABLE (person_id bigint, via text)
LANGUAGE sql STABLE AS $$
    WITH target AS (
        SELECT id, kind FROM parties WHERE id = p_party
    ), scope AS (SELECT id FROM party_scope(p_party)), service AS (
        SELECT id, required_packages, is_confidential FROM services WHERE id = p_service
    )
    SELECT t.id, 'self' FROM target t WHERE t.kind = 'person'
    UNION
    SELECT r.person_id, 'role'
    FROM er_roles r
    JOIN scope s ON s.id = r.org_id
    JOIN role_packages rp ON rp.role_code = r.role_code
    JOIN access_packages ap ON ap.id = rp.package_id AND NOT ap.is_confidential
    JOIN service sv ON rp.package_id = ANY (sv.required_packages) AND NOT sv.is_confidential
    UNION
    SELECT d.to_person_id, 'delegation'
    FROM delegations d
    JOIN scope s ON s.id = d.party_id
    JOIN service sv ON d.service_id = sv.id OR d.package_id = ANY (sv.required_packages)
    WHERE d.revoked_at IS NULL
$$;

-- The persons who can read the service's mail for the party, each once.
CREATE OR REPLACE FUNCTION service_readers(p_party bigint, p_service text)
RETURNS TABLE (person_id bigint)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT b.person_id FROM service_readers_by(p_party, p_service) b
$$;



-- May the person administer access for the organisation (main administrator or access manager)?
CREATE OR REPLACE FUNCTION may_administer(p_person bigint, p_party bigint)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM parties WHERE id = p_party AND kind = 'organization' AND NOT is_deleted)
       AND EXISTS (SELECT 1 FROM access_grants(p_person, p_party) g
                   WHERE g.package_id IN ('main-administrator', 'access-manager'))
$$;

-- Main administrators may delegate any package; access managers only delegable packages they hold.
CREATE OR REPLACE FUNCTION may_delegate_package(p_person bigint, p_party bigint, p_package text)
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
CREATE OR REPLACE FUNCTION may_delegate_service(p_person bigint, p_party bigint, p_service text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM parties WHERE id = p_party AND kind = 'organization' AND NOT is_deleted)
       AND EXISTS (SELECT 1 FROM services WHERE id = p_service)
       AND (holds_package(p_person, p_party, 'main-administrator')
            OR (holds_package(p_person, p_party, 'access-manager') AND can_read_service(p_person, p_party, p_service)
                AND NOT (SELECT is_confidential FROM services WHERE id = p_service)))
$$;

-- What a person acting for a party may see of its mail, decided once per request: whether they
-- may act for it at all, the services whose mail they may read (login level aside), whether they
-- may know that mail they cannot read exists (ordinary-mail holders, main administrators), and
-- whether every service is readable (their own mail: the page's queries then test no service at
-- all). One SELECT over the inlinable functions, so PostgreSQL
-- inlines it into the page's query.
DO $$ BEGIN
    -- every_service was added to the result: the old signature cannot be replaced in place.
    IF EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'party_access'
               AND NOT ('every_service' = ANY (coalesce(proargnames, '{}')))) THEN
        DROP FUNCTION party_access(bigint, bigint);
    END IF;
END $$;
CREATE OR REPLACE FUNCTION party_access(p_person bigint, p_party bigint)
RETURNS TABLE (may_act boolean, readable text[], may_know boolean, every_service boolean)
LANGUAGE sql STABLE AS $$
    WITH own AS (
        SELECT EXISTS (SELECT 1 FROM parties WHERE id = p_party AND id = p_person AND kind = 'person') AS yes
    ), g AS MATERIALIZED (SELECT package_id FROM access_grants(p_person, p_party))
    SELECT p_person = p_party OR EXISTS (SELECT 1 FROM g),
           ARRAY(SELECT service_id FROM readable_service_ids(p_person, p_party) ORDER BY 1),
           -- One's own mail is all readable: there is nothing to know of that one cannot open.
           NOT own.yes AND EXISTS (SELECT 1 FROM g WHERE g.package_id IN ('ordinary-mail', 'main-administrator')),
           own.yes
    FROM own
$$;

-- A person's access to their own mail, as party_access(p_person, p_person) decides it: every
-- service (the first rule of readable_service_ids), nothing they could not open. The inbox asks
-- this when the party is the person themself (most page views): its plan is a few nodes, where
-- party_access's carries every grant rule, and starting that plan cost more than running it.
CREATE OR REPLACE FUNCTION own_access(p_person bigint)
RETURNS TABLE (may_act boolean, readable text[], may_know boolean, every_service boolean)
LANGUAGE sql STABLE AS $$
    SELECT true, ARRAY(SELECT id FROM services ORDER BY 1), false, true
    FROM parties WHERE id = p_person AND kind = 'person'
$$;

-- Recomputes the rows of the given persons from the register roles, live delegations and the
-- sub-units of what they hold (the same reach as access_grants/party_scope).
CREATE OR REPLACE FUNCTION refresh_acting_parties(p_persons bigint[])
RETURNS void
LANGUAGE sql AS $$
    DELETE FROM acting_parties WHERE person_id = ANY (p_persons);
    INSERT INTO acting_parties
        (person_id, party_id, kind_rank, group_name, group_id, is_sub_unit, is_deleted, name_lower)
    WITH held AS (
        SELECT r.person_id, r.org_id AS party_id FROM er_roles r
        WHERE r.person_id = ANY (p_persons)
          AND EXISTS (SELECT 1 FROM role_packages rp WHERE rp.role_code = r.role_code)
        UNION
        SELECT d.to_person_id, d.party_id FROM delegations d
        WHERE d.to_person_id = ANY (p_persons) AND d.revoked_at IS NULL
        UNION
        SELECT p.id, p.id FROM parties p WHERE p.id = ANY (p_persons) AND p.kind = 'person'
    ), reachable AS (
        SELECT person_id, party_id FROM held
        UNION
        SELECT h.person_id, p.id FROM held h JOIN parties p ON p.parent_id = h.party_id
    )
    SELECT r.person_id, p.id,
           CASE WHEN p.id = r.person_id THEN 0 WHEN p.kind = 'person' THEN 1 ELSE 2 END,
           CASE WHEN p.id = r.person_id THEN '' ELSE lower(coalesce(m.name, p.name)) END,
           CASE WHEN p.id = r.person_id THEN 0 ELSE coalesce(m.id, p.id) END,
           p.parent_id IS NOT NULL, p.is_deleted, lower(p.name)
    FROM reachable r
    JOIN parties p ON p.id = r.party_id
    LEFT JOIN parties m ON m.id = p.parent_id;
$$;

-- What an organisation's systems hold for a party (or its main unit) by delegation.
CREATE OR REPLACE FUNCTION system_grants(p_org bigint, p_party bigint)
RETURNS TABLE (package_id text, service_id text)
LANGUAGE sql STABLE AS $$
    SELECT d.package_id, d.service_id
    FROM system_delegations d
    JOIN party_scope(p_party) s ON s.id = d.party_id
    WHERE d.to_org_id = p_org AND d.revoked_at IS NULL
$$;

-- The services whose mail an organisation's systems may read for a party. Its own mail (and its
-- sub-units') without delegation, confidential services aside; everything else, and confidential
-- mail always, only by delegation. Login levels do not apply to systems.
CREATE OR REPLACE FUNCTION system_readable_service_ids(p_org bigint, p_party bigint)
RETURNS TABLE (service_id text)
LANGUAGE sql STABLE AS $$
    SELECT s.id FROM services s
    WHERE NOT s.is_confidential AND p_org IN (SELECT id FROM party_scope(p_party))
    UNION
    SELECT s.id
    FROM system_grants(p_org, p_party) g
    JOIN services s ON g.service_id = s.id OR g.package_id = ANY (s.required_packages)
$$;

-- May the organisation's systems open the service's attachments for the party?
CREATE OR REPLACE FUNCTION system_attachment_right(p_org bigint, p_party bigint, p_package text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_package IS NULL
        OR p_org IN (SELECT id FROM party_scope(p_party))
        OR EXISTS (SELECT 1 FROM system_grants(p_org, p_party) g WHERE g.package_id = p_package)
$$;

-- The parties an organisation's systems act for: itself, its sub-units, the parties that
-- delegated to it and their sub-units.
CREATE OR REPLACE FUNCTION system_parties(p_org bigint)
RETURNS TABLE (party_id bigint)
LANGUAGE sql STABLE AS $$
    WITH held AS (
        SELECT p_org AS id
        UNION
        SELECT d.party_id FROM system_delegations d WHERE d.to_org_id = p_org AND d.revoked_at IS NULL
    )
    SELECT h.id FROM held h
    UNION
    SELECT p.id FROM held h JOIN parties p ON p.parent_id = h.id
$$;

-- The organisations whose systems can read the service's mail for the party by delegation.
CREATE OR REPLACE FUNCTION service_reader_systems(p_party bigint, p_service text)
RETURNS TABLE (org_id bigint)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT d.to_org_id
    FROM system_delegations d
    JOIN party_scope(p_party) s ON s.id = d.party_id
    WHERE d.revoked_at IS NULL
      AND p_service IN (SELECT service_id FROM system_readable_service_ids(d.to_org_id, p_party))
$$;
