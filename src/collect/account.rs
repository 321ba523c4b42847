//! Account-level facts: identity, organization, enabled regions.

use aws_sdk_ec2::operation::describe_regions::{DescribeRegionsError, DescribeRegionsOutput};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

use super::ctx::Ctx;
use super::error::{collect_error, error_chain, skipped};
use crate::inventory::{
    AccountId, Arn, CollectError, Collected, ErrorKind, Organization, Partition, Region,
};

/// Who the credentials belong to (`sts:GetCallerIdentity`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The account id.
    pub account_id: AccountId,
    /// The caller ARN.
    pub arn: Arn,
    /// The partition, from the caller ARN.
    pub partition: Partition,
}

/// `sts:GetCallerIdentity`; on failure the classified error and the full explanation.
pub async fn identify(ctx: &Ctx) -> Result<Identity, (CollectError, String)> {
    let answer = {
        let _p = ctx.permit().await;
        ctx.clients.sts().get_caller_identity().send().await
    };
    match answer {
        Ok(out) => identity_from(out.account(), out.arn()).ok_or_else(|| {
            let err = skipped("sts:GetCallerIdentity", "the answer named no account");
            (err, "sts:GetCallerIdentity returned no account".to_owned())
        }),
        Err(e) => Err((collect_error("sts:GetCallerIdentity", &e), error_chain(&e))),
    }
}

/// Builds the identity from `GetCallerIdentity`'s answer.
pub fn identity_from(account: Option<&str>, arn: Option<&str>) -> Option<Identity> {
    let arn = Arn::from(arn?);
    let partition = Partition::from(arn.partition().unwrap_or("aws"));
    let account_id = AccountId::from(account.or_else(|| arn.account())?);
    Some(Identity {
        account_id,
        arn,
        partition,
    })
}

/// `organizations:DescribeOrganization`; `None` when the account is in no organization.
pub async fn organization(ctx: &Ctx, me: &AccountId) -> Collected<Option<Organization>> {
    describe_organization(ctx)
        .await
        .map(|o| o.and_then(|o| organization_from(&o, me)))
}

/// `organizations:DescribeOrganization` as the SDK returns it, for callers that learn who
/// they are at the same time.
pub async fn describe_organization(
    ctx: &Ctx,
) -> Collected<Option<aws_sdk_organizations::types::Organization>> {
    let _permit = ctx.permit().await;
    match ctx
        .clients
        .organizations()
        .describe_organization()
        .send()
        .await
    {
        Ok(out) => Collected::Ok(out.organization().cloned()),
        Err(e) if e.code() == Some("AWSOrganizationsNotInUseException") => Collected::Ok(None),
        Err(e) => Collected::failed(collect_error("organizations:DescribeOrganization", &e)),
    }
}

/// Converts the SDK's organization into ours.
pub fn organization_from(
    org: &aws_sdk_organizations::types::Organization,
    me: &AccountId,
) -> Option<Organization> {
    let management = AccountId::from(org.master_account_id()?);
    Some(Organization {
        id: org.id()?.to_owned(),
        arn: Arn::from(org.arn()?),
        is_management_account: &management == me,
        management_account_id: management,
        feature_set: org.feature_set().map_or("ALL", |f| f.as_str()).to_owned(),
    })
}

/// The enabled regions from `ec2:DescribeRegions`' answer. An answer that lists no enabled
/// region at all is not one to trust (judging nothing would pass): it is a failure.
pub fn enabled_regions(
    answer: Result<DescribeRegionsOutput, SdkError<DescribeRegionsError>>,
    partition: &Partition,
) -> Collected<Vec<Region>> {
    let enabled = match answer {
        Ok(out) => enabled_from(
            out.regions()
                .iter()
                .map(|r| (r.region_name(), r.opt_in_status())),
            partition,
        ),
        Err(e) => return Collected::failed(collect_error("ec2:DescribeRegions", &e)),
    };
    if enabled.is_empty() {
        return Collected::failed(CollectError {
            operation: "ec2:DescribeRegions".to_owned(),
            kind: ErrorKind::Unknown,
            code: None,
            message: Some(format!(
                "the answer lists no enabled region of partition {partition}"
            )),
            http_status: None,
        });
    }
    Collected::Ok(enabled)
}

/// Keeps the regions that are enabled (opt-in not required, or opted in) and in the partition.
/// Some endpoints list regions of every partition and regions not opted in; filter here.
pub fn enabled_from<'a>(
    regions: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>,
    partition: &Partition,
) -> Vec<Region> {
    let mut out: Vec<Region> = regions
        .filter(|(_, status)| {
            matches!(
                status.unwrap_or("opt-in-not-required"),
                "opt-in-not-required" | "opted-in"
            )
        })
        .filter_map(|(name, _)| name)
        .filter(|name| region_partition(name) == partition.as_str())
        .map(Region::from)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The partition a region belongs to.
pub fn region_partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

/// A short description of a fatal identity failure, for the one-line error.
pub fn describe_identity_failure(err: &CollectError, detail: &str) -> String {
    // A failing credential_process or a --profile without credentials, said by profile.rs.
    if let Some(explained) = super::profile::explanation(detail) {
        return explained.to_owned();
    }
    let lower = detail.to_ascii_lowercase();
    // The SDK's own wording when the default chain found nothing at all.
    if lower.contains("credential provider was not enabled")
        || lower.contains("no providers in chain provided credentials")
    {
        "no AWS credentials found (looked in the environment, the AWS config and credentials files, SSO, web identity and instance metadata); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY".to_owned()
    } else if lower.contains("not properly configured") {
        format!("the AWS credentials are not properly configured: {detail}")
    } else {
        match err.kind {
            ErrorKind::Network | ErrorKind::Timeout => {
                format!("cannot reach the AWS endpoint: {detail}")
            }
            _ => format!("cannot identify the caller (sts:GetCallerIdentity): {err}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_failures_read_as_what_they_are() {
        let err = |kind| CollectError {
            operation: "sts:GetCallerIdentity".into(),
            kind,
            code: None,
            message: None,
            http_status: None,
        };
        use crate::inventory::ErrorKind::*;
        let none = "dispatch failure: other: the credential provider was not enabled: no providers in chain provided credentials";
        assert!(
            describe_identity_failure(&err(AccessDenied), none)
                .starts_with("no AWS credentials found")
        );
        let unreachable = "dispatch failure: other: an error occurred while loading credentials: dispatch failure: io error: tcp connect error: Connection refused";
        assert!(
            describe_identity_failure(&err(Network), unreachable)
                .starts_with("cannot reach the AWS endpoint")
        );
        let refused = "dispatch failure: other: an error occurred while loading credentials: service error: not authorized to perform sts:AssumeRole";
        assert!(
            describe_identity_failure(&err(AccessDenied), refused)
                .starts_with("cannot identify the caller")
        );
        let bad = "the credentials provider was not properly configured: profile 'x' not found";
        assert!(
            describe_identity_failure(&err(AccessDenied), bad)
                .starts_with("the AWS credentials are not properly configured")
        );
    }

    #[test]
    fn identity_partition_from_arn() {
        let id = identity_from(
            Some("123456789012"),
            Some("arn:aws-us-gov:iam::123456789012:user/a"),
        )
        .expect("identity");
        assert_eq!(id.partition.as_str(), "aws-us-gov");
        assert_eq!(id.account_id.as_str(), "123456789012");
        assert!(identity_from(Some("1"), None).is_none());
    }

    #[test]
    fn regions_filtered_by_opt_in_and_partition() {
        let raw = [
            (Some("us-east-1"), Some("opt-in-not-required")),
            (Some("af-south-1"), Some("opted-in")),
            (Some("ap-east-1"), Some("not-opted-in")),
            (Some("cn-north-1"), Some("opt-in-not-required")),
            (Some("us-gov-west-1"), Some("opt-in-not-required")),
            (Some("eu-west-1"), None),
            (None, Some("opted-in")),
        ];
        let got = enabled_from(raw.iter().copied(), &Partition::from("aws"));
        let names: Vec<&str> = got.iter().map(Region::as_str).collect();
        assert_eq!(names, ["af-south-1", "eu-west-1", "us-east-1"]);
        let cn = enabled_from(raw.iter().copied(), &Partition::from("aws-cn"));
        assert_eq!(cn, vec![Region::from("cn-north-1")]);
    }

    #[test]
    fn organization_conversion() {
        let org = aws_sdk_organizations::types::Organization::builder()
            .id("o-abc123")
            .arn("arn:aws:organizations::111111111111:organization/o-abc123")
            .master_account_id("111111111111")
            .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
            .build();
        let mgmt = organization_from(&org, &AccountId::from("111111111111")).expect("org");
        assert!(mgmt.is_management_account);
        assert_eq!(mgmt.feature_set, "ALL");
        let member = organization_from(&org, &AccountId::from("222222222222")).expect("org");
        assert!(!member.is_management_account);
        assert_eq!(member.management_account_id.as_str(), "111111111111");
    }
}
