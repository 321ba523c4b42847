use std::io::Write;
use std::path::{Path, PathBuf};

use super::bounded::*;

/// A fresh directory under the system temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "trailguard-read-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_file_at_the_limit_is_read_and_one_byte_more_is_refused_before_reading() {
    let dir = Scratch::new("limit");
    let at = dir.file("at.yaml", &[b'a'; 100]);
    assert_eq!(
        read_bytes_within(&at, InputKind::RuleFile, 100).expect("fits"),
        vec![b'a'; 100]
    );
    let over = dir.file("over.yaml", &[b'a'; 101]);
    let err = read_bytes_within(&over, InputKind::RuleFile, 100).expect_err("too large");
    assert!(
        matches!(
            err,
            ReadError::TooLarge {
                size: Some(101),
                limit: 100,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains(&over.display().to_string()), "{text}");
    assert!(text.contains("is 101 bytes"), "{text}");
    assert!(text.contains("100 bytes limit for rule files"), "{text}");
    assert!(text.contains("--max-input-size"), "{text}");
}

#[test]
fn a_directory_is_a_clear_error() {
    let dir = Scratch::new("dir");
    let err = read_bytes_within(&dir.0, InputKind::Waivers, 100).expect_err("a directory");
    assert!(matches!(err, ReadError::Directory { .. }), "{err:?}");
    assert!(err.to_string().contains("is a directory, not a file"));
}

#[test]
fn a_missing_file_names_its_kind_and_path() {
    let err = read_bytes_within(Path::new("/nonexistent/x.json"), InputKind::Inventory, 100)
        .expect_err("missing");
    assert!(
        err.to_string()
            .starts_with("cannot read inventory `/nonexistent/x.json`: "),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn an_endless_device_is_read_up_to_the_limit_and_refused() {
    let dir = Scratch::new("zero");
    let link = dir.0.join("waivers.yaml");
    std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink to /dev/zero");
    let err = read_bytes_within(&link, InputKind::Waivers, 4096).expect_err("endless");
    assert!(
        matches!(
            err,
            ReadError::TooLarge {
                size: None,
                limit: 4096,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("is more than 4096 bytes"), "{err}");
}

/// Makes a FIFO with mkfifo(1) (std has no call for it and the crate forbids unsafe code).
#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap_or_else(|e| panic!("cannot run mkfifo to set up the test: {e}"));
    assert!(status.success(), "mkfifo {} failed", path.display());
}

#[cfg(unix)]
#[test]
fn a_fifo_is_read_within_the_limit() {
    let dir = Scratch::new("fifo");
    let fifo = dir.0.join("inventory.json");
    mkfifo(&fifo);
    let writer_path = fifo.clone();
    // Writes far more than the limit; the reader stops and closes, the writer gets EPIPE.
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&writer_path)
            .expect("open the FIFO for writing");
        let chunk = [b' '; 4096];
        for _ in 0..1024 {
            if f.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let err = read_bytes_within(&fifo, InputKind::Inventory, 10_000).expect_err("too much");
    writer.join().expect("writer thread");
    assert!(
        matches!(err, ReadError::TooLarge { size: None, .. }),
        "{err:?}"
    );

    // A FIFO whose content fits is read whole.
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&writer_path)
            .expect("open the FIFO for writing");
        f.write_all(b"{}\n").expect("write");
    });
    let bytes = read_bytes_within(&fifo, InputKind::Inventory, 10_000).expect("fits");
    writer.join().expect("writer thread");
    assert_eq!(bytes, b"{}\n");
}

#[test]
fn the_first_bad_byte_is_located_by_line_and_character_column() {
    let err = into_text(b"id: a\ntitle: \xc3\xa9t\xe9\n".to_vec()).expect_err("latin-1 byte");
    assert_eq!((err.line, err.column, err.byte), (2, 10, 0xE9));
    assert_eq!(err.offset, "id: a\ntitle: \u{e9}t".len());
    assert_eq!(err.message(), "not valid UTF-8 (byte 0xE9)");
    let err = into_text(vec![0xFF]).expect_err("first byte");
    assert_eq!((err.line, err.column, err.offset), (1, 1, 0));
    assert_eq!(into_text(b"ok\n".to_vec()).expect("valid"), "ok\n");
}

#[test]
fn read_text_reports_file_line_col() {
    let dir = Scratch::new("utf8");
    let path = dir.file("inv.json", b"{\n  \"a\": \"\xff\"\n}\n");
    let err = read_text(&path, InputKind::Inventory).expect_err("not UTF-8");
    assert_eq!(
        err.to_string(),
        format!("{}:2:9: not valid UTF-8 (byte 0xFF)", path.display())
    );
}

#[test]
fn sizes_parse_with_binary_and_decimal_units() {
    assert_eq!(parse_size("1048576"), Ok(MIB));
    assert_eq!(parse_size("64MiB"), Ok(64 * MIB));
    assert_eq!(parse_size("2GiB"), Ok(2 * GIB));
    assert_eq!(parse_size("2 gib"), Ok(2 * GIB));
    assert_eq!(parse_size("512k"), Ok(512 * KIB));
    assert_eq!(parse_size("10MB"), Ok(10_000_000));
    assert!(parse_size("lots").is_err());
    assert!(parse_size("12 parsecs").is_err());
    assert!(parse_size("0").is_err());
    assert!(parse_size("99999999999TiB").is_err());
}

#[test]
fn sizes_print_for_people_and_hints_suggest_a_limit_that_fits() {
    assert_eq!(format_size(512), "512 bytes");
    assert_eq!(format_size(MIB), "1 MiB");
    assert_eq!(format_size(3 * GIB / 2), "1.5 GiB");
    assert_eq!(
        raise_hint(Some(5 * MIB), MIB),
        "raise the limit with --max-input-size, e.g. --max-input-size 8MiB"
    );
    assert!(raise_hint(None, GIB).ends_with("--max-input-size 2GiB"));
    assert!(raise_hint(Some(101), 100).ends_with("--max-input-size 1MiB"));
}
