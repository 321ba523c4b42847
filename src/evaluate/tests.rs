//! Unit tables: every operator and quantifier, Unknown propagation, empty collections.

use serde_json::{Value, json};

use super::*;
use crate::finding::Evidence;
use crate::rules::{self, DEFAULT_TEST_NOW};
use crate::vocabulary::Status::{self, *};

fn rule(scope: &str, params: &str, check: &str) -> Rule {
    let text = format!(
        "id: T-1\ntitle: t\nseverity: low\nscope: {scope}\nrationale: r\nremediation: {{ text: x }}\n{params}check: {check}\nmessage: m\ntests:\n  - {{ name: n, expect: pass, subject: {{}} }}\n"
    );
    match rules::parse_str("T-1.yaml", &text) {
        Ok(r) => r,
        Err(p) => panic!("{}\n{text}", p.render(false)),
    }
}

fn now() -> Timestamp {
    Timestamp::parse(DEFAULT_TEST_NOW).expect("ts")
}

fn run(scope: &str, check: &str, subject: Value) -> Status {
    let r = rule(scope, "", check);
    judge(&r, &subject, &r.param_values(), now()).status
}

fn denied() -> Value {
    json!({"error": {"operation": "cloudtrail:GetTrailStatus", "kind": "access_denied", "code": "AccessDenied"}})
}

#[test]
fn leaf_operators() {
    let cases: &[(&str, Value, Status)] = &[
        (
            "{path: is_multi_region, equals: true}",
            json!({"is_multi_region": true}),
            Pass,
        ),
        (
            "{path: is_multi_region, equals: true}",
            json!({"is_multi_region": false}),
            Fail,
        ),
        ("{path: is_multi_region, equals: true}", json!({}), Fail),
        (
            "{path: is_multi_region, not_equals: true}",
            json!({"is_multi_region": false}),
            Pass,
        ),
        ("{path: kms_key_id, not_equals: x}", json!({}), Pass),
        ("{path: name, one_of: [a, b]}", json!({"name": "b"}), Pass),
        ("{path: name, one_of: [a, b]}", json!({"name": "c"}), Fail),
        (
            "{path: kms_key_id, exists: true}",
            json!({"kms_key_id": "k"}),
            Pass,
        ),
        (
            "{path: kms_key_id, exists: true}",
            json!({"kms_key_id": null}),
            Fail,
        ),
        ("{path: kms_key_id, exists: false}", json!({}), Pass),
        (
            "{path: kms_key_id, empty: true}",
            json!({"kms_key_id": ""}),
            Pass,
        ),
        ("{path: kms_key_id, empty: true}", json!({}), Pass),
        (
            "{path: seen_from_regions, empty: false}",
            json!({"seen_from_regions": ["us-east-1"]}),
            Pass,
        ),
        (
            "{path: seen_from_regions, empty: true}",
            json!({"seen_from_regions": []}),
            Pass,
        ),
        (
            "{path: seen_from_regions, contains: eu-west-1}",
            json!({"seen_from_regions": ["us-east-1"]}),
            Fail,
        ),
        (
            "{path: seen_from_regions, contains: us-east-1}",
            json!({"seen_from_regions": ["us-east-1"]}),
            Pass,
        ),
        (
            "{path: tags, contains: Owner}",
            json!({"tags": {"Owner": "x"}}),
            Pass,
        ),
        ("{path: tags, contains: Owner}", json!({"tags": {}}), Fail),
        (
            "{path: tags.Owner, equals: x}",
            json!({"tags": {"Owner": "x"}}),
            Pass,
        ),
        ("{path: name, contains: ain}", json!({"name": "main"}), Pass),
        (
            "{path: name, matches: 'ma.n'}",
            json!({"name": "main"}),
            Pass,
        ),
        ("{path: name, matches: 'ma'}", json!({"name": "main"}), Fail),
        ("{path: name, matches: 'ma'}", json!({}), Fail),
        (
            "{path: bucket.object_lock.default_retention.period_days, gte: 365}",
            json!({"bucket": {"object_lock": {"enabled": true, "default_retention": {"mode": "COMPLIANCE", "period_days": 365}}}}),
            Pass,
        ),
        (
            "{path: bucket.object_lock.default_retention.period_days, gt: 365}",
            json!({"bucket": {"object_lock": {"enabled": true, "default_retention": {"mode": "COMPLIANCE", "period_days": 365}}}}),
            Fail,
        ),
        (
            "{path: bucket.object_lock.default_retention.period_days, lt: 1}",
            json!({"bucket": {"object_lock": {"enabled": true, "default_retention": null}}}),
            Fail,
        ),
        (
            "{path: bucket.object_lock.default_retention.period_days, lte: 30}",
            json!({"bucket": {"object_lock": {"default_retention": {"period_days": 30}}}}),
            Pass,
        ),
        (
            "{path: status.latest_delivery_time, gte: {now_minus: 24h}}",
            json!({"status": {"latest_delivery_time": "2025-12-31T01:00:00Z"}}),
            Pass,
        ),
        (
            "{path: status.latest_delivery_time, gte: {now_minus: 24h}}",
            json!({"status": {"latest_delivery_time": "2025-12-30T23:00:00Z"}}),
            Fail,
        ),
        (
            "{path: status.latest_delivery_time, gte: {now_minus: 24h}}",
            json!({"status": {"latest_delivery_time": null}}),
            Fail,
        ),
        (
            "{path: status.latest_delivery_time, lt: \"2026-01-01T00:00:00Z\"}",
            json!({"status": {"latest_delivery_time": "2025-12-30T23:00:00Z"}}),
            Pass,
        ),
        (
            "{path: event_selectors.kind, equals: advanced}",
            json!({"event_selectors": {"kind": "advanced"}}),
            Pass,
        ),
        (
            "{path: event_selectors.kind, one_of: [classic, both]}",
            json!({"event_selectors": {"kind": "advanced"}}),
            Fail,
        ),
    ];
    for (check, subject, want) in cases {
        assert_eq!(
            run("trail", check, subject.clone()),
            *want,
            "{check} on {subject}"
        );
    }
}

#[test]
fn unknown_propagates_and_never_passes() {
    let cases: &[(&str, Value, Status)] = &[
        (
            "{path: status.is_logging, equals: true}",
            json!({"status": denied()}),
            Error,
        ),
        (
            "{path: status.is_logging, not_equals: true}",
            json!({"status": denied()}),
            Error,
        ),
        (
            "{path: status.latest_delivery_error, exists: false}",
            json!({"status": denied()}),
            Error,
        ),
        (
            "{not: {path: status.is_logging, equals: true}}",
            json!({"status": denied()}),
            Error,
        ),
        // all: a False item decides; otherwise Unknown wins over True.
        (
            "{all: [{path: is_multi_region, equals: true}, {path: status.is_logging, equals: true}]}",
            json!({"is_multi_region": false, "status": denied()}),
            Fail,
        ),
        (
            "{all: [{path: is_multi_region, equals: true}, {path: status.is_logging, equals: true}]}",
            json!({"is_multi_region": true, "status": denied()}),
            Error,
        ),
        // any: a True item decides; otherwise Unknown wins over False.
        (
            "{any: [{path: is_multi_region, equals: true}, {path: status.is_logging, equals: true}]}",
            json!({"is_multi_region": true, "status": denied()}),
            Pass,
        ),
        (
            "{any: [{path: is_multi_region, equals: true}, {path: status.is_logging, equals: true}]}",
            json!({"is_multi_region": false, "status": denied()}),
            Error,
        ),
    ];
    for (check, subject, want) in cases {
        assert_eq!(
            run("trail", check, subject.clone()),
            *want,
            "{check} on {subject}"
        );
    }
}

const LOGGING: &str = "{path: status.is_logging, equals: true}";

fn trail(arn: &str, status: Value) -> Value {
    json!({"arn": arn, "status": status})
}

#[test]
fn quantifiers() {
    let on = json!({"is_logging": true});
    let off = json!({"is_logging": false});
    let any = format!("{{any: {{in: trails, where: {LOGGING}}}}}");
    let any2 = format!("{{any: {{in: trails, where: {LOGGING}, at_least: 2}}}}");
    let all = |e: &str| format!("{{all: {{in: trails, where: {LOGGING}, if_empty: {e}}}}}");
    let none = |e: &str| format!("{{none: {{in: trails, where: {LOGGING}, if_empty: {e}}}}}");
    let partial = |items: Value| json!({"trails": {"items": items, "error": {"operation": "cloudtrail:DescribeTrails", "kind": "access_denied"}}});
    let cases: Vec<(String, Value, Status)> = vec![
        // any
        (any.clone(), json!({"trails": []}), Fail),
        (any.clone(), json!({}), Fail),
        (
            any.clone(),
            json!({"trails": [trail("a", off.clone()), trail("b", on.clone())]}),
            Pass,
        ),
        (
            any.clone(),
            json!({"trails": [trail("a", off.clone())]}),
            Fail,
        ),
        (
            any.clone(),
            json!({"trails": [trail("a", off.clone()), trail("b", denied())]}),
            Error,
        ),
        (
            any.clone(),
            json!({"trails": [trail("a", on.clone()), trail("b", denied())]}),
            Pass,
        ),
        (any.clone(), json!({"trails": denied()}), Error),
        (any.clone(), partial(json!([trail("a", on.clone())])), Pass),
        (
            any.clone(),
            partial(json!([trail("a", off.clone())])),
            Error,
        ),
        (
            any2.clone(),
            json!({"trails": [trail("a", on.clone()), trail("b", off.clone())]}),
            Fail,
        ),
        (
            any2.clone(),
            json!({"trails": [trail("a", on.clone()), trail("b", on.clone())]}),
            Pass,
        ),
        (
            any2.clone(),
            json!({"trails": [trail("a", on.clone()), trail("b", denied())]}),
            Error,
        ),
        // all
        (all("pass"), json!({"trails": []}), Pass),
        (all("fail"), json!({"trails": []}), Fail),
        (all("not_applicable"), json!({"trails": []}), NotApplicable),
        (
            all("fail"),
            json!({"trails": [trail("a", on.clone()), trail("b", on.clone())]}),
            Pass,
        ),
        (
            all("fail"),
            json!({"trails": [trail("a", on.clone()), trail("b", off.clone())]}),
            Fail,
        ),
        (
            all("fail"),
            json!({"trails": [trail("a", off.clone()), trail("b", denied())]}),
            Fail,
        ),
        (
            all("fail"),
            json!({"trails": [trail("a", on.clone()), trail("b", denied())]}),
            Error,
        ),
        (all("pass"), json!({"trails": denied()}), Error),
        (all("pass"), partial(json!([trail("a", on.clone())])), Error),
        (all("pass"), partial(json!([trail("a", off.clone())])), Fail),
        // none
        (none("pass"), json!({"trails": []}), Pass),
        (none("fail"), json!({"trails": []}), Fail),
        (none("not_applicable"), json!({"trails": []}), NotApplicable),
        (
            none("fail"),
            json!({"trails": [trail("a", off.clone())]}),
            Pass,
        ),
        (
            none("fail"),
            json!({"trails": [trail("a", on.clone())]}),
            Fail,
        ),
        (
            none("fail"),
            json!({"trails": [trail("a", on.clone()), trail("b", denied())]}),
            Fail,
        ),
        (
            none("fail"),
            json!({"trails": [trail("a", off.clone()), trail("b", denied())]}),
            Error,
        ),
        (none("pass"), json!({"trails": denied()}), Error),
    ];
    for (check, subject, want) in cases {
        assert_eq!(
            run("account", &check, subject.clone()),
            want,
            "{check} on {subject}"
        );
    }
}

#[test]
fn not_applicable_drops_out_of_boolean_nodes() {
    let na = "{all: {in: trails, where: {path: is_multi_region, equals: true}, if_empty: not_applicable}}";
    let id = "{path: account_id, equals: \"111111111111\"}";
    let subject = json!({"account_id": "111111111111", "trails": []});
    assert_eq!(
        run(
            "account",
            &format!("{{all: [{na}, {id}]}}"),
            subject.clone()
        ),
        Pass
    );
    assert_eq!(
        run("account", &format!("{{any: [{na}]}}"), subject.clone()),
        NotApplicable
    );
    assert_eq!(
        run("account", &format!("{{not: {na}}}"), subject),
        NotApplicable
    );
}

#[test]
fn fold_tables() {
    use Truth::*;
    assert_eq!(fold_all(&[True, True]), True);
    assert_eq!(fold_all(&[True, Unknown]), Unknown);
    assert_eq!(fold_all(&[False, Unknown]), False);
    assert_eq!(fold_all(&[NotApplicable, True]), True);
    assert_eq!(fold_all(&[NotApplicable]), NotApplicable);
    assert_eq!(fold_any(&[False, Unknown]), Unknown);
    assert_eq!(fold_any(&[True, Unknown]), True);
    assert_eq!(fold_any(&[False, False]), False);
    assert_eq!(fold_any(&[NotApplicable, False]), False);
}

#[test]
fn parameters_and_when() {
    let params = "parameters:\n  min_days: { type: integer, default: 365, description: d }\n  strict: { type: bool, default: true, description: d }\n  accounts: { type: string_list, default: [\"111111111111\"], description: d }\n  max_age: { type: duration, default: 24h, description: d }\n";
    let check = "{all: [{path: bucket.object_lock.default_retention.period_days, gte: {param: min_days}}, {any: [{param: strict, equals: false}, {path: owner_account, one_of: {param: accounts}}]}, {path: status.latest_delivery_time, gte: {now_minus: {param: max_age}}}]}";
    let r = rule("trail", params, check);
    let subject = json!({"owner_account": "111111111111", "bucket": {"object_lock": {"default_retention": {"period_days": 400}}}, "status": {"latest_delivery_time": "2025-12-31T12:00:00Z"}});
    let mut p = r.param_values();
    assert_eq!(judge(&r, &subject, &p, now()).status, Pass);
    p.insert("min_days".into(), rules::ParamValue::Integer(500));
    assert_eq!(judge(&r, &subject, &p, now()).status, Fail);
    p.insert("min_days".into(), rules::ParamValue::Integer(100));
    p.insert(
        "accounts".into(),
        rules::ParamValue::StringList(vec!["2".into()]),
    );
    assert_eq!(judge(&r, &subject, &p, now()).status, Fail);
    p.insert("strict".into(), rules::ParamValue::Bool(false));
    assert_eq!(judge(&r, &subject, &p, now()).status, Pass);
}

#[test]
fn organization_trail_seen_from_member_is_not_applicable_in_trail_scope() {
    let r = rule(
        "trail",
        "",
        "{path: log_file_validation_enabled, equals: true}",
    );
    let v = judge(
        &r,
        &json!({"owned_by_audited_account": false, "owner_account": "999999999999"}),
        &r.param_values(),
        now(),
    );
    assert_eq!(v.status, NotApplicable);
    assert!(v.message.contains("999999999999"), "{}", v.message);
}

#[test]
fn evidence_names_elements_and_errors() {
    let r = rule(
        "account",
        "",
        &format!("{{any: {{in: trails, where: {LOGGING}}}}}"),
    );
    let subject =
        json!({"trails": [trail("arn:a", json!({"is_logging": false})), trail("arn:b", denied())]});
    let v = judge(&r, &subject, &r.param_values(), now());
    assert_eq!(v.status, Error);
    assert!(
        v.message.contains("cloudtrail:GetTrailStatus"),
        "{}",
        v.message
    );
    assert!(v.evidence.iter().any(|e| matches!(e, Evidence::Leaf { path, holds: Some(false), .. } if path == "trails[arn:a].status.is_logging")));
    assert!(
        v.evidence.iter().any(
            |e| matches!(e, Evidence::ReadError { path, .. } if path == "trails[arn:b].status")
        )
    );
    assert!(v.evidence.iter().any(|e| matches!(e, Evidence::Quantifier { not_matched, unknown, .. } if not_matched == &["arn:a"] && unknown == &["arn:b"])));
}
