//! Which `trailguard.yaml` a run reads: `--config FILE`, else the nearest one from the working
//! directory up to the root of the git repository it is in — the directory holding `.git`
//! (a folder, or a file in a worktree), where git stops looking for its own files and ruff for
//! `pyproject.toml`. Outside a repository only the working directory is looked at: a stray file
//! in `/tmp` or a home directory must not silently change a run's rules or gate.

use std::path::{Path, PathBuf};

use crate::cli::defaults::CONFIG_FILE;

/// The config file to read, and a line for `-v` saying how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The file, relative to the working directory when it was found (`../trailguard.yaml`);
    /// `None`: no config file.
    pub path: Option<PathBuf>,
    /// Where it came from, or where no file was found.
    pub note: String,
}

/// `--config FILE` when given, else the search from `cwd` (`None` when the working directory
/// is unknown: then only `./trailguard.yaml` is looked at).
pub fn locate(explicit: Option<&Path>, cwd: Option<&Path>) -> Located {
    if let Some(path) = explicit {
        return Located {
            path: Some(path.to_path_buf()),
            note: format!("note: config file {} (--config)", path.display()),
        };
    }
    let Some(cwd) = cwd else {
        let here = Path::new(CONFIG_FILE);
        return Located {
            path: here.is_file().then(|| here.to_path_buf()),
            note: format!("note: config file: only ./{CONFIG_FILE} looked at"),
        };
    };
    let root = cwd.ancestors().position(|d| d.join(".git").exists());
    let searched = match root {
        Some(depth) => depth + 1,
        None => 1,
    };
    let found = (cwd.ancestors().take(searched))
        .position(|dir| dir.join(CONFIG_FILE).is_file())
        .map(|depth| {
            std::iter::repeat_n("..", depth)
                .collect::<PathBuf>()
                .join(CONFIG_FILE)
        });
    let scope = match root.and_then(|depth| cwd.ancestors().nth(depth)) {
        Some(root) => format!(
            "from the working directory up to the repository root {}",
            root.display()
        ),
        None => {
            "in the working directory (outside a git repository, no parent is searched)".to_owned()
        }
    };
    let note = match &found {
        Some(path) => format!("note: config file {} (the nearest {scope})", path.display()),
        None => format!("note: no config file: no {CONFIG_FILE} {scope}"),
    };
    Located { path: found, note }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch tree of this test process's own.
    fn tree(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "trailguard-config-file-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("a/b")).unwrap_or_else(|e| panic!("{e}"));
        dir
    }

    fn touch(path: PathBuf) {
        std::fs::write(&path, "").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    #[test]
    fn the_flag_wins() {
        let l = locate(Some(Path::new("x.yaml")), Some(Path::new("/nowhere")));
        assert_eq!(l.path, Some(PathBuf::from("x.yaml")));
    }

    #[test]
    fn the_nearest_file_up_to_the_repository_root() {
        let dir = tree("repo");
        std::fs::create_dir(dir.join(".git")).unwrap_or_else(|e| panic!("{e}"));
        touch(dir.join(CONFIG_FILE));
        let deep = dir.join("a/b");
        let l = locate(None, Some(&deep));
        assert_eq!(l.path, Some(PathBuf::from("../../trailguard.yaml")));
        assert!(l.note.contains(&dir.display().to_string()), "{}", l.note);
        // A nearer one wins.
        touch(dir.join("a").join(CONFIG_FILE));
        assert_eq!(
            locate(None, Some(&deep)).path,
            Some(PathBuf::from("../trailguard.yaml"))
        );
        // A `.git` file (a worktree) marks a root too: the search stops below a file above it.
        std::fs::remove_file(dir.join("a").join(CONFIG_FILE)).unwrap_or_else(|e| panic!("{e}"));
        touch(dir.join("a/b/.git"));
        assert_eq!(locate(None, Some(&deep)).path, None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn outside_a_repository_only_the_working_directory() {
        let dir = tree("norepo");
        touch(dir.join(CONFIG_FILE));
        let l = locate(None, Some(&dir.join("a")));
        if dir.ancestors().any(|d| d.join(".git").exists()) {
            panic!("{} is inside a git repository: cannot test", dir.display());
        }
        assert_eq!(l.path, None, "{}", l.note);
        assert!(l.note.contains("outside a git repository"), "{}", l.note);
        assert_eq!(
            locate(None, Some(&dir)).path,
            Some(PathBuf::from(CONFIG_FILE))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
