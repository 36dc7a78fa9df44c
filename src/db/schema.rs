// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    acting_parties (person_id, party_id) {
        person_id -> Int8,
        party_id -> Int8,
        kind_rank -> Int2,
        group_name -> Text,
        group_id -> Int8,
        is_sub_unit -> Bool,
        is_deleted -> Bool,
        name_lower -> Text,
    }
}

diesel::table! {
    access_packages (id) {
        id -> Text,
        urn -> Text,
        name_nb -> Text,
        name_nn -> Text,
        name_en -> Text,
        description_nb -> Text,
        description_nn -> Text,
        description_en -> Text,
        is_confidential -> Bool,
        is_delegable -> Bool,
        sort_order -> Int4,
    }
}

diesel::table! {
    attachments (id) {
        id -> Uuid,
        owner_id -> Int8,
        name -> Text,
        media_type -> Text,
        size_bytes -> Int8,
        sha256 -> Nullable<Text>,
        sender_md5 -> Nullable<Text>,
        storage_key -> Text,
        state -> Text,
        senders_reference -> Nullable<Text>,
        created_by -> Nullable<Int8>,
        created_at -> Timestamptz,
        uploaded_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
        resource_id -> Nullable<Text>,
        display_name -> Nullable<Text>,
        is_encrypted -> Bool,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        actor_person_id -> Nullable<Int8>,
        acting_for_id -> Nullable<Int8>,
        action -> Text,
        target_type -> Nullable<Text>,
        target_id -> Nullable<Text>,
        details -> Jsonb,
        correlation_id -> Nullable<Text>,
    }
}

diesel::table! {
    contact_points (person_id) {
        person_id -> Int8,
        email -> Nullable<Text>,
        mobile -> Nullable<Text>,
        is_reserved -> Bool,
        confirmed_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    correspondence_attachments (correspondence_id, attachment_id) {
        correspondence_id -> Uuid,
        attachment_id -> Uuid,
        position -> Int2,
    }
}

diesel::table! {
    correspondence_events (id) {
        id -> Int8,
        correspondence_id -> Uuid,
        status -> Text,
        actor_person_id -> Nullable<Int8>,
        actor_party_id -> Nullable<Int8>,
        actor_system -> Nullable<Text>,
        details -> Nullable<Text>,
        occurred_at -> Timestamptz,
    }
}

diesel::table! {
    correspondence_forwards (id) {
        id -> Uuid,
        correspondence_id -> Uuid,
        forwarded_for -> Int8,
        by_person -> Nullable<Int8>,
        by_system -> Nullable<Text>,
        to_address -> Text,
        forwarding_text -> Nullable<Text>,
        include_attachments -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    correspondences (id) {
        id -> Uuid,
        sending_id -> Uuid,
        service_id -> Text,
        sender_id -> Int8,
        sender_name -> Text,
        display_sender -> Nullable<Text>,
        senders_reference -> Text,
        recipient_id -> Int8,
        language -> Text,
        title -> Text,
        summary -> Nullable<Text>,
        body -> Text,
        published_at -> Timestamptz,
        due_at -> Nullable<Timestamptz>,
        confirmation_needed -> Bool,
        is_confidential -> Bool,
        reply_links -> Jsonb,
        external_references -> Jsonb,
        properties -> Jsonb,
        status -> Text,
        status_changed_at -> Timestamptz,
        failure_reason -> Nullable<Text>,
        folder -> Text,
        first_read_at -> Nullable<Timestamptz>,
        marked_unread -> Bool,
        confirmed_at -> Nullable<Timestamptz>,
        attachment_count -> Int2,
        created_at -> Timestamptz,
        search_vector -> Nullable<Tsvector>,
    }
}

diesel::table! {
    delegations (id) {
        id -> Uuid,
        party_id -> Int8,
        to_person_id -> Int8,
        package_id -> Nullable<Text>,
        service_id -> Nullable<Text>,
        granted_by -> Nullable<Int8>,
        granted_at -> Timestamptz,
        revoked_by -> Nullable<Int8>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    dev_outbox (id) {
        id -> Int8,
        channel -> Text,
        recipient -> Text,
        subject -> Nullable<Text>,
        text_body -> Text,
        html_body -> Nullable<Text>,
        message_id -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    er_role_types (code) {
        code -> Text,
        name_nb -> Text,
        name_nn -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    er_roles (id) {
        id -> Int8,
        person_id -> Int8,
        org_id -> Int8,
        role_code -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    jobs (name) {
        name -> Text,
        next_run_at -> Timestamptz,
        last_run_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    file_transfer_events (id) {
        id -> Int8,
        transfer_id -> Uuid,
        recipient_id -> Nullable<Int8>,
        status -> Text,
        event_type -> Nullable<Text>,
        actor -> Text,
        detail -> Nullable<Text>,
        occurred_at -> Timestamptz,
    }
}

diesel::table! {
    file_transfer_recipients (transfer_id, recipient_id) {
        transfer_id -> Uuid,
        recipient_id -> Int8,
        status -> Text,
        status_changed_at -> Timestamptz,
    }
}

diesel::table! {
    file_transfer_segments (transfer_id, start_offset) {
        transfer_id -> Uuid,
        start_offset -> Int8,
        length -> Int8,
        storage_key -> Text,
    }
}

diesel::table! {
    file_transfer_settings (service_id) {
        service_id -> Text,
        senders -> Text,
        recipients -> Text,
        max_file_size -> Int8,
        time_to_live -> Interval,
        purge_after_all_confirmed -> Bool,
        purge_grace -> Interval,
        manifest_expected -> Bool,
        external_service_code -> Nullable<Text>,
        external_service_edition -> Nullable<Int4>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    file_transfers (id) {
        id -> Uuid,
        service_id -> Text,
        sender_id -> Int8,
        initiated_by -> Text,
        file_name -> Text,
        senders_reference -> Nullable<Text>,
        properties -> Jsonb,
        checksum -> Nullable<Text>,
        size_bytes -> Nullable<Int8>,
        upload_offset -> Int8,
        status -> Text,
        status_changed_at -> Timestamptz,
        status_detail -> Nullable<Text>,
        expires_at -> Timestamptz,
        purge_at -> Nullable<Timestamptz>,
        lease_until -> Nullable<Timestamptz>,
        leased_by -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    login_requests (state) {
        state -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        acr_requested -> Text,
        return_to -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        browser_hash -> Text,
    }
}

diesel::table! {
    mass_sends (sending_id) {
        sending_id -> Uuid,
        state -> Text,
        lines -> Int4,
        stored -> Int4,
        rejected -> Int4,
        rejected_lines -> Jsonb,
        error -> Nullable<Text>,
        started_at -> Timestamptz,
        updated_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Int8,
        correspondence_id -> Uuid,
        kind -> Text,
        channel -> Text,
        address -> Text,
        person_id -> Nullable<Int8>,
        state -> Text,
        attempts -> Int4,
        run_at -> Timestamptz,
        expires_at -> Timestamptz,
        lease_until -> Nullable<Timestamptz>,
        leased_by -> Nullable<Text>,
        provider_id -> Nullable<Text>,
        failure_reason -> Nullable<Text>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
        delivered_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        segments -> Nullable<Int2>,
        forward_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    org_notification_addresses (id) {
        id -> Int8,
        org_id -> Int8,
        channel -> Text,
        address -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    outbox_events (seq) {
        seq -> Int8,
        position -> Nullable<Int8>,
        id -> Uuid,
        #[sql_name = "type"]
        type_ -> Text,
        source -> Text,
        resource -> Text,
        resource_instance -> Uuid,
        subject_party -> Int8,
        sender_party -> Nullable<Int8>,
        time -> Timestamptz,
        data -> Nullable<Jsonb>,
    }
}

diesel::table! {
    parties (id) {
        id -> Int8,
        kind -> Text,
        national_id -> Nullable<Text>,
        org_number -> Nullable<Text>,
        name -> Text,
        org_form -> Nullable<Text>,
        parent_id -> Nullable<Int8>,
        is_deleted -> Bool,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    party_favourites (person_id, party_id) {
        person_id -> Int8,
        party_id -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    recipient_label_events (id) {
        id -> Int8,
        correspondence_id -> Uuid,
        person_id -> Int8,
        action -> Text,
        occurred_at -> Timestamptz,
    }
}

diesel::table! {
    role_packages (role_code, package_id) {
        role_code -> Text,
        package_id -> Text,
        may_delegate -> Bool,
    }
}

diesel::table! {
    seen_log (correspondence_id, person_id) {
        correspondence_id -> Uuid,
        person_id -> Int8,
        first_seen_at -> Timestamptz,
        last_seen_at -> Timestamptz,
    }
}

diesel::table! {
    sendings (id) {
        id -> Uuid,
        service_id -> Text,
        sender_id -> Int8,
        created_by -> Nullable<Int8>,
        channel -> Text,
        idempotency_key -> Nullable<Text>,
        recipient_count -> Int4,
        notification_channel -> Nullable<Text>,
        email_subject -> Nullable<Text>,
        email_body -> Nullable<Text>,
        sms_text -> Nullable<Text>,
        reminder_email_subject -> Nullable<Text>,
        reminder_email_body -> Nullable<Text>,
        reminder_sms_text -> Nullable<Text>,
        send_reminder -> Bool,
        sms_any_time -> Bool,
        ignore_reservation -> Bool,
        ignore_reservation_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        reminder_notification_channel -> Nullable<Text>,
        allow_forwarding -> Bool,
    }
}

diesel::table! {
    service_notification_texts (service_id, kind, language) {
        service_id -> Text,
        kind -> Text,
        language -> Text,
        email_subject -> Text,
        email_body -> Text,
        sms_text -> Text,
    }
}

diesel::table! {
    service_owners (party_id) {
        party_id -> Int8,
        short_name -> Text,
        created_at -> Timestamptz,
        contact_email -> Nullable<Text>,
    }
}

diesel::table! {
    services (id) {
        id -> Text,
        owner_id -> Int8,
        title_nb -> Text,
        title_nn -> Text,
        title_en -> Text,
        description_nb -> Text,
        description_nn -> Text,
        description_en -> Text,
        required_packages -> Array<Nullable<Text>>,
        min_login_level -> Int2,
        is_confidential -> Bool,
        attachment_package_id -> Nullable<Text>,
        reminder_delay -> Interval,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        is_shared -> Bool,
        kind -> Text,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        state -> Jsonb,
        person_id -> Nullable<Int8>,
        idporten_sid -> Nullable<Text>,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
        absolute_expires_at -> Timestamptz,
    }
}

diesel::joinable!(contact_points -> parties (person_id));
diesel::joinable!(correspondence_attachments -> attachments (attachment_id));
diesel::joinable!(correspondence_attachments -> correspondences (correspondence_id));
diesel::joinable!(correspondence_events -> correspondences (correspondence_id));
diesel::joinable!(correspondence_forwards -> correspondences (correspondence_id));
diesel::joinable!(notifications -> correspondence_forwards (forward_id));
diesel::joinable!(correspondences -> sendings (sending_id));
diesel::joinable!(correspondences -> services (service_id));
diesel::joinable!(delegations -> access_packages (package_id));
diesel::joinable!(file_transfer_events -> file_transfers (transfer_id));
diesel::joinable!(file_transfer_events -> parties (recipient_id));
diesel::joinable!(file_transfer_recipients -> file_transfers (transfer_id));
diesel::joinable!(file_transfer_recipients -> parties (recipient_id));
diesel::joinable!(file_transfer_segments -> file_transfers (transfer_id));
diesel::joinable!(file_transfer_settings -> services (service_id));
diesel::joinable!(file_transfers -> parties (sender_id));
diesel::joinable!(file_transfers -> services (service_id));
diesel::joinable!(delegations -> services (service_id));
diesel::joinable!(er_roles -> er_role_types (role_code));
diesel::joinable!(mass_sends -> sendings (sending_id));
diesel::joinable!(notifications -> correspondences (correspondence_id));
diesel::joinable!(notifications -> parties (person_id));
diesel::joinable!(org_notification_addresses -> parties (org_id));
diesel::joinable!(recipient_label_events -> correspondences (correspondence_id));
diesel::joinable!(recipient_label_events -> parties (person_id));
diesel::joinable!(role_packages -> access_packages (package_id));
diesel::joinable!(role_packages -> er_role_types (role_code));
diesel::joinable!(seen_log -> correspondences (correspondence_id));
diesel::joinable!(seen_log -> parties (person_id));
diesel::joinable!(sendings -> services (service_id));
diesel::joinable!(service_notification_texts -> services (service_id));
diesel::joinable!(service_owners -> parties (party_id));
diesel::joinable!(services -> access_packages (attachment_package_id));
diesel::joinable!(services -> parties (owner_id));
diesel::joinable!(sessions -> parties (person_id));

diesel::table! {
    system_delegations (id) {
        id -> Uuid,
        party_id -> Int8,
        to_org_id -> Int8,
        package_id -> Nullable<Text>,
        service_id -> Nullable<Text>,
        granted_by -> Nullable<Int8>,
        granted_at -> Timestamptz,
        revoked_by -> Nullable<Int8>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    access_packages,
    acting_parties,
    attachments,
    audit_log,
    contact_points,
    correspondence_attachments,
    correspondence_events,
    correspondence_forwards,
    correspondences,
    delegations,
    dev_outbox,
    er_role_types,
    er_roles,
    file_transfer_events,
    file_transfer_recipients,
    file_transfer_segments,
    file_transfer_settings,
    file_transfers,
    jobs,
    login_requests,
    mass_sends,
    notifications,
    org_notification_addresses,
    outbox_events,
    parties,
    party_favourites,
    recipient_label_events,
    role_packages,
    seen_log,
    sendings,
    service_notification_texts,
    service_owners,
    services,
    sessions,
    system_delegations,
);
