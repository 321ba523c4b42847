//! Finding the rule files under a `--rules` folder.
//!
//! The walk is bounded and never blocks: it recurses into real subdirectories only (each one
//! once, by identity, so even a bind mount cannot loop it) and never follows a symbolic link
//! to a directory — one inside the folder would only repeat rules it loads anyway (or loop:
//! `a -> .`), one outside would pull in files nobody asked for. A symbolic link to a regular
//! file is followed, inside or outside the folder (shared policy files are often linked in);
//! the size limit bounds what it can cost. A `*.yaml` / `*.yml` entry that is not a regular
//! file (a FIFO, a socket, a device, or a link to one) is skipped with a warning rather than
//! opened, since opening a FIFO blocks until something writes to it. A dangling link is kept,
//! so that loading reports it as an unreadable rule file instead of silently dropping a rule.

use std::collections::HashSet;
use std::fs::{FileType, Metadata};
use std::path::{Path, PathBuf};

/// The rule files found under one folder, in path order, and what was skipped.
#[derive(Debug, Default)]
pub(super) struct Walk {
    /// The files to load.
    pub files: Vec<PathBuf>,
    /// One line per entry skipped, for stderr.
    pub warnings: Vec<String>,
}

/// Walks `root` (which may itself be a symbolic link: it was named explicitly).
pub(super) fn rule_files(root: &Path) -> std::io::Result<Walk> {
    let canonical_root = std::fs::canonicalize(root)?;
    let mut walk = Walk::default();
    let mut seen = HashSet::new();
    visit(root, &canonical_root, &mut seen, &mut walk)?;
    walk.files.sort();
    Ok(walk)
}

fn visit(
    dir: &Path,
    root: &Path,
    seen: &mut HashSet<DirId>,
    walk: &mut Walk,
) -> std::io::Result<()> {
    if !seen.insert(dir_id(&std::fs::metadata(dir)?, dir)?) {
        return Ok(());
    }
    let mut entries = std::fs::read_dir(dir)?
        .map(|entry| entry.and_then(|e| Ok((e.path(), e.file_type()?))))
        .collect::<std::io::Result<Vec<(PathBuf, FileType)>>>()?;
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, file_type) in entries {
        if file_type.is_dir() {
            visit(&path, root, seen, walk)?;
        } else if file_type.is_symlink() {
            symlink(path, root, walk);
        } else if is_rule_name(&path) {
            if file_type.is_file() {
                walk.files.push(path);
            } else {
                walk.warnings.push(not_regular(&path, "", file_type));
            }
        }
    }
    Ok(())
}

fn symlink(path: PathBuf, root: &Path, walk: &mut Walk) {
    match std::fs::metadata(&path) {
        Ok(target) if target.is_dir() => {
            let inside = std::fs::canonicalize(&path).is_ok_and(|t| t.starts_with(root));
            let why = if inside {
                "it points inside the rules folder, whose rules are loaded once from there"
            } else {
                "it points outside the rules folder; name that folder with --rules instead"
            };
            walk.warnings.push(format!(
                "warning: {}: a symbolic link to a directory, not followed: {why}",
                path.display()
            ));
        }
        Ok(target) if is_rule_name(&path) && !target.is_file() => {
            let link_to = "a symbolic link to ";
            walk.warnings
                .push(not_regular(&path, link_to, target.file_type()));
        }
        // A regular file, or a dangling link: loading reads it or reports why it cannot.
        _ if is_rule_name(&path) => walk.files.push(path),
        _ => {}
    }
}

fn not_regular(path: &Path, link_to: &str, file_type: FileType) -> String {
    format!(
        "warning: {}: skipped: {link_to}{}, not a regular file",
        path.display(),
        special_kind(file_type)
    )
}

fn special_kind(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        } else if file_type.is_socket() {
            return "a socket";
        } else if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    let _ = file_type;
    "a special file"
}

fn is_rule_name(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// A directory's identity: (device, inode) where there is one, else its canonical path.
#[cfg(unix)]
type DirId = (u64, u64);
#[cfg(not(unix))]
type DirId = PathBuf;

#[cfg(unix)]
fn dir_id(meta: &Metadata, _dir: &Path) -> std::io::Result<DirId> {
    use std::os::unix::fs::MetadataExt;
    Ok((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn dir_id(_meta: &Metadata, dir: &Path) -> std::io::Result<DirId> {
    std::fs::canonicalize(dir)
}
