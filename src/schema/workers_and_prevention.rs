//! The tables of the worker's front door (issue 15: phone checks, case access, throttles,
//! surveys, follow-ups) and of prevention (issue 17: risks, their events, consultations), apart
//! from the case core in `schema` so each file stays readable. Re-exported by `schema`, whose
//! `joinable!` and `allow_tables_to_appear_in_same_query!` name them.

diesel::table! {
    phone_verifications (id) {
        id -> Text,
        phone_digest -> Text,
        code_digest -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        failed_attempts -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_access (case_id) {
        case_id -> Text,
        code_digest -> Text,
        party_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    public_throttle (bucket) {
        bucket -> Text,
        window_started_at -> Timestamp,
        hits -> Integer,
    }
}

diesel::table! {
    surveys (id) {
        id -> Text,
        case_id -> Text,
        token_digest -> Text,
        satisfaction -> Nullable<Integer>,
        comment -> Nullable<Text>,
        created_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    follow_ups (id) {
        id -> Text,
        case_id -> Text,
        method -> Text,
        reached -> Bool,
        satisfaction -> Nullable<Integer>,
        note -> Text,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    risks (id) {
        id -> Text,
        office_id -> Text,
        category -> Text,
        level -> Text,
        status -> Text,
        source -> Text,
        employer_name -> Text,
        employer_name_normalized -> Text,
        employer_credit_code -> Nullable<Text>,
        workers_affected -> Integer,
        summary -> Text,
        notes -> Nullable<Text>,
        assignee_id -> Nullable<Text>,
        reported_by -> Text,
        due_at -> Timestamp,
        case_id -> Nullable<Text>,
        reminded_at -> Nullable<Timestamp>,
        concluded_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    risk_events (id) {
        id -> Text,
        risk_id -> Text,
        kind -> Text,
        actor_id -> Text,
        actor_role -> Text,
        data -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    consultations (id) {
        id -> Text,
        office_id -> Text,
        channel -> Text,
        topic -> Text,
        answered_by -> Text,
        minutes -> Text,
        outcome -> Text,
        case_id -> Nullable<Text>,
        person_name -> Nullable<Text>,
        phone_cipher -> Nullable<Text>,
        phone_masked -> Nullable<Text>,
        id_number_cipher -> Nullable<Text>,
        id_number_masked -> Nullable<Text>,
        id_number_hash -> Nullable<Text>,
        recorded_by -> Text,
        consulted_at -> Timestamp,
        created_at -> Timestamp,
    }
}
