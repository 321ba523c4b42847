//! Trail buckets: located once, then every configuration read in the bucket's own region.

use std::future::Future;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::types as s3;

use super::ctx::Ctx;
use super::error::{collect_error, skipped};
use crate::inventory::{
    AccessLogging, AclGrant, Bucket, BucketPolicy, CollectError, Collected, DefaultEncryption,
    DefaultRetention, ObjectLock, PublicAccessBlock, Region, Versioning,
};

/// Where a bucket is, or that it is gone.
pub enum Located {
    At(Region),
    Missing,
    /// S3 answers 403 to HeadBucket when the bucket exists but is not the caller's to read.
    Forbidden(CollectError),
    Unknown(CollectError),
}

/// Reads everything about one bucket.
pub async fn bucket(ctx: &Ctx, name: String) -> Bucket {
    let located = locate(ctx, &name).await;
    let region = match located {
        Located::At(region) => region,
        Located::Missing => {
            let gone = skipped("s3:*", "the bucket does not exist");
            return unreadable(name, Collected::Ok(false), &gone);
        }
        // Without the bucket's region every read would go to the wrong endpoint; keep the
        // reason (typically AccessDenied: a bucket in another account) on every field.
        Located::Forbidden(err) => return unreadable(name, Collected::Ok(true), &err),
        Located::Unknown(err) => return unreadable(name, Collected::failed(err.clone()), &err),
    };

    let (
        object_lock,
        versioning,
        public_access_block,
        policy_is_public,
        policy,
        acl_public_grants,
        object_ownership,
        access_logging,
        default_encryption,
    ) = settings(ctx, &region, &name).await;
    Bucket {
        name,
        referenced_by: vec![],
        exists: Collected::Ok(true),
        owner_account: Collected::Ok(None),
        owned_by_audited_account: Collected::Ok(false),
        region: Collected::Ok(region),
        object_lock,
        versioning,
        public_access_block,
        policy_is_public,
        policy,
        acl_public_grants,
        object_ownership,
        access_logging,
        default_encryption,
    }
}

/// A located bucket's nine configuration reads, in [`Bucket`]'s field order (the nine types
/// differ, so the compiler checks the order).
type Settings = (
    Collected<ObjectLock>,
    Collected<Versioning>,
    Collected<Option<PublicAccessBlock>>,
    Collected<bool>,
    Collected<Option<BucketPolicy>>,
    Collected<Vec<AclGrant>>,
    Collected<Option<String>>,
    Collected<Option<AccessLogging>>,
    Collected<Option<DefaultEncryption>>,
);

/// Every configuration read at once, in the bucket's region: they are independent. A flat
/// table, one entry per read: operation, request, the codes that mean "not configured", the
/// value they stand for, and the conversion of an answer.
async fn settings(ctx: &Ctx, region: &Region, b: &str) -> Settings {
    let s3c = ctx.clients.s3(region.as_str());
    tokio::join!(
        read(
            ctx,
            "s3:GetObjectLockConfiguration",
            s3c.get_object_lock_configuration().bucket(b).send(),
            &["ObjectLockConfigurationNotFoundError"],
            ObjectLock::default,
            |o| object_lock_from(o.object_lock_configuration()),
        ),
        read(
            ctx,
            "s3:GetBucketVersioning",
            s3c.get_bucket_versioning().bucket(b).send(),
            &[],
            unreachable_default,
            |o| versioning_from(o.status(), o.mfa_delete()),
        ),
        read(
            ctx,
            "s3:GetPublicAccessBlock",
            s3c.get_public_access_block().bucket(b).send(),
            &["NoSuchPublicAccessBlockConfiguration"],
            || None,
            |o| o.public_access_block_configuration().map(pab_from),
        ),
        read(
            ctx,
            "s3:GetBucketPolicyStatus",
            s3c.get_bucket_policy_status().bucket(b).send(),
            &["NoSuchBucketPolicy"],
            || false,
            |o| o
                .policy_status()
                .and_then(|p| p.is_public())
                .unwrap_or(false),
        ),
        read(
            ctx,
            "s3:GetBucketPolicy",
            s3c.get_bucket_policy().bucket(b).send(),
            &["NoSuchBucketPolicy"],
            || None,
            |o| o.policy().map(BucketPolicy::from_document),
        ),
        read(
            ctx,
            "s3:GetBucketAcl",
            s3c.get_bucket_acl().bucket(b).send(),
            &[],
            Vec::new,
            |o| public_grants_from(o.grants()),
        ),
        read(
            ctx,
            "s3:GetBucketOwnershipControls",
            s3c.get_bucket_ownership_controls().bucket(b).send(),
            &["OwnershipControlsNotFoundError"],
            || None,
            |o| ownership_from(o.ownership_controls()),
        ),
        read(
            ctx,
            "s3:GetBucketLogging",
            s3c.get_bucket_logging().bucket(b).send(),
            &[],
            || None,
            |o| logging_from(o.logging_enabled()),
        ),
        read(
            ctx,
            "s3:GetBucketEncryption",
            s3c.get_bucket_encryption().bucket(b).send(),
            &["ServerSideEncryptionConfigurationNotFoundError"],
            || None,
            |o| encryption_from(o.server_side_encryption_configuration()),
        ),
    )
}

/// `s3:ListBuckets`: the names of the buckets the account owns.
pub async fn owned_bucket_names(ctx: &Ctx) -> Collected<Vec<String>> {
    let _permit = ctx.permit().await;
    let client = ctx.clients.s3(&ctx.clients.home_region());
    match client.list_buckets().send().await {
        Ok(out) => Collected::Ok(
            out.buckets()
                .iter()
                .filter_map(|b| b.name())
                .map(str::to_owned)
                .collect(),
        ),
        Err(e) => Collected::failed(collect_error("s3:ListBuckets", &e)),
    }
}

/// A bucket none of whose configuration could be read, each field carrying `why`.
fn unreadable(name: String, exists: Collected<bool>, why: &CollectError) -> Bucket {
    fn f<T>(why: &CollectError) -> Collected<T> {
        Collected::failed(why.clone())
    }
    Bucket {
        name,
        referenced_by: vec![],
        exists,
        owner_account: Collected::Ok(None),
        owned_by_audited_account: Collected::Ok(false),
        region: f(why),
        object_lock: f(why),
        versioning: f(why),
        public_access_block: f(why),
        policy_is_public: f(why),
        policy: f(why),
        acl_public_grants: f(why),
        object_ownership: f(why),
        access_logging: f(why),
        default_encryption: f(why),
    }
}

/// Versioning has no "not configured" error, so its absent value is never used.
fn unreachable_default() -> Versioning {
    Versioning {
        status: "Disabled".into(),
        mfa_delete: false,
    }
}

/// One read: the value, the documented "not configured" answer as a value, or the error.
async fn read<O, E, T>(
    ctx: &Ctx,
    operation: &str,
    call: impl Future<Output = Result<O, SdkError<E>>>,
    not_configured: &[&str],
    absent: impl FnOnce() -> T,
    convert: impl FnOnce(O) -> T,
) -> Collected<T>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let _permit = ctx.permit().await;
    match call.await {
        Ok(out) => Collected::Ok(convert(out)),
        Err(e) if e.code().is_some_and(|c| not_configured.contains(&c)) => Collected::Ok(absent()),
        Err(e) => Collected::failed(collect_error(operation, &e)),
    }
}

/// HeadBucket from the account's home region; its answer names the bucket's region. Real S3
/// answers a request to the wrong region with 301 (or 403 for another account's bucket) and the
/// `x-amz-bucket-region` header, which the SDK does not follow, so read the header from errors.
pub async fn locate(ctx: &Ctx, name: &str) -> Located {
    let client = ctx.clients.s3(&ctx.clients.home_region());
    let head = {
        let _permit = ctx.permit().await;
        client.head_bucket().bucket(name).send().await
    };
    let err = match head {
        Ok(out) => {
            if let Some(region) = out.bucket_region().filter(|r| !r.is_empty()) {
                return Located::At(Region::from(region));
            }
            None
        }
        Err(e) => {
            let header = e
                .raw_response()
                .and_then(|r| r.headers().get("x-amz-bucket-region"))
                .map(str::to_owned);
            if let Some(region) = header.filter(|r| !r.is_empty()) {
                return Located::At(Region::from(region));
            }
            let not_found = e.as_service_error().is_some_and(|s| s.is_not_found())
                || e.raw_response().is_some_and(|r| r.status().as_u16() == 404);
            if not_found {
                return Located::Missing;
            }
            Some(collect_error("s3:HeadBucket", &e))
        }
    };
    // No region from HeadBucket: ask GetBucketLocation.
    let _permit = ctx.permit().await;
    match client.get_bucket_location().bucket(name).send().await {
        Ok(out) => Located::At(location_from(out.location_constraint())),
        Err(e) if e.code() == Some("NoSuchBucket") => Located::Missing,
        Err(e) => match err {
            // HeadBucket's 403 means "exists, not yours" (a 404 would mean gone).
            Some(head) if head.kind == crate::inventory::ErrorKind::AccessDenied => {
                Located::Forbidden(head)
            }
            head => {
                Located::Unknown(head.unwrap_or_else(|| collect_error("s3:GetBucketLocation", &e)))
            }
        },
    }
}

/// `GetBucketLocation` answers `""` for us-east-1 and the legacy `EU` for eu-west-1.
pub fn location_from(constraint: Option<&s3::BucketLocationConstraint>) -> Region {
    match constraint.map(|c| c.as_str()) {
        None | Some("") => Region::from("us-east-1"),
        Some("EU") => Region::from("eu-west-1"),
        Some(other) => Region::from(other),
    }
}

/// Object lock protects CloudTrail logs only with a default retention rule.
pub fn object_lock_from(conf: Option<&s3::ObjectLockConfiguration>) -> ObjectLock {
    let Some(conf) = conf else {
        return ObjectLock::default();
    };
    let default_retention = conf
        .rule()
        .and_then(|r| r.default_retention())
        .and_then(|d| {
            let mode = d.mode()?.as_str().to_owned();
            let days = d.days().filter(|d| *d > 0).unwrap_or(0);
            let years = d.years().filter(|y| *y > 0).unwrap_or(0);
            let period_days = u32::try_from(days).unwrap_or(0)
                + u32::try_from(years).unwrap_or(0).saturating_mul(365);
            Some(DefaultRetention { mode, period_days })
        });
    ObjectLock {
        enabled: matches!(
            conf.object_lock_enabled(),
            Some(s3::ObjectLockEnabled::Enabled)
        ),
        default_retention,
    }
}

/// Versioning status; a bucket never versioned has no status.
pub fn versioning_from(
    status: Option<&s3::BucketVersioningStatus>,
    mfa: Option<&s3::MfaDeleteStatus>,
) -> Versioning {
    Versioning {
        status: status.map_or("Disabled", |s| s.as_str()).to_owned(),
        mfa_delete: matches!(mfa, Some(s3::MfaDeleteStatus::Enabled)),
    }
}

/// The four flags; a flag missing from the answer is off.
pub fn pab_from(c: &s3::PublicAccessBlockConfiguration) -> PublicAccessBlock {
    PublicAccessBlock {
        block_public_acls: c.block_public_acls().unwrap_or(false),
        ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
        block_public_policy: c.block_public_policy().unwrap_or(false),
        restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
    }
}

/// Grants to the `AllUsers` and `AuthenticatedUsers` groups.
pub fn public_grants_from(grants: &[s3::Grant]) -> Vec<AclGrant> {
    let mut out: Vec<AclGrant> = grants
        .iter()
        .filter_map(|g| {
            let uri = g.grantee()?.uri()?;
            let group = if uri.ends_with("/global/AllUsers") {
                "AllUsers"
            } else if uri.ends_with("/global/AuthenticatedUsers") {
                "AuthenticatedUsers"
            } else {
                return None;
            };
            Some(AclGrant {
                grantee: group.to_owned(),
                permission: g.permission().map_or("UNKNOWN", |p| p.as_str()).to_owned(),
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.grantee, &a.permission).cmp(&(&b.grantee, &b.permission)));
    out.dedup();
    out
}

/// The object ownership setting.
pub fn ownership_from(c: Option<&s3::OwnershipControls>) -> Option<String> {
    c?.rules()
        .first()
        .map(|r| r.object_ownership().as_str().to_owned())
}

/// The access-logging target.
pub fn logging_from(l: Option<&s3::LoggingEnabled>) -> Option<AccessLogging> {
    let l = l?;
    Some(AccessLogging {
        target_bucket: l.target_bucket().to_owned(),
        target_prefix: l.target_prefix().to_owned(),
    })
}

/// The default encryption rule.
pub fn encryption_from(
    c: Option<&s3::ServerSideEncryptionConfiguration>,
) -> Option<DefaultEncryption> {
    let rule = c?.rules().first()?;
    let by_default = rule.apply_server_side_encryption_by_default()?;
    Some(DefaultEncryption {
        algorithm: by_default.sse_algorithm().as_str().to_owned(),
        kms_key_id: by_default.kms_master_key_id().map(str::to_owned),
        bucket_key_enabled: rule.bucket_key_enabled().unwrap_or(false),
    })
}

#[cfg(test)]
#[path = "buckets_tests.rs"]
mod tests;
