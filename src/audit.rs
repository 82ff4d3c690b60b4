//! The audit trail (`--audit-log PATH`): JSON lines about write tools, each written whole
//! with `O_APPEND` under one lock. A write to Kommo is preceded by an `intent` line
//! (written and `fdatasync`ed before anything is sent; when it cannot be written the write
//! is refused) and followed by an `outcome` line; dry runs, deduplicated repeats, calls
//! that stopped before a write and writes refused before the tool get one line each.
//! `SIGHUP` reopens the file (log rotation).

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

/// What a line records.
#[derive(Serialize, Debug, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Event {
    /// A write is about to be sent to Kommo (`request` is what goes out).
    #[default]
    Intent,
    /// What became of the write an `intent` line announced (`outcome`: `confirmed`,
    /// `failed` or `unknown`).
    Outcome,
    /// A dry run: nothing was sent (`request` is what would have gone out, if anything).
    DryRun,
    /// A repeat of a write confirmed moments ago: nothing was sent.
    Deduplicated,
    /// The call ended before any write: nothing to change, or a check failed.
    NotSent,
    /// The write was refused before the tool ran (read-only, tool not enabled, account
    /// or scope not allowed).
    Refused,
}

/// One line of the audit trail.
#[derive(Serialize, Debug, Default)]
pub(crate) struct AuditRecord<'a> {
    /// RFC 3339, UTC.
    pub time: String,
    pub event: Event,
    /// The client key's name, the OAuth subject (else client id), `auth-token`, or the
    /// connection's address when the server needs no key; `stdio` or `cli` off HTTP.
    pub caller: &'a str,
    /// The connection's address, on HTTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<&'a str>,
    pub transport: &'a str,
    pub request_id: &'a str,
    pub account: Option<&'a str>,
    pub tool: &'a str,
    pub lead_id: Option<i64>,
    /// `{"method", "path", "body"}` of the Kommo write (note and task texts only as
    /// length and SHA-256).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<&'a Value>,
    pub before: Option<&'a Value>,
    pub after: Option<&'a Value>,
    /// A note's length and SHA-256 (never its text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'a Value>,
    pub dry_run: bool,
    /// True on a `deduplicated` line: an identical write was confirmed moments ago.
    pub deduplicated: bool,
    /// `pending` (intent), `confirmed`, `failed` or `unknown` (outcome: no answer came,
    /// the write may or may not have happened), `not_sent` (dry run, repeat),
    /// `unchanged` or `failed` (not sent), `refused`.
    pub outcome: &'a str,
    /// The failure's kind (`lead_missing`, `rate_limited`, `timeout`, …) when it failed.
    pub failure_kind: Option<&'a str>,
    /// Why a write was refused before the tool ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    /// The id Kommo gave what the write created (a note's, a task's), or the earlier one
    /// a deduplicated repeat answers with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_id: Option<i64>,
    /// Kommo's `X-Request-Id` of the write request (of the last request when no write was sent).
    pub kommo_request_id: Option<&'a str>,
}

/// The current time in RFC 3339, UTC, with milliseconds.
pub(crate) fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// What the audit trail records about a note: its length (characters) and SHA-256.
pub(crate) fn note_digest(text: &str) -> Value {
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
pub(crate) struct AuditLog {
    path: PathBuf,
    file: Mutex<Handle>,
}

impl AuditLog {
    /// Opens (creating, appending) the file. Never fails: an unusable file is remembered
    /// and makes every write tool refuse until it can be opened again.
    pub(crate) fn open(path: &Path) -> Arc<Self> {
        let file = Handle::opened(path);
        if let Handle::Unopened(reason) = &file {
            tracing::error!("{reason}; write tools are refused until it can be opened");
        }
        Arc::new(Self {
            path: path.to_owned(),
            file: Mutex::new(file),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Handle> {
        self.file
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reopens the file (after `SIGHUP`).
    pub(crate) fn reopen(&self) {
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
    pub(crate) fn ready(&self) -> Result<(), String> {
        let mut file = self.lock();
        if matches!(*file, Handle::Unopened(_)) {
            *file = Handle::opened(&self.path);
        }
        match &*file {
            Handle::Open(_) => Ok(()),
            Handle::Unopened(reason) | Handle::Broken(reason) => Err(reason.clone()),
        }
    }

    /// Appends one line, whole, in a single `write(2)` on a blocking thread (so a slow
    /// disk holds no async worker). `durable` also `fdatasync`s it: an `intent` line must
    /// survive a crash or power loss of the machine, not only of this process, since the
    /// write it announces may reach Kommo a moment later; the other lines are left to the
    /// kernel (an intent without its outcome reads as an unknown outcome). After a failure
    /// every write tool is refused until the file is reopened (`SIGHUP`).
    pub(crate) async fn append(
        self: &Arc<Self>,
        record: &AuditRecord<'_>,
        durable: bool,
    ) -> Result<(), String> {
        let mut line = serde_json::to_vec(record)
            .map_err(|err| format!("cannot encode the audit record: {err}"))?;
        line.push(b'\n');
        let log = Arc::clone(self);
        tokio::task::spawn_blocking(move || log.append_now(&line, durable))
            .await
            .unwrap_or_else(|err| Err(format!("cannot write the audit log: {err}")))
    }

    fn append_now(&self, line: &[u8], durable: bool) -> Result<(), String> {
        let mut file = self.lock();
        let result = match &mut *file {
            Handle::Open(handle) => write_line(handle, line, durable).map_err(|err| {
                format!("cannot write the audit log {}: {err}", self.path.display())
            }),
            Handle::Unopened(reason) | Handle::Broken(reason) => Err(reason.clone()),
        };
        if let Err(reason) = &result
            && !matches!(*file, Handle::Broken(_))
        {
            *file = Handle::Broken(format!("{reason} (send SIGHUP to reopen it)"));
        }
        result
    }

    /// Reopens the file on every `SIGHUP` (Unix only) until the process ends.
    pub(crate) fn reopen_on_sighup(self: &Arc<Self>) {
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

/// One whole line (`File` has no buffer of its own: `write_all` is the `write(2)` itself),
/// then `fdatasync` when asked. A file that cannot be synced by its nature (a pipe,
/// `/dev/stderr`) is still written: `EINVAL` from the sync is not a failure.
fn write_line(file: &mut File, line: &[u8], durable: bool) -> std::io::Result<()> {
    file.write_all(line)?;
    if durable {
        match file.sync_data() {
            Err(err) if err.kind() == std::io::ErrorKind::InvalidInput => {}
            other => other?,
        }
    }
    Ok(())
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
