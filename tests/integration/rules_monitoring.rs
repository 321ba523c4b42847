//! The CIS monitoring chain as rules read it: a trail's `log_group` → `metric_filters` →
//! `transformations` → `alarms` (`on_filter_metric`, `actions_enabled`) → `topics`
//! (`subscriptions.confirmed`), each link decided by quantifiers, each unread link Unknown.

use trailguard::evaluate::run_tests;
use trailguard::rules;

const RULE: &str = r#"id: T-1
title: t
severity: low
scope: trail
rationale: r
remediation: { text: x }
events:
  required:
    - why: StopLogging by an IAM user
      record: { eventSource: cloudtrail.amazonaws.com, eventName: StopLogging, userIdentity: { type: IAMUser } }
check:
  any:
    in: log_group.metric_filters
    where:
      all:
        - { path: pattern, matches_events: { all_of: required } }
        - any:
            in: transformations
            where:
              any:
                in: alarms
                where:
                  all:
                    - { path: on_filter_metric, equals: true }
                    - { path: actions_enabled, equals: true }
                    - any: { in: topics, where: { path: subscriptions.confirmed, gte: 1 } }
message: m
tests:
"#;

/// A trail subject whose log group has one filter, one metric and one alarm on it.
fn case(name: &str, expect: &str, filters: &str) -> String {
    format!(
        "  - name: {name:?}\n    expect: {expect}\n    subject:\n      log_group:\n        arn: arn:aws:logs:us-east-1:111111111111:log-group:ct\n        account_id: '111111111111'\n        region: us-east-1\n        name: ct\n        metric_filters: {filters}\n"
    )
}

fn chain(pattern: &str, alarm: &str, topic: &str) -> String {
    format!(
        "[{{ name: f, pattern: {pattern:?}, transformations: [{{ metric_name: m, metric_namespace: CIS, dimensions: {{}}, alarms: [{alarm_with_topic}] }}] }}]",
        alarm_with_topic = alarm.replace("TOPIC", topic)
    )
}

const ALARM: &str = "{ arn: 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:a', name: a, namespace: CIS, metric_name: m, dimensions: {}, metric_math: false, actions_enabled: true, alarm_actions: [t], on_filter_metric: true, topics: [TOPIC] }";
const TOPIC: &str = "{ arn: 'arn:aws:sns:us-east-1:111111111111:t', account_id: '111111111111', region: us-east-1, referenced_by: [], subscriptions: { confirmed: 1, pending: 0, list: [] } }";
const PATTERN: &str = "{ $.eventName = StopLogging }";

#[test]
fn each_link_of_the_chain_decides() {
    let pending = TOPIC.replace("confirmed: 1, pending: 0", "confirmed: 0, pending: 1");
    let denied = "{ error: { operation: 'logs:DescribeMetricFilters', kind: access_denied } }";
    let cases = [
        case("the whole chain", "pass", &chain(PATTERN, ALARM, TOPIC)),
        case(
            "a filter missing the event",
            "fail",
            &chain("{ $.eventName = DeleteTrail }", ALARM, TOPIC),
        ),
        case(
            "alarm on another namespace",
            "fail",
            &chain(
                PATTERN,
                &ALARM.replace("on_filter_metric: true", "on_filter_metric: false"),
                TOPIC,
            ),
        ),
        case(
            "actions disabled",
            "fail",
            &chain(
                PATTERN,
                &ALARM.replace("actions_enabled: true", "actions_enabled: false"),
                TOPIC,
            ),
        ),
        case(
            "only a pending subscription",
            "fail",
            &chain(PATTERN, ALARM, &pending),
        ),
        case("no filters", "fail", "[]"),
        case("filters could not be read", "error", denied),
    ]
    .concat();
    let rule = rules::parse_str("T-1.yaml", &format!("{RULE}{cases}")).expect("the rule loads");
    // The same chain through the built-in shared condition `alarmed_metric`.
    let inline_alarm = &RULE[RULE
        .find("              any:\n                in: alarms")
        .expect("the alarm link")
        ..RULE.find("message:").expect("message")];
    let shared = RULE.replace(inline_alarm, "              use: alarmed_metric\n");
    let shared = rules::parse_str("T-1.yaml", &format!("{shared}{cases}")).expect("the rule loads");
    for rule in [rule, shared] {
        let results = run_tests(&rule);
        assert_eq!(results.len(), 7);
        for r in &results {
            assert!(
                r.passed(),
                "{}: expected {:?}, got {:?}",
                r.name,
                r.expected,
                r.verdict
            );
        }
    }
}
