//! Writing a fixed file back, so that `--fix` never surprises (#18): through
//! a symbolic link to its target, keeping hard links, owner, group and
//! permissions, refusing a read-only file, and leaving no temporary file
//! behind, even when interrupted.
//!
//! A file with one name is replaced atomically: the fixed bytes go to a
//! temporary file `.tifa-fix-<pid>-XXXXXX` beside it, which gets the
//! original's permissions, owner and group, is flushed to disk and renamed
//! over it. A file with more than one name (hard links), or whose owner
//! cannot be given to the temporary file (tifa not run by root), is
//! rewritten in place instead, so every name keeps seeing it: first a copy
//! of the fixed bytes `.tifa-fixed-<pid>-XXXXXX-<name>` is written and
//! flushed, then the file, then the copy is removed. Only a SIGKILL or a
//! power cut during that rewrite can leave the file partly written; the copy
//! then holds its whole fixed text and is never removed by tifa.
//!
//! SIGINT, SIGTERM and SIGHUP during `--fix` remove the temporary files
//! ([`clean_up_on_signals`]); a signal that comes during a rename or an
//! in-place rewrite waits until it ends. For what a SIGKILL leaves, each
//! `--fix` run first removes the `.tifa-fix-<pid>-…` files of processes
//! that no longer run from the folders it fixes ([`sweep`]).
//!
//! Never reads or checks text: `run` hands over the bytes.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Why a fixed file was not written.
#[derive(Debug)]
pub(crate) enum WriteError {
    /// The file has no write bit at all (for root too), with its mode.
    ReadOnly(u32),
    /// The running user may not write the file, with its mode.
    NotWritable(u32),
    /// Reading its metadata or writing failed.
    Io(io::Error),
}

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// The temporary files being written, removed on a signal. Held while a
/// temporary file is made, renamed or the original rewritten, so that a
/// signal never comes between.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

const PREFIX: &str = ".tifa-fix-";

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes the temporary files of `check --fix` and ends the process as the
/// signal would, on SIGINT, SIGTERM or SIGHUP. For the binary, when it
/// writes files; a library user handles its own signals.
///
/// # Errors
///
/// When the signal handlers cannot be installed.
pub fn clean_up_on_signals() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("tifa-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Kept locked: no new temporary file is made after this.
                let files = pending();
                for f in files.iter() {
                    let _ = fs::remove_file(f);
                }
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}

/// Removes the `.tifa-fix-<pid>-…` files in `dir` whose process no longer
/// runs (left by a SIGKILL or a crash).
pub(crate) fn sweep(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(stale_pid) else {
            continue;
        };
        if pid != std::process::id() && !alive(pid, &e.path()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// The pid in a temporary file's name `.tifa-fix-<pid>-<suffix>`.
fn stale_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PREFIX)?;
    let (pid, suffix) = rest.split_once('-')?;
    if suffix.is_empty() || !suffix.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    pid.parse().ok()
}

/// True when process `pid` may still be running. Where there is no
/// `/proc`, a temporary file younger than a day is taken for a live one's.
fn alive(pid: u32, file: &Path) -> bool {
    if Path::new("/proc/self").exists() {
        return Path::new(&format!("/proc/{pid}")).exists();
    }
    let day = std::time::Duration::from_secs(24 * 3600);
    fs::metadata(file)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_none_or(|age| age < day)
}

/// Writes `bytes` as the new content of `path` (through a symbolic link,
/// to its target); see the module doc.
pub(crate) fn write_fixed(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let target = fs::canonicalize(path)?;
    let meta = fs::metadata(&target)?;
    let mode = meta.permissions().mode();
    // Root may write anything: the mode bits say what the owner meant.
    if mode & 0o222 == 0 {
        return Err(WriteError::ReadOnly(mode & 0o7777));
    }
    let file = match OpenOptions::new().write(true).open(&target) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            return Err(WriteError::NotWritable(mode & 0o7777));
        }
        Err(e) => return Err(e.into()),
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if meta.nlink() > 1 {
        return rewrite_in_place(&target, &dir, file, bytes);
    }
    let tmp = {
        let mut files = pending();
        let tmp = tempfile::Builder::new()
            .prefix(&format!("{PREFIX}{}-", std::process::id()))
            .rand_bytes(6)
            .tempfile_in(&dir)?;
        files.push(tmp.path().to_path_buf());
        tmp
    };
    let tmp_path = tmp.path().to_path_buf();
    let result = (|| {
        let t = tmp.as_file();
        let made = t.metadata()?;
        if (made.uid(), made.gid()) != (meta.uid(), meta.gid())
            && std::os::unix::fs::fchown(t, Some(meta.uid()), Some(meta.gid())).is_err()
        {
            // Not ours to give away: rewrite in place, which keeps them.
            return Ok(false);
        }
        let mut t = t;
        t.write_all(bytes)?;
        // After chown, which clears set-user-id bits.
        t.set_permissions(meta.permissions())?;
        t.sync_all()?;
        Ok::<bool, io::Error>(true)
    })();
    let done = match result {
        Ok(true) => {
            let mut files = pending();
            let renamed = tmp.persist(&target).map(drop).map_err(|e| e.error);
            files.retain(|f| *f != tmp_path);
            // The rename itself reaches the disk with the folder; where a
            // folder cannot be opened and flushed, the file is written all the same.
            let _ = File::open(&dir).and_then(|d| d.sync_all());
            renamed.map(|()| true)
        }
        Ok(false) => {
            let mut files = pending();
            drop(tmp);
            files.retain(|f| *f != tmp_path);
            Ok(false)
        }
        Err(e) => {
            let mut files = pending();
            drop(tmp);
            files.retain(|f| *f != tmp_path);
            Err(e)
        }
    }?;
    if !done {
        rewrite_in_place(&target, &dir, file, bytes)?;
    }
    Ok(())
}

/// Rewrites `target` in place, after a flushed copy of `bytes` beside it.
fn rewrite_in_place(
    target: &Path,
    dir: &Path,
    mut file: File,
    bytes: &[u8],
) -> Result<(), WriteError> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut copy = {
        let mut files = pending();
        let copy = tempfile::Builder::new()
            .prefix(&format!(".tifa-fixed-{}-", std::process::id()))
            .suffix(&format!("-{name}"))
            .rand_bytes(6)
            .tempfile_in(dir)?;
        files.push(copy.path().to_path_buf());
        copy
    };
    let copy_path = copy.path().to_path_buf();
    let copied = copy
        .as_file_mut()
        .write_all(bytes)
        .and_then(|()| copy.as_file().sync_all());
    // A signal now waits until the file is whole again.
    let mut files = pending();
    files.retain(|f| *f != copy_path);
    if let Err(e) = copied {
        drop(copy);
        return Err(e.into());
    }
    let rewritten = file
        .write_all(bytes)
        .and_then(|()| file.set_len(bytes.len() as u64))
        .and_then(|()| file.sync_all());
    match rewritten {
        Ok(()) => {
            drop(copy);
            Ok(())
        }
        Err(e) => {
            // The file may be cut short: keep the whole fixed text.
            let kept = copy.keep().map(|(_, p)| p).unwrap_or(copy_path);
            Err(WriteError::Io(io::Error::new(
                e.kind(),
                format!("{e}; its fixed text is in {}", kept.display()),
            )))
        }
    }
}
