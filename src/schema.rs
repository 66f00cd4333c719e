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

diesel::joinable!(users -> offices (office_id));
diesel::joinable!(office_clients -> offices (office_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(sessions -> office_clients (client_id));
diesel::joinable!(spent_refresh_tokens -> sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    service_secrets,
    offices,
    users,
    office_clients,
    sessions,
    spent_refresh_tokens,
    login_throttle,
);
