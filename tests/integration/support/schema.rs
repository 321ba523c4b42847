//! JSON Schema checks of outputs: the report's own schema, the OASIS SARIF 2.1.0 schema and
//! codeql-action's copy of it.

use serde_json::Value;

use super::paths::repo_root;

/// The JSON report's committed schema.
pub const REPORT_SCHEMA: &str = "src/report/report-v1.schema.json";
/// A copy of the OASIS SARIF 2.1.0 schema.
pub const SARIF_SCHEMA: &str = "tests/fixtures/schemas/sarif-schema-2.1.0.json";
/// The schema github/codeql-action's `upload-sarif` validates uploads against (its
/// `src/sarif-schema-2.1.0.json`; source and licence in `tests/fixtures/schemas/README.md`).
pub const CODEQL_UPLOAD_SCHEMA: &str =
    "tests/fixtures/schemas/codeql-action-sarif-schema-2.1.0.json";

/// The compiled schema at `relative` (to the repository root).
pub fn validator(relative: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo_root().join(relative))
        .unwrap_or_else(|e| panic!("cannot read schema {relative}: {e}"));
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// codeql-action's upload schema, compiled. Its `region` has an `anyOf` (startLine, charOffset
/// or byteOffset required) misplaced under `properties`, which the action's JavaScript
/// validator reads as a property named `anyOf` but which a 2020-12 meta-schema check refuses;
/// it is moved where its authors meant it, which is stricter than the action.
pub fn upload_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo_root().join(CODEQL_UPLOAD_SCHEMA))
        .unwrap_or_else(|e| panic!("cannot read schema {CODEQL_UPLOAD_SCHEMA}: {e}"));
    let mut schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    let region = &mut schema["definitions"]["region"];
    let any_of = region["properties"]
        .as_object_mut()
        .and_then(|p| p.remove("anyOf"))
        .expect("the misplaced anyOf is still there: use `validator` instead");
    region["anyOf"] = any_of;
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// Panics listing every violation of `doc` (`message at /pointer`), naming `what`.
pub fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: invalid against its schema:\n{}",
        errors.join("\n")
    );
}

/// `text` as JSON (panics when it is not).
pub fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("output is JSON")
}

/// The committed schema file `file` is `generated` (pretty JSON and a newline). With
/// `TRAILGUARD_WRITE_SCHEMA` set it is rewritten instead; `test` names the test to re-run.
pub fn assert_committed_schema(file: &str, generated: &serde_json::Value, test: &str) {
    let path = super::repo_root().join(file);
    let mut text = serde_json::to_string_pretty(generated).expect("serialises");
    text.push('\n');
    if std::env::var_os("TRAILGUARD_WRITE_SCHEMA").is_some() {
        std::fs::write(&path, &text).expect("writes the schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "{file} is stale: the report types changed. Regenerate it with\n    \
         TRAILGUARD_WRITE_SCHEMA=1 cargo test --test integration {test}\n\
         and review the diff (a removed or renamed field is a breaking change: bump the schema major)."
    );
}
