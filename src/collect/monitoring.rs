//! CIS monitoring reads: a trail log group's metric filters, the metric alarms of the log
//! group's account and region, and the subscriptions of the SNS topics those alarms notify.
//!
//! Alarms are read with one paginated `DescribeAlarms` per account and region and indexed here,
//! not with `DescribeAlarmsForMetric` per filter metric: the 15 CIS controls are 15 metrics per
//! log group (15 calls), while `DescribeAlarms` returns up to 100 alarms a page (one call for
//! most accounts; 15 pages only past 1,400 alarms). It does not wait for the filters, so the
//! chain stays trail → (filters ∥ alarms) → topics; and it shows alarms on the same metric name
//! in another namespace, which `DescribeAlarmsForMetric` (name *and* namespace) would hide from
//! the evidence. Topics use `ListSubscriptionsByTopic` rather than `GetTopicAttributes`: the
//! same one call per topic in practice, and the list says exactly which subscriptions are
//! `PendingConfirmation` — what CIS audits — rather than counters.
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html>
//! <https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html>

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types as cw;
use aws_sdk_cloudwatchlogs::types as logs;

use super::ctx::Ctx;
use super::error::collect_error;
use crate::inventory::{
    Alarm, Arn, Collected, LogGroupArn, MetricFilter, MetricTransformation, Region, Subscription,
    TopicSubscriptions,
};

/// `DescribeMetricFilters` for one log group, every page, in the log group's region. The
/// transformations' alarms are left empty for [`attach_alarms`].
pub async fn metric_filters(ctx: &Ctx, group: &LogGroupArn) -> Collected<Vec<MetricFilter>> {
    let client = ctx.clients.logs(group.region.as_str());
    let mut pages = client
        .describe_metric_filters()
        .log_group_name(&group.name)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    loop {
        let page = {
            let _p = ctx.permit().await;
            pages.next().await
        };
        match page {
            None => return Collected::Ok(out),
            Some(Ok(page)) => out.extend(page.metric_filters().iter().map(filter_from)),
            Some(Err(e)) => {
                return Collected::failed(collect_error("logs:DescribeMetricFilters", &e));
            }
        }
    }
}

/// Converts one metric filter (alarms not yet attached).
pub fn filter_from(f: &logs::MetricFilter) -> MetricFilter {
    MetricFilter {
        name: f.filter_name().unwrap_or_default().to_owned(),
        pattern: f.filter_pattern().unwrap_or_default().to_owned(),
        transformations: f
            .metric_transformations()
            .iter()
            .map(|t| MetricTransformation {
                metric_name: t.metric_name().to_owned(),
                metric_namespace: t.metric_namespace().to_owned(),
                dimensions: t
                    .dimensions()
                    .map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
                alarms: Collected::Ok(vec![]),
            })
            .collect(),
    }
}

/// Every metric alarm of the account in `region` (`DescribeAlarms`, every page), one entry
/// per metric it watches.
pub async fn alarms(ctx: &Ctx, region: &Region) -> Collected<Vec<Alarm>> {
    let client = ctx.clients.cloudwatch(region.as_str());
    let mut pages = client
        .describe_alarms()
        .max_records(100)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    loop {
        let page = {
            let _p = ctx.permit().await;
            pages.next().await
        };
        match page {
            None => return Collected::Ok(out),
            Some(Ok(page)) => out.extend(page.metric_alarms().iter().flat_map(alarms_from)),
            Some(Err(e)) => {
                return Collected::failed(collect_error("cloudwatch:DescribeAlarms", &e));
            }
        }
    }
}

/// One metric alarm as the metrics it watches: its own metric, or each metric a metric-math
/// alarm's queries read (a filter's metric can be one input of an expression).
pub fn alarms_from(a: &cw::MetricAlarm) -> Vec<Alarm> {
    let entry = |namespace: Option<&str>,
                 metric_name: Option<&str>,
                 dimensions: &[cw::Dimension],
                 metric_math: bool| Alarm {
        arn: Arn::from(a.alarm_arn().unwrap_or_default()),
        name: a.alarm_name().unwrap_or_default().to_owned(),
        namespace: namespace.unwrap_or_default().to_owned(),
        metric_name: metric_name.unwrap_or_default().to_owned(),
        dimensions: dimensions
            .iter()
            .map(|d| {
                let text = |s: Option<&str>| s.unwrap_or_default().to_owned();
                (text(d.name()), text(d.value()))
            })
            .collect(),
        metric_math,
        // AWS documents `true` as the default (PutMetricAlarm) and always returns it.
        actions_enabled: a.actions_enabled().unwrap_or(true),
        alarm_actions: a.alarm_actions().to_vec(),
    };
    if a.metric_name().is_some() {
        return vec![entry(a.namespace(), a.metric_name(), a.dimensions(), false)];
    }
    a.metrics()
        .iter()
        .filter_map(|q| q.metric_stat().and_then(cw::MetricStat::metric))
        .map(|m| entry(m.namespace(), m.metric_name(), m.dimensions(), true))
        .collect()
}

/// Gives each transformation the alarms on metrics of its name (any namespace and dimensions),
/// or the alarms' read error.
pub fn attach_alarms(filters: &mut [MetricFilter], alarms: &Collected<Vec<Alarm>>) {
    let by_metric: BTreeMap<&str, Vec<&Alarm>> =
        alarms
            .ok()
            .into_iter()
            .flatten()
            .fold(BTreeMap::new(), |mut map, a| {
                map.entry(a.metric_name.as_str()).or_default().push(a);
                map
            });
    for t in filters.iter_mut().flat_map(|f| &mut f.transformations) {
        t.alarms = match alarms {
            Collected::Ok(_) => {
                let mut found: Vec<Alarm> = by_metric
                    .get(t.metric_name.as_str())
                    .into_iter()
                    .flatten()
                    .map(|a| (*a).clone())
                    .collect();
                found.sort();
                found.dedup();
                Collected::Ok(found)
            }
            Collected::Failed { error } => Collected::failed(error.clone()),
        };
    }
}

/// `ListSubscriptionsByTopic`, every page, in the topic's region.
pub async fn subscriptions(
    ctx: &Ctx,
    topic: &Arn,
    region: &Region,
) -> Collected<TopicSubscriptions> {
    let client = ctx.clients.sns(region.as_str());
    let mut pages = client
        .list_subscriptions_by_topic()
        .topic_arn(topic.as_str())
        .into_paginator()
        .send();
    let mut list = Vec::new();
    loop {
        let page = {
            let _p = ctx.permit().await;
            pages.next().await
        };
        match page {
            None => return Collected::Ok(TopicSubscriptions::from_list(list)),
            Some(Ok(page)) => list.extend(page.subscriptions().iter().map(|s| Subscription {
                subscription_arn: s.subscription_arn().unwrap_or_default().to_owned(),
                protocol: s.protocol().unwrap_or_default().to_owned(),
            })),
            Some(Err(e)) => {
                return Collected::failed(collect_error("sns:ListSubscriptionsByTopic", &e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{CollectError, ErrorKind};

    fn dim(name: &str, value: &str) -> cw::Dimension {
        cw::Dimension::builder().name(name).value(value).build()
    }

    #[test]
    fn a_plain_alarm_is_its_own_metric() {
        let a = cw::MetricAlarm::builder()
            .alarm_name("cis-4-5")
            .alarm_arn("arn:aws:cloudwatch:us-east-1:1:alarm:cis-4-5")
            .namespace("CISBenchmark")
            .metric_name("CloudTrailChanges")
            .dimensions(dim("Trail", "main"))
            .actions_enabled(false)
            .alarm_actions("arn:aws:sns:us-east-1:1:alerts")
            .build();
        let got = alarms_from(&a);
        assert_eq!(got.len(), 1);
        let alarm = &got[0];
        assert_eq!(
            (alarm.namespace.as_str(), alarm.metric_name.as_str()),
            ("CISBenchmark", "CloudTrailChanges")
        );
        assert_eq!(
            alarm.dimensions.get("Trail").map(String::as_str),
            Some("main")
        );
        assert!(!alarm.actions_enabled && !alarm.metric_math);
        assert_eq!(alarm.alarm_actions, vec!["arn:aws:sns:us-east-1:1:alerts"]);
    }

    #[test]
    fn a_metric_math_alarm_is_each_metric_it_reads() {
        let stat = |ns: &str, name: &str| {
            cw::MetricDataQuery::builder()
                .id(name.to_lowercase())
                .metric_stat(
                    cw::MetricStat::builder()
                        .metric(
                            cw::Metric::builder()
                                .namespace(ns)
                                .metric_name(name)
                                .build(),
                        )
                        .period(300)
                        .stat("Sum")
                        .build(),
                )
                .build()
        };
        let a = cw::MetricAlarm::builder()
            .alarm_name("math")
            .metrics(stat("CISBenchmark", "RootUsage"))
            .metrics(stat("Other", "Noise"))
            .metrics(
                cw::MetricDataQuery::builder()
                    .id("e")
                    .expression("m1+m2")
                    .build(),
            )
            .build();
        let got = alarms_from(&a);
        let metrics: Vec<(&str, &str, bool)> = got
            .iter()
            .map(|a| (a.namespace.as_str(), a.metric_name.as_str(), a.metric_math))
            .collect();
        assert_eq!(
            metrics,
            vec![
                ("CISBenchmark", "RootUsage", true),
                ("Other", "Noise", true)
            ]
        );
        assert!(got[0].actions_enabled, "AWS's documented default");
    }

    fn filter(metric: &str) -> MetricFilter {
        MetricFilter {
            name: format!("f-{metric}"),
            pattern: "{ $.eventName = X }".into(),
            transformations: vec![MetricTransformation {
                metric_name: metric.into(),
                metric_namespace: "CISBenchmark".into(),
                dimensions: BTreeMap::new(),
                alarms: Collected::Ok(vec![]),
            }],
        }
    }

    fn alarm(name: &str, namespace: &str, metric: &str) -> Alarm {
        Alarm {
            arn: Arn::from(format!("arn:aws:cloudwatch:us-east-1:1:alarm:{name}")),
            name: name.into(),
            namespace: namespace.into(),
            metric_name: metric.into(),
            dimensions: BTreeMap::new(),
            metric_math: false,
            actions_enabled: true,
            alarm_actions: vec![],
        }
    }

    #[test]
    fn alarms_attach_by_metric_name_in_any_namespace() {
        let mut filters = vec![filter("RootUsage"), filter("Unwatched")];
        let all = Collected::Ok(vec![
            alarm("root", "CISBenchmark", "RootUsage"),
            alarm("elsewhere", "Other", "RootUsage"),
            alarm("unrelated", "CISBenchmark", "Something"),
        ]);
        attach_alarms(&mut filters, &all);
        let names = |f: &MetricFilter| -> Vec<String> {
            f.transformations[0]
                .alarms
                .ok()
                .expect("read")
                .iter()
                .map(|a| a.name.clone())
                .collect()
        };
        assert_eq!(names(&filters[0]), vec!["elsewhere", "root"]);
        assert!(names(&filters[1]).is_empty());
    }

    #[test]
    fn an_alarm_read_failure_is_every_transformations_error_not_an_empty_list() {
        let mut filters = vec![filter("RootUsage")];
        let denied = CollectError {
            operation: "cloudwatch:DescribeAlarms".into(),
            kind: ErrorKind::AccessDenied,
            code: Some("AccessDenied".into()),
            message: None,
            http_status: Some(403),
        };
        attach_alarms(&mut filters, &Collected::failed(denied.clone()));
        assert_eq!(filters[0].transformations[0].alarms.error(), Some(&denied));
    }
}
