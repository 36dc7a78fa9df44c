-- Formidling: machine-to-machine file transfer (Altinn 3 Broker). A file-transfer service is a
-- service of its own kind, with its limits; a transfer is one file from one sender organisation
-- to one or more recipient organisations, stored as one or more segments in object storage.
ALTER TABLE services ADD COLUMN kind TEXT NOT NULL DEFAULT 'correspondence'
    CHECK (kind IN ('correspondence', 'file_transfer'));

CREATE TABLE file_transfer_settings (
    service_id                TEXT PRIMARY KEY REFERENCES services (id) ON DELETE CASCADE,
    -- Who may send: the owner (and its sub-units) only, or any organisation.
    senders                   TEXT NOT NULL DEFAULT 'owner' CHECK (senders IN ('owner', 'any')),
    -- Who may receive: the owner only, or any organisation.
    recipients                TEXT NOT NULL DEFAULT 'any' CHECK (recipients IN ('owner', 'any')),
    max_file_size             BIGINT NOT NULL DEFAULT 10737418240
                              CHECK (max_file_size > 0 AND max_file_size <= 1099511627776),
    time_to_live              INTERVAL NOT NULL DEFAULT '30 days'
                              CHECK (time_to_live > interval '0' AND time_to_live <= interval '365 days'),
    purge_after_all_confirmed BOOLEAN NOT NULL DEFAULT true,
    purge_grace               INTERVAL NOT NULL DEFAULT '2 hours'
                              CHECK (purge_grace >= interval '0' AND purge_grace <= interval '24 hours'),
    -- Altinn's useManifestFileShim: recipients expect a manifest with the file.
    manifest_expected         BOOLEAN NOT NULL DEFAULT false,
    external_service_code     TEXT,
    external_service_edition  INTEGER,
    updated_at                TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE file_transfers (
    id                UUID PRIMARY KEY,
    service_id        TEXT NOT NULL REFERENCES services (id),
    sender_id         BIGINT NOT NULL REFERENCES parties (id),
    -- The system that initialized it (`0192:<org number>`).
    initiated_by      TEXT NOT NULL,
    file_name         TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    senders_reference TEXT CHECK (length(senders_reference) <= 4096),
    properties        JSONB NOT NULL DEFAULT '{}',
    -- MD5, hex: the sender's (checked when the upload completes), else computed.
    checksum          TEXT,
    -- The file's length: known when the upload completes (announced up front by a resumable one).
    size_bytes        BIGINT CHECK (size_bytes >= 0),
    -- Bytes stored so far (a resumable upload continues from here).
    upload_offset     BIGINT NOT NULL DEFAULT 0 CHECK (upload_offset >= 0),
    status            TEXT NOT NULL DEFAULT 'Initialized'
                      CHECK (status IN ('Initialized', 'UploadStarted', 'UploadProcessing', 'Published',
                                        'Cancelled', 'AllConfirmedDownloaded', 'Purged', 'Failed')),
    status_changed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Why it failed, or why it was purged (`confirmed`, `expired`, `cancelled`).
    status_detail     TEXT,
    expires_at        TIMESTAMPTZ NOT NULL,
    -- Set when every recipient has confirmed: the time the grace period ends.
    purge_at          TIMESTAMPTZ,
    -- The worker's claim on a purge or an expiry (as for notices).
    lease_until       TIMESTAMPTZ,
    leased_by         TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX file_transfers_sender_idx ON file_transfers (sender_id, service_id, created_at DESC);
CREATE INDEX file_transfers_due_idx ON file_transfers (least(expires_at, purge_at))
    WHERE status NOT IN ('Purged', 'Cancelled');

CREATE TABLE file_transfer_recipients (
    transfer_id       UUID NOT NULL REFERENCES file_transfers (id) ON DELETE CASCADE,
    recipient_id      BIGINT NOT NULL REFERENCES parties (id),
    status            TEXT NOT NULL DEFAULT 'Initialized'
                      CHECK (status IN ('Initialized', 'DownloadStarted', 'DownloadConfirmed')),
    status_changed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (transfer_id, recipient_id)
);
CREATE INDEX file_transfer_recipients_party_idx ON file_transfer_recipients (recipient_id, transfer_id);

-- Every step, append-only: the status history of the transfer (recipient_id null) and of each
-- recipient, with the event Altinn publishes for it (for the events outbox).
CREATE TABLE file_transfer_events (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transfer_id  UUID NOT NULL REFERENCES file_transfers (id) ON DELETE CASCADE,
    recipient_id BIGINT REFERENCES parties (id),
    status       TEXT NOT NULL,
    event_type   TEXT,
    -- `0192:<org number>` of the system, or `melding` for the worker.
    actor        TEXT NOT NULL,
    detail       TEXT,
    occurred_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX file_transfer_events_transfer_idx ON file_transfer_events (transfer_id, id);

-- The stored bytes: one object for a streamed upload, one per chunk for a resumable one.
CREATE TABLE file_transfer_segments (
    transfer_id  UUID NOT NULL REFERENCES file_transfers (id) ON DELETE CASCADE,
    start_offset BIGINT NOT NULL CHECK (start_offset >= 0),
    length       BIGINT NOT NULL CHECK (length > 0),
    storage_key  TEXT NOT NULL,
    PRIMARY KEY (transfer_id, start_offset)
);
