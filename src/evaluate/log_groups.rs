//! A trail's log group as rules read it: the CIS monitoring chain (metric filter → metric →
//! alarm → SNS topic) joined from the inventory's log groups and topics.

use crate::inventory::{
    Account, AccountId, Alarm, Arn, CollectError, Collected, ErrorKind, LogGroup, MetricFilter,
    MetricTransformation, Region, Topic, Trail,
};
use crate::rules::view::{AlarmView, LogGroupView, MetricFilterView, TransformationView};

/// The log group `trail` delivers to, with its chain; `None` when the trail names none or
/// the inventory does not have it.
pub(super) fn log_group_view(account: &Account, trail: &Trail) -> Option<LogGroupView> {
    let group = account.log_group(trail.cloudwatch_logs_log_group_arn.as_deref()?)?;
    Some(LogGroupView {
        arn: group.arn.clone(),
        account_id: group.account_id.clone(),
        region: group.region.clone(),
        name: group.name.clone(),
        metric_filters: filters(account, group),
    })
}

fn filters(account: &Account, group: &LogGroup) -> Collected<Vec<MetricFilterView>> {
    group.metric_filters.clone().map(|list| {
        list.iter()
            .map(|f: &MetricFilter| MetricFilterView {
                name: f.name.clone(),
                pattern: f.pattern.clone(),
                transformations: f
                    .transformations
                    .iter()
                    .map(|t| transformation(account, t))
                    .collect(),
            })
            .collect()
    })
}

fn transformation(account: &Account, t: &MetricTransformation) -> TransformationView {
    TransformationView {
        metric_name: t.metric_name.clone(),
        metric_namespace: t.metric_namespace.clone(),
        dimensions: t.dimensions.clone(),
        alarms: t
            .alarms
            .clone()
            .map(|alarms| alarms.iter().map(|a| alarm(account, t, a)).collect()),
    }
}

/// An alarm with the inventory's reading of each SNS topic among its actions. A topic the
/// inventory has no reading of is kept, its subscriptions a read error: it never vanishes.
fn alarm(account: &Account, metric: &MetricTransformation, a: &Alarm) -> AlarmView {
    AlarmView {
        alarm: a.clone(),
        on_filter_metric: a.namespace == metric.metric_namespace
            && a.dimensions.keys().eq(metric.dimensions.keys()),
        topics: a
            .sns_topics()
            .map(|arn| {
                account
                    .sns_topic(arn)
                    .cloned()
                    .unwrap_or_else(|| unread_topic(arn))
            })
            .collect(),
    }
}

fn unread_topic(arn: &str) -> Topic {
    let arn = Arn::from(arn);
    Topic {
        account_id: AccountId::from(arn.account().unwrap_or_default()),
        region: Region::from(arn.region().unwrap_or_default()),
        referenced_by: Vec::new(),
        subscriptions: Collected::failed(CollectError {
            operation: "sns:ListSubscriptionsByTopic".to_owned(),
            kind: ErrorKind::Skipped,
            code: None,
            message: Some("the inventory has no reading of this topic".to_owned()),
            http_status: None,
        }),
        arn,
    }
}
