//! CIS monitoring collection (issue 16) end to end: the real binary against the emulator's
//! `monitoring` scenario (tests/emulator/seed.py `seed_monitoring`): a trail's log group, its
//! metric filters, the alarms on their metrics and the SNS topics those alarms notify — each
//! read once, and a denied read recorded as an error state, never as an empty list.

use crate::support::collected::out_path;
use crate::support::faults::{Fault, FaultProxy};
use crate::support::{
    Emulator, Seeded, emulator_dir, is_read_only, run_python, seed, trailguard, trailguard_with_env,
};
use serde_json::Value;
use trailguard::inventory::{
    Account, Alarm, ErrorKind, Inventory, LogGroup, MetricTransformation, Topic,
};

/// Runs `collect -o` (with `extra_env`) and loads the one account it wrote.
fn collect(emulator: &Emulator, seeded: &Seeded, tag: &str, extra_env: &[(&str, &str)]) -> Account {
    let path = out_path(&format!("monitoring-{tag}"));
    let args = [
        "collect".to_owned(),
        "--region".to_owned(),
        "us-east-1".to_owned(),
        "-o".to_owned(),
        path.display().to_string(),
    ];
    let out = if extra_env.is_empty() {
        trailguard(emulator, seeded, &args)
    } else {
        trailguard_with_env(emulator, seeded, &args, extra_env)
    };
    assert!(
        out.status.success(),
        "collect failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let mut inventory = Inventory::load(&path).expect("the written inventory loads");
    assert_eq!(inventory.accounts.len(), 1);
    inventory.accounts.remove(0)
}

fn fact<'a>(facts: &'a Value, path: &str) -> &'a str {
    path.split('.')
        .fold(facts, |v, k| &v[k])
        .as_str()
        .unwrap_or_else(|| panic!("seed facts lack {path}"))
}

fn the_log_group(acct: &Account) -> &LogGroup {
    assert_eq!(acct.log_groups.len(), 1, "{:#?}", acct.log_groups);
    &acct.log_groups[0]
}

/// The one transformation of the filter named `name`.
fn transformation<'a>(group: &'a LogGroup, name: &str) -> &'a MetricTransformation {
    let filters = group.metric_filters.ok().expect("the filters were read");
    let filter = filters
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no filter {name} in {filters:#?}"));
    assert_eq!(filter.transformations.len(), 1, "{filter:#?}");
    &filter.transformations[0]
}

/// The one alarm recorded on `t`'s metric.
fn only_alarm(t: &MetricTransformation) -> &Alarm {
    let alarms = t.alarms.ok().expect("the alarms were read");
    assert_eq!(alarms.len(), 1, "{alarms:#?}");
    &alarms[0]
}

fn topic<'a>(acct: &'a Account, arn: &str) -> &'a Topic {
    acct.sns_topic(arn)
        .unwrap_or_else(|| panic!("no topic {arn} in {:#?}", acct.sns_topics))
}

#[test]
fn the_monitoring_chain_is_collected_with_each_resource_read_once() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "monitoring", &crate::support::unique_account_id());
    let facts = &seeded.facts;
    let mark = emulator.recording_mark();
    let acct = collect(emulator, &seeded, "chain", &[]);
    let calls: Vec<_> = emulator
        .recording_since(mark)
        .into_iter()
        .filter(|c| c.access_key_id.as_deref() == Some(seeded.credentials.access_key_id.as_str()))
        .collect();

    // The log group, named as the trail names it (without CloudTrail's `:*`).
    let group = the_log_group(&acct);
    assert_eq!(group.arn.as_str(), fact(facts, "log_group_arn"));
    assert_eq!(group.name, fact(facts, "log_group"));
    assert_eq!(
        (group.account_id.as_str(), group.region.as_str()),
        (seeded.account_id.as_str(), "us-east-1")
    );
    assert_eq!(
        group
            .referenced_by
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>(),
        vec![fact(facts, "trail_arn")]
    );
    assert_eq!(acct.log_group(&format!("{}:*", group.arn)), Some(group));

    // Every filter with its pattern verbatim (newlines included) and its metric.
    let filters = group.metric_filters.ok().expect("filters read");
    assert_eq!(filters.len(), 6, "{filters:#?}");
    for key in [
        "root",
        "cloudtrail",
        "console_no_mfa",
        "unauthorized",
        "iam_policy",
        "kms",
    ] {
        let name = fact(facts, &format!("filters.{key}.name"));
        let filter = filters.iter().find(|f| f.name == name).expect("filter");
        assert_eq!(
            filter.pattern,
            fact(facts, &format!("filters.{key}.pattern"))
        );
        let t = transformation(group, name);
        assert_eq!(t.metric_name, fact(facts, &format!("filters.{key}.metric")));
        assert_eq!(t.metric_namespace, "CISBenchmark");
    }
    assert!(
        filters.iter().any(|f| f.pattern.contains('\n')),
        "the multi-line pattern kept its newlines"
    );
    let kms = transformation(group, fact(facts, "filters.kms.name"));
    assert_eq!(
        kms.dimensions.get("EventSource").map(String::as_str),
        Some("$.eventSource")
    );

    // Alarms, by metric name in the log group's region only (the eu-west-1 alarm on the same
    // metric is not there), with namespace, ActionsEnabled and actions as AWS has them.
    let (alerts, silent, pending) = (
        fact(facts, "topics.alerts"),
        fact(facts, "topics.silent"),
        fact(facts, "topics.pending"),
    );
    let root = only_alarm(transformation(group, fact(facts, "filters.root.name")));
    assert_eq!(
        (
            root.name.as_str(),
            root.namespace.as_str(),
            root.metric_name.as_str()
        ),
        ("cis-root", "CISBenchmark", "RootAccountUsage")
    );
    assert!(root.actions_enabled && !root.metric_math);
    assert_eq!(root.alarm_actions, vec![alerts.to_owned()]);
    let other_ns = only_alarm(transformation(
        group,
        fact(facts, "filters.cloudtrail.name"),
    ));
    assert_eq!(
        other_ns.namespace, "Other",
        "an alarm on another namespace is kept, as such"
    );
    let disabled = only_alarm(transformation(
        group,
        fact(facts, "filters.console_no_mfa.name"),
    ));
    assert!(!disabled.actions_enabled);
    let no_actions = only_alarm(transformation(
        group,
        fact(facts, "filters.unauthorized.name"),
    ));
    assert!(no_actions.alarm_actions.is_empty() && no_actions.actions_enabled);
    assert_eq!(
        only_alarm(transformation(
            group,
            fact(facts, "filters.iam_policy.name")
        ))
        .alarm_actions,
        vec![silent.to_owned()]
    );
    assert_eq!(only_alarm(kms).alarm_actions, vec![pending.to_owned()]);

    // Topics: confirmed and pending subscriptions counted, endpoints not recorded.
    assert_eq!(acct.sns_topics.len(), 3, "{:#?}", acct.sns_topics);
    let subs = |arn: &str| {
        let s = topic(&acct, arn)
            .subscriptions
            .ok()
            .expect("subscriptions read");
        (s.confirmed, s.pending, s.list.len())
    };
    assert_eq!(subs(alerts), (1, 1, 2));
    assert_eq!(subs(silent), (0, 0, 0));
    assert_eq!(subs(pending), (0, 2, 2));
    let listed = &topic(&acct, alerts).subscriptions.ok().expect("read").list;
    assert!(listed.iter().any(|s| s.protocol == "sqs" && s.confirmed()));
    assert!(
        listed
            .iter()
            .any(|s| s.protocol == "email" && s.subscription_arn == "PendingConfirmation")
    );
    assert_eq!(
        topic(&acct, alerts).referenced_by.len(),
        3,
        "root, cloudtrail, console"
    );

    // Read-only, and each log group, region's alarms and topic read exactly once.
    let writes: Vec<_> = calls.iter().filter(|c| !is_read_only(c)).collect();
    assert!(writes.is_empty(), "non-read-only calls: {writes:?}");
    let count = |op: &str| calls.iter().filter(|c| c.operation == op).count();
    assert_eq!(count("DescribeMetricFilters"), 1, "one log group");
    assert_eq!(count("DescribeAlarms"), 1, "one account and region");
    assert_eq!(count("DescribeAlarmsForMetric"), 0);
    assert_eq!(
        count("ListSubscriptionsByTopic"),
        3,
        "three topics, once each"
    );
    assert_eq!(count("GetTopicAttributes"), 0);
    let alarm_regions: Vec<_> = calls
        .iter()
        .filter(|c| c.operation == "DescribeAlarms")
        .filter_map(|c| c.region.as_deref())
        .collect();
    assert_eq!(alarm_regions, vec!["us-east-1"]);
}

#[test]
fn a_denied_describe_metric_filters_is_an_error_state_not_an_empty_list() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "monitoring", &crate::support::unique_account_id());
    let proxy = FaultProxy::for_account(
        emulator,
        &seeded,
        vec![Fault::deny("logs:DescribeMetricFilters")],
    );
    let endpoint = proxy.endpoint();
    let acct = collect(
        emulator,
        &seeded,
        "denied",
        &[("AWS_ENDPOINT_URL", &endpoint), ("AWS_MAX_ATTEMPTS", "2")],
    );
    proxy.assert_every_fault_fired();

    let group = the_log_group(&acct);
    assert_eq!(group.arn.as_str(), fact(&seeded.facts, "log_group_arn"));
    let error = group
        .metric_filters
        .error()
        .unwrap_or_else(|| panic!("denied filters must be an error, got {group:#?}"));
    assert_eq!(error.operation, "logs:DescribeMetricFilters");
    assert_eq!(error.kind, ErrorKind::AccessDenied);
    assert_eq!(error.code.as_deref(), Some("AccessDeniedException"));
    // No filter was read, so no alarm can be attributed and no topic is reached.
    assert!(acct.sns_topics.is_empty(), "{:#?}", acct.sns_topics);

    // The error survives a round trip through the file a later `check` reads.
    let reloaded = Inventory::from_json(
        &std::fs::read_to_string(out_path("monitoring-denied")).expect("inventory"),
        "denied.json",
    )
    .expect("loads");
    assert_eq!(
        reloaded.accounts[0].log_groups[0].metric_filters.error(),
        Some(error)
    );
}

#[test]
fn a_throttled_describe_alarms_is_each_metrics_error_and_the_filters_stay_read() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "monitoring", &crate::support::unique_account_id());
    // CloudWatch speaks CBOR; the proxy answers with a CBOR ThrottlingException every time.
    let proxy = FaultProxy::for_account(
        emulator,
        &seeded,
        vec![Fault::throttle("monitoring:DescribeAlarms")],
    );
    let endpoint = proxy.endpoint();
    let acct = collect(
        emulator,
        &seeded,
        "throttled",
        &[("AWS_ENDPOINT_URL", &endpoint), ("AWS_MAX_ATTEMPTS", "2")],
    );
    proxy.assert_every_fault_fired();
    let group = the_log_group(&acct);
    let filters = group.metric_filters.ok().expect("the filters were read");
    assert_eq!(filters.len(), 6);
    for t in filters.iter().flat_map(|f| &f.transformations) {
        let error = t
            .alarms
            .error()
            .unwrap_or_else(|| panic!("alarms must be an error, got {t:#?}"));
        assert_eq!(error.operation, "cloudwatch:DescribeAlarms");
        assert_eq!(error.kind, ErrorKind::Throttled, "{error:?}");
        assert_eq!(error.code.as_deref(), Some("ThrottlingException"));
    }
    assert!(acct.sns_topics.is_empty());
    // Recognised as throttling, so the SDK retried: AWS_MAX_ATTEMPTS=2 attempts.
    assert_eq!(proxy.fired(0).len(), 2, "{:?}", proxy.fired(0));
}

#[test]
fn a_denied_list_subscriptions_is_the_topics_error_and_the_chain_stays_read() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "monitoring", &crate::support::unique_account_id());
    let proxy = FaultProxy::for_account(
        emulator,
        &seeded,
        vec![Fault::deny("sns:ListSubscriptionsByTopic")],
    );
    let endpoint = proxy.endpoint();
    let acct = collect(
        emulator,
        &seeded,
        "sns-denied",
        &[("AWS_ENDPOINT_URL", &endpoint), ("AWS_MAX_ATTEMPTS", "2")],
    );
    proxy.assert_every_fault_fired();
    // The filters and alarms were read; every topic an alarm notifies is kept, its
    // subscriptions an access-denied error rather than "no subscribers".
    let group = the_log_group(&acct);
    assert_eq!(group.metric_filters.ok().map(Vec::len), Some(6));
    let alerts = topic(&acct, fact(&seeded.facts, "topics.alerts"));
    let pending = topic(&acct, fact(&seeded.facts, "topics.pending"));
    let silent = topic(&acct, fact(&seeded.facts, "topics.silent"));
    for t in [alerts, silent, pending] {
        let error = t
            .subscriptions
            .error()
            .unwrap_or_else(|| panic!("denied subscriptions must be an error, got {t:#?}"));
        assert_eq!(error.operation, "sns:ListSubscriptionsByTopic");
        assert_eq!(error.kind, ErrorKind::AccessDenied, "{error:?}");
    }
    // One denied call per topic: each topic is asked once, never retried as a throttle.
    let asked: Vec<_> = proxy.fired(0).iter().map(|c| c.path.clone()).collect();
    assert_eq!(asked.len(), 3, "{asked:?}");
}

/// What moto_server.py's monitoring patches must make the emulator do, checked with boto3 and
/// on the wire: SNS keeps e-mail/HTTPS subscriptions pending (h), DescribeAlarmsForMetric
/// filters on dimensions (i), CloudWatch answers Smithy RPC v2 CBOR (j).
#[test]
fn moto_monitoring_patches_behave_like_aws() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "empty", &crate::support::unique_account_id());
    let code = r#"
import json, sys, urllib.request, urllib.error, boto3
sys.path.insert(0, sys.argv[2])
from moto_server import cbor_decode, cbor_encode
ep = sys.argv[1]
sns = boto3.client("sns", region_name="us-east-1", endpoint_url=ep)
cw = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=ep)
t = sns.create_topic(Name="patch-check")["TopicArn"]
email = sns.subscribe(TopicArn=t, Protocol="email", Endpoint="a@example.com")["SubscriptionArn"]
https = sns.subscribe(TopicArn=t, Protocol="https", Endpoint="https://example.com/h",
                      ReturnSubscriptionArn=True)["SubscriptionArn"]
sqs = sns.subscribe(TopicArn=t, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:1:q")["SubscriptionArn"]
listed = sorted((s["Protocol"], s["SubscriptionArn"] == "PendingConfirmation")
                for s in sns.list_subscriptions_by_topic(TopicArn=t)["Subscriptions"])
attrs = sns.get_topic_attributes(TopicArn=t)["Attributes"]
alarm = dict(Namespace="CIS", MetricName="M", Statistic="Sum", Period=300, EvaluationPeriods=1,
             Threshold=1.5, ComparisonOperator="GreaterThanOrEqualToThreshold")
cw.put_metric_alarm(AlarmName="with-dim", Dimensions=[{"Name": "T", "Value": "x"}], **alarm)
cw.put_metric_alarm(AlarmName="no-dim", ActionsEnabled=False, **alarm)
names = lambda **kw: sorted(a["AlarmName"] for a in
                            cw.describe_alarms_for_metric(MetricName="M", Namespace="CIS", **kw)["MetricAlarms"])
auth = ("AWS4-HMAC-SHA256 Credential=" + boto3.Session().get_credentials().access_key
        + "/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0")
def cbor(op, body):
    req = urllib.request.Request(ep + "/service/GraniteServiceVersion20100801/operation/" + op,
        data=body, method="POST", headers={"smithy-protocol": "rpc-v2-cbor",
        "Content-Type": "application/cbor", "Accept": "application/cbor", "Authorization": auth})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers.get("smithy-protocol"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("smithy-protocol"), e.read()
# An indefinite-length map, as the Rust SDK's encoder writes structures.
status, proto, raw = cbor("DescribeAlarms", b"\xbf" + cbor_encode("MaxRecords")[0:] + cbor_encode(100) + b"\xff")
alarms = cbor_decode(raw)["MetricAlarms"]
err_status, _, err_raw = cbor("SetAlarmState", cbor_encode({"AlarmName": "nope", "StateValue": "OK", "StateReason": "x"}))
print(json.dumps({
  "subscribe": [email, https.startswith("arn:"), sqs.startswith("arn:")], "listed": listed,
  "counts": [attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"]],
  "for_metric": [names(), names(Dimensions=[{"Name": "T", "Value": "x"}])],
  "cbor": [status, proto, sorted((a["AlarmName"], a["ActionsEnabled"], a["Threshold"]) for a in alarms),
           b"\xc1\xfb" in raw],
  "error": [err_status, cbor_decode(err_raw).get("__type", "")],
}))
"#;
    let mut env = seeded.aws_env();
    env.push(("AWS_EC2_METADATA_DISABLED", "true".to_owned()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let dir = emulator_dir();
    let out = run_python(
        code,
        &[&emulator.endpoint(), dir.to_str().expect("utf-8 path")],
        &env,
    );
    assert!(
        out.status.success(),
        "{}\n--- server log ---\n{}",
        String::from_utf8_lossy(&out.stderr),
        emulator.server_log()
    );
    let got: Value = serde_json::from_slice(&out.stdout).expect("the snippet prints JSON");
    use serde_json::json;
    assert_eq!(
        got["subscribe"],
        json!(["pending confirmation", true, true]),
        "Subscribe answers 'pending confirmation' unless ReturnSubscriptionArn"
    );
    assert_eq!(
        got["listed"],
        json!([["email", true], ["https", true], ["sqs", false]])
    );
    assert_eq!(got["counts"], json!(["1", "2"]));
    assert_eq!(got["for_metric"], json!([["no-dim"], ["with-dim"]]));
    assert_eq!(
        got["cbor"],
        json!([
            200,
            "rpc-v2-cbor",
            [["no-dim", false, 1.5], ["with-dim", true, 1.5]],
            true
        ]),
        "CBOR in, CBOR out: doubles as floats, timestamps as tag 1"
    );
    let error = &got["error"];
    assert_eq!(error[0], json!(404));
    assert!(
        error[1]
            .as_str()
            .is_some_and(|t| t.ends_with("ResourceNotFound")),
        "{error}"
    );
}
