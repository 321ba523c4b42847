//! The built-in rule pack, embedded at compile time by `build.rs` from `rules/**/*.yaml`.

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

#[cfg(test)]
mod tests {
    use super::FILES;

    fn on_disk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<(String, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                on_disk(&path, base, out);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            ) {
                let rel = path
                    .strip_prefix(base)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&path).unwrap_or_default()));
            }
        }
    }

    #[test]
    fn embedded_pack_equals_the_rules_folder() {
        let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let mut files = Vec::new();
        on_disk(&base, &base, &mut files);
        files.sort();
        let embedded: Vec<(String, String)> = FILES
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect();
        assert_eq!(embedded, files, "rebuild: the embedded rule pack is stale");
    }
}
