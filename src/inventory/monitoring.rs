//! CIS monitoring facts: the CloudWatch Logs groups trails deliver to, their metric filters, the
//! alarms on the filters' metrics, and the SNS topics those alarms notify.
//!
//! The chain a CIS "monitoring" control follows is trail → log group → metric filter → metric
//! (name, namespace, dimensions) → alarm → SNS topic → confirmed subscription (CHECKS.md §1.3,
//! §2.11). Each link is recorded as read, with every read a [`Collected`] so a denied or failed
//! call is an error state, never an empty list.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AccountId, Arn, CollectError, Collected, ErrorKind, Region};

/// A CloudWatch Logs group that at least one trail delivers to (`CloudWatchLogsLogGroupArn`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogGroup {
    /// The log group ARN without the trailing `:*` CloudTrail shows
    /// (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME`).
    pub arn: Arn,
    /// The account that owns the log group (from its ARN); its metric filters and the alarms
    /// on their metrics live there.
    pub account_id: AccountId,
    /// The log group's region (from its ARN).
    pub region: Region,
    /// The log group name.
    pub name: String,
    /// The trails that deliver to this log group.
    pub referenced_by: Vec<Arn>,
    /// `DescribeMetricFilters` for this log group, every page, in AWS's order (by filter name).
    pub metric_filters: Collected<Vec<MetricFilter>>,
}

/// One metric filter of a log group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricFilter {
    /// `filterName`.
    pub name: String,
    /// `filterPattern`, verbatim (rules parse it; whitespace and newlines are kept).
    pub pattern: String,
    /// `metricTransformations`: the metrics the filter publishes.
    pub transformations: Vec<MetricTransformation>,
}

/// A metric a filter publishes, and the alarms on metrics of that name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricTransformation {
    /// `metricName`.
    pub metric_name: String,
    /// `metricNamespace`.
    pub metric_namespace: String,
    /// `dimensions`: dimension name → the event field its value comes from.
    pub dimensions: BTreeMap<String, String>,
    /// Every metric alarm of the log group's account and region whose metric has this metric
    /// name — in any namespace and with any dimensions, so that an alarm on the wrong
    /// namespace can be named as such (`DescribeAlarms`, read once per account and region).
    pub alarms: Collected<Vec<Alarm>>,
}

/// A CloudWatch metric alarm (`DescribeAlarms` `MetricAlarms`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alarm {
    /// `AlarmArn`.
    pub arn: Arn,
    /// `AlarmName`.
    pub name: String,
    /// The namespace of the alarm's metric (`Namespace`, or for a metric-math alarm the
    /// namespace of the metric query that uses this metric).
    pub namespace: String,
    /// The alarm's metric name (as `namespace`).
    pub metric_name: String,
    /// The metric's dimensions, name → value.
    pub dimensions: BTreeMap<String, String>,
    /// Whether the metric is one query of a metric-math alarm (`Metrics`) rather than the
    /// alarm's own `MetricName`.
    pub metric_math: bool,
    /// `ActionsEnabled`: whether the alarm's actions run when its state changes.
    pub actions_enabled: bool,
    /// `AlarmActions`: what runs on the transition to ALARM (SNS topic ARNs among others).
    pub alarm_actions: Vec<String>,
}

impl Alarm {
    /// The SNS topics among the alarm's actions.
    pub fn sns_topics(&self) -> impl Iterator<Item = &str> {
        self.alarm_actions
            .iter()
            .map(String::as_str)
            .filter(|a| is_sns_topic(a))
    }
}

/// Whether an alarm action is an SNS topic (`arn:PARTITION:sns:REGION:ACCOUNT:NAME`).
pub fn is_sns_topic(action: &str) -> bool {
    let arn = Arn::from(action);
    arn.as_str().split(':').nth(2) == Some("sns") && arn.account().is_some()
}

/// An SNS topic that an alarm on a trail's metric notifies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// The topic ARN.
    pub arn: Arn,
    /// The account that owns the topic (from its ARN).
    pub account_id: AccountId,
    /// The topic's region (from its ARN).
    pub region: Region,
    /// The alarms (recorded under this account's log groups) that notify this topic.
    pub referenced_by: Vec<Arn>,
    /// `ListSubscriptionsByTopic`, every page.
    pub subscriptions: Collected<TopicSubscriptions>,
}

/// A topic's subscriptions, and how many are confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicSubscriptions {
    /// Subscriptions whose `SubscriptionArn` is an ARN: confirmed (CIS: "at least one
    /// subscription should have SubscriptionArn with a valid AWS ARN").
    pub confirmed: u32,
    /// Subscriptions whose `SubscriptionArn` is `PendingConfirmation`.
    pub pending: u32,
    /// Every subscription, in AWS's order. Endpoints (e-mail addresses, URLs, phone numbers)
    /// are not recorded: they are personal data and no rule needs them.
    pub list: Vec<Subscription>,
}

/// One subscription of a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// `SubscriptionArn` as returned: an ARN when confirmed, else `PendingConfirmation`
    /// (or `Deleted`).
    pub subscription_arn: String,
    /// `Protocol`: `email`, `https`, `sqs`, `lambda`, …
    pub protocol: String,
}

impl Subscription {
    /// Confirmed: the subscription ARN is an ARN, not a placeholder.
    pub fn confirmed(&self) -> bool {
        self.subscription_arn.starts_with("arn:")
    }
}

impl TopicSubscriptions {
    /// The subscriptions with their counts.
    pub fn from_list(list: Vec<Subscription>) -> Self {
        let count = |f: &dyn Fn(&Subscription) -> bool| {
            u32::try_from(list.iter().filter(|s| f(s)).count()).unwrap_or(u32::MAX)
        };
        TopicSubscriptions {
            confirmed: count(&Subscription::confirmed),
            pending: count(&|s| s.subscription_arn == "PendingConfirmation"),
            list,
        }
    }
}

/// The parts of a trail's `CloudWatchLogsLogGroupArn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroupArn {
    /// The ARN without a trailing `:*`.
    pub arn: Arn,
    /// The owner account.
    pub account_id: AccountId,
    /// The region.
    pub region: Region,
    /// The log group name.
    pub name: String,
}

impl LogGroupArn {
    /// Parses `arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME[:*]`; `None` for anything else.
    pub fn parse(text: &str) -> Option<LogGroupArn> {
        let trimmed = text.trim();
        let arn = trimmed.strip_suffix(":*").unwrap_or(trimmed);
        let mut parts = arn.splitn(7, ':');
        let (Some("arn"), Some(_), Some("logs"), Some(region), Some(account), Some("log-group")) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let name = parts.next().filter(|n| !n.is_empty())?;
        if region.is_empty() || account.is_empty() {
            return None;
        }
        Some(LogGroupArn {
            arn: Arn::from(arn),
            account_id: AccountId::from(account),
            region: Region::from(region),
            name: name.to_owned(),
        })
    }
}

impl LogGroup {
    /// A log group whose filters could not be read (or were not), for `error`.
    pub fn unread(raw_arn: &str, error: CollectError) -> LogGroup {
        let (arn, account_id, region, name) = match LogGroupArn::parse(raw_arn) {
            Some(p) => (p.arn, p.account_id, p.region, p.name),
            None => (
                Arn::from(raw_arn),
                AccountId::from(""),
                Region::from(""),
                raw_arn.to_owned(),
            ),
        };
        LogGroup {
            arn,
            account_id,
            region,
            name,
            referenced_by: vec![],
            metric_filters: Collected::failed(error),
        }
    }

    /// The entry for a log group a trail names but the inventory has no record of: an
    /// inventory written before schema 1.3, or a hand-written one.
    pub fn not_recorded(raw_arn: &str) -> LogGroup {
        LogGroup::unread(
            raw_arn,
            CollectError {
                operation: "logs:DescribeMetricFilters".to_owned(),
                kind: ErrorKind::Skipped,
                code: None,
                message: Some(
                    "not recorded (inventories before schema 1.3 have no log groups)".to_owned(),
                ),
                http_status: None,
            },
        )
    }

    /// Every alarm recorded under this log group's filters.
    pub fn alarms(&self) -> impl Iterator<Item = &Alarm> {
        self.metric_filters
            .ok()
            .into_iter()
            .flatten()
            .flat_map(|f| &f.transformations)
            .filter_map(|t| t.alarms.ok())
            .flatten()
    }
}

/// The normalised ARN of a trail's log group (no `:*`), or the text as given when it is not a
/// log group ARN.
pub fn log_group_key(raw_arn: &str) -> Arn {
    LogGroupArn::parse(raw_arn).map_or_else(|| Arn::from(raw_arn), |p| p.arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_group_arns_parse_with_or_without_the_wildcard() {
        let p = LogGroupArn::parse("arn:aws:logs:eu-west-1:111122223333:log-group:aws/ct:*")
            .expect("parses");
        assert_eq!(
            p.arn.as_str(),
            "arn:aws:logs:eu-west-1:111122223333:log-group:aws/ct"
        );
        assert_eq!(p.account_id.as_str(), "111122223333");
        assert_eq!(p.region.as_str(), "eu-west-1");
        assert_eq!(p.name, "aws/ct");
        let bare = LogGroupArn::parse("arn:aws:logs:eu-west-1:111122223333:log-group:aws/ct");
        assert_eq!(bare, Some(p));
        for bad in [
            "",
            "cloudtrail/group",
            "arn:aws:s3:::bucket",
            "arn:aws:logs:eu-west-1:111122223333:log-group:",
            "arn:aws:logs::111122223333:log-group:x",
            "arn:aws:logs:eu-west-1:111122223333:destination:x",
        ] {
            assert_eq!(LogGroupArn::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn subscriptions_count_confirmed_and_pending() {
        let sub = |arn: &str| Subscription {
            subscription_arn: arn.to_owned(),
            protocol: "email".to_owned(),
        };
        let s = TopicSubscriptions::from_list(vec![
            sub("arn:aws:sns:us-east-1:1:t:abc"),
            sub("PendingConfirmation"),
            sub("PendingConfirmation"),
            sub("Deleted"),
        ]);
        assert_eq!((s.confirmed, s.pending, s.list.len()), (1, 2, 4));
    }

    #[test]
    fn only_sns_actions_are_topics() {
        let alarm = Alarm {
            arn: Arn::from("arn:aws:cloudwatch:us-east-1:1:alarm:a"),
            name: "a".into(),
            namespace: "CISBenchmark".into(),
            metric_name: "m".into(),
            dimensions: BTreeMap::new(),
            metric_math: false,
            actions_enabled: true,
            alarm_actions: vec![
                "arn:aws:sns:us-east-1:111122223333:alerts".into(),
                "arn:aws:automate:us-east-1:ec2:stop".into(),
                "arn:aws:lambda:us-east-1:111122223333:function:f".into(),
            ],
        };
        assert_eq!(
            alarm.sns_topics().collect::<Vec<_>>(),
            vec!["arn:aws:sns:us-east-1:111122223333:alerts"]
        );
    }
}
