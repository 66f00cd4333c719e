// The diesel schema, kept by hand so it describes both backends (see docs/architecture.md).

diesel::table! {
    service_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    offices (id) {
        id -> Text,
        name -> Text,
        code -> Text,
        kind -> Text,
        email -> Nullable<Text>,
        parent_id -> Nullable<Text>,
        time_zone -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        email_normalized -> Text,
        name -> Text,
        role -> Text,
        office_id -> Nullable<Text>,
        password_hash -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    office_clients (id) {
        id -> Text,
        office_id -> Text,
        name -> Text,
        secret_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Nullable<Text>,
        client_id -> Nullable<Text>,
        refresh_token_hash -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    spent_refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        spent_at -> Timestamp,
    }
}

diesel::table! {
    login_throttle (email_normalized) {
        email_normalized -> Text,
        failures -> Integer,
        locked_until -> Nullable<Timestamp>,
        last_failure_at -> Timestamp,
    }
}

diesel::table! {
    case_number_counters (office_id, year) {
        office_id -> Text,
        year -> Integer,
        last_value -> Integer,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        case_number -> Text,
        office_id -> Text,
        status -> Text,
        category -> Text,
        channel -> Text,
        summary -> Text,
        assignee_id -> Nullable<Text>,
        claimed_amount_fen -> BigInt,
        agreed_amount_fen -> BigInt,
        recovered_amount_fen -> BigInt,
        workers_involved -> Integer,
        collective -> Bool,
        flags -> Text,
        received_at -> Timestamp,
        mediation_deadline -> Date,
        deadline_passes_at -> Timestamp,
        escalated_to -> Nullable<Text>,
        employer_name -> Text,
        employer_credit_code -> Nullable<Text>,
        employer_address -> Nullable<Text>,
        employer_contact_name -> Nullable<Text>,
        employer_contact_phone_cipher -> Nullable<Text>,
        employer_contact_phone_masked -> Nullable<Text>,
        search_text -> Text,
        events_count -> Integer,
        events_head -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    case_parties (id) {
        id -> Text,
        case_id -> Text,
        kind -> Text,
        name -> Text,
        id_number_cipher -> Nullable<Text>,
        id_number_masked -> Nullable<Text>,
        id_number_hash -> Nullable<Text>,
        phone_cipher -> Nullable<Text>,
        phone_masked -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_events (id) {
        id -> Text,
        case_id -> Text,
        sequence -> Integer,
        kind -> Text,
        actor_id -> Nullable<Text>,
        actor_kind -> Text,
        actor_role -> Nullable<Text>,
        office_id -> Nullable<Text>,
        occurred_at -> Timestamp,
        data -> Text,
        previous_hash -> Text,
        hash -> Text,
    }
}

diesel::joinable!(users -> offices (office_id));
diesel::joinable!(office_clients -> offices (office_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(sessions -> office_clients (client_id));
diesel::joinable!(spent_refresh_tokens -> sessions (session_id));
diesel::joinable!(cases -> offices (office_id));
diesel::joinable!(case_parties -> cases (case_id));
diesel::joinable!(case_events -> cases (case_id));

diesel::allow_tables_to_appear_in_same_query!(
    service_secrets,
    offices,
    users,
    office_clients,
    sessions,
    spent_refresh_tokens,
    login_throttle,
    case_number_counters,
    cases,
    case_parties,
    case_events,
);
