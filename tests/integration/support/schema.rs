//! JSON Schema checks of outputs: the report's own schema and the OASIS SARIF 2.1.0 schema.

use serde_json::Value;

use super::paths::repo_root;

/// The JSON report's committed schema.
pub const REPORT_SCHEMA: &str = "src/report/report-v1.schema.json";
/// A copy of the OASIS SARIF 2.1.0 schema.
pub const SARIF_SCHEMA: &str = "tests/fixtures/schemas/sarif-schema-2.1.0.json";

/// The compiled schema at `relative` (to the repository root).
pub fn validator(relative: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo_root().join(relative))
        .unwrap_or_else(|e| panic!("cannot read schema {relative}: {e}"));
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
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
