// The diesel schema, kept by hand so it describes both backends (see docs/architecture.md).

mod workers_and_prevention;
pub use self::workers_and_prevention::*;

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
        accepts_online -> Bool,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        area -> Nullable<Text>,
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
    /// Session revocations other processes on the same SQLite file read (`auth::session_cache`);
    /// `target` is `s:<session>`, `u:<user>`, `c:<client>` or `*`. Empty on PostgreSQL, which
    /// carries the same text by `NOTIFY`.
    session_revocations (id) {
        id -> BigInt,
        target -> Text,
        created_at -> Timestamp,
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
        accepted_at -> Nullable<Timestamp>,
        concluded_at -> Nullable<Timestamp>,
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
        sms_consent -> Bool,
        sms_consent_at -> Nullable<Timestamp>,
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
        restricted_to_office_id -> Nullable<Text>,
    }
}

diesel::table! {
    referrals (id) {
        id -> Text,
        case_id -> Text,
        office_id -> Text,
        kind -> Text,
        request -> Text,
        status -> Text,
        due_at -> Timestamp,
        created_by -> Text,
        accepted_at -> Nullable<Timestamp>,
        declined_at -> Nullable<Timestamp>,
        decline_reason -> Nullable<Text>,
        completed_at -> Nullable<Timestamp>,
        outcome -> Nullable<Text>,
        result -> Nullable<Text>,
        cancelled_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    mediation_sessions (id) {
        id -> Text,
        case_id -> Text,
        scheduled_at -> Timestamp,
        location -> Text,
        status -> Text,
        minutes -> Nullable<Text>,
        outcome -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    session_offices (session_id, office_id) {
        session_id -> Text,
        office_id -> Text,
    }
}

diesel::table! {
    agreements (id) {
        id -> Text,
        case_id -> Text,
        signed_at -> Timestamp,
        total_amount_fen -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agreement_terms (id) {
        id -> Text,
        agreement_id -> Text,
        position -> Integer,
        description -> Text,
        amount_fen -> BigInt,
        payee -> Text,
        due_date -> Date,
    }
}

diesel::table! {
    payments (id) {
        id -> Text,
        case_id -> Text,
        amount_fen -> BigInt,
        paid_at -> Timestamp,
        note -> Nullable<Text>,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        template -> Text,
        recipients -> Text,
        subject -> Text,
        body -> Text,
        case_id -> Nullable<Text>,
        dedup_key -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        channel -> Text,
        recipient_cipher -> Nullable<Text>,
    }
}

diesel::table! {
    case_grants (id) {
        id -> Text,
        case_id -> Text,
        user_id -> Text,
        granted_by -> Text,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        case_id -> Text,
        document_type -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        storage_key -> Text,
        uploaded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Issue 17 part C: a worker's amounts on the roster of a (collective) case.
    roster_entries (party_id) {
        party_id -> Text,
        case_id -> Text,
        claimed_amount_fen -> BigInt,
        agreed_amount_fen -> BigInt,
        paid_amount_fen -> BigInt,
        representative -> Bool,
        version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Issue 17 part C: how a payment was shared among the workers of its case.
    payment_allocations (id) {
        id -> Text,
        payment_id -> Text,
        case_id -> Text,
        party_id -> Text,
        amount_fen -> BigInt,
    }
}

diesel::joinable!(users -> offices (office_id));
diesel::joinable!(office_clients -> offices (office_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(sessions -> office_clients (client_id));
diesel::joinable!(spent_refresh_tokens -> sessions (session_id));
diesel::joinable!(cases -> offices (office_id));
diesel::joinable!(case_parties -> cases (case_id));
diesel::joinable!(roster_entries -> case_parties (party_id));
diesel::joinable!(payment_allocations -> payments (payment_id));
diesel::joinable!(case_events -> cases (case_id));
diesel::joinable!(referrals -> cases (case_id));
diesel::joinable!(referrals -> offices (office_id));
diesel::joinable!(mediation_sessions -> cases (case_id));
diesel::joinable!(session_offices -> mediation_sessions (session_id));
diesel::joinable!(session_offices -> offices (office_id));
diesel::joinable!(agreements -> cases (case_id));
diesel::joinable!(agreement_terms -> agreements (agreement_id));
diesel::joinable!(payments -> cases (case_id));
diesel::joinable!(case_grants -> cases (case_id));
diesel::joinable!(documents -> cases (case_id));

diesel::table! {
    /// Issue 17 B: who a case's employer is (`domain::employer`), one row per case.
    case_employers (case_id) {
        case_id -> Text,
        employer_key -> Text,
        employer_name_normalized -> Text,
    }
}

diesel::joinable!(case_employers -> cases (case_id));

diesel::table! {
    /// Issue 19: the cases a partner office sees (any referral to it), newest first.
    case_partner_offices (office_id, case_id) {
        office_id -> Text,
        case_id -> Text,
        case_created_at -> Timestamp,
    }
}

diesel::joinable!(risks -> offices (office_id));
diesel::joinable!(risk_events -> risks (risk_id));
diesel::joinable!(consultations -> offices (office_id));

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
    case_employers,
    case_partner_offices,
    case_parties,
    case_events,
    referrals,
    mediation_sessions,
    session_offices,
    agreements,
    agreement_terms,
    payments,
    outbox,
    case_grants,
    documents,
    phone_verifications,
    case_access,
    roster_entries,
    payment_allocations,
    public_throttle,
    surveys,
    follow_ups,
    risks,
    risk_events,
    consultations,
);
