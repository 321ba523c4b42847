//! Trails: configuration, status, event and insight selectors.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::selectors::EventSelectors;
use super::{AccountId, Arn, Collected, Region, Timestamp};

/// One trail, deduplicated by ARN across every region it was seen from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    /// The trail name.
    pub name: String,
    /// The trail ARN (the home-region ARN, also for shadow copies).
    pub arn: Arn,
    /// The region the trail was created in; its settings are read there.
    pub home_region: Region,
    /// The account that owns the trail (from its ARN). For an organization trail seen from a
    /// member account this is the management account.
    pub owner_account: AccountId,
    /// Whether the trail belongs to the audited account (false for an organization trail seen
    /// from a member account).
    pub owned_by_audited_account: bool,
    /// `IsMultiRegionTrail`.
    pub is_multi_region: bool,
    /// `IsOrganizationTrail`.
    pub is_organization_trail: bool,
    /// `IncludeGlobalServiceEvents`.
    pub include_global_service_events: bool,
    /// `LogFileValidationEnabled`.
    pub log_file_validation_enabled: bool,
    /// `KmsKeyId` as configured (a key ARN, or an alias), when SSE-KMS is on.
    pub kms_key_id: Option<String>,
    /// `CloudWatchLogsLogGroupArn`.
    pub cloudwatch_logs_log_group_arn: Option<String>,
    /// `CloudWatchLogsRoleArn`.
    pub cloudwatch_logs_role_arn: Option<String>,
    /// `SnsTopicARN`.
    pub sns_topic_arn: Option<String>,
    /// `S3BucketName`.
    pub s3_bucket_name: Option<String>,
    /// `S3KeyPrefix`.
    pub s3_key_prefix: Option<String>,
    /// The regions whose `DescribeTrails` answer described this trail (itself or as a shadow
    /// copy). Discovery asks as few regions as it can, so this is evidence of where it was
    /// read, not a list of the regions it covers (that is `applies_to_regions`).
    pub seen_from_regions: Vec<Region>,
    /// The enabled regions this trail records events in: every one for a multi-region trail,
    /// the home region otherwise. Computed once, here.
    pub applies_to_regions: Vec<Region>,
    /// `ListTags`, read in the home region.
    pub tags: Collected<BTreeMap<String, String>>,
    /// `GetTrailStatus`, read in the home region with the trail ARN.
    pub status: Collected<TrailStatus>,
    /// `GetEventSelectors`, normalised.
    pub event_selectors: Collected<EventSelectors>,
    /// `GetInsightSelectors`: the insight types enabled (empty when Insights are off).
    pub insight_selectors: Collected<Vec<String>>,
}

/// A trail as `ListTrails` names it: that it exists, and where it is homed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListedTrail {
    /// The trail ARN.
    pub arn: Arn,
    /// Its home region (from the answer, else from the ARN).
    pub home_region: Region,
}

/// `GetTrailStatus`, with empty strings (as some endpoints send) read as absent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrailStatus {
    /// `IsLogging`.
    pub is_logging: bool,
    /// `LatestDeliveryError` (e.g. `NoSuchBucket`, `AccessDenied`).
    pub latest_delivery_error: Option<String>,
    /// `LatestDeliveryTime`.
    pub latest_delivery_time: Option<Timestamp>,
    /// `LatestDigestDeliveryError`.
    pub latest_digest_delivery_error: Option<String>,
    /// `LatestDigestDeliveryTime`.
    pub latest_digest_delivery_time: Option<Timestamp>,
    /// `LatestCloudWatchLogsDeliveryError`.
    pub latest_cloudwatch_logs_delivery_error: Option<String>,
    /// `LatestCloudWatchLogsDeliveryTime`.
    pub latest_cloudwatch_logs_delivery_time: Option<Timestamp>,
    /// `LatestNotificationError`.
    pub latest_notification_error: Option<String>,
    /// `StartLoggingTime`.
    pub start_logging_time: Option<Timestamp>,
    /// `StopLoggingTime`.
    pub stop_logging_time: Option<Timestamp>,
}
