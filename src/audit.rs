//! The audit trail (`--audit-log PATH`): one JSON line per write attempt, dry runs
//! included, written whole with `O_APPEND` and flushed before the tool answers. When the
//! file cannot be opened or written, write tools are refused before anything reaches Kommo;
//! `SIGHUP` reopens it (log rotation).

use std::{
    fs::{File, OpenOptions},
    io::Write,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::SystemTime,
};

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// One line of the audit trail.
#[derive(Serialize, Debug)]
pub struct AuditRecord<'a> {
    /// RFC 3339, UTC.
    pub time: String,
    pub caller: &'a str,
    pub transport: &'a str,
    pub request_id: &'a str,
    pub account: Option<&'a str>,
    pub tool: &'a str,
    pub lead_id: Option<i64>,
    pub before: Option<&'a Value>,
    pub after: Option<&'a Value>,
    /// A note's length and SHA-256 (never its text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'a Value>,
    pub dry_run: bool,
    /// `ok` or `failed`.
    pub outcome: &'a str,
    /// The failure's kind (`lead_missing`, `rate_limited`, …) when it failed.
    pub failure_kind: Option<&'a str>,
    /// Kommo's `X-Request-Id` of the write request (of the last request when no write was sent).
    pub kommo_request_id: Option<&'a str>,
}

/// The current time in RFC 3339, UTC, with milliseconds.
pub fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// What the audit trail records about a note: its length (characters) and SHA-256.
pub fn note_digest(text: &str) -> Value {
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    serde_json::json!({ "length": text.chars().count(), "sha256": hex })
}

/// The state of the file.
enum Handle {
    Open(File),
    /// It could not be opened; tried again before the next write.
    Unopened(String),
    /// A write failed; only a reopen (`SIGHUP`) clears it, so no write goes unaudited.
    Broken(String),
}

impl Handle {
    fn opened(path: &Path) -> Self {
        open_file(path).map_or_else(Handle::Unopened, Handle::Open)
    }
}

/// The open audit log, or why it is not usable.
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<Handle>,
}

impl AuditLog {
    /// Opens (creating, appending) the file. Never fails: an unusable file is remembered
    /// and makes every write tool refuse until it can be opened again.
    pub fn open(path: &Path) -> Arc<Self> {
        let file = Handle::opened(path);
        if let Handle::Unopened(reason) = &file {
            tracing::error!("{reason}; write tools are refused until it can be opened");
        }
        Arc::new(Self {
            path: path.to_owned(),
            file: Mutex::new(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Handle> {
        self.file
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reopens the file (after `SIGHUP`).
    pub fn reopen(&self) {
        let file = Handle::opened(&self.path);
        match &file {
            Handle::Unopened(reason) | Handle::Broken(reason) => {
                tracing::error!("{reason}; write tools are refused");
            }
            Handle::Open(_) => tracing::info!(path = %self.path.display(), "audit log reopened"),
        }
        *self.lock() = file;
    }

    /// Whether a write may go ahead: `Err` names the audit log and why it is unusable.
    /// A file that could not be opened is tried again first (it may have been fixed).
    pub fn ready(&self) -> Result<(), String> {
        let mut file = self.lock();
        if matches!(*file, Handle::Unopened(_)) {
            *file = Handle::opened(&self.path);
        }
        match &*file {
            Handle::Open(_) => Ok(()),
            Handle::Unopened(reason) | Handle::Broken(reason) => Err(reason.clone()),
        }
    }

    /// Appends one line, whole, in a single write. After a failure every write tool is
    /// refused until the file is reopened (`SIGHUP`).
    pub fn write(&self, record: &AuditRecord<'_>) -> Result<(), String> {
        let mut line = serde_json::to_vec(record)
            .map_err(|err| format!("cannot encode the audit record: {err}"))?;
        line.push(b'\n');
        let mut file = self.lock();
        let result = match &mut *file {
            Handle::Open(handle) => handle
                .write_all(&line)
                .and_then(|()| handle.flush())
                .map_err(|err| {
                    format!("cannot write the audit log {}: {err}", self.path.display())
                }),
            Handle::Unopened(reason) | Handle::Broken(reason) => Err(reason.clone()),
        };
        if let Err(reason) = &result {
            *file = Handle::Broken(format!("{reason} (send SIGHUP to reopen it)"));
        }
        result
    }

    /// Reopens the file on every `SIGHUP` (Unix only) until the process ends.
    pub fn reopen_on_sighup(self: &Arc<Self>) {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let Ok(mut hangups) = signal(SignalKind::hangup()) else {
                tracing::warn!("cannot watch SIGHUP; the audit log is not reopened on rotation");
                return;
            };
            let log = Arc::clone(self);
            tokio::spawn(async move {
                while hangups.recv().await.is_some() {
                    log.reopen();
                }
            });
        }
    }
}

fn open_file(path: &Path) -> Result<File, String> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|err| format!("cannot open the audit log {}: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_recorded_by_length_and_hash() {
        let digest = note_digest("hello");
        assert_eq!(digest["length"], 5);
        assert_eq!(
            digest["sha256"],
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(note_digest("héllo")["length"], 5);
    }
}
