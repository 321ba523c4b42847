//! KMS keys used by trails: one entry per distinct key, read once in its own region.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Arn, Collected, Region};

/// A KMS key named by at least one trail's `KmsKeyId`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    /// The `KmsKeyId` as the trail names it (an ARN, or an alias).
    pub key_id: String,
    /// The region the key lives in (from its ARN; the trail's home region otherwise).
    pub region: Region,
    /// The trails that encrypt with this key.
    pub referenced_by: Vec<Arn>,
    /// `DescribeKey`.
    pub metadata: Collected<KeyMetadata>,
    /// `GetKeyRotationStatus.KeyRotationEnabled`.
    pub rotation_enabled: Collected<bool>,
}

/// The `DescribeKey` fields rules use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyMetadata {
    /// `Arn`.
    pub arn: Arn,
    /// `KeyState`: `Enabled`, `Disabled`, `PendingDeletion`, …
    pub state: String,
    /// `KeyManager`: `CUSTOMER` or `AWS`.
    pub manager: String,
    /// `KeySpec`, e.g. `SYMMETRIC_DEFAULT`.
    pub spec: String,
    /// `KeyUsage`, e.g. `ENCRYPT_DECRYPT`.
    pub usage: String,
}
