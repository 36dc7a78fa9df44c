-- Message services, delegations, sendings, correspondences and everything that hangs off a message.

CREATE TABLE services (
    id              TEXT PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,99}$'),
    owner_id        BIGINT NOT NULL REFERENCES parties (id),
    title_nb        TEXT NOT NULL CHECK (length(title_nb) BETWEEN 1 AND 255),
    title_nn        TEXT NOT NULL CHECK (length(title_nn) BETWEEN 1 AND 255),
    title_en        TEXT NOT NULL CHECK (length(title_en) BETWEEN 1 AND 255),
    description_nb  TEXT NOT NULL DEFAULT '',
    description_nn  TEXT NOT NULL DEFAULT '',
    description_en  TEXT NOT NULL DEFAULT '',
    -- Any one of these packages lets a person read the service's mail for a party.
    required_packages TEXT[] NOT NULL DEFAULT '{}',
    -- 3 = idporten-loa-substantial, 4 = idporten-loa-high.
    min_login_level SMALLINT NOT NULL DEFAULT 3 CHECK (min_login_level IN (3, 4)),
    is_confidential BOOLEAN NOT NULL DEFAULT FALSE,
    -- When set, downloading attachments needs this package as well.
    attachment_package_id TEXT REFERENCES access_packages (id),
    reminder_delay  INTERVAL NOT NULL DEFAULT '7 days' CHECK (reminder_delay > '0'::interval),
    is_active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX services_owner_idx ON services (owner_id);
CREATE INDEX services_required_packages_idx ON services USING gin (required_packages);

-- A service's default notification texts, per kind (first notice or reminder) and language.
CREATE TABLE service_notification_texts (
    service_id    TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('initial', 'reminder')),
    language      TEXT NOT NULL CHECK (language IN ('nb', 'nn', 'en')),
    email_subject TEXT NOT NULL CHECK (length(email_subject) BETWEEN 1 AND 255),
    email_body    TEXT NOT NULL CHECK (length(email_body) BETWEEN 1 AND 10000),
    sms_text      TEXT NOT NULL CHECK (length(sms_text) BETWEEN 1 AND 2000),
    PRIMARY KEY (service_id, kind, language)
);

-- A package or a single service granted to a person for a party.
CREATE TABLE delegations (
    id           UUID PRIMARY KEY,
    party_id     BIGINT NOT NULL REFERENCES parties (id),
    to_person_id BIGINT NOT NULL REFERENCES parties (id),
    package_id   TEXT REFERENCES access_packages (id),
    service_id   TEXT REFERENCES services (id),
    -- NULL when granted by the system (import from the register, demo seed).
    granted_by   BIGINT REFERENCES parties (id),
    granted_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_by   BIGINT REFERENCES parties (id),
    revoked_at   TIMESTAMPTZ,
    CHECK ((package_id IS NULL) <> (service_id IS NULL)),
    CHECK (party_id <> to_person_id)
);
CREATE UNIQUE INDEX delegations_live_package_uq ON delegations (party_id, to_person_id, package_id)
    WHERE revoked_at IS NULL AND package_id IS NOT NULL;
CREATE UNIQUE INDEX delegations_live_service_uq ON delegations (party_id, to_person_id, service_id)
    WHERE revoked_at IS NULL AND service_id IS NOT NULL;
CREATE INDEX delegations_to_person_idx ON delegations (to_person_id, party_id) WHERE revoked_at IS NULL;

-- One send action (a compose form, an API call, a CSV upload): the notification order and the
-- idempotency key live here once instead of on each of a million rows.
CREATE TABLE sendings (
    id                 UUID PRIMARY KEY,
    service_id         TEXT NOT NULL REFERENCES services (id),
    sender_id          BIGINT NOT NULL REFERENCES parties (id),
    created_by         BIGINT REFERENCES parties (id),
    channel            TEXT NOT NULL DEFAULT 'api' CHECK (channel IN ('form', 'api', 'csv', 'seed')),
    idempotency_key    TEXT CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    recipient_count    INTEGER NOT NULL DEFAULT 0 CHECK (recipient_count >= 0),
    notification_channel TEXT CHECK (notification_channel IN
        ('Email', 'Sms', 'EmailPreferred', 'SmsPreferred', 'EmailAndSms')),
    email_subject      TEXT,
    email_body         TEXT,
    sms_text           TEXT,
    reminder_email_subject TEXT,
    reminder_email_body    TEXT,
    reminder_sms_text      TEXT,
    send_reminder      BOOLEAN NOT NULL DEFAULT TRUE,
    sms_any_time       BOOLEAN NOT NULL DEFAULT FALSE,
    ignore_reservation BOOLEAN NOT NULL DEFAULT FALSE,
    ignore_reservation_reason TEXT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (NOT ignore_reservation OR length(ignore_reservation_reason) > 0)
);
CREATE UNIQUE INDEX sendings_idempotency_uq ON sendings (sender_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX sendings_sender_idx ON sendings (sender_id, created_at DESC);

-- One row per recipient. Status is derived from correspondence_events and kept here for listing;
-- the recipient-side folder lives here too, because every inbox listing filters on it.
CREATE TABLE correspondences (
    id                  UUID PRIMARY KEY,
    sending_id          UUID NOT NULL REFERENCES sendings (id),
    service_id          TEXT NOT NULL REFERENCES services (id),
    sender_id           BIGINT NOT NULL REFERENCES parties (id),
    -- The sender's name when sent, so that search and display do not depend on later renames.
    sender_name         TEXT NOT NULL,
    display_sender      TEXT CHECK (length(display_sender) <= 255),
    senders_reference   TEXT NOT NULL CHECK (length(senders_reference) BETWEEN 1 AND 4096),
    recipient_id        BIGINT NOT NULL REFERENCES parties (id),
    language            TEXT NOT NULL DEFAULT 'nb' CHECK (language IN ('nb', 'nn', 'en')),
    title               TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 255),
    summary             TEXT CHECK (length(summary) <= 255),
    body                TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 30000),
    published_at        TIMESTAMPTZ NOT NULL,
    due_at              TIMESTAMPTZ,
    confirmation_needed BOOLEAN NOT NULL DEFAULT FALSE,
    is_confidential     BOOLEAN NOT NULL DEFAULT FALSE,
    reply_links         JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(reply_links) = 'array'),
    external_references JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(external_references) = 'array'
                                                       AND jsonb_array_length(external_references) <= 10),
    properties          JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(properties) = 'object'),
    status              TEXT NOT NULL DEFAULT 'Initialized' CHECK (status IN (
        'Initialized', 'ReadyForPublish', 'Published', 'Fetched', 'Read', 'Replied', 'Confirmed',
        'PurgedByRecipient', 'PurgedByService', 'Archived', 'Reserved', 'Failed',
        'AttachmentsDownloaded')),
    status_changed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    failure_reason      TEXT,
    -- Recipient side: shared by everyone acting for the party.
    folder              TEXT NOT NULL DEFAULT 'inbox' CHECK (folder IN ('inbox', 'archive', 'bin')),
    first_read_at       TIMESTAMPTZ,
    marked_unread       BOOLEAN NOT NULL DEFAULT FALSE,
    confirmed_at        TIMESTAMPTZ,
    attachment_count    SMALLINT NOT NULL DEFAULT 0 CHECK (attachment_count BETWEEN 0 AND 100),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    search_vector       TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('norwegian'::regconfig, title), 'A') ||
        setweight(to_tsvector('norwegian'::regconfig, coalesce(summary, '')), 'B') ||
        setweight(to_tsvector('norwegian'::regconfig, coalesce(display_sender, sender_name)), 'B') ||
        setweight(to_tsvector('norwegian'::regconfig, body), 'C')
    ) STORED,
    CHECK (due_at IS NULL OR due_at >= published_at),
    CHECK (NOT confirmation_needed OR due_at IS NOT NULL)
);
-- The inbox: a party's mail in one folder, newest first, keyset-paginated on (published_at, id).
CREATE INDEX correspondences_inbox_idx
    ON correspondences (recipient_id, folder, published_at DESC, id DESC);
-- All folders of a party (search results, "all organisations" views).
CREATE INDEX correspondences_recipient_idx
    ON correspondences (recipient_id, published_at DESC, id DESC);
-- Unread counts per party and folder stay cheap: answered from the index alone.
CREATE INDEX correspondences_unread_idx
    ON correspondences (recipient_id, folder) INCLUDE (service_id, published_at, status)
    WHERE first_read_at IS NULL OR marked_unread;
-- Due-date views.
CREATE INDEX correspondences_due_idx
    ON correspondences (recipient_id, due_at) WHERE due_at IS NOT NULL;
-- Free text in Norwegian, scoped to one recipient.
CREATE INDEX correspondences_search_idx
    ON correspondences USING gin (recipient_id, search_vector);
-- The sender's side.
CREATE INDEX correspondences_sender_idx ON correspondences (sender_id, created_at DESC, id DESC);
CREATE INDEX correspondences_sending_idx ON correspondences (sending_id);
CREATE INDEX correspondences_service_idx ON correspondences (service_id, created_at DESC);
CREATE INDEX correspondences_senders_reference_idx ON correspondences (sender_id, senders_reference);
-- Scheduled publishing.
CREATE INDEX correspondences_to_publish_idx ON correspondences (published_at)
    WHERE status IN ('Initialized', 'ReadyForPublish');

-- Append-only status history.
CREATE TABLE correspondence_events (
    id                BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    correspondence_id UUID NOT NULL REFERENCES correspondences (id),
    status            TEXT NOT NULL CHECK (status IN (
        'Initialized', 'ReadyForPublish', 'Published', 'Fetched', 'Read', 'Replied', 'Confirmed',
        'PurgedByRecipient', 'PurgedByService', 'Archived', 'Reserved', 'Failed',
        'AttachmentsDownloaded')),
    -- The person who caused it (NULL for the system), and the party they acted for.
    actor_person_id   BIGINT REFERENCES parties (id),
    actor_party_id    BIGINT REFERENCES parties (id),
    -- An API client or system name when a machine caused it.
    actor_system      TEXT,
    details           TEXT,
    occurred_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX correspondence_events_correspondence_idx
    ON correspondence_events (correspondence_id, occurred_at);

CREATE OR REPLACE FUNCTION correspondence_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'correspondence_events is append-only';
END;
$$;
CREATE TRIGGER correspondence_events_no_update
    BEFORE UPDATE OR DELETE ON correspondence_events
    FOR EACH ROW EXECUTE FUNCTION correspondence_events_append_only();

-- Who moved a message between folders or marked it (un)read, for the party's shared labels.
CREATE TABLE recipient_label_events (
    id                BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    correspondence_id UUID NOT NULL REFERENCES correspondences (id),
    person_id         BIGINT NOT NULL REFERENCES parties (id),
    action            TEXT NOT NULL CHECK (action IN
        ('to_inbox', 'to_archive', 'to_bin', 'marked_read', 'marked_unread', 'deleted')),
    occurred_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX recipient_label_events_correspondence_idx
    ON recipient_label_events (correspondence_id, occurred_at);

-- Which person opened which message, for "seen by you + 2".
CREATE TABLE seen_log (
    correspondence_id UUID NOT NULL REFERENCES correspondences (id),
    person_id         BIGINT NOT NULL REFERENCES parties (id),
    first_seen_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (correspondence_id, person_id)
);

CREATE TABLE attachments (
    id           UUID PRIMARY KEY,
    owner_id     BIGINT NOT NULL REFERENCES parties (id),
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    media_type   TEXT NOT NULL CHECK (length(media_type) BETWEEN 3 AND 255),
    size_bytes   BIGINT NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
    sha256       TEXT CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    sender_md5   TEXT CHECK (sender_md5 ~ '^[0-9a-f]{32}$'),
    storage_key  TEXT NOT NULL UNIQUE,
    state        TEXT NOT NULL DEFAULT 'initialized'
                 CHECK (state IN ('initialized', 'uploading', 'published', 'failed', 'purged')),
    senders_reference TEXT,
    created_by   BIGINT REFERENCES parties (id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    uploaded_at  TIMESTAMPTZ,
    expires_at   TIMESTAMPTZ,
    CHECK (state <> 'published' OR (sha256 IS NOT NULL AND uploaded_at IS NOT NULL))
);
CREATE INDEX attachments_owner_idx ON attachments (owner_id, created_at DESC);

CREATE TABLE correspondence_attachments (
    correspondence_id UUID NOT NULL REFERENCES correspondences (id),
    attachment_id     UUID NOT NULL REFERENCES attachments (id),
    position          SMALLINT NOT NULL DEFAULT 0,
    PRIMARY KEY (correspondence_id, attachment_id)
);
CREATE INDEX correspondence_attachments_attachment_idx ON correspondence_attachments (attachment_id);
