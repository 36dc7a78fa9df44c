-- A confidential service is read only by those given the confidential package or the service
-- itself by delegation. Services registered before this rule with an ordinary package among
-- their required packages keep only their confidential ones (the confidential-mail package
-- when they had none); each change is written to the audit log.
WITH before AS (
    SELECT s.id, s.owner_id, s.required_packages AS was
    FROM services s
    WHERE s.is_confidential
      AND EXISTS (SELECT 1 FROM unnest(s.required_packages) p
                  WHERE p IS NULL OR p NOT IN (SELECT id FROM access_packages WHERE is_confidential))
), changed AS (
    UPDATE services s
    SET required_packages = coalesce(
            nullif(ARRAY(SELECT p FROM unnest(s.required_packages) p
                         WHERE p IN (SELECT id FROM access_packages WHERE is_confidential)), '{}'),
            ARRAY['confidential-mail']::text[]),
        updated_at = now()
    FROM before b
    WHERE s.id = b.id
    RETURNING s.id, s.owner_id, b.was, s.required_packages AS now
)
INSERT INTO audit_log (action, acting_for_id, target_type, target_id, details)
SELECT 'service_packages_made_confidential', owner_id, 'service', id,
       jsonb_build_object('before', was, 'after', now,
                          'reason', 'a confidential service is read only with the confidential package or by delegation')
FROM changed;
