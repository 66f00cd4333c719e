//! Deletes stored objects that no document row refers to.
//!
//! An upload stores the bytes first and commits the row after (`handlers::upload_document`):
//! that order means a committed row always has its bytes, and the two cannot be made atomic,
//! since the object store takes no part in the database transaction. A process killed between
//! the two steps leaves an object without a row. It is never shown, but it holds personal
//! papers and space, so this sweep removes it: at start and every `MEDIATION_STORAGE_SWEEP_SECONDS`.
//!
//! What it deletes, and why nothing else:
//! - only keys of the upload's shape, `cases/<case id>/<document id>`;
//! - only objects older than `orphan_age` (an hour): an upload commits its row within seconds of
//!   storing the bytes (at most the pool wait, `MEDIATION_DB_TIMEOUT_SECONDS`, plus the
//!   transaction), so an object whose row is about to commit is never that old;
//! - only when the database has no document with that id **and does have the case**: an upload
//!   only ever writes under a case of this database, so an object under an unknown case belongs
//!   to someone else (another installation wrongly sharing the bucket) and is left alone.
//!
//! The listing goes through `object_store`'s `list`, the same on a directory and on S3, and the
//! candidates are checked against the database in batches of [`BATCH`] keys (two primary-key
//! queries per batch), never one query per object. On a local directory it also removes the
//! staging files (`<key>#<n>`) that `object_store` leaves when a process dies while writing,
//! which `list` does not show.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use futures_util::StreamExt;
use object_store::path::Path as StorePath;
use object_store::ObjectStore;

use super::storage::StorageConfig;
use crate::clock::Clock;
use crate::config::DocumentSettings;
use crate::db::Db;
use crate::schema::{cases, documents};

/// Candidate keys checked against the database per query.
pub const BATCH: usize = 500;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    /// Objects listed under `cases/`.
    pub listed: usize,
    /// Objects deleted because no row refers to them.
    pub deleted: usize,
    /// Staging files of interrupted writes deleted (local directory only).
    pub staging_deleted: usize,
}

/// One candidate: an old object of the upload's shape.
struct Candidate {
    case_id: String,
    document_id: String,
    key: StorePath,
}

/// The case and document ids of a key shaped `cases/<case id>/<document id>`.
fn ids_of(key: &StorePath) -> Option<(String, String)> {
    let parts: Vec<_> = key.parts().collect();
    match parts.as_slice() {
        [root, case, document] if root.as_ref() == "cases" => {
            Some((case.as_ref().to_owned(), document.as_ref().to_owned()))
        }
        _ => None,
    }
}

/// The sweeper, built from what it needs: the database, the clock, the store and its settings.
#[derive(Clone)]
pub struct Sweeper {
    pub db: Db,
    pub clock: Clock,
    pub storage: std::sync::Arc<dyn ObjectStore>,
    pub settings: DocumentSettings,
}

/// One pass with the service's clock and settings: objects older than `orphan_age` go.
pub async fn sweep(sweeper: &Sweeper) -> anyhow::Result<SweepReport> {
    let age = chrono::TimeDelta::from_std(sweeper.settings.orphan_age)?;
    let cutoff = sweeper.clock.now() - age;
    let mut report = sweep_store(&sweeper.db, sweeper.storage.clone(), cutoff).await?;
    if let StorageConfig::Directory(dir) = &sweeper.settings.storage {
        let root = std::path::Path::new(dir).join("cases");
        report.staging_deleted =
            tokio::task::spawn_blocking(move || remove_stale_staging(&root, cutoff)).await?;
    }
    Ok(report)
}

/// Deletes the objects under `cases/` last modified before `cutoff` that no document row
/// refers to.
pub async fn sweep_store(
    db: &Db,
    store: Arc<dyn ObjectStore>,
    cutoff: DateTime<Utc>,
) -> anyhow::Result<SweepReport> {
    let mut report = SweepReport::default();
    let mut listing = store.list(Some(&StorePath::from("cases")));
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(meta) = listing.next().await {
        let meta = meta?;
        report.listed += 1;
        if meta.last_modified >= cutoff {
            continue;
        }
        let Some((case_id, document_id)) = ids_of(&meta.location) else {
            continue;
        };
        batch.push(Candidate {
            case_id,
            document_id,
            key: meta.location,
        });
        if batch.len() == BATCH {
            report.deleted += delete_orphans(db, &store, std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        report.deleted += delete_orphans(db, &store, batch).await?;
    }
    Ok(report)
}

/// Checks one batch against the database and deletes the objects that are orphans.
async fn delete_orphans(
    db: &Db,
    store: &Arc<dyn ObjectStore>,
    batch: Vec<Candidate>,
) -> anyhow::Result<usize> {
    let document_ids: Vec<String> = batch.iter().map(|c| c.document_id.clone()).collect();
    let case_ids: Vec<String> = batch.iter().map(|c| c.case_id.clone()).collect();
    let (documents, cases): (HashSet<String>, HashSet<String>) = db
        .run(move |connection| {
            let documents = documents::table
                .filter(documents::id.eq_any(&document_ids))
                .select(documents::id)
                .load::<String>(connection)?;
            let cases = cases::table
                .filter(cases::id.eq_any(&case_ids))
                .select(cases::id)
                .load::<String>(connection)?;
            Ok((documents.into_iter().collect(), cases.into_iter().collect()))
        })
        .await
        .map_err(|e| anyhow::anyhow!("checking stored documents against the database: {e}"))?;
    let orphans: Vec<StorePath> = batch
        .into_iter()
        .filter(|c| cases.contains(&c.case_id) && !documents.contains(&c.document_id))
        .map(|c| c.key)
        .collect();
    let mut deleted = 0;
    let keys = futures_util::stream::iter(orphans.into_iter().map(Ok)).boxed();
    let mut outcomes = store.delete_stream(keys);
    while let Some(outcome) = outcomes.next().await {
        match outcome {
            Ok(key) => {
                tracing::info!(key = %key, "deleted a stored document that has no row");
                deleted += 1;
            }
            // Gone already: another server's sweep, or the upload's own clean-up.
            Err(object_store::Error::NotFound { .. }) => {}
            Err(error) => tracing::warn!(%error, "could not delete an orphaned document"),
        }
    }
    Ok(deleted)
}

/// Removes `<root>/<case id>/<name>#<digits>` files last modified before `cutoff`: the
/// staging files of writes interrupted by a crash, which nothing will ever finish.
fn remove_stale_staging(root: &std::path::Path, cutoff: DateTime<Utc>) -> usize {
    let is_staging = |name: &str| {
        name.rsplit_once('#').is_some_and(|(_, suffix)| {
            !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit())
        })
    };
    let mut removed = 0;
    let case_dirs = std::fs::read_dir(root).into_iter().flatten().flatten();
    for case_dir in case_dirs.filter(|e| e.path().is_dir()) {
        for entry in std::fs::read_dir(case_dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|modified| DateTime::<Utc>::from(modified) < cutoff);
            if stale && entry.path().is_file() && is_staging(&entry.file_name().to_string_lossy()) {
                match std::fs::remove_file(entry.path()) {
                    Ok(()) => removed += 1,
                    Err(error) => tracing::warn!(%error, path = %entry.path().display(),
                        "could not delete an interrupted upload's staging file"),
                }
            }
        }
    }
    removed
}

/// Sweeps at start, then every `MEDIATION_STORAGE_SWEEP_SECONDS`, forever.
pub async fn run(sweeper: Sweeper) {
    let interval = sweeper.settings.sweep_interval;
    loop {
        match sweep(&sweeper).await {
            Ok(report) if report.deleted + report.staging_deleted > 0 => tracing::info!(
                deleted = report.deleted,
                staging_deleted = report.staging_deleted,
                listed = report.listed,
                "orphaned documents deleted"
            ),
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "document sweep failed; retrying at the next interval")
            }
        }
        tokio::time::sleep(interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_of_the_uploads_shape_are_candidates() {
        assert_eq!(
            ids_of(&StorePath::from("cases/c1/d1")),
            Some(("c1".into(), "d1".into()))
        );
        assert_eq!(ids_of(&StorePath::from("cases/c1")), None);
        assert_eq!(ids_of(&StorePath::from("cases/c1/d1/extra")), None);
        assert_eq!(ids_of(&StorePath::from("backups/c1/d1")), None);
    }

    #[test]
    fn only_old_staging_files_are_removed() {
        let dir = tempdir();
        let case = dir.join("c1");
        std::fs::create_dir_all(&case).unwrap();
        for name in ["d1#1", "d2", "d3#x"] {
            std::fs::write(case.join(name), b"x").unwrap();
        }
        let now = Utc::now();
        assert_eq!(
            remove_stale_staging(&dir, now - chrono::TimeDelta::hours(1)),
            0
        );
        assert_eq!(
            remove_stale_staging(&dir, now + chrono::TimeDelta::hours(1)),
            1
        );
        assert!(!case.join("d1#1").exists());
        assert!(case.join("d2").exists() && case.join("d3#x").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn tempdir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("mt-sweep-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
