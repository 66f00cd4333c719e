//! Where document bytes are kept: `object_store` over a local directory (`MEDIATION_STORAGE_DIR`,
//! default `./storage`) or an S3-compatible bucket (`MEDIATION_STORAGE_URL=s3://bucket`, with the
//! standard `AWS_*` variables for endpoint, region and credentials).
//!
//! The `AWS_*` variables are taken from the configuration's own variable set (read once with
//! every other variable, `Config::from_vars`), not from the process environment at open time:
//! the same thing in production, and two app instances in one test process can each have their
//! own endpoint and credentials (tests/api/object_storage.rs runs them against a real S3 server).

use std::collections::BTreeMap;
use std::sync::Arc;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::ObjectStore;

/// The configured store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageConfig {
    Directory(String),
    S3 {
        url: String,
        /// The `AWS_*` variables, by name (values are secrets: never logged; see the `Debug`
        /// of [`AwsVariables`]).
        aws: AwsVariables,
    },
}

/// `AWS_*` name → value, as `AmazonS3Builder::from_env` would read them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AwsVariables(pub BTreeMap<String, String>);

impl AwsVariables {
    /// The `AWS_*` variables among `vars` (blank ones are unset).
    pub fn from_vars<'a>(vars: impl IntoIterator<Item = (&'a String, &'a String)>) -> Self {
        Self(
            vars.into_iter()
                .filter(|(name, value)| name.starts_with("AWS_") && !value.trim().is_empty())
                .map(|(name, value)| (name.clone(), value.trim().to_owned()))
                .collect(),
        )
    }
}

/// Names only: the values hold credentials.
impl std::fmt::Debug for AwsVariables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

/// Opens the store (creating the local directory if needed).
pub fn open(config: &StorageConfig) -> anyhow::Result<Arc<dyn ObjectStore>> {
    Ok(match config {
        StorageConfig::Directory(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("cannot create MEDIATION_STORAGE_DIR {dir}: {e}"))?;
            Arc::new(LocalFileSystem::new_with_prefix(dir)?)
        }
        StorageConfig::S3 { url, aws } => Arc::new(
            s3_builder(aws)
                .with_url(url)
                .build()
                .map_err(|e| anyhow::anyhow!("MEDIATION_STORAGE_URL {url}: {e}"))?,
        ),
    })
}

/// What `AmazonS3Builder::from_env` builds, from the given variables. Unknown `AWS_*` names are
/// ignored, as there.
fn s3_builder(aws: &AwsVariables) -> AmazonS3Builder {
    crate::outbound_tls::ensure_tls_provider();
    aws.0
        .iter()
        .fold(AmazonS3Builder::new(), |builder, (name, value)| match name
            .to_ascii_lowercase()
            .parse::<AmazonS3ConfigKey>()
        {
            Ok(key) => builder.with_config(key, value),
            Err(_) => builder,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_aws_variables_configure_the_bucket_and_their_values_stay_out_of_logs() {
        let vars: BTreeMap<String, String> = [
            ("AWS_ACCESS_KEY_ID", "mediation"),
            ("AWS_SECRET_ACCESS_KEY", "very-secret"),
            ("AWS_ENDPOINT", "http://127.0.0.1:9000"),
            ("AWS_ALLOW_HTTP", "true"),
            ("AWS_SESSION_TOKEN", " "),
            ("PATH", "/usr/bin"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let aws = AwsVariables::from_vars(&vars);
        assert_eq!(aws.0.len(), 4, "blank and non-AWS variables are left out");
        let builder = s3_builder(&aws);
        assert_eq!(
            builder.get_config_value(&AmazonS3ConfigKey::AccessKeyId),
            Some("mediation".into())
        );
        assert_eq!(
            builder.get_config_value(&AmazonS3ConfigKey::Endpoint),
            Some("http://127.0.0.1:9000".into())
        );
        let shown = format!(
            "{:?}",
            StorageConfig::S3 {
                url: "s3://b".into(),
                aws
            }
        );
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("AWS_SECRET_ACCESS_KEY"), "{shown}");
    }
}
