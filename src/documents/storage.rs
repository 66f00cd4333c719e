//! Where document bytes are kept: `object_store` over a local directory (`MEDIATION_STORAGE_DIR`,
//! default `./storage`) or an S3-compatible bucket (`MEDIATION_STORAGE_URL=s3://bucket`, with the
//! standard `AWS_*` variables for endpoint, region and credentials).

use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::ObjectStore;

/// The configured store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageConfig {
    Directory(String),
    S3 { url: String },
}

/// Opens the store (creating the local directory if needed).
pub fn open(config: &StorageConfig) -> anyhow::Result<Arc<dyn ObjectStore>> {
    Ok(match config {
        StorageConfig::Directory(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("cannot create MEDIATION_STORAGE_DIR {dir}: {e}"))?;
            Arc::new(LocalFileSystem::new_with_prefix(dir)?)
        }
        StorageConfig::S3 { url } => Arc::new(
            AmazonS3Builder::from_env()
                .with_url(url)
                .build()
                .map_err(|e| anyhow::anyhow!("MEDIATION_STORAGE_URL {url}: {e}"))?,
        ),
    })
}
