//! The subject of each scope: the JSON object a rule's paths read ("views").
//!
//! Views are built from the inventory with the joins a rule needs already done (a trail's bucket
//! and key, a region's applicable trails), so the rule language needs no joins. They derive
//! `JsonSchema`: the path table that validates rules at load time is generated from these types
//! ([`super::fields`]), so the valid paths and the evaluated data cannot drift apart.

use schemars::JsonSchema;
use serde::Serialize;

use crate::inventory::{
    AccountId, Bucket, Collected, KmsKey, Organization, OrganizationAccount, Partition,
    RegionState, Trail,
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
