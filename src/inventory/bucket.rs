//! Trail buckets: one entry per distinct bucket, read once in its own region.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AccountId, Arn, Collected, Region};

/// A bucket that at least one trail delivers to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    /// The bucket name.
    pub name: String,
    /// The trails that deliver to this bucket.
    pub referenced_by: Vec<Arn>,
    /// Whether the bucket exists (`HeadBucket`; `false` on NotFound / NoSuchBucket).
    pub exists: Collected<bool>,
    /// The audited account that owns the bucket (from each scanned account's `ListBuckets`);
    /// `null` when no scanned account owns it — a log-archive account outside the scan.
    pub owner_account: Collected<Option<AccountId>>,
    /// Whether the account this inventory entry belongs to owns the bucket.
    pub owned_by_audited_account: Collected<bool>,
    /// The bucket's region, when it exists and could be located.
    pub region: Collected<Region>,
    /// Object Lock configuration (`GetObjectLockConfiguration`; not configured → disabled).
    pub object_lock: Collected<ObjectLock>,
    /// Versioning and MFA Delete (`GetBucketVersioning`).
    pub versioning: Collected<Versioning>,
    /// The bucket's public access block (`GetPublicAccessBlock`; `null` when not configured).
    pub public_access_block: Collected<Option<PublicAccessBlock>>,
    /// `GetBucketPolicyStatus.IsPublic`: AWS's own evaluation of the bucket policy
    /// (`false` when the bucket has no policy).
    pub policy_is_public: Collected<bool>,
    /// The bucket policy (`GetBucketPolicy`; `null` when there is none).
    pub policy: Collected<Option<BucketPolicy>>,
    /// ACL grants to everyone or to any authenticated AWS user (`GetBucketAcl`).
    pub acl_public_grants: Collected<Vec<AclGrant>>,
    /// `GetBucketOwnershipControls` object ownership (`BucketOwnerEnforced` disables ACLs;
    /// `null` when not configured).
    pub object_ownership: Collected<Option<String>>,
    /// Server access logging (`GetBucketLogging`; `null` when off).
    pub access_logging: Collected<Option<AccessLogging>>,
    /// Default encryption (`GetBucketEncryption`; `null` when not configured).
    pub default_encryption: Collected<Option<DefaultEncryption>>,
}

/// Object Lock as it protects trail logs: enabled, and with a default retention rule.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectLock {
    /// `ObjectLockEnabled == Enabled`.
    pub enabled: bool,
    /// The default retention rule; without one, CloudTrail's objects are not locked.
    pub default_retention: Option<DefaultRetention>,
}

/// A default retention rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultRetention {
    /// `GOVERNANCE` or `COMPLIANCE`.
    pub mode: String,
    /// The retention period in days (years converted at 365 days each).
    pub period_days: u32,
}

/// Versioning state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Versioning {
    /// `Enabled`, `Suspended`, or `Disabled` (never enabled).
    pub status: String,
    /// Whether MFA Delete is enabled.
    pub mfa_delete: bool,
}

/// The four public access block flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlock {
    /// `BlockPublicAcls`.
    pub block_public_acls: bool,
    /// `IgnorePublicAcls`.
    pub ignore_public_acls: bool,
    /// `BlockPublicPolicy`.
    pub block_public_policy: bool,
    /// `RestrictPublicBuckets`.
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// All four flags set.
    pub fn all(&self) -> bool {
        self.block_public_acls
            && self.ignore_public_acls
            && self.block_public_policy
            && self.restrict_public_buckets
    }
}

/// The parts of a bucket policy the rules look at, plus the document itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketPolicy {
    /// The policy has a `Deny` statement for requests with `aws:SecureTransport = false`.
    pub denies_insecure_transport: bool,
    /// The policy document as returned (parsed JSON; a string when it was not valid JSON).
    pub document: serde_json::Value,
}

impl BucketPolicy {
    /// Parses a policy document and derives the flags rules use.
    pub fn from_document(text: &str) -> Self {
        let document = serde_json::from_str(text)
            .unwrap_or_else(|_| serde_json::Value::String(text.to_owned()));
        BucketPolicy {
            denies_insecure_transport: denies_insecure_transport(&document),
            document,
        }
    }
}

fn denies_insecure_transport(doc: &serde_json::Value) -> bool {
    let statements = match doc.get("Statement") {
        Some(serde_json::Value::Array(list)) => list.iter().collect::<Vec<_>>(),
        Some(single @ serde_json::Value::Object(_)) => vec![single],
        _ => return false,
    };
    statements.iter().any(|st| {
        let deny = st.get("Effect").and_then(|e| e.as_str()) == Some("Deny");
        let cond = st
            .get("Condition")
            .and_then(|c| c.get("Bool"))
            .and_then(|b| b.get("aws:SecureTransport"));
        let is_false = match cond {
            Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("false"),
            Some(serde_json::Value::Bool(b)) => !b,
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("false"))),
            _ => false,
        };
        deny && is_false
    })
}

/// An ACL grant to a public group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AclGrant {
    /// `AllUsers` or `AuthenticatedUsers`.
    pub grantee: String,
    /// The permission granted (`READ`, `WRITE`, `FULL_CONTROL`, …).
    pub permission: String,
}

/// Server access logging target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessLogging {
    /// `TargetBucket`.
    pub target_bucket: String,
    /// `TargetPrefix`.
    pub target_prefix: String,
}

/// Default encryption of new objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultEncryption {
    /// `SSEAlgorithm`: `AES256`, `aws:kms`, `aws:kms:dsse`.
    pub algorithm: String,
    /// `KMSMasterKeyID`, for SSE-KMS.
    pub kms_key_id: Option<String>,
    /// `BucketKeyEnabled`.
    pub bucket_key_enabled: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_transport_deny_detected() {
        let p = BucketPolicy::from_document(
            r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",
                "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
        );
        assert!(p.denies_insecure_transport);
        let allow = BucketPolicy::from_document(
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*",
                "Condition":{"Bool":{"aws:SecureTransport":"false"}}}}"#,
        );
        assert!(!allow.denies_insecure_transport);
        let junk = BucketPolicy::from_document("not json");
        assert!(!junk.denies_insecure_transport);
        assert_eq!(junk.document, serde_json::Value::String("not json".into()));
    }
}
