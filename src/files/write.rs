//! Safe file output: every file trailguard writes (reports, inventories, drift) goes through
//! [`FileSet`] (or [`write`] for one file), so a failed write never leaves a truncated file in
//! place of good evidence and never replaces something that is not a plain file.
//!
//! What happens to the path, by what it is (symbolic links followed first):
//!
//! - **A regular file, or nothing yet**: the content goes to a temporary file in the same
//!   directory (`.NAME.trailguard-PID-RANDOM.tmp`), which is fsync'd and renamed over the
//!   target; the directory is then fsync'd (best effort: the file is already in place). The
//!   previous file survives any failure — write error, full disk, file-size limit, panic,
//!   SIGINT/SIGTERM — and the temporary is removed. A replaced file keeps its permission bits
//!   and, where allowed, its owner and group (what editors do); other hard links to it keep the
//!   old content. A file we may not write is refused (permission denied) as a shell redirect
//!   would refuse it, rather than replaced because the directory is writable. Missing parent
//!   directories of the path as given are created.
//! - **A symbolic link** is followed to its final target, which is replaced as above; the link
//!   itself stays. A dangling link creates the file it names (as `echo > link` does); its
//!   directory must exist.
//! - **Anything else is written in place**, opened for appending, never created, replaced or
//!   renamed over: character and block devices (`/dev/null`), FIFOs, sockets, and every path
//!   that resolves through `/proc` or `/sys` — `/dev/stdout` and `/dev/fd/N` are links to
//!   `/proc/self/fd/N`, whose target may be a pipe (`pipe:[123]`) or a file the shell opened;
//!   either way the kernel's object is the one to write to. Appending keeps a `>>` redirect
//!   intact. A directory is an error.
//!
//! [`FileSet`] commits several files together: every temporary is written and fsync'd before
//! the first rename, so either every file of a report set is replaced or (when any output
//! fails) none is. Outputs written in place cannot be taken back and are written when their
//! turn comes.
//!
//! Signals: SIGINT and SIGTERM are caught once the first temporary exists (a thread from
//! `signal-hook`); the handler removes every temporary, then ends the process by the same signal
//! (a shell reports 130 / 143). SIGKILL cannot be caught: a temporary it leaves carries the
//! writer's PID, and the next write of the same file removes those whose process is gone
//! (`/proc/PID` absent; on a system without `/proc` nothing is removed).

use std::collections::hash_map::RandomState;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, BufWriter, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, Once, PoisonError};

/// Symbolic links followed before giving up (the kernel's own limit).
const MAX_SYMLINKS: usize = 40;
/// Marks trailguard's temporaries: `.NAME.trailguard-PID-RANDOM.tmp`.
const TAG: &[u8] = b".trailguard-";
/// At most this many bytes of the target's name go into a temporary's name, so the temporary's
/// name stays within the file system's limit (255 bytes) whatever the target's length.
const NAME_PART_MAX: usize = 100;

/// Why a file could not be written. The previous file, if any, is intact and no temporary is
/// left behind.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A missing parent directory could not be created.
    #[error("{}: cannot create the directory {}: {source}", path.display(), dir.display())]
    CreateDir {
        /// The file, as given.
        path: PathBuf,
        /// The directory.
        dir: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Resolving, opening or writing the file (or its temporary) failed.
    #[error("{}: {source}", path.display())]
    Write {
        /// The file, as given.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The complete temporary could not be renamed over the target.
    #[error("{}: cannot replace it with the new file: {source}", path.display())]
    Replace {
        /// The file, as given.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

impl WriteError {
    /// The kind of the underlying I/O error (a closed pipe is `BrokenPipe`).
    pub fn kind(&self) -> io::ErrorKind {
        match self {
            WriteError::CreateDir { source, .. }
            | WriteError::Write { source, .. }
            | WriteError::Replace { source, .. } => source.kind(),
        }
    }
}

/// Writes `contents` to `path` safely (see the module documentation).
pub fn write(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    write_with(path, |out| out.write_all(contents))
}

/// Streams a file to `path` safely: `produce` writes the whole content into a buffered writer.
pub fn write_with<F>(path: &Path, produce: F) -> Result<(), WriteError>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    let mut set = FileSet::new();
    set.write_with(path, produce)?;
    set.commit()
}

/// Files replaced together by [`FileSet::commit`]. Dropped without a commit (an error, a
/// panic), it removes its temporaries and every target keeps its previous content.
#[derive(Debug, Default)]
pub struct FileSet {
    staged: Vec<Staged>,
}

impl FileSet {
    /// An empty set.
    pub fn new() -> FileSet {
        FileSet::default()
    }

    /// Writes one file: in place now for a device, FIFO or `/dev/stdout`, otherwise into a
    /// temporary that [`FileSet::commit`] renames over the target.
    pub fn write_with<F>(&mut self, path: &Path, produce: F) -> Result<(), WriteError>
    where
        F: FnOnce(&mut dyn Write) -> io::Result<()>,
    {
        let failed = |source| WriteError::Write {
            path: path.to_path_buf(),
            source,
        };
        create_parent(path)?;
        match resolve(path).map_err(failed)? {
            Target::InPlace => write_in_place(path, produce).map_err(failed),
            Target::Replace {
                path: target,
                existing,
            } => {
                let staged = stage(path, &target, existing.as_ref(), produce).map_err(failed)?;
                self.staged.push(staged);
                Ok(())
            }
        }
    }

    /// Renames every temporary over its target, then fsyncs their directories. A rename that
    /// fails (rare: every temporary is complete and in the target's own directory) leaves the
    /// files renamed before it replaced, and the rest untouched.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let mut dirs: Vec<PathBuf> = Vec::new();
        for mut staged in std::mem::take(&mut self.staged) {
            staged.rename().map_err(|source| WriteError::Replace {
                path: staged.given.clone(),
                source,
            })?;
            let dir = parent_dir(&staged.target).to_path_buf();
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        for dir in dirs {
            // Makes the rename durable; the new file is in place whatever this answers (some
            // file systems refuse to fsync a directory).
            let _ = File::open(&dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

/// A complete temporary waiting to be renamed over its target.
#[derive(Debug)]
struct Staged {
    /// The path as the user gave it (for messages).
    given: PathBuf,
    /// The final target after following symbolic links.
    target: PathBuf,
    temp: PathBuf,
    committed: bool,
}

impl Staged {
    fn rename(&mut self) -> io::Result<()> {
        // Under the registry's lock, so the signal handler sees either the temporary or the
        // committed file, never removes a temporary halfway through a rename.
        let mut registry = temporaries();
        fs::rename(&self.temp, &self.target)?;
        registry.retain(|t| t != &self.temp);
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let mut registry = temporaries();
            let _ = fs::remove_file(&self.temp);
            registry.retain(|t| t != &self.temp);
        }
    }
}

/// What a path comes to once its symbolic links are followed.
enum Target {
    /// Written through the path itself: a device, FIFO, socket, or kernel file.
    InPlace,
    /// Replaced by a rename: the final path, and the regular file there now (if any).
    Replace {
        path: PathBuf,
        existing: Option<fs::Metadata>,
    },
}

fn resolve(given: &Path) -> io::Result<Target> {
    let mut path = given.to_path_buf();
    for _ in 0..MAX_SYMLINKS {
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Target::Replace {
                    path,
                    existing: None,
                });
            }
            Err(e) => return Err(e),
        };
        let kind = meta.file_type();
        // `/proc/self/fd/1` is a "magic" link: its target (`pipe:[123]`, or the file a shell
        // opened) is reached only by opening the link itself.
        if in_kernel_fs(&path) {
            return Ok(Target::InPlace);
        }
        if kind.is_symlink() {
            let link = fs::read_link(&path)?;
            // A relative target is relative to the link's directory; an absolute one replaces.
            path = path
                .parent()
                .map_or_else(|| link.clone(), |dir| dir.join(&link));
        } else if kind.is_file() {
            return Ok(Target::Replace {
                path,
                existing: Some(meta),
            });
        } else if kind.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory",
            ));
        } else {
            return Ok(Target::InPlace);
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Whether `path` lives in `/proc` or `/sys`, where files are the kernel's and are never
/// created or renamed.
fn in_kernel_fs(path: &Path) -> bool {
    fs::canonicalize(parent_dir(path))
        .is_ok_and(|dir| dir.starts_with("/proc") || dir.starts_with("/sys"))
}

/// The directory a path's last component lives in (`.` for a bare name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

fn create_parent(path: &Path) -> Result<(), WriteError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.exists() => fs::create_dir_all(dir)
            .map_err(|source| WriteError::CreateDir {
                path: path.to_path_buf(),
                dir: dir.to_path_buf(),
                source,
            }),
        _ => Ok(()),
    }
}

fn write_in_place<F>(path: &Path, produce: F) -> io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    let mut out = BufWriter::new(OpenOptions::new().append(true).open(path)?);
    produce(&mut out)?;
    out.flush()
}

/// Writes a complete, fsync'd temporary next to `target`. On any error (or a panic in
/// `produce`) the temporary is removed when the returned `Staged` is dropped.
fn stage<F>(
    given: &Path,
    target: &Path,
    existing: Option<&fs::Metadata>,
    produce: F,
) -> io::Result<Staged>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "names no file"))?;
    if existing.is_some() {
        // The permission a shell redirect needs; opening without truncating changes nothing.
        OpenOptions::new().write(true).open(target)?;
    }
    let dir = parent_dir(target);
    remove_stale_temporaries(dir, name);
    let mode = existing.map_or(0o666, |m| m.permissions().mode() & 0o7777);
    let (temp, file) = create_temp(dir, name, mode)?;
    let staged = Staged {
        given: given.to_path_buf(),
        target: target.to_path_buf(),
        temp,
        committed: false,
    };
    if let Some(old) = existing {
        keep_owner_and_mode(&file, old);
    }
    let mut out = BufWriter::new(file);
    produce(&mut out)?;
    out.into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()?;
    Ok(staged)
}

/// Gives the new file the replaced file's owner, group and permission bits, as far as we are
/// allowed to (only root may give a file away; the mode is set after, as chown clears setuid).
fn keep_owner_and_mode(file: &File, old: &fs::Metadata) {
    if let Ok(new) = file.metadata()
        && (new.uid() != old.uid() || new.gid() != old.gid())
    {
        let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
    }
    let _ = file.set_permissions(fs::Permissions::from_mode(
        old.permissions().mode() & 0o7777,
    ));
}

/// Creates and registers a new temporary (never an existing file: `O_EXCL`).
fn create_temp(dir: &Path, name: &OsStr, mode: u32) -> io::Result<(PathBuf, File)> {
    remove_temporaries_on_signal();
    for _ in 0..16 {
        let temp = dir.join(temp_name(name, std::process::id(), random()));
        // Created and registered under one lock: the signal handler never misses a temporary.
        let mut registry = temporaries();
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&temp)
        {
            Ok(file) => {
                registry.push(temp.clone());
                return Ok((temp, file));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free temporary file name",
    ))
}

/// `.NAME.trailguard-PID-RANDOM.tmp`, NAME cut to [`NAME_PART_MAX`] bytes.
fn temp_name(name: &OsStr, pid: u32, random: u64) -> OsString {
    let mut temp = OsString::from(".");
    temp.push(name_part(name));
    temp.push(OsStr::from_bytes(TAG));
    temp.push(format!("{pid}-{random:016x}.tmp"));
    temp
}

fn name_part(name: &OsStr) -> &OsStr {
    let bytes = name.as_bytes();
    OsStr::from_bytes(&bytes[..bytes.len().min(NAME_PART_MAX)])
}

/// The writer's PID when `entry` is one of our temporaries for the file `name`.
fn temp_pid(entry: &OsStr, name: &OsStr) -> Option<u32> {
    let rest = entry
        .as_bytes()
        .strip_prefix(b".")?
        .strip_prefix(name_part(name).as_bytes())?
        .strip_prefix(TAG)?
        .strip_suffix(b".tmp")?;
    let dash = rest.iter().position(|&b| b == b'-')?;
    let (pid, random) = (&rest[..dash], &rest[dash + 1..]);
    let is_hex = random.len() == 16 && random.iter().all(u8::is_ascii_hexdigit);
    let is_decimal = !pid.is_empty() && pid.iter().all(u8::is_ascii_digit);
    if !(is_hex && is_decimal) {
        return None;
    }
    std::str::from_utf8(pid).ok()?.parse().ok()
}

/// Removes temporaries of `name` in `dir` left by processes that no longer run (SIGKILL, power
/// loss). Best effort: whatever cannot be read or removed is left.
fn remove_stale_temporaries(dir: &Path, name: &OsStr) {
    // Without /proc a live writer cannot be told from a dead one: leave everything.
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let own = std::process::id();
    for entry in entries.flatten() {
        let Some(pid) = temp_pid(&entry.file_name(), name) else {
            continue;
        };
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if pid != own && is_file && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Unpredictable enough that two writers never pick the same name (`O_EXCL` catches the rest).
fn random() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(since) = std::time::UNIX_EPOCH.elapsed() {
        hasher.write_u128(since.as_nanos());
    }
    hasher.finish()
}

/// Every temporary of this process not yet renamed or removed.
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn temporaries() -> MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARIES.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Installs, once, a thread that on SIGINT or SIGTERM removes every temporary and then ends the
/// process by that signal. Installed with the first temporary, so a run that writes no file
/// keeps the default handling. If it cannot be installed, stale temporaries are still removed
/// by the next write.
fn remove_temporaries_on_signal() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("trailguard-signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // Held until the process ends: no new temporary, no rename in between.
                    let registry = temporaries();
                    for temp in registry.iter() {
                        let _ = fs::remove_file(temp);
                    }
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    signal_hook::low_level::exit(128 + signal);
                }
            });
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::symlink;

    use super::*;

    /// A scratch directory, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(tag: &str) -> Scratch {
            let dir = std::env::temp_dir().join(format!(
                "trailguard-write-{tag}-{}-{:x}",
                std::process::id(),
                random()
            ));
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
        fn path(&self, name: &str) -> PathBuf {
            self.0.join(name)
        }
        /// Every entry of the directory, sorted.
        fn names(&self) -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(&self.0)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn failing(out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"half a rep")?;
        Err(io::Error::other("disk on fire"))
    }

    #[test]
    fn a_new_file_is_created_and_an_old_one_replaced_keeping_its_mode() {
        let dir = Scratch::new("replace");
        let target = dir.path("r.json");
        write(&target, b"one").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"one");
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
        let before = fs::metadata(&target).unwrap().ino();
        write(&target, b"two").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"two");
        let after = fs::metadata(&target).unwrap();
        assert_ne!(after.ino(), before, "replaced by a rename, not rewritten");
        assert_eq!(after.permissions().mode() & 0o7777, 0o640);
        assert_eq!(dir.names(), ["r.json"], "no temporary left");
    }

    #[test]
    fn missing_parent_directories_are_created() {
        let dir = Scratch::new("parents");
        write(&dir.path("a/b/r.json"), b"x").unwrap();
        assert_eq!(fs::read(dir.path("a/b/r.json")).unwrap(), b"x");
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_removes_the_temporary() {
        let dir = Scratch::new("fail");
        let target = dir.path("inventory.json");
        fs::write(&target, b"good evidence").unwrap();
        let err = write_with(&target, failing).unwrap_err();
        assert!(
            err.to_string().contains("inventory.json: disk on fire"),
            "{err}"
        );
        assert_eq!(fs::read(&target).unwrap(), b"good evidence");
        assert_eq!(dir.names(), ["inventory.json"]);
    }

    #[test]
    fn a_panic_while_writing_keeps_the_old_file_and_removes_the_temporary() {
        let dir = Scratch::new("panic");
        let target = dir.path("r.json");
        fs::write(&target, b"old").unwrap();
        let caught = std::panic::catch_unwind(|| {
            write_with(&target, |out| {
                out.write_all(&[b'x'; 100_000])?;
                panic!("renderer bug")
            })
        });
        assert!(caught.is_err());
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert_eq!(dir.names(), ["r.json"]);
    }

    #[test]
    fn a_set_replaces_no_file_when_one_output_fails() {
        let dir = Scratch::new("set");
        let (a, b) = (dir.path("a.json"), dir.path("b.sarif"));
        fs::write(&a, b"old a").unwrap();
        fs::write(&b, b"old b").unwrap();
        let mut set = FileSet::new();
        set.write_with(&a, |out| out.write_all(b"new a")).unwrap();
        assert_eq!(dir.names().len(), 3, "a's temporary waits for the commit");
        assert_eq!(
            fs::read(&a).unwrap(),
            b"old a",
            "nothing replaced before commit"
        );
        assert!(set.write_with(&b, failing).is_err());
        drop(set);
        assert_eq!(fs::read(&a).unwrap(), b"old a");
        assert_eq!(fs::read(&b).unwrap(), b"old b");
        assert_eq!(dir.names(), ["a.json", "b.sarif"]);

        let mut set = FileSet::new();
        set.write_with(&a, |out| out.write_all(b"new a")).unwrap();
        set.write_with(&b, |out| out.write_all(b"new b")).unwrap();
        set.commit().unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"new a");
        assert_eq!(fs::read(&b).unwrap(), b"new b");
        assert_eq!(dir.names(), ["a.json", "b.sarif"]);
    }

    #[test]
    fn symlinks_are_followed_and_stay_symlinks() {
        let dir = Scratch::new("links");
        fs::create_dir(dir.path("real")).unwrap();
        fs::write(dir.path("real/r.json"), b"old").unwrap();
        // A relative link to a relative link: each is resolved from its own directory.
        symlink("real/r.json", dir.path("first")).unwrap();
        fs::create_dir(dir.path("sub")).unwrap();
        symlink("../first", dir.path("sub/second")).unwrap();
        write(&dir.path("sub/second"), b"new").unwrap();
        assert_eq!(fs::read(dir.path("real/r.json")).unwrap(), b"new");
        for link in ["first", "sub/second"] {
            let meta = fs::symlink_metadata(dir.path(link)).unwrap();
            assert!(meta.file_type().is_symlink(), "{link} is still a link");
        }
        assert_eq!(dir.names(), ["first", "real", "sub"]);
        assert_eq!(fs::read_dir(dir.path("real")).unwrap().count(), 1);
    }

    #[test]
    fn a_dangling_symlink_creates_the_file_it_names() {
        let dir = Scratch::new("dangling");
        symlink(dir.path("later.json"), dir.path("link")).unwrap();
        write(&dir.path("link"), b"made").unwrap();
        assert_eq!(fs::read(dir.path("later.json")).unwrap(), b"made");
        assert!(fs::symlink_metadata(dir.path("link")).unwrap().is_symlink());
    }

    #[test]
    fn a_symlink_loop_and_a_directory_are_errors_that_leave_nothing() {
        let dir = Scratch::new("loop");
        symlink("b", dir.path("a")).unwrap();
        symlink("a", dir.path("b")).unwrap();
        let err = write(&dir.path("a"), b"x").unwrap_err();
        assert!(err.to_string().contains("symbolic links"), "{err}");
        fs::create_dir(dir.path("d")).unwrap();
        let err = write(&dir.path("d"), b"x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::IsADirectory, "{err}");
        assert_eq!(dir.names(), ["a", "b", "d"]);
    }

    #[test]
    fn an_fd_link_in_proc_is_written_in_place() {
        // `/dev/stdout` is a link to `/proc/self/fd/1`; a pipe's fd link names `pipe:[N]`,
        // which is no path at all: only opening the link reaches it.
        let dir = Scratch::new("fdlink");
        let (mut reader, writer) = io::pipe().unwrap();
        let fd_link = PathBuf::from(format!("/proc/self/fd/{}", writer.as_raw_fd()));
        symlink(&fd_link, dir.path("out")).unwrap();
        let reading = std::thread::spawn(move || {
            let mut got = Vec::new();
            io::Read::read_to_end(&mut reader, &mut got).map(|_| got)
        });
        write(&dir.path("out"), b"through the pipe").unwrap();
        write(&fd_link, b", twice").unwrap();
        drop(writer);
        assert_eq!(reading.join().unwrap().unwrap(), b"through the pipe, twice");
        assert!(fs::symlink_metadata(dir.path("out")).unwrap().is_symlink());
        assert_eq!(dir.names(), ["out"]);
    }

    #[test]
    fn an_fd_link_to_a_regular_file_appends_to_it() {
        // `trailguard … --output json=/dev/stdout >> log`: the shell's file is appended to,
        // not replaced or truncated.
        let dir = Scratch::new("fdfile");
        fs::write(dir.path("log"), b"earlier\n").unwrap();
        let file = OpenOptions::new()
            .append(true)
            .open(dir.path("log"))
            .unwrap();
        let fd_link = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
        let inode = fs::metadata(dir.path("log")).unwrap().ino();
        write(&fd_link, b"report\n").unwrap();
        assert_eq!(fs::read(dir.path("log")).unwrap(), b"earlier\nreport\n");
        assert_eq!(fs::metadata(dir.path("log")).unwrap().ino(), inode);
    }

    #[test]
    fn temporary_names_carry_the_pid_and_fit_any_file_name() {
        let name = OsStr::new("r.json");
        let temp = temp_name(name, 4242, 0xabc);
        assert_eq!(temp, ".r.json.trailguard-4242-0000000000000abc.tmp");
        assert_eq!(temp_pid(&temp, name), Some(4242));
        assert_eq!(temp_pid(&temp, OsStr::new("other.json")), None);
        for bad in [
            ".r.json.trailguard-4242-xyz.tmp",
            ".r.json.trailguard--0000000000000abc.tmp",
            ".r.json.trailguard-42a-0000000000000abc.tmp",
            "r.json.trailguard-4242-0000000000000abc.tmp",
            ".r.json.trailguard-4242-0000000000000abc",
        ] {
            assert_eq!(temp_pid(OsStr::new(bad), name), None, "{bad}");
        }
        // A 255-byte name (the usual maximum) still gets a temporary beside it.
        let dir = Scratch::new("long");
        let long = "n".repeat(255);
        write(&dir.path(&long), b"x").unwrap();
        assert_eq!(dir.names(), [long]);
    }

    #[test]
    fn stale_temporaries_of_dead_processes_are_removed_live_ones_kept() {
        let dir = Scratch::new("stale");
        let name = OsStr::new("r.json");
        // Above any pid_max (at most 2^22 on Linux): never a running process.
        let dead = dir.0.join(temp_name(name, u32::MAX, 1));
        let live = dir
            .0
            .join(temp_name(name, std::os::unix::process::parent_id(), 2));
        let other_file = dir.0.join(temp_name(OsStr::new("other.json"), u32::MAX, 3));
        for stale in [&dead, &live, &other_file] {
            fs::write(stale, b"left by a killed run").unwrap();
        }
        write(&dir.path("r.json"), b"x").unwrap();
        assert!(!dead.exists(), "a dead writer's temporary is removed");
        assert!(live.exists(), "a running writer's temporary is kept");
        assert!(
            other_file.exists(),
            "only temporaries of the file being written"
        );
    }
}
