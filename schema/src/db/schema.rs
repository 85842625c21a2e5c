// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    account_tokens (token_hash) {
        token_hash -> Bytea,
        user_id -> Uuid,
        purpose -> Text,
        email -> Text,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Uuid,
        workshop_id -> Uuid,
        name -> Text,
        scopes -> Array<Text>,
        token_hash -> Bytea,
        token_prefix -> Text,
        created_by -> Nullable<Uuid>,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        last_used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    assistant_usage (workshop_id, day) {
        workshop_id -> Uuid,
        day -> Date,
        tokens -> Int8,
    }
}

diesel::table! {
    backup_runs (slot) {
        slot -> Timestamptz,
        status -> Text,
        attempts -> Int4,
        host -> Text,
        file -> Nullable<Text>,
        size_bytes -> Nullable<Int8>,
        error -> Nullable<Text>,
        started_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    billing_accounts (workshop_id) {
        workshop_id -> Uuid,
        managed_by -> Text,
        stripe_customer_id -> Nullable<Text>,
        stripe_subscription_id -> Nullable<Text>,
        stripe_status -> Nullable<Text>,
        current_period_end -> Nullable<Timestamptz>,
        cancel_at_period_end -> Bool,
        past_due_since -> Nullable<Timestamptz>,
        payment_method_id -> Nullable<Text>,
        payment_method_kind -> Nullable<Text>,
        payment_method_brand -> Nullable<Text>,
        payment_method_last4 -> Nullable<Text>,
        manual_note -> Nullable<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    client_keys (id) {
        id -> Uuid,
        workshop_id -> Uuid,
        key -> Text,
        label -> Text,
        allowed_origins -> Array<Text>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        paused_by_plan -> Bool,
    }
}

diesel::table! {
    consent_texts (id) {
        id -> Uuid,
        workshop_id -> Uuid,
        locale -> Text,
        text -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    conversations (id) {
        id -> Uuid,
        workshop_id -> Uuid,
        client_key_id -> Uuid,
        locale -> Text,
        page_url -> Nullable<Text>,
        taken_over_by -> Nullable<Uuid>,
        taken_over_at -> Nullable<Timestamptz>,
        message_count -> Int4,
        last_message_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        erased_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    events (id) {
        id -> Int8,
        workshop_id -> Uuid,
        conversation_id -> Nullable<Uuid>,
        lead_id -> Nullable<Uuid>,
        kind -> Text,
        payload -> Jsonb,
        created_at -> Timestamptz,
        xid -> Int8,
    }
}

diesel::table! {
    facts (id) {
        id -> Int8,
        workshop_id -> Uuid,
        kind -> Text,
        at -> Timestamptz,
        client_key_id -> Nullable<Uuid>,
        conversation_id -> Nullable<Uuid>,
        lead_id -> Nullable<Uuid>,
        message_id -> Nullable<Uuid>,
        page -> Nullable<Text>,
        intent -> Nullable<Text>,
        matched -> Nullable<Bool>,
        service_ids -> Array<Uuid>,
        status -> Nullable<Text>,
        seconds -> Nullable<Int4>,
        open_seconds -> Nullable<Int4>,
    }
}

diesel::table! {
    invitations (id) {
        id -> Uuid,
        workshop_id -> Uuid,
        email -> Text,
        role -> Text,
        token_hash -> Bytea,
        invited_by -> Nullable<Uuid>,
        expires_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    invoices (id) {
        id -> Text,
        workshop_id -> Uuid,
        number -> Nullable<Text>,
        amount_cents -> Int8,
        currency -> Text,
        status -> Text,
        hosted_url -> Nullable<Text>,
        pdf_url -> Nullable<Text>,
        created_at -> Timestamptz,
        snapshot_at -> Timestamptz,
        snapshot_rank -> Int2,
    }
}

diesel::table! {
    lead_notes (id) {
        id -> Uuid,
        lead_id -> Uuid,
        workshop_id -> Uuid,
        author_id -> Nullable<Uuid>,
        body -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    leads (id) {
        id -> Uuid,
        workshop_id -> Uuid,
        conversation_id -> Nullable<Uuid>,
        client_key_id -> Nullable<Uuid>,
        status -> Text,
        name -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        vehicle_make -> Nullable<Text>,
        vehicle_model -> Nullable<Text>,
        vehicle_year -> Nullable<Int4>,
        service_ids -> Array<Uuid>,
        preferred_date -> Nullable<Date>,
        message -> Nullable<Text>,
        consent_text -> Text,
        consent_at -> Timestamptz,
        consent_ip -> Nullable<Text>,
        source_url -> Nullable<Text>,
        estimated_min_cents -> Nullable<Int4>,
        estimated_max_cents -> Nullable<Int4>,
        over_plan_limit -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search_text -> Nullable<Text>,
        reminder_sent_at -> Nullable<Timestamptz>,
        consent_text_id -> Nullable<Uuid>,
        consent_locale -> Nullable<Text>,
        consent_withdrawn_at -> Nullable<Timestamptz>,
        erased_at -> Nullable<Timestamptz>,
        first_response_at -> Nullable<Timestamptz>,
        submission_id -> Nullable<Text>,
    }
}

diesel::table! {
    mail_suppressions (address_sha256) {
        address_sha256 -> Text,
        reason -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    memberships (user_id, workshop_id) {
        user_id -> Uuid,
        workshop_id -> Uuid,
        role -> Text,
        created_at -> Timestamptz,
        notify_new_lead -> Bool,
        notify_reminder -> Bool,
        notify_daily_summary -> Bool,
    }
}

diesel::table! {
    messages (id) {
        id -> Uuid,
        conversation_id -> Uuid,
        workshop_id -> Uuid,
        role -> Text,
        body -> Text,
        cited_service_ids -> Array<Uuid>,
        offer_lead_form -> Bool,
        assistant -> Nullable<Text>,
        tokens -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    organizations (id) {
        id -> Uuid,
        name -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    outbox (id) {
        id -> Uuid,
        workshop_id -> Nullable<Uuid>,
        user_id -> Nullable<Uuid>,
        lead_id -> Nullable<Uuid>,
        kind -> Text,
        recipient -> Text,
        reply_to -> Nullable<Text>,
        locale -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    privacy_audit (id) {
        id -> Uuid,
        workshop_id -> Uuid,
        actor_user_id -> Nullable<Uuid>,
        actor -> Text,
        action -> Text,
        counts -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    privacy_settings (workshop_id) {
        workshop_id -> Uuid,
        conversation_days -> Int4,
        closed_lead_days -> Int4,
        event_days -> Int4,
        notice_url -> Nullable<Text>,
        ran_on -> Nullable<Date>,
        due_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Bytea,
        session_id -> Uuid,
        workshop_id -> Uuid,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    service_categories (id) {
        id -> Uuid,
        workshop_id -> Uuid,
        name -> Text,
        sort_order -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    services (id) {
        id -> Uuid,
        workshop_id -> Uuid,
        category_id -> Uuid,
        name -> Text,
        description -> Text,
        aliases -> Array<Text>,
        min_price_cents -> Int4,
        max_price_cents -> Int4,
        vehicle_prices -> Jsonb,
        duration_minutes -> Nullable<Int4>,
        active -> Bool,
        sort_order -> Int4,
        standard_name -> Nullable<Text>,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search_text -> Nullable<Text>,
        search_document -> Nullable<Tsvector>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        workshop_id -> Uuid,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoke_reason -> Nullable<Text>,
    }
}

diesel::table! {
    stripe_events (id) {
        id -> Text,
        #[sql_name = "type"]
        type_ -> Text,
        payload -> Text,
        created_at -> Timestamptz,
        received_at -> Timestamptz,
        workshop_id -> Nullable<Uuid>,
        processed_at -> Nullable<Timestamptz>,
        outcome -> Nullable<Text>,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    stripe_subscriptions (id) {
        id -> Text,
        workshop_id -> Uuid,
        status -> Text,
        price_id -> Nullable<Text>,
        current_period_end -> Nullable<Timestamptz>,
        cancel_at_period_end -> Bool,
        trial_end -> Nullable<Timestamptz>,
        snapshot_at -> Timestamptz,
        snapshot_rank -> Int2,
        past_due_since -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        password_hash -> Text,
        is_platform_admin -> Bool,
        created_at -> Timestamptz,
        email_verified_at -> Nullable<Timestamptz>,
        locale -> Text,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        workshop_id -> Uuid,
        endpoint_id -> Uuid,
        event_id -> Nullable<Int8>,
        message_id -> Text,
        event_type -> Text,
        body -> Text,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_attempt_at -> Nullable<Timestamptz>,
        response_status -> Nullable<Int4>,
        response_body -> Nullable<Text>,
        duration_ms -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        redelivery_of -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Uuid,
        workshop_id -> Uuid,
        url -> Text,
        description -> Text,
        event_types -> Array<Text>,
        active -> Bool,
        disabled_reason -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Timestamptz>,
        failing_since -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    widget_releases (file) {
        file -> Text,
        integrity -> Text,
        script -> Text,
        first_served_at -> Timestamptz,
    }
}

diesel::table! {
    workshops (id) {
        id -> Uuid,
        name -> Text,
        locale -> Text,
        time_zone -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        website -> Nullable<Text>,
        street -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        city -> Nullable<Text>,
        country -> Text,
        brand_color -> Nullable<Text>,
        opening_hours -> Jsonb,
        plan_code -> Text,
        trial_ends_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        widget_greeting -> Nullable<Text>,
        widget_position -> Text,
        consent_text -> Nullable<Text>,
        legal_name -> Nullable<Text>,
        managing_director -> Nullable<Text>,
        commercial_register -> Nullable<Text>,
        vat_id -> Nullable<Text>,
        organization_id -> Uuid,
        lead_reminder_minutes -> Int4,
        daily_summary_sent_on -> Nullable<Date>,
        billing_status -> Text,
        access_until -> Nullable<Timestamptz>,
        trial_reminder_sent_at -> Nullable<Timestamptz>,
        catalog_revision -> Int8,
    }
}

diesel::joinable!(account_tokens -> users (user_id));
diesel::joinable!(api_tokens -> users (created_by));
diesel::joinable!(api_tokens -> workshops (workshop_id));
diesel::joinable!(assistant_usage -> workshops (workshop_id));
diesel::joinable!(billing_accounts -> workshops (workshop_id));
diesel::joinable!(client_keys -> workshops (workshop_id));
diesel::joinable!(consent_texts -> workshops (workshop_id));
diesel::joinable!(conversations -> client_keys (client_key_id));
diesel::joinable!(conversations -> users (taken_over_by));
diesel::joinable!(conversations -> workshops (workshop_id));
diesel::joinable!(events -> conversations (conversation_id));
diesel::joinable!(events -> leads (lead_id));
diesel::joinable!(events -> workshops (workshop_id));
diesel::joinable!(facts -> workshops (workshop_id));
diesel::joinable!(invitations -> users (invited_by));
diesel::joinable!(invitations -> workshops (workshop_id));
diesel::joinable!(invoices -> workshops (workshop_id));
diesel::joinable!(lead_notes -> leads (lead_id));
diesel::joinable!(lead_notes -> users (author_id));
diesel::joinable!(lead_notes -> workshops (workshop_id));
diesel::joinable!(leads -> client_keys (client_key_id));
diesel::joinable!(leads -> consent_texts (consent_text_id));
diesel::joinable!(leads -> conversations (conversation_id));
diesel::joinable!(leads -> workshops (workshop_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> workshops (workshop_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(messages -> workshops (workshop_id));
diesel::joinable!(outbox -> leads (lead_id));
diesel::joinable!(outbox -> users (user_id));
diesel::joinable!(outbox -> workshops (workshop_id));
diesel::joinable!(privacy_audit -> users (actor_user_id));
diesel::joinable!(privacy_audit -> workshops (workshop_id));
diesel::joinable!(privacy_settings -> workshops (workshop_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(refresh_tokens -> workshops (workshop_id));
diesel::joinable!(service_categories -> workshops (workshop_id));
diesel::joinable!(services -> service_categories (category_id));
diesel::joinable!(services -> workshops (workshop_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(sessions -> workshops (workshop_id));
diesel::joinable!(stripe_events -> workshops (workshop_id));
diesel::joinable!(stripe_subscriptions -> workshops (workshop_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_deliveries -> workshops (workshop_id));
diesel::joinable!(webhook_endpoints -> workshops (workshop_id));
diesel::joinable!(workshops -> organizations (organization_id));

diesel::allow_tables_to_appear_in_same_query!(
    account_tokens,
    api_tokens,
    assistant_usage,
    backup_runs,
    billing_accounts,
    client_keys,
    consent_texts,
    conversations,
    events,
    facts,
    invitations,
    invoices,
    lead_notes,
    leads,
    mail_suppressions,
    memberships,
    messages,
    organizations,
    outbox,
    privacy_audit,
    privacy_settings,
    refresh_tokens,
    service_categories,
    services,
    sessions,
    stripe_events,
    stripe_subscriptions,
    users,
    webhook_deliveries,
    webhook_endpoints,
    widget_releases,
    workshops,
);
