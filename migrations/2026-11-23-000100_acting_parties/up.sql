-- The parties each person may act for, kept ready in picker order, and each person's favourites.
-- A representative with 15,000 clients gets the first page of the party picker from an index
-- range scan instead of collecting and sorting 15,000 names per request. The table is derived
-- data: triggers on er_roles, delegations and parties keep it in step, and the authorization
-- decision itself never reads it.

-- A deleted unit's mail stays readable for those who held access to it: nothing is lost when a
-- unit leaves the register. Nobody can administer or delegate for a deleted unit (the
-- may_administer/may_delegate_* functions check that themselves), and the picker lists deleted
-- units only on request.
CREATE OR REPLACE FUNCTION party_scope(p_party bigint)
RETURNS TABLE (id bigint)
LANGUAGE sql STABLE AS $$
    -- One index lookup, no UNION: this runs inside every authorization check.
    SELECT s.id FROM parties p CROSS JOIN LATERAL (VALUES (p.id), (p.parent_id)) s (id)
    WHERE p.id = p_party AND s.id IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION service_readers(p_party bigint, p_service text)
RETURNS TABLE (person_id bigint)
LANGUAGE sql STABLE AS $$
    WITH target AS (
        SELECT id, kind FROM parties WHERE id = p_party
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

-- What a person acting for a party may see of its mail, decided once per request: whether they
-- may act for it at all, the services whose mail they may read (login level aside), and whether
-- they may know that mail they cannot read exists (ordinary-mail holders, main administrators).
-- One SELECT over the inlinable functions, so PostgreSQL inlines it into the page's query.
CREATE FUNCTION party_access(p_person bigint, p_party bigint)
RETURNS TABLE (may_act boolean, readable text[], may_know boolean)
LANGUAGE sql STABLE AS $$
    WITH g AS MATERIALIZED (SELECT package_id FROM access_grants(p_person, p_party))
    SELECT p_person = p_party OR EXISTS (SELECT 1 FROM g),
           ARRAY(SELECT service_id FROM readable_service_ids(p_person, p_party) ORDER BY 1),
           EXISTS (SELECT 1 FROM g WHERE g.package_id IN ('ordinary-mail', 'main-administrator'))
$$;

-- No foreign keys: parties are never removed (only flagged deleted), and this table has a row
-- per person and party held, which bulk loads should not pay a key check for.
CREATE TABLE acting_parties (
    person_id   BIGINT NOT NULL,
    party_id    BIGINT NOT NULL,
    -- Picker order: 0 the person themself, 1 other persons, 2 organisations.
    kind_rank   SMALLINT NOT NULL,
    -- The main unit's name (lower case) and id, so sub-units follow their main unit.
    group_name  TEXT NOT NULL,
    group_id    BIGINT NOT NULL,
    is_sub_unit BOOLEAN NOT NULL,
    is_deleted  BOOLEAN NOT NULL,
    -- The party's own name in lower case, for search within one person's parties.
    name_lower  TEXT NOT NULL,
    PRIMARY KEY (person_id, party_id)
);
CREATE INDEX acting_parties_order_idx
    ON acting_parties (person_id, kind_rank, group_name, group_id, is_sub_unit, party_id);
CREATE INDEX acting_parties_party_idx ON acting_parties (party_id);

-- Recomputes the rows of the given persons from the register roles, live delegations and the
-- sub-units of what they hold (the same reach as access_grants/party_scope).
CREATE FUNCTION refresh_acting_parties(p_persons bigint[])
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

CREATE FUNCTION acting_parties_roles_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM refresh_acting_parties(ARRAY(SELECT DISTINCT person_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM refresh_acting_parties(ARRAY(SELECT DISTINCT person_id FROM old_rows));
    ELSE
        PERFORM refresh_acting_parties(ARRAY(
            SELECT person_id FROM new_rows UNION SELECT person_id FROM old_rows));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER er_roles_insert_acting AFTER INSERT ON er_roles
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION acting_parties_roles_changed();
CREATE TRIGGER er_roles_update_acting AFTER UPDATE ON er_roles
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION acting_parties_roles_changed();
CREATE TRIGGER er_roles_delete_acting AFTER DELETE ON er_roles
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION acting_parties_roles_changed();

CREATE FUNCTION acting_parties_delegations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM refresh_acting_parties(ARRAY(SELECT DISTINCT to_person_id FROM new_rows));
    ELSE
        PERFORM refresh_acting_parties(ARRAY(
            SELECT to_person_id FROM new_rows UNION SELECT to_person_id FROM old_rows));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER delegations_insert_acting AFTER INSERT ON delegations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION acting_parties_delegations_changed();
CREATE TRIGGER delegations_update_acting AFTER UPDATE ON delegations
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION acting_parties_delegations_changed();

-- New persons act for themselves; a new sub-unit joins the lists of those holding its main unit;
-- a renamed, moved or deleted party is re-sorted or re-flagged in every list that holds it.
CREATE FUNCTION acting_parties_parties_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_acting_parties(ARRAY(
        SELECT id FROM new_rows WHERE kind = 'person'
        UNION
        SELECT a.person_id FROM new_rows n JOIN acting_parties a ON a.party_id = n.parent_id));
    RETURN NULL;
END $$;

CREATE FUNCTION acting_parties_parties_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_acting_parties(ARRAY(
        SELECT a.person_id
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        JOIN acting_parties a ON a.party_id IN (n.id, n.parent_id, o.parent_id)
        WHERE n.name IS DISTINCT FROM o.name OR n.parent_id IS DISTINCT FROM o.parent_id
           OR n.is_deleted IS DISTINCT FROM o.is_deleted));
    RETURN NULL;
END $$;

CREATE TRIGGER parties_insert_acting AFTER INSERT ON parties
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION acting_parties_parties_inserted();
CREATE TRIGGER parties_update_acting AFTER UPDATE ON parties
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION acting_parties_parties_updated();

SELECT refresh_acting_parties(ARRAY(SELECT id FROM parties WHERE kind = 'person'));

-- A person's favourite parties, shown after themself in the picker.
CREATE TABLE party_favourites (
    person_id  BIGINT NOT NULL REFERENCES parties (id),
    party_id   BIGINT NOT NULL REFERENCES parties (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, party_id)
);
