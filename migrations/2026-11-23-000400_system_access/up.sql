-- Access for other organisations' systems (API clients authenticated by Maskinporten): an
-- accountant's case system reading its clients' mail, an archive reading its owner's, a
-- distributor sending for a service owner. A party's administrators delegate a package or a
-- single service to an organisation, which its systems then use through the API.
CREATE TABLE system_delegations (
    id          UUID PRIMARY KEY,
    party_id    BIGINT NOT NULL REFERENCES parties (id),
    to_org_id   BIGINT NOT NULL REFERENCES parties (id),
    package_id  TEXT REFERENCES access_packages (id),
    service_id  TEXT REFERENCES services (id),
    granted_by  BIGINT REFERENCES parties (id),
    granted_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_by  BIGINT REFERENCES parties (id),
    revoked_at  TIMESTAMPTZ,
    CHECK ((package_id IS NULL) <> (service_id IS NULL))
);
CREATE UNIQUE INDEX system_delegations_live_package_uq ON system_delegations (party_id, to_org_id, package_id)
    WHERE revoked_at IS NULL AND package_id IS NOT NULL;
CREATE UNIQUE INDEX system_delegations_live_service_uq ON system_delegations (party_id, to_org_id, service_id)
    WHERE revoked_at IS NULL AND service_id IS NOT NULL;
CREATE INDEX system_delegations_to_org_idx ON system_delegations (to_org_id, party_id) WHERE revoked_at IS NULL;

-- What an organisation's systems hold for a party (or its main unit) by delegation.
CREATE FUNCTION system_grants(p_org bigint, p_party bigint)
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
CREATE FUNCTION system_readable_service_ids(p_org bigint, p_party bigint)
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
CREATE FUNCTION system_attachment_right(p_org bigint, p_party bigint, p_package text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_package IS NULL
        OR p_org IN (SELECT id FROM party_scope(p_party))
        OR EXISTS (SELECT 1 FROM system_grants(p_org, p_party) g WHERE g.package_id = p_package)
$$;

-- The parties an organisation's systems act for: itself, its sub-units, the parties that
-- delegated to it and their sub-units.
CREATE FUNCTION system_parties(p_org bigint)
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
