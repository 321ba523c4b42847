//! Options that say which AWS accounts and regions a live command reads.

use std::path::PathBuf;

use clap::Args;

use super::defaults;

/// Which account and regions to read, and how hard to push.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Named profile from the AWS config files; its credentials win over AWS_ACCESS_KEY_ID & co.
    /// (default: the standard credential chain, where AWS_PROFILE names the profile read after
    /// environment credentials — the AWS CLI's precedence).
    #[arg(long)]
    pub profile: Option<String>,
    /// Region to audit; repeatable (default: every enabled region). Trails are still discovered
    /// in every enabled region, so a multi-region trail homed elsewhere is found.
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Maximum AWS calls in flight at once.
    #[arg(long, default_value_t = defaults::CONCURRENCY, env = "TRAILGUARD_CONCURRENCY", value_parser = clap::value_parser!(u16).range(1..=512))]
    pub concurrency: u16,
    /// Timeout for each AWS call attempt, e.g. `30s`, `2m`.
    #[arg(long, default_value = defaults::TIMEOUT, env = "TRAILGUARD_TIMEOUT", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// Scan every active account of the organization, through AssumeRole (run from the
    /// management account or the CloudTrail delegated administrator).
    #[arg(long)]
    pub org: bool,
    /// With --org: the role to assume in each member account [default:
    /// OrganizationAccountAccessRole].
    #[arg(long, requires = "org")]
    pub role_name: Option<String>,
    /// With --org: the role ARN to assume, with `{account_id}` (and `{partition}`), for landing
    /// zones whose audit role has a path, e.g. `arn:aws:iam::{account_id}:role/security/Audit`.
    #[arg(long, requires = "org", value_name = "TEMPLATE")]
    pub role_arn_template: Option<String>,
    /// With --org: the external id the member roles require.
    #[arg(long, requires = "org")]
    pub external_id: Option<String>,
    /// With --org: only these accounts (comma-separated).
    #[arg(long, requires = "org", value_delimiter = ',', value_name = "ID,...")]
    pub accounts: Vec<String>,
    /// With --org: skip these accounts (comma-separated).
    #[arg(long, requires = "org", value_delimiter = ',', value_name = "ID,...")]
    pub exclude_accounts: Vec<String>,
}

/// `trailguard collect`.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:
  trailguard collect -o inventory.json
  trailguard collect --profile audit --region us-east-1 --region eu-west-1
  trailguard collect --org --role-name AuditRole --exclude-accounts 111111111111 -o org.json
  AWS_ENDPOINT_URL=http://127.0.0.1:5000 trailguard collect   # an emulator")]
pub struct CollectArgs {
    /// Which account and regions.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Write the inventory to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Parses `250ms`, `30s`, `5m`, `1h` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (examples: 500ms, 30s, 5m)"))?;
    let secs = |m: u64| std::time::Duration::from_secs(n.saturating_mul(m));
    match unit {
        "ms" => Ok(std::time::Duration::from_millis(n)),
        "" | "s" => Ok(secs(1)),
        "m" => Ok(secs(60)),
        "h" => Ok(secs(3600)),
        _ => Err(format!(
            "`{text}` has an unknown unit `{unit}` (use ms, s, m or h)"
        )),
    }
    .and_then(|d| {
        if d.is_zero() {
            Err("a duration must be greater than zero".to_owned())
        } else {
            Ok(d)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("30s"),
            Ok(std::time::Duration::from_secs(30))
        );
        assert_eq!(
            parse_duration("2m"),
            Ok(std::time::Duration::from_secs(120))
        );
        assert_eq!(
            parse_duration("250ms"),
            Ok(std::time::Duration::from_millis(250))
        );
        assert_eq!(parse_duration("7"), Ok(std::time::Duration::from_secs(7)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("0s").is_err());
    }
}
