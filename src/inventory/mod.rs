//! The inventory: everything trailguard read from AWS, as plain, versioned, sorted data.
//!
//! `trailguard collect -o FILE` writes it and `trailguard check --inventory FILE` evaluates it
//! offline, so it is a product in its own right: auditors archive it as evidence. It never names
//! an AWS SDK type. Joins that rules need (which regions a trail applies to, which trails use a
//! bucket or key) are computed here once by [`Inventory::normalize`].

mod bucket;
mod collected;
mod collected_de;
mod gaps;
mod ids;
mod kms;
mod monitoring;
mod selectors;
mod trail;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::files::read::{InputKind, ReadError, TextReader};
use crate::json_error::{self, TextPos};

pub use bucket::{
    AccessLogging, AclGrant, Bucket, BucketPolicy, DefaultEncryption, DefaultRetention, ObjectLock,
    PublicAccessBlock, Versioning,
};
pub use collected::{CollectError, Collected, ErrorKind};
pub use gaps::TrailGap;
use gaps::not_described;
pub use ids::{AccountId, Arn, Partition, Region, Timestamp};
pub use kms::{KeyMetadata, KmsKey};
pub use monitoring::{
    Alarm, LogGroup, LogGroupArn, MetricFilter, MetricTransformation, Subscription, Topic,
    TopicSubscriptions, is_sns_topic, log_group_key,
};
pub use selectors::{
    AdvancedSelector, ClassicSelector, DataCoverage, DataResource, DirectionCoverage,
    EventSelectors, FieldSelector, ManagementCoverage, ReadWriteType, SelectorKind,
};
pub use trail::{ListedTrail, Trail, TrailStatus};

/// The inventory format version this build writes. Readers accept any minor version of the
/// same major version and refuse other majors.
pub const SCHEMA_VERSION: &str = "1.3";

/// Everything collected in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// `MAJOR.MINOR` of the inventory format.
    pub schema_version: String,
    /// Who collected it, when, and with what scope.
    pub collection: CollectionMeta,
    /// The audited accounts, sorted by account id.
    pub accounts: Vec<Account>,
    /// For an organization scan (`--org`): the organization and every member account,
    /// including those that could not be collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<OrganizationScan>,
}

/// What an organization scan covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationScan {
    /// The organization.
    pub id: String,
    /// The management account.
    pub management_account_id: AccountId,
    /// The account the scan ran from (the management account or a delegated administrator).
    pub scanned_from: AccountId,
    /// Every active account listed, sorted by id.
    pub accounts: Vec<OrganizationAccount>,
}

/// One account of the organization and whether it was collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationAccount {
    /// The account id.
    pub account_id: AccountId,
    /// The account name.
    pub name: String,
    /// Whether the account was selected (`--accounts` / `--exclude-accounts`).
    pub in_scope: bool,
    /// Why the account could not be collected (its role could not be assumed, its calls were
    /// denied); `null` when it was collected or is out of scope.
    pub error: Option<CollectError>,
}

/// How and when the inventory was collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionMeta {
    /// Always `trailguard`.
    pub tool: String,
    /// The trailguard version that collected it.
    pub tool_version: String,
    /// When collection started.
    pub started_at: Timestamp,
    /// When collection finished.
    pub finished_at: Timestamp,
    /// The regions the user asked for (`--region`); empty means every enabled region.
    pub requested_regions: Vec<Region>,
}

/// One audited account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The account id.
    pub account_id: AccountId,
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: Partition,
    /// The identity the account was read as (`GetCallerIdentity`).
    pub caller_arn: Arn,
    /// Organization facts (`DescribeOrganization`); `null` when the account is in no organization.
    pub organization: Collected<Option<Organization>>,
    /// The regions enabled for the account in its partition (opt-in regions only when opted in).
    /// When they could not be read, the regions judged are the partition's default regions
    /// (enabled in every account) and the home regions of listed trails, and the opt-in regions
    /// are unknown (see [`TrailGap`] and CHECKS.md).
    pub enabled_regions: Collected<Vec<Region>>,
    /// `ListTrails`: every trail of the account with its home region, the authority on which
    /// trails exist. A listed trail missing from `trails` could not be described. An error
    /// when the listing was not available: discovery then asked `DescribeTrails` in each region
    /// instead (inventories before schema 1.2 did not record it).
    #[serde(default = "listing_not_recorded")]
    pub listed_trails: Collected<Vec<ListedTrail>>,
    /// Every region trails were discovered in, with what applies there.
    pub regions: Vec<RegionState>,
    /// Every trail seen, deduplicated by ARN, sorted by ARN.
    pub trails: Vec<Trail>,
    /// Every distinct bucket the trails deliver to, sorted by name.
    pub buckets: Vec<Bucket>,
    /// Every distinct KMS key the trails encrypt with, sorted by key id.
    pub kms_keys: Vec<KmsKey>,
    /// Every distinct CloudWatch Logs group the trails deliver to, with its metric filters and
    /// the alarms on their metrics, sorted by ARN. A trail's log group missing here (an
    /// inventory before schema 1.3) is added on load with its filters "not recorded".
    #[serde(default)]
    pub log_groups: Vec<LogGroup>,
    /// Every distinct SNS topic those alarms notify, with its subscriptions, sorted by ARN
    /// (none before schema 1.3).
    #[serde(default)]
    pub sns_topics: Vec<Topic>,
}

/// What an inventory of schema 1.1 says about `ListTrails`: nothing.
fn listing_not_recorded() -> Collected<Vec<ListedTrail>> {
    Collected::failed(CollectError {
        operation: "cloudtrail:ListTrails".to_owned(),
        kind: ErrorKind::Skipped,
        code: None,
        message: Some("not recorded (inventory schema 1.1)".to_owned()),
        http_status: None,
    })
}

/// Organization facts as one account sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// The organization id (`o-…`).
    pub id: String,
    /// The organization ARN.
    pub arn: Arn,
    /// The management account id.
    pub management_account_id: AccountId,
    /// Whether the audited account is the management account.
    pub is_management_account: bool,
    /// `FeatureSet`: `ALL` or `CONSOLIDATED_BILLING`.
    pub feature_set: String,
}

/// One region of an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionState {
    /// The region.
    pub region: Region,
    /// Whether the region is in the scan's scope (`--region`, or every enabled region). Trails
    /// are discovered across the whole account either way, so a multi-region trail homed
    /// outside the scope is still found.
    pub in_scope: bool,
    /// The trails this region sees, as `DescribeTrails` there shows them (its own, and shadow
    /// copies of multi-region trails): worked out from `ListTrails` and the trails'
    /// descriptions, or, where `ListTrails` is not allowed, what `DescribeTrails` in this
    /// region returned. An error means the region's trails are not known.
    pub discovered_trails: Collected<Vec<Arn>>,
    /// The trails that record this region's events (multi-region trails, and trails homed
    /// here), sorted by ARN.
    pub applicable_trails: Vec<Arn>,
}

/// Why an inventory file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read: missing, too large, or not UTF-8.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The file is not a valid inventory.
    #[error("{path}:{line}:{column}: invalid inventory: {message}")]
    Parse {
        /// The file.
        path: String,
        /// Line of the problem (1-based).
        line: usize,
        /// Column of the problem (1-based).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The file was written by an incompatible version.
    #[error(
        "{path}:{line}:{column}: inventory schema_version {found} is not supported (this trailguard reads {supported}.x)"
    )]
    Version {
        /// The file.
        path: String,
        /// Line of the `schema_version` value (1-based).
        line: usize,
        /// Column of the `schema_version` value (1-based).
        column: usize,
        /// The version found in the file.
        found: String,
        /// The major version this build reads.
        supported: String,
    },
}

impl Inventory {
    /// Reads and checks an inventory file. It is parsed as it is read, so memory holds the
    /// inventory but never also the file's text; the read stops at the size limit, at the
    /// first byte that is not UTF-8, or at the first that is not JSON.
    pub fn load(path: &Path) -> Result<Inventory, LoadError> {
        let origin = path.display().to_string();
        let mut reader = TextReader::open(path, InputKind::Inventory)?;
        let parsed = serde_json::from_reader::<_, Inventory>(std::io::BufReader::with_capacity(
            64 * 1024,
            &mut reader,
        ));
        if let Some(failure) = reader.take_failure() {
            return Err(failure.into());
        }
        let error = match parsed {
            Ok(mut inventory) if same_major(&inventory.schema_version) => {
                inventory.normalize();
                return Ok(inventory);
            }
            Ok(_) => None,
            Err(e) => Some(e),
        };
        // A mistake, or another version: rare, so the text is read again (where a regular file
        // allows it) to name the exact place, which the streamed parse cannot.
        if reader.is_regular() {
            let text = crate::files::read::read_text(path, InputKind::Inventory)?;
            return Self::from_json(&text, &origin);
        }
        Err(match error {
            Some(e) => LoadError::Parse {
                path: origin,
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            },
            None => version_error(&origin, TextPos::START, "another version".to_owned()),
        })
    }

    /// Parses an inventory from JSON text; `origin` names it in errors, always with the line
    /// and column of the problem.
    pub fn from_json(text: &str, origin: &str) -> Result<Inventory, LoadError> {
        let parse_error = |pos: TextPos, message: String| LoadError::Parse {
            path: origin.to_owned(),
            line: pos.line,
            column: pos.column,
            message,
        };
        match json_error::top_level(text) {
            None => return Err(parse_error(TextPos::START, "the file is empty".into())),
            Some((_, "an object" | "not JSON")) => {}
            Some((pos, kind)) => {
                return Err(parse_error(
                    pos,
                    format!("an inventory is a JSON object, not {kind}"),
                ));
            }
        }
        check_version(text, origin)?;
        let mut inventory: Inventory = serde_json::from_str(text).map_err(|e| {
            let (pos, message) = json_error::describe(text, &e);
            parse_error(pos, message)
        })?;
        inventory.normalize();
        Ok(inventory)
    }

    /// The inventory as pretty JSON with a trailing newline: byte-for-byte reproducible.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        text
    }

    /// In an organization scan, an organization trail is read once, in the account that owns
    /// it; every other scanned account sees that trail (and its bucket and key) with the
    /// owner's data, as not owned by it. AWS shows members a copy whose selectors they cannot
    /// read (CHECKS.md §2.4); the owner's reading is the authoritative one, so members inherit
    /// its coverage and its trail-level verdicts stay with the owner.
    pub fn share_organization_trails(&mut self) {
        if self.organization.is_none() {
            return;
        }
        let mut shared: Vec<SharedTrail> = Vec::new();
        for account in &self.accounts {
            for trail in account
                .trails
                .iter()
                .filter(|t| t.is_organization_trail && t.owned_by_audited_account)
            {
                let log_group = trail
                    .cloudwatch_logs_log_group_arn
                    .as_deref()
                    .and_then(|g| account.log_group(g))
                    .cloned();
                let topics = log_group
                    .iter()
                    .flat_map(LogGroup::alarms)
                    .flat_map(Alarm::sns_topics)
                    .filter_map(|t| account.sns_topic(t))
                    .cloned()
                    .collect();
                shared.push(SharedTrail {
                    trail: trail.clone(),
                    bucket: account.bucket_of(trail).cloned(),
                    key: account.key_of(trail).cloned(),
                    log_group,
                    topics,
                });
            }
        }
        for account in &mut self.accounts {
            for s in &shared {
                if s.trail.owner_account != account.account_id {
                    account.adopt(s);
                }
            }
        }
    }

    /// Sorts everything and recomputes the joins, so equal content gives equal bytes.
    pub fn normalize(&mut self) {
        for account in &mut self.accounts {
            account.normalize();
        }
        self.accounts
            .sort_by(|a, b| a.account_id.cmp(&b.account_id));
    }
}

/// An organization trail, with what it names, as its owner read them.
struct SharedTrail {
    trail: Trail,
    bucket: Option<Bucket>,
    key: Option<KmsKey>,
    log_group: Option<LogGroup>,
    topics: Vec<Topic>,
}

impl Account {
    /// Takes an organization trail owned by another account, and what it names that this
    /// account has no entry for.
    fn adopt(&mut self, shared: &SharedTrail) {
        let SharedTrail {
            trail,
            bucket,
            key,
            log_group,
            topics,
        } = shared;
        self.trails.retain(|t| t.arn != trail.arn);
        let mut copy = trail.clone();
        copy.owned_by_audited_account = false;
        self.trails.push(copy);
        if let Some(b) = bucket
            && self.bucket(&b.name).is_none()
        {
            let mut b = b.clone();
            let me = self.account_id.clone();
            b.owned_by_audited_account = b.owner_account.clone().map(|o| o.as_ref() == Some(&me));
            self.buckets.push(b);
        }
        if let Some(k) = key
            && self.kms_key(&k.key_id).is_none()
        {
            self.kms_keys.push(k.clone());
        }
        if let Some(g) = log_group
            && self.log_group(g.arn.as_str()).is_none()
        {
            self.log_groups.push(g.clone());
        }
        for t in topics {
            if self.sns_topic(t.arn.as_str()).is_none() {
                self.sns_topics.push(t.clone());
            }
        }
    }

    /// Sorts every list and computes which regions each trail applies to, and which trails
    /// use each bucket and key.
    pub fn normalize(&mut self) {
        let enabled: Vec<Region> = match &self.enabled_regions {
            Collected::Ok(list) => list.clone(),
            // Unknown enabled regions: fall back to the regions trails were looked for in.
            Collected::Failed { .. } => self.regions.iter().map(|r| r.region.clone()).collect(),
        };
        let enabled: BTreeSet<Region> = enabled.into_iter().collect();

        for trail in &mut self.trails {
            trail.seen_from_regions.sort();
            trail.seen_from_regions.dedup();
            trail.applies_to_regions = if trail.is_multi_region {
                enabled.iter().cloned().collect()
            } else {
                vec![trail.home_region.clone()]
            };
        }
        self.trails.sort_by(|a, b| a.arn.cmp(&b.arn));

        for state in &mut self.regions {
            if let Collected::Ok(list) = &mut state.discovered_trails {
                list.sort();
                list.dedup();
            }
            state.applicable_trails = self
                .trails
                .iter()
                .filter(|t| t.applies_to_regions.contains(&state.region))
                .map(|t| t.arn.clone())
                .collect();
        }
        self.regions.sort_by(|a, b| a.region.cmp(&b.region));
        if let Collected::Ok(list) = &mut self.listed_trails {
            list.sort();
            list.dedup();
        }

        let mut bucket_users: BTreeMap<&str, Vec<Arn>> = BTreeMap::new();
        let mut key_users: BTreeMap<&str, Vec<Arn>> = BTreeMap::new();
        for trail in &self.trails {
            if let Some(b) = &trail.s3_bucket_name {
                bucket_users.entry(b).or_default().push(trail.arn.clone());
            }
            if let Some(k) = &trail.kms_key_id {
                key_users.entry(k).or_default().push(trail.arn.clone());
            }
        }
        for bucket in &mut self.buckets {
            bucket.referenced_by = bucket_users
                .get(bucket.name.as_str())
                .cloned()
                .unwrap_or_default();
        }
        for key in &mut self.kms_keys {
            key.referenced_by = key_users
                .get(key.key_id.as_str())
                .cloned()
                .unwrap_or_default();
        }
        self.buckets.sort_by(|a, b| a.name.cmp(&b.name));
        self.kms_keys.sort_by(|a, b| a.key_id.cmp(&b.key_id));
        self.normalize_monitoring();
    }

    /// Gives every trail's log group an entry (its filters "not recorded" when the inventory
    /// has none), links log groups to their trails and topics to their alarms, and sorts.
    fn normalize_monitoring(&mut self) {
        let mut group_users: BTreeMap<Arn, Vec<Arn>> = BTreeMap::new();
        for trail in &self.trails {
            if let Some(g) = trail
                .cloudwatch_logs_log_group_arn
                .as_deref()
                .filter(|g| !g.is_empty())
            {
                let key = log_group_key(g);
                if !self.log_groups.iter().any(|l| l.arn == key) {
                    self.log_groups.push(LogGroup::not_recorded(g));
                }
                group_users.entry(key).or_default().push(trail.arn.clone());
            }
        }
        for group in &mut self.log_groups {
            group.referenced_by = group_users.remove(&group.arn).unwrap_or_default();
        }
        self.log_groups.sort_by(|a, b| a.arn.cmp(&b.arn));
        let mut topic_users: BTreeMap<&str, BTreeSet<Arn>> = BTreeMap::new();
        for alarm in self.log_groups.iter().flat_map(LogGroup::alarms) {
            for topic in alarm.sns_topics() {
                topic_users
                    .entry(topic)
                    .or_default()
                    .insert(alarm.arn.clone());
            }
        }
        for topic in &mut self.sns_topics {
            topic.referenced_by = topic_users
                .get(topic.arn.as_str())
                .map(|users| users.iter().cloned().collect())
                .unwrap_or_default();
        }
        self.sns_topics.sort_by(|a, b| a.arn.cmp(&b.arn));
    }

    /// The trail with this ARN.
    pub fn trail(&self, arn: &Arn) -> Option<&Trail> {
        self.trails.iter().find(|t| &t.arn == arn)
    }

    /// The bucket with this name.
    pub fn bucket(&self, name: &str) -> Option<&Bucket> {
        self.buckets.iter().find(|b| b.name == name)
    }

    /// The bucket `trail` delivers to, as this account's inventory has it.
    pub fn bucket_of(&self, trail: &Trail) -> Option<&Bucket> {
        self.bucket(trail.s3_bucket_name.as_deref()?)
    }

    /// The KMS key `trail` encrypts with, as this account's inventory has it.
    pub fn key_of(&self, trail: &Trail) -> Option<&KmsKey> {
        self.kms_key(trail.kms_key_id.as_deref()?)
    }

    /// The KMS key with this key id (as trails name it).
    pub fn kms_key(&self, key_id: &str) -> Option<&KmsKey> {
        self.kms_keys.iter().find(|k| k.key_id == key_id)
    }

    /// The log group a trail's `CloudWatchLogsLogGroupArn` names (with or without `:*`).
    pub fn log_group(&self, arn: &str) -> Option<&LogGroup> {
        let key = log_group_key(arn);
        self.log_groups.iter().find(|g| g.arn == key)
    }

    /// The SNS topic with this ARN.
    pub fn sns_topic(&self, arn: &str) -> Option<&Topic> {
        self.sns_topics.iter().find(|t| t.arn.as_str() == arn)
    }
}

fn major(version: &str) -> &str {
    version.split('.').next().unwrap_or_default()
}

fn same_major(version: &str) -> bool {
    major(version) == major(SCHEMA_VERSION)
}

fn version_error(origin: &str, pos: TextPos, found: String) -> LoadError {
    LoadError::Version {
        path: origin.to_owned(),
        line: pos.line,
        column: pos.column,
        found,
        supported: major(SCHEMA_VERSION).to_owned(),
    }
}

/// Refuses another major version before the shape is checked, so a future format gets this
/// message rather than its first unknown field.
fn check_version(text: &str, origin: &str) -> Result<(), LoadError> {
    #[derive(Deserialize)]
    struct VersionOnly {
        schema_version: Option<String>,
    }
    let Ok(VersionOnly {
        schema_version: Some(found),
    }) = serde_json::from_str(text)
    else {
        // No readable version: the full parse names what is wrong.
        return Ok(());
    };
    if same_major(&found) {
        return Ok(());
    }
    let pos = json_error::top_level_value_position(text, "schema_version");
    Err(version_error(origin, pos, found))
}

impl Account {
    /// The gaps in this account's trail discovery, in inventory order.
    ///
    /// With a listing, exactly the listed trails that were not described. Without one, each
    /// region whose `DescribeTrails` failed, and — when the enabled regions are unknown too —
    /// the regions that were never asked.
    pub fn trail_gaps(&self) -> Vec<TrailGap> {
        match &self.listed_trails {
            Collected::Ok(listed) => listed
                .iter()
                .filter(|t| self.trail(&t.arn).is_none())
                .map(|t| TrailGap::Trail {
                    arn: t.arn.clone(),
                    home_region: t.home_region.clone(),
                    error: self
                        .region_failure(&t.home_region)
                        .cloned()
                        .unwrap_or_else(|| not_described(&t.arn)),
                })
                .collect(),
            Collected::Failed { .. } => {
                let mut gaps: Vec<TrailGap> = self
                    .regions
                    .iter()
                    .filter_map(|r| {
                        r.discovered_trails.error().map(|e| TrailGap::Region {
                            region: r.region.clone(),
                            error: e.clone(),
                        })
                    })
                    .collect();
                if let Some(error) = self.enabled_regions.error() {
                    gaps.push(TrailGap::UnlistedRegions {
                        error: error.clone(),
                    });
                }
                gaps
            }
        }
    }

    fn region_failure(&self, region: &Region) -> Option<&CollectError> {
        self.regions
            .iter()
            .find(|r| &r.region == region)
            .and_then(|r| r.discovered_trails.error())
    }
}

/// The JSON Schema of the inventory format, generated from these types.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Inventory)).unwrap_or_default()
}

#[cfg(test)]
mod tests;
