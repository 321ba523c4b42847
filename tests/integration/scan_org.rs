//! `trailguard scan --org` end to end: an organization reached by AssumeRole, with IAM
//! enforcement on so that one member's role cannot be assumed.

use std::collections::BTreeMap;

use crate::support::{
    Credentials, DEFAULT_ACCOUNT, Emulator, Seeded, is_read_only, repo_root, run_python, seed,
};
use serde_json::Value;

/// Prepares the IAM side of the organization while enforcement is still off: a `scanner`
/// user in the management account that may not assume roles in `locked`, and member roles
/// that allow the audit. Prints `{"locked": id, "access_key_id", "secret_access_key"}`.
const PREPARE: &str = r#"
import boto3, json, os, sys
E = os.environ["ENDPOINT"]
root = dict(endpoint_url=E, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
org = boto3.client("organizations", **root)
locked = org.create_account(Email="locked@example.com", AccountName="locked")["CreateAccountStatus"]["AccountId"]
sts = boto3.client("sts", **root)
policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
for member in json.loads(os.environ["MEMBERS"]):
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", RoleSessionName="seed")["Credentials"]
    iam = boto3.client("iam", endpoint_url=E, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
                       aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
    try:
        iam.create_role(RoleName="OrganizationAccountAccessRole", AssumeRolePolicyDocument=policy)
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    iam.put_role_policy(RoleName="OrganizationAccountAccessRole", PolicyName="audit", PolicyDocument=policy)
iam = boto3.client("iam", **root)
iam.create_user(UserName="scanner")
iam.put_user_policy(UserName="scanner", PolicyName="scan", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{locked}:role/*"},
    ]}))
key = iam.create_access_key(UserName="scanner")["AccessKey"]
print(json.dumps({"locked": locked, "access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}))
"#;

fn account_findings<'a>(report: &'a Value, account: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["resource"]["account_id"] == account)
        .collect()
}

fn status(report: &Value, account: &str, rule: &str) -> Vec<String> {
    account_findings(report, account)
        .into_iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| f["status"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn organization_scan_per_account_verdicts_isolation_and_read_only() {
    let emulator = Emulator::start_private();
    let org = seed(&emulator, "org", DEFAULT_ACCOUNT);
    let members: BTreeMap<String, String> = org.facts["members"]
        .as_object()
        .expect("members")
        .iter()
        .map(|(name, id)| (name.clone(), id.as_str().expect("id").to_owned()))
        .collect();
    let member_ids: Vec<&String> = members.values().collect();
    let endpoint = emulator.endpoint();
    let members_json = serde_json::to_string(&member_ids).expect("json");
    let prepared = run_python(
        PREPARE,
        &[],
        &[("ENDPOINT", &endpoint), ("MEMBERS", &members_json)],
    );
    assert!(
        prepared.status.success(),
        "{}",
        String::from_utf8_lossy(&prepared.stderr)
    );
    let prepared: Value = serde_json::from_slice(&prepared.stdout).expect("prepare output");
    let locked = prepared["locked"].as_str().expect("locked id").to_owned();
    emulator.enable_iam_enforcement();

    let scanner = Seeded {
        account_id: DEFAULT_ACCOUNT.to_owned(),
        credentials: Credentials {
            access_key_id: prepared["access_key_id"].as_str().expect("key").to_owned(),
            secret_access_key: prepared["secret_access_key"]
                .as_str()
                .expect("secret")
                .to_owned(),
            session_token: None,
        },
        facts: Value::Null,
    };
    let dir = std::env::temp_dir().join(format!("trailguard-org-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (json, sarif) = (dir.join("org.json"), dir.join("org.sarif"));
    let mark = emulator.recording_mark();
    let out = crate::support::trailguard(
        &emulator,
        &scanner,
        [
            "scan",
            "--org",
            "--region",
            "us-east-1",
            "--output",
            &format!("json={}", json.display()),
            "--output",
            &format!("sarif={}", sarif.display()),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("report")).expect("json");

    // Every account is in the report; the locked one as ERRORs naming the cause.
    let covered: Vec<&str> = report["run"]["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for id in member_ids
        .iter()
        .map(|s| s.as_str())
        .chain([DEFAULT_ACCOUNT, locked.as_str()])
    {
        assert!(covered.contains(&id), "{id} missing from {covered:?}");
    }
    let locked_findings = account_findings(&report, &locked);
    assert!(!locked_findings.is_empty());
    for f in &locked_findings {
        assert_eq!(f["status"], "ERROR", "{f}");
        let msg = f["message"].as_str().unwrap_or_default();
        assert!(
            msg.contains("could not be collected") && msg.contains("access denied"),
            "{msg}"
        );
    }

    let org_trail = org.facts["accounts"]["management"]["trails"]["org-trail"]["arn"]
        .as_str()
        .expect("org trail arn");
    // Management: the organization trail is evaluated once, here.
    assert_eq!(status(&report, DEFAULT_ACCOUNT, "CT-A08"), ["PASS"]);
    let a08 = account_findings(&report, DEFAULT_ACCOUNT)
        .into_iter()
        .find(|f| f["rule_id"] == "CT-A08")
        .expect("A08");
    assert_eq!(a08["resource"]["type"], "AWS::Organizations::Organization");
    assert_eq!(a08["resource"]["id"], org.facts["organization_id"]);
    assert_eq!(status(&report, DEFAULT_ACCOUNT, "CT-A02"), ["PASS"]);
    // Its bucket lives in log-archive and was read with log-archive's credentials.
    let org_bucket = org.facts["accounts"]["management"]["trails"]["org-trail"]["bucket"]
        .as_str()
        .expect("bucket");
    let d06: Vec<&Value> = account_findings(&report, DEFAULT_ACCOUNT)
        .into_iter()
        .filter(|f| f["rule_id"] == "CT-D06" && f["resource"]["id"] == org_bucket)
        .collect();
    assert_eq!(d06.len(), 1);
    assert_eq!(d06[0]["status"], "PASS", "{}", d06[0]);
    let d01 = account_findings(&report, DEFAULT_ACCOUNT)
        .into_iter()
        .find(|f| f["rule_id"] == "CT-D01" && f["resource"]["id"] == org_bucket)
        .expect("D01");
    assert_eq!(
        d01["status"], "PASS",
        "owned by a scanned account of the organization"
    );

    // A member covered only by the organization trail inherits it, with evidence naming it.
    let only_org = &members["no-trail"];
    for rule in ["CT-A01", "CT-A02"] {
        assert_eq!(status(&report, only_org, rule), ["PASS"], "{rule}");
    }
    // CT-A08 is judged once, for the organization (attributed to its management account).
    assert!(status(&report, only_org, "CT-A08").is_empty());
    let a02 = account_findings(&report, only_org)
        .into_iter()
        .find(|f| f["rule_id"] == "CT-A02")
        .expect("A02");
    assert!(
        a02["evidence"].to_string().contains(org_trail),
        "{}",
        a02["evidence"]
    );
    // CIS monitoring inherited through the organization trail's log group, here with IAM
    // enforcement on (CloudWatch's CBOR calls included): the no-trail member gets the
    // organization's verdicts, the compliant member passes on its own set-up.
    let broken = org.facts["monitoring"]["organization"]["broken"]
        .as_object()
        .expect("broken controls");
    for n in 1..=15 {
        let rule = format!("CT-F{n:02}");
        let inherited = if broken.contains_key(&rule) {
            "FAIL"
        } else {
            "PASS"
        };
        let f = account_findings(&report, only_org)
            .into_iter()
            .find(|f| f["rule_id"] == rule.as_str())
            .map(|f| (f["status"].clone(), f["message"].clone()));
        assert_eq!(
            status(&report, only_org, &rule),
            [inherited],
            "{rule}: {f:?}"
        );
        assert_eq!(
            status(&report, &members["compliant"], &rule),
            ["PASS"],
            "{rule}"
        );
    }

    // Trail-level verdicts of the organization trail stay with its owner.
    assert!(
        account_findings(&report, only_org)
            .iter()
            .filter(|f| f["resource"]["id"] == org_trail)
            .all(|f| f["status"] == "NOT_APPLICABLE")
    );

    // A member with its own compliant trail.
    let compliant = &members["compliant"];
    assert_eq!(status(&report, compliant, "CT-A02"), ["PASS"]);
    // Its own bucket passes; the inherited organization bucket is judged in its owner account.
    let mut d02 = status(&report, compliant, "CT-D02");
    d02.sort();
    assert_eq!(d02, ["NOT_APPLICABLE", "PASS"]);
    // A member with a broken trail: its own trail and bucket fail, coverage is inherited.
    let legacy = &members["legacy"];
    assert_eq!(
        status(&report, legacy, "CT-A02"),
        ["PASS"],
        "covered by the organization trail"
    );
    assert!(
        status(&report, legacy, "CT-A07").contains(&"FAIL".to_owned()),
        "stopped trail"
    );
    assert!(
        status(&report, legacy, "CT-D02").contains(&"FAIL".to_owned()),
        "public bucket"
    );
    let broken = &members["broken"];
    assert!(
        status(&report, broken, "CT-D01").contains(&"FAIL".to_owned()),
        "deleted bucket"
    );

    // SARIF validates and is grouped by account.
    let log: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("sarif")).expect("json");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            repo_root().join("tests/fixtures/schemas/sarif-schema-2.1.0.json"),
        )
        .expect("schema"),
    )
    .expect("schema json");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    assert!(validator.is_valid(&log));
    let categories: Vec<String> = log["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| {
            r["automationDetails"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    // The category of an account is its group (the last digit of its id), whatever else ran.
    let group = format!(
        "trailguard/aws/accounts-ending-{}/",
        legacy.chars().last().expect("an id")
    );
    assert!(
        categories.iter().any(|c| c.starts_with(&group)),
        "{categories:?}"
    );
    crate::support::schema::assert_valid(
        &crate::support::schema::upload_validator(),
        &log,
        "SARIF (upload schema)",
    );

    // Only reads, one AssumeRole per member account (the locked one's refused), nothing twice.
    let calls = emulator.recording_since(mark);
    let writes: Vec<_> = calls.iter().filter(|c| !is_read_only(c)).collect();
    assert!(writes.is_empty(), "{writes:?}");
    let assumes = calls.iter().filter(|c| c.operation == "AssumeRole").count();
    assert_eq!(
        assumes,
        members.len() + 1,
        "one per member, the locked one included"
    );
    let describes = calls
        .iter()
        .filter(|c| c.operation == "DescribeOrganization")
        .count();
    // Once for the whole scan: every listed account is a member of the caller's organization.
    assert_eq!(
        describes, 1,
        "the management account's answer serves every member"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
