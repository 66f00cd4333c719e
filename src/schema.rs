// The diesel schema, kept by hand so it describes both backends (see docs/architecture.md).

diesel::table! {
    service_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}
