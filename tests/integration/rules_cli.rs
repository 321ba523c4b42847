//! The binary, offline: `check` and every `rules` subcommand, exit codes and output.

use std::process::{Command, Output};

use crate::support::cli::{code, run, stderr, stdout, transcript};

/// An empty directory of this test process's own.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "trailguard-rules-cli-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

const COMPLIANT: &str = "tests/fixtures/inventories/compliant.json";
const LEGACY: &str = "tests/fixtures/inventories/legacy.json";
const DENIED: &str = "tests/fixtures/inventories/denied.json";
const GOOD: &str = "tests/fixtures/rules/good";

#[test]
fn check_compliant_inventory_exits_0() {
    let o = run(&["check", "--inventory", COMPLIANT]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("0 FAIL, 0 ERROR"), "{}", stdout(&o));
    assert!(stdout(&o).contains("exit 0"), "{}", stdout(&o));
    insta::assert_snapshot!("check_compliant", transcript(&o, &[]));
}

#[test]
fn check_legacy_inventory_fails_with_evidence() {
    let o = run(&["check", "--inventory", LEGACY]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    // Grouped by rule: the rule line, then each failing resource with its evidence.
    let a02 = text.find("CT-A02 high").expect("CT-A02 is listed");
    assert!(text[a02..].contains("FAIL  account 345678901234"), "{text}");
    assert!(text.contains("expected"), "{text}");
    // FAIL and ERROR come before the summary, PASS lines only with --list-all.
    assert!(!text.contains("PASS  "), "{text}");
    insta::assert_snapshot!("check_legacy", transcript(&o, &[]));
    let v = run(&["check", "--inventory", LEGACY, "--list-all"]);
    let verbose = stdout(&v);
    assert!(verbose.contains("PASS  "), "{verbose}");
    insta::assert_snapshot!("check_legacy_verbose", transcript(&v, &[]));
}

#[test]
fn check_denied_inventory_gives_error_not_pass() {
    let o = run(&["check", "--inventory", DENIED, "--output", "json"]);
    assert_eq!(code(&o), 1);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(json["schema"], "trailguard.report/v1");
    let findings = json["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f["status"] != "PASS"));
    assert!(findings.iter().any(|f| {
        f["status"] == "ERROR"
            && f["evidence"]
                .as_array()
                .is_some_and(|e| e.iter().any(|x| x["kind"] == "read_error"))
    }));
    assert_eq!(json["summary"]["pass"], 0);
}

#[test]
fn check_json_has_every_finding_with_fingerprints() {
    let o = run(&[
        "check",
        "--inventory",
        COMPLIANT,
        "--output",
        "json",
        "--only",
        "CT-A01,CT-B01",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let findings = json["findings"].as_array().expect("findings");
    assert!(
        findings
            .iter()
            .all(|f| f["rule_id"] == "CT-A01" || f["rule_id"] == "CT-B01")
    );
    assert!(
        findings
            .iter()
            .all(|f| f["fingerprint"].as_str().is_some_and(|s| s.len() == 16))
    );
    assert!(
        findings
            .iter()
            .all(|f| f["resource"]["account_id"].is_string())
    );
}

#[test]
fn check_selection_flags() {
    let o = run(&["check", "--inventory", LEGACY, "--only", "CT-A99"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unknown rule id `CT-A99` in --only"),
        "{}",
        stderr(&o)
    );
    insta::assert_snapshot!("check_unknown_only", transcript(&o, &[]));
    let o = run(&["check", "--inventory", LEGACY, "--skip", "CT-B088"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unknown rule id `CT-B088` in --skip; did you mean `CT-B08`?"),
        "{}",
        stderr(&o)
    );
    insta::assert_snapshot!("check_unknown_skip", transcript(&o, &[]));
    let o = run(&[
        "check",
        "--inventory",
        LEGACY,
        "--severity-min",
        "critical",
        "--output",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let findings = json["findings"].as_array().expect("findings");
    assert!(!findings.is_empty() && findings.iter().all(|f| f["severity"] == "critical"));
    let o = run(&[
        "check",
        "--inventory",
        COMPLIANT,
        "--no-builtin",
        "--rules",
        GOOD,
        "--skip",
        "TG-003",
        "--output",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let ids: Vec<&str> = json["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, ["TG-001", "TG-002"]);
}

#[test]
fn check_bad_inputs_exit_2() {
    let o = run(&["check", "--inventory", "does-not-exist.json"]);
    assert_eq!(code(&o), 2);
    insta::assert_snapshot!("check_missing_inventory", transcript(&o, &[]));
    let o = run(&[
        "check",
        "--inventory",
        COMPLIANT,
        "--rules",
        "tests/diagnostics/unknown-path",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("tests/diagnostics/unknown-path/BAD-1.yaml:11:27"),
        "{}",
        stderr(&o)
    );
    insta::assert_snapshot!("check_bad_rule", transcript(&o, &[]));
    let o = run(&[
        "check",
        "--inventory",
        COMPLIANT,
        "--no-builtin",
        "--config",
        "tests/diagnostics/bad-parameter/trailguard.yaml",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("trailguard.yaml:5:5"), "{}", stderr(&o));
    insta::assert_snapshot!("check_bad_config", transcript(&o, &[]));
}

#[test]
fn config_rule_ids_are_blamed_on_the_config_file() {
    let dir = scratch("config-ids");
    let config = dir.join("trailguard.yaml");
    std::fs::write(&config, "rules:\n  skip: [CT-B088]\n").expect("config");
    let config = config.display().to_string();
    let o = run(&["check", "--inventory", LEGACY, "--config", &config]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "error[unknown-rule-id]: {config}:2:10: `rules.skip` names `CT-B088`"
        )),
        "{err}"
    );
    assert!(err.contains("did you mean `CT-B08`?"), "{err}");
    assert!(!err.contains("--skip"), "a config id is not a flag: {err}");
    insta::assert_snapshot!(
        "check_config_unknown_id",
        transcript(&o, &[(&config, "[CONFIG]")])
    );
    // A flag's own id is still the flag's problem, with the config file valid.
    std::fs::write(&config, "rules:\n  skip: [CT-B08]\n").expect("config");
    let o = run(&[
        "check",
        "--inventory",
        LEGACY,
        "--config",
        &config,
        "--only",
        "X-1",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unknown rule id `X-1` in --only"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn parameter_values_outside_their_range_are_refused() {
    let dir = scratch("param-range");
    let config = dir.join("trailguard.yaml");
    std::fs::write(
        &config,
        "parameters:\n  CT-D06: { min_retention_days: -1 }\n",
    )
    .expect("config");
    let config = config.display().to_string();
    let o = run(&["check", "--inventory", LEGACY, "--config", &config]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains(&format!(
            "{config}:2:33: CT-D06.min_retention_days: -1 is below the parameter's minimum 1"
        )),
        "{}",
        stderr(&o)
    );
    insta::assert_snapshot!(
        "check_config_parameter_range",
        transcript(&o, &[(&config, "[CONFIG]")])
    );
    let o = run(&["rules", "explain", "CT-D06"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("min_retention_days (integer, default 365, at least 1, in force 365)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn check_clock_is_an_input() {
    // TG-002 wants a delivery within 24h of "now"; a clock far in the future makes it stale.
    let base = [
        "check",
        "--inventory",
        COMPLIANT,
        "--no-builtin",
        "--rules",
        GOOD,
        "--only",
        "TG-002",
        "--output",
        "json",
    ];
    let fresh = run(&base);
    let mut later = base.to_vec();
    later.extend(["--now", "2100-01-01T00:00:00Z"]);
    let stale = run(&later);
    let statuses = |o: &Output| -> Vec<String> {
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        json["findings"]
            .as_array()
            .expect("f")
            .iter()
            .map(|f| f["status"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    assert!(
        statuses(&stale).iter().any(|s| s == "FAIL"),
        "{:?}",
        statuses(&stale)
    );
    assert_ne!(statuses(&fresh), statuses(&stale));
}

#[test]
fn rules_list_table_and_json() {
    let o = run(&["rules", "list"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).starts_with("ID"), "{}", stdout(&o));
    assert!(stdout(&o).contains("CT-A02"));
    insta::assert_snapshot!("rules_list", transcript(&o, &[]));
    let o = run(&[
        "rules",
        "list",
        "--output",
        "json",
        "--framework",
        "cis-aws-foundations-v5.0.0",
        "--severity",
        "high",
    ]);
    assert_eq!(code(&o), 0);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let rules = json.as_array().expect("array");
    assert!(!rules.is_empty());
    assert!(rules.iter().all(
        |r| r["severity"] == "high" && r["frameworks"]["cis-aws-foundations-v5.0.0"].is_array()
    ));
    insta::assert_snapshot!("rules_list_json_cis_high", transcript(&o, &[]));
    let o = run(&["rules", "list", "--framework", "cis-aws-foundation-v5.0.0"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("did you mean `cis-aws-foundations-v5.0.0`"),
        "{}",
        stderr(&o)
    );
    insta::assert_snapshot!("rules_list_unknown_framework", transcript(&o, &[]));
}

#[test]
fn rules_explain() {
    let o = run(&[
        "rules",
        "explain",
        "TG-001",
        "--no-builtin",
        "--rules",
        GOOD,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    insta::assert_snapshot!("explain_tg_001", stdout(&o));
    let o = run(&["rules", "explain", "CT-A02"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("Passes when"));
    insta::assert_snapshot!("rules_explain_ct_a02", transcript(&o, &[]));
    // A monitoring rule: its ready-to-paste filter pattern and its CIS/Security Hub mappings.
    let o = run(&["rules", "explain", "CT-F05"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for line in [
        "  filter pattern: { ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }\n",
        "  cis-aws-foundations-v7.0.0: 5.5\n",
        "  aws-security-hub: CloudWatch.5\n",
    ] {
        assert!(stdout(&o).contains(line), "{line}: {}", stdout(&o));
    }
    insta::assert_snapshot!("rules_explain_ct_f05", transcript(&o, &[]));
    // An empty string parameter and literal print as `""`, not as nothing.
    let o = run(&["rules", "explain", "CT-B08"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for line in [
        "  required_tag_key (string, default \"\", in force \"\"): ",
        "      parameter `required_tag_key` equals \"\"\n",
    ] {
        assert!(stdout(&o).contains(line), "{line}: {}", stdout(&o));
    }
    let o = run(&["rules", "explain", "CT-A2"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unknown rule id"), "{}", stderr(&o));
    insta::assert_snapshot!("rules_explain_unknown_id", transcript(&o, &[]));
}

#[test]
fn rules_validate() {
    let o = run(&["rules", "validate", GOOD]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("3 rules"), "{}", stdout(&o));
    insta::assert_snapshot!("rules_validate_good", transcript(&o, &[]));
    let o = run(&["rules", "validate", "rules"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&[
        "rules",
        "validate",
        "tests/diagnostics/many-problems",
        "tests/diagnostics/unknown-key",
    ]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("error[unknown-path]"), "{err}");
    assert!(err.contains("error[unknown-key]"), "{err}");
    assert!(err.contains("problems found"), "{err}");
    insta::assert_snapshot!("rules_validate_problems", transcript(&o, &[]));
}

#[test]
fn rules_test() {
    let o = run(&["rules", "test"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("ok      CT-A01"), "{}", stdout(&o));
    insta::assert_snapshot!("rules_test_builtin", transcript(&o, &[]));
    let o = run(&["rules", "test", GOOD]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("8 passed, 0 failed"), "{}", stdout(&o));
    insta::assert_snapshot!("rules_test_good", transcript(&o, &[]));
    let o = run(&["rules", "test", "tests/fixtures/rules/failing"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("FAILED  TG-900"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("expected PASS, got FAIL"),
        "{}",
        stdout(&o)
    );
    insta::assert_snapshot!("rules_test_failing", transcript(&o, &[]));
    let o = run(&["rules", "test", "tests/diagnostics/unknown-key"]);
    assert_eq!(code(&o), 2);
    insta::assert_snapshot!("rules_test_invalid", transcript(&o, &[]));
}

#[test]
fn rules_fields() {
    let o = run(&["rules", "fields", "trail"]);
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    assert!(text.contains("status.is_logging"), "{text}");
    assert!(
        text.contains("bucket.object_lock.default_retention.period_days"),
        "{text}"
    );
    insta::assert_snapshot!("rules_fields_trail", transcript(&o, &[]));
    let o = run(&["rules", "fields", "account", "--output", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(json.as_array().expect("rows").iter().any(|r| r["path"] == "trails[].event_selectors.management.read" && r["type"] == "bool"));
    // Every scope a rule may use is also accepted here.
    let o = run(&["rules", "fields", "organization"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("accounts[].error"), "{}", stdout(&o));
    insta::assert_snapshot!("rules_fields_organization", transcript(&o, &[]));
    let o = run(&["rules", "fields", "galaxy"]);
    assert_eq!(code(&o), 2);
    insta::assert_snapshot!("rules_fields_unknown_scope", transcript(&o, &[]));
}

#[test]
fn help_shows_examples() {
    let o = run(&["check", "--help"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("Examples:"));
    let o = run(&["rules", "--help"]);
    assert!(stdout(&o).contains("trailguard rules explain CT-A02"));
}

#[test]
fn a_user_rule_replaces_the_builtin_rule_with_its_id() {
    let o = run(&[
        "check",
        "--inventory",
        COMPLIANT,
        "--rules",
        "tests/fixtures/rules/override",
        "--only",
        "CT-B08",
        "--output",
        "json",
    ]);
    assert!(
        stderr(&o).contains("replaces the built-in rule CT-B08"),
        "{}",
        stderr(&o)
    );
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let findings = json["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|f| f["severity"] == "info" && f["rule_id"] == "CT-B08")
    );
}

#[test]
fn config_file_sets_gate_and_waivers_defaults_and_flags_win() {
    let dir = scratch("config");
    std::fs::write(
        dir.join("waivers.yaml"),
        "waivers:\n  - rule: CT-D02\n    resource: \"legacy-*\"\n    reason: Website bucket (SEC-9)\n    owner: web\n    expires: 2099-01-01\n",
    )
    .expect("waivers");
    let config = dir.join("trailguard.yaml");
    // The waivers path is relative to the config file.
    std::fs::write(
        &config,
        "gate: { fail_on: critical }\nwaivers: waivers.yaml\n",
    )
    .expect("config");
    let config = config.display().to_string();
    // Legacy's only critical FAIL is CT-D02, and it is waived: the gate passes.
    let o = run(&["check", "--inventory", LEGACY, "--config", &config]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    // A flag wins over the config's default.
    let o = run(&[
        "check",
        "--inventory",
        LEGACY,
        "--config",
        &config,
        "--fail-on",
        "low",
    ]);
    assert_eq!(code(&o), 1);

    std::fs::write(dir.join("bad.yaml"), "gate:\n  fail_on: extreme\n").expect("bad");
    let bad = dir.join("bad.yaml").display().to_string();
    let o = run(&["check", "--inventory", LEGACY, "--config", &bad]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains(&format!("{bad}:2:12")),
        "{}",
        stderr(&o)
    );
    insta::assert_snapshot!(
        "check_config_bad_gate",
        transcript(&o, &[(&bad, "[CONFIG]")])
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn framework_view_limits_rules_and_reports_per_control_status() {
    let o = run(&[
        "check",
        "--inventory",
        LEGACY,
        "--framework",
        "cis-aws-foundations-v5.0.0",
        "--output",
        "json",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(json["run"]["framework"], "cis-aws-foundations-v5.0.0");
    let findings = json["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|f| f["frameworks"]["cis-aws-foundations-v5.0.0"].is_array()),
        "only rules mapped to the framework are evaluated"
    );
    let controls = json["frameworks"][0]["controls"]
        .as_array()
        .expect("controls");
    let control_3_1 = controls
        .iter()
        .find(|c| c["control"] == "3.1")
        .expect("3.1");
    assert_eq!(control_3_1["status"], "FAIL");
    assert_eq!(control_3_1["rules"], serde_json::json!(["CT-A02"]));
    let md = run(&[
        "check",
        "--inventory",
        LEGACY,
        "--framework",
        "cis-aws-foundations-v5.0.0",
        "--output",
        "markdown",
    ]);
    assert!(stdout(&md).contains("3.1"), "{}", stdout(&md));

    let o = run(&["check", "--inventory", LEGACY, "--framework", "cis-9"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("--framework cis-9")
            && stderr(&o).contains("cis-aws-foundations-v5.0.0")
    );
    insta::assert_snapshot!("check_unknown_framework", transcript(&o, &[]));
}

#[test]
fn collect_reads_the_working_directorys_config_and_rejects_a_bad_one_before_any_aws_call() {
    let dir = scratch("collect-config");
    std::fs::write(dir.join("trailguard.yaml"), "regions: eu-west-1\n").expect("config");
    let o = Command::new(env!("CARGO_BIN_EXE_trailguard"))
        .arg("collect")
        .current_dir(&dir)
        .env_clear()
        .env("NO_COLOR", "1")
        // Nothing may be contacted: a bad config stops the run first.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("trailguard.yaml:1:10"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("`regions` is a list"), "{}", stderr(&o));
    insta::assert_snapshot!("collect_bad_config", transcript(&o, &[]));
    let _ = std::fs::remove_dir_all(&dir);
}

// Report files: written whole or not at all.

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("readable")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn reports_are_written_whole_with_no_leftovers() {
    let dir = scratch("whole");
    let json = dir.join("nested").join("report.json");
    let sarif = dir.join("report.sarif");
    let o = run(&[
        "-q",
        "check",
        "--inventory",
        "examples/demo-inventory.json",
        "--output",
        &format!("json={}", json.display()),
        "--output",
        &format!("sarif={}", sarif.display()),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("json written")).expect("valid JSON");
    assert_eq!(report["schema"], "trailguard.report/v1");
    assert!(report["findings"].as_array().is_some_and(|f| !f.is_empty()));
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sarif).expect("sarif written")).expect("valid");
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(names(&dir), ["nested", "report.sarif"]);
    assert_eq!(names(&dir.join("nested")), ["report.json"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unwritable_target_is_exit_2_and_leaves_nothing_behind() {
    let dir = scratch("unwritable");
    // The target is a directory: the report cannot replace it.
    let target = dir.join("taken");
    std::fs::create_dir_all(&target).expect("dir");
    let o = run(&[
        "-q",
        "check",
        "--inventory",
        "examples/demo-inventory.json",
        "--output",
        &format!("json={}", target.display()),
    ]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "cannot write the json report to {}",
            target.display()
        )),
        "{err}"
    );
    assert_eq!(names(&dir), ["taken"], "no partial file left");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_reports_a_mistake_in_a_user_rules_test_case() {
    // The embedded pack's cases are not read by `check`/`scan`; a user's still are.
    let dir = scratch("bad-case");
    let good =
        std::fs::read_to_string(format!("{GOOD}/TG-001-logging-trail.yaml")).expect("fixture rule");
    let bad = good.replacen("expect: pass", "expect: passs", 1);
    assert_ne!(good, bad, "the fixture has a case to break");
    std::fs::write(dir.join("TG-001-logging-trail.yaml"), bad).expect("write rule");
    let rules = dir.to_string_lossy().into_owned();
    let o = run(&["check", "--inventory", COMPLIANT, "--rules", &rules]);
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("TG-001-logging-trail.yaml:20:"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
