//! The CIS "Monitoring" filter texts (CHECKS.md §1.3, §2.11): all parse; 4.1, 4.2, 4.3 and
//! 4.13 mean what AWS's precedence makes them mean; respaced, requoted, reordered, multi-line,
//! superset and wildcard variants match what the original matches.

use serde_json::{Value, json};

use super::super::normalize_whitespace;
use super::{assert_matches, parse};

/// CIS 5.0 texts, one per control 4.1–4.15, as published (4.13 with its `eventSource`
/// clause), and the older texts CHECKS.md §2.11 names.
pub(super) const CIS_TEXTS: &[&str] = &[
    r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }"#,
    r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#,
    r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
    r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
    "{ ($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy) }",
    CIS_4_5,
    r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
    "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
    "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder)) }",
    "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }",
    "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
    "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
    CIS_4_13,
    "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
    r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }"#,
    CIS_1_5_4_1,
    "{($.errorCode=*UnauthorizedOperation)||($.errorCode=AccessDenied*)&&($.sourceIPAddress!=delivery.logs.amazonaws.com)&&($.eventName!=HeadBucket)}",
];

const CIS_4_1: &str = r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }"#;

/// CIS 1.5 / 3.0 4.1: `||` everywhere, so `!=` on fields every record has matches nearly all.
const CIS_1_5_4_1: &str = "{ ($.errorCode = *UnauthorizedOperation) || ($.errorCode = AccessDenied*) || ($.sourceIPAddress!=delivery.logs.amazonaws.com) || ($.eventName!=HeadBucket) }";

const CIS_4_5: &str = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }";

const CIS_4_13: &str = "{ ($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }";

/// A minimal CloudTrail record.
fn record(source: &str, name: &str, error: Option<&str>, ip: &str) -> Value {
    let mut event = json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "accountId": "111122223333"},
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": ip,
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333"
    });
    if let (Some(code), Value::Object(map)) = (error, &mut event) {
        map.insert("errorCode".into(), code.into());
    }
    event
}

#[test]
fn every_cis_text_parses_and_prints_back_to_itself() {
    for text in CIS_TEXTS {
        let pattern = parse(text);
        assert!(pattern.as_json().is_some(), "{text}");
        assert_eq!(parse(&pattern.to_string()), pattern, "{text}");
    }
}

#[test]
fn cis_5_0_4_1_is_unauthorized_or_a_denied_call_not_from_log_delivery_nor_head_bucket() {
    let ip = "203.0.113.7";
    let cases = [
        (
            record(
                "ec2.amazonaws.com",
                "RunInstances",
                Some("Client.UnauthorizedOperation"),
                ip,
            ),
            true,
        ),
        (
            record("s3.amazonaws.com", "GetObject", Some("AccessDenied"), ip),
            true,
        ),
        (
            record(
                "kms.amazonaws.com",
                "Decrypt",
                Some("AccessDeniedException"),
                ip,
            ),
            true,
        ),
        (
            record("s3.amazonaws.com", "HeadBucket", Some("AccessDenied"), ip),
            false,
        ),
        (
            record(
                "s3.amazonaws.com",
                "PutObject",
                Some("AccessDenied"),
                "delivery.logs.amazonaws.com",
            ),
            false,
        ),
        // `&&` binds tighter: the exclusions do not apply to UnauthorizedOperation.
        (
            record(
                "s3.amazonaws.com",
                "HeadBucket",
                Some("Client.UnauthorizedOperation"),
                ip,
            ),
            true,
        ),
        (record("s3.amazonaws.com", "GetObject", None, ip), false),
        (
            record("s3.amazonaws.com", "GetObject", Some("NoSuchKey"), ip),
            false,
        ),
    ];
    for (event, expected) in &cases {
        assert_matches(CIS_4_1, event, *expected);
    }
    // The CIS 1.5 text matches a successful call: its `!=` clauses are joined by `||`.
    assert_matches(CIS_1_5_4_1, &cases[6].0, true);
}

#[test]
fn cis_4_2_and_4_3_use_inequality_and_absence() {
    let mut login = record("signin.amazonaws.com", "ConsoleLogin", None, "203.0.113.7");
    login["additionalEventData"] = json!({"MFAUsed": "No"});
    login["responseElements"] = json!({"ConsoleLogin": "Success"});
    let sso = r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#;
    assert_matches(sso, &login, true);
    login["additionalEventData"]["MFAUsed"] = json!("Yes");
    assert_matches(sso, &login, false);
    // Without the property, `!=` does not match (DataBiosphere/azul#5884).
    login["additionalEventData"] = json!({});
    assert_matches(sso, &login, false);

    let root = r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;
    let mut call = record("iam.amazonaws.com", "CreateUser", None, "203.0.113.7");
    call["userIdentity"] = json!({"type": "Root", "arn": "arn:aws:iam::111122223333:root"});
    assert_matches(root, &call, true);
    call["userIdentity"]["invokedBy"] = json!("support.amazonaws.com");
    assert_matches(root, &call, false);
    call["userIdentity"] = json!({"type": "Root"});
    call["eventType"] = json!("AwsServiceEvent");
    assert_matches(root, &call, false);
}

#[test]
fn cis_4_13_applies_its_event_source_to_create_route_only() {
    let ec2 = |name| record("ec2.amazonaws.com", name, None, "203.0.113.7");
    let other = |name| record("other.amazonaws.com", name, None, "203.0.113.7");
    assert_matches(CIS_4_13, &ec2("CreateRoute"), true);
    assert_matches(CIS_4_13, &other("CreateRoute"), false);
    assert_matches(CIS_4_13, &other("CreateRouteTable"), true);
    assert_matches(CIS_4_13, &ec2("CreateRouteTables"), false);
}

const TRAIL_EVENTS: &[&str] = &[
    "CreateTrail",
    "UpdateTrail",
    "DeleteTrail",
    "StartLogging",
    "StopLogging",
];

#[test]
fn variants_of_cis_4_5_match_every_required_event_and_nothing_unrelated() {
    let respaced = "{($.eventName=CreateTrail)||($.eventName=UpdateTrail)||($.eventName=DeleteTrail)||($.eventName=StartLogging)||($.eventName=StopLogging)}";
    let requoted = r#"{ ($.eventName = "CreateTrail") || ($.eventName = "UpdateTrail") || ($.eventName = "DeleteTrail") || ($.eventName = "StartLogging") || ($.eventName = "StopLogging") }"#;
    let multi_line = "{\n  $.eventName = CreateTrail ||\n  $.eventName = UpdateTrail ||\n\t$.eventName = DeleteTrail ||\r\n  $.eventName = StartLogging ||\n  $.eventName = StopLogging\n}";
    let reordered = "{ $.eventName = StopLogging || ($.eventName = StartLogging || $.eventName = DeleteTrail) || $.eventName = UpdateTrail || $.eventName = CreateTrail }";
    let superset = "{ ($.eventSource = cloudtrail.amazonaws.com) && ($.eventName = CreateTrail || $.eventName = UpdateTrail || $.eventName = DeleteTrail || $.eventName = StartLogging || $.eventName = StopLogging || $.eventName = PutEventSelectors) }";
    let wildcard = "{ $.eventSource = cloudtrail.amazonaws.com && ($.eventName = *Trail || $.eventName = *Logging) }";
    let original = parse(CIS_4_5);
    for same in [respaced, requoted, multi_line] {
        assert_eq!(parse(same), original, "{same}");
    }
    // The CIS text split over lines is still the CIS text for an exact comparison.
    let cis_split = CIS_4_5.replace(" || ", " ||\n    ").replace("{ ", "{\n  ");
    assert_eq!(
        normalize_whitespace(&cis_split),
        normalize_whitespace(CIS_4_5)
    );
    assert_ne!(
        normalize_whitespace(requoted),
        normalize_whitespace(CIS_4_5)
    );
    let source = "cloudtrail.amazonaws.com";
    for variant in [
        CIS_4_5, respaced, requoted, multi_line, reordered, superset, wildcard,
    ] {
        for name in TRAIL_EVENTS {
            assert_matches(variant, &record(source, name, None, "203.0.113.7"), true);
        }
        for name in ["RunInstances", "CreateTrailX", "LookupEvents"] {
            assert_matches(variant, &record(source, name, None, "203.0.113.7"), false);
        }
    }
    // Narrowed by an extra conjunct, or missing an event: some required event fails.
    let narrowed = format!(
        "{{ ({}) && $.awsRegion = us-east-1 }}",
        &CIS_4_5[1..CIS_4_5.len() - 1]
    );
    let missing = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) }";
    let wrong_field = CIS_4_5.replace("eventName", "eventType");
    for broken in [narrowed.as_str(), missing, wrong_field.as_str()] {
        let pattern = parse(broken);
        let misses = TRAIL_EVENTS
            .iter()
            .filter(|name| !pattern.matches(&record(source, name, None, "203.0.113.7")))
            .count();
        assert!(misses > 0, "{broken} matches every required event");
    }
}
