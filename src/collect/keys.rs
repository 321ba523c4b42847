//! KMS keys named by trails: `DescribeKey`, then `GetKeyRotationStatus`, in the key's region.

use aws_sdk_kms::types as kms;

use super::ctx::Ctx;
use super::error::{collect_error, skipped};
use crate::inventory::{Arn, Collected, KeyMetadata, KmsKey, Region};

/// The region a trail's `KmsKeyId` lives in: from its ARN, else the trail's home region.
pub fn key_region(key_id: &str, trail_home: &Region) -> Region {
    Arn::from(key_id)
        .region()
        .map_or_else(|| trail_home.clone(), Region::from)
}

/// Reads one key.
pub async fn key(ctx: &Ctx, key_id: String, region: Region) -> KmsKey {
    let client = ctx.clients.kms(region.as_str());
    let described = {
        let _p = ctx.permit().await;
        client.describe_key().key_id(&key_id).send().await
    };
    let metadata: Collected<KeyMetadata> = match &described {
        Ok(out) => match out.key_metadata() {
            Some(m) => Collected::Ok(metadata_from(m)),
            None => Collected::failed(skipped("kms:DescribeKey", "the answer had no key metadata")),
        },
        Err(e) => Collected::failed(collect_error("kms:DescribeKey", e)),
    };
    let rotation_enabled = match metadata.ok() {
        // Rotation status takes a key id or ARN, never an alias: use the ARN DescribeKey gave.
        Some(m) => {
            let _p = ctx.permit().await;
            match client
                .get_key_rotation_status()
                .key_id(m.arn.as_str())
                .send()
                .await
            {
                Ok(out) => Collected::Ok(out.key_rotation_enabled()),
                Err(e) => Collected::failed(collect_error("kms:GetKeyRotationStatus", &e)),
            }
        }
        None => Collected::failed(skipped(
            "kms:GetKeyRotationStatus",
            "the key could not be described",
        )),
    };
    KmsKey {
        key_id,
        region,
        referenced_by: vec![],
        metadata,
        rotation_enabled,
    }
}

/// Converts `DescribeKey`'s metadata.
pub fn metadata_from(m: &kms::KeyMetadata) -> KeyMetadata {
    KeyMetadata {
        arn: Arn::from(m.arn().unwrap_or(m.key_id())),
        state: m.key_state().map_or("Unknown", |s| s.as_str()).to_owned(),
        manager: m
            .key_manager()
            .map_or("CUSTOMER", |s| s.as_str())
            .to_owned(),
        spec: m
            .key_spec()
            .map_or("SYMMETRIC_DEFAULT", |s| s.as_str())
            .to_owned(),
        usage: m
            .key_usage()
            .map_or("ENCRYPT_DECRYPT", |s| s.as_str())
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_from_arn_or_trail() {
        let home = Region::from("eu-west-1");
        assert_eq!(
            key_region("arn:aws:kms:us-east-1:1:key/abc", &home).as_str(),
            "us-east-1"
        );
        assert_eq!(key_region("alias/trail", &home).as_str(), "eu-west-1");
        assert_eq!(key_region("1234abcd-12ab", &home).as_str(), "eu-west-1");
    }

    #[test]
    fn metadata_conversion() {
        let m = kms::KeyMetadata::builder()
            .key_id("abc")
            .arn("arn:aws:kms:us-east-1:1:key/abc")
            .key_state(kms::KeyState::PendingDeletion)
            .key_manager(kms::KeyManagerType::Customer)
            .key_spec(kms::KeySpec::SymmetricDefault)
            .key_usage(kms::KeyUsageType::EncryptDecrypt)
            .build()
            .expect("metadata");
        let got = metadata_from(&m);
        assert_eq!(got.state, "PendingDeletion");
        assert_eq!(got.manager, "CUSTOMER");
        assert_eq!(got.spec, "SYMMETRIC_DEFAULT");
        assert_eq!(got.arn.as_str(), "arn:aws:kms:us-east-1:1:key/abc");
    }
}
