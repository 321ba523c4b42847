//! The subject of each scope: the JSON object a rule's paths read ("views").
//!
//! Views are built from the inventory with the joins a rule needs already done (a trail's bucket
//! and key, a region's applicable trails), so the rule language needs no joins. They derive
//! `JsonSchema`: the path table that validates rules at load time is generated from these types
//! ([`super::fields`]), so the valid paths and the evaluated data cannot drift apart.

use schemars::JsonSchema;
use serde::Serialize;

use std::collections::BTreeMap;

use crate::inventory::{
    AccountId, Alarm, Arn, Bucket, Collected, KmsKey, Organization, OrganizationAccount, Partition,
    Region, RegionState, Topic, Trail,
};

/// A trail with its bucket and KMS key joined in.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TrailView {
    /// Every field of the inventory trail.
    #[serde(flatten)]
    pub trail: Trail,
    /// The bucket the trail delivers to, when the inventory has it.
    pub bucket: Option<Bucket>,
    /// The KMS key named by `kms_key_id`, when the inventory has it.
    pub kms_key: Option<KmsKey>,
    /// The CloudWatch Logs group named by `cloudwatch_logs_log_group_arn`, with the CIS
    /// monitoring chain joined in, when the inventory has it.
    pub log_group: Option<LogGroupView>,
}

/// A trail's log group: its metric filters, the alarms on their metrics and the SNS topics
/// those alarms notify, joined so that a rule follows the chain with quantifiers alone.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LogGroupView {
    /// The log group ARN (without `:*`).
    pub arn: Arn,
    /// The account that owns it.
    pub account_id: AccountId,
    /// Its region.
    pub region: Region,
    /// Its name.
    pub name: String,
    /// `DescribeMetricFilters`: the group's metric filters.
    pub metric_filters: Collected<Vec<MetricFilterView>>,
}

/// A metric filter with its metrics' alarms.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MetricFilterView {
    /// The filter name.
    pub name: String,
    /// The filter pattern, verbatim.
    pub pattern: String,
    /// The metrics it publishes.
    pub transformations: Vec<TransformationView>,
}

/// A metric a filter publishes, with every alarm on a metric of that name.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TransformationView {
    /// The metric name.
    pub metric_name: String,
    /// The metric namespace.
    pub metric_namespace: String,
    /// The metric's dimensions (name → event field).
    pub dimensions: BTreeMap<String, String>,
    /// The alarms on metrics of this name, in any namespace (`on_filter_metric` says which
    /// watch this very metric), each with the topics it notifies.
    pub alarms: Collected<Vec<AlarmView>>,
}

/// An alarm with the SNS topics among its actions joined in.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AlarmView {
    /// Every field of the inventory alarm.
    #[serde(flatten)]
    pub alarm: Alarm,
    /// Whether the alarm watches this very metric: the filter metric's namespace and
    /// dimension names, not only its name (peers match the name alone).
    pub on_filter_metric: bool,
    /// The SNS topics among `alarm_actions`, as the inventory read them.
    pub topics: Vec<Topic>,
}

/// The audited account, as seen from a narrower subject.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AccountRef {
    /// The account id.
    pub account_id: AccountId,
    /// The partition.
    pub partition: Partition,
    /// Organization facts; `null` when the account is in no organization.
    pub organization: Collected<Option<Organization>>,
}

/// `scope: account`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AccountSubject {
    /// The account id.
    pub account_id: AccountId,
    /// The partition.
    pub partition: Partition,
    /// The identity the account was read as.
    pub caller_arn: crate::inventory::Arn,
    /// Organization facts; `null` when the account is in no organization.
    pub organization: Collected<Option<Organization>>,
    /// The enabled regions.
    pub enabled_regions: Collected<Vec<crate::inventory::Region>>,
    /// Every region trails were discovered in.
    pub regions: Vec<RegionState>,
    /// Every trail seen (organization trails of the management account included).
    pub trails: Vec<TrailView>,
    /// Every trail bucket.
    pub buckets: Vec<Bucket>,
    /// Every trail KMS key.
    pub kms_keys: Vec<KmsKey>,
}

/// `scope: region`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RegionSubject {
    /// The region state.
    #[serde(flatten)]
    pub state: RegionState,
    /// The trails that record this region's events.
    pub trails: Vec<TrailView>,
    /// The audited account.
    pub account: AccountRef,
}

/// `scope: trail`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TrailSubject {
    /// The trail and its joins.
    #[serde(flatten)]
    pub trail: TrailView,
    /// The audited account.
    pub account: AccountRef,
}

/// `scope: bucket`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BucketSubject {
    /// The bucket.
    #[serde(flatten)]
    pub bucket: Bucket,
    /// The trails that deliver to it.
    pub trails: Vec<Trail>,
    /// The audited account.
    pub account: AccountRef,
}

/// `scope: key`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KeySubject {
    /// The key.
    #[serde(flatten)]
    pub key: KmsKey,
    /// The trails that encrypt with it.
    pub trails: Vec<Trail>,
    /// The audited account.
    pub account: AccountRef,
}

/// `scope: organization` — one subject per organization.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OrganizationSubject {
    /// The organization, as the management account (or the audited account) reads it;
    /// `null` when the audited account is in no organization.
    pub organization: Collected<Option<Organization>>,
    /// With `--org`: every account of the organization and whether it was collected; empty
    /// when only one account was scanned.
    pub accounts: Vec<OrganizationAccount>,
    /// The trails that decide the organization's coverage: with `--org`, every organization
    /// trail as its owner reads it; otherwise the trails the audited account sees.
    pub trails: Vec<TrailView>,
}
