//! Which AWS accounts and regions a live command reads: the flags, else the config file's
//! `regions:` and `org:`, else the defaults.

use std::time::Duration;

use crate::cli::{TargetArgs, defaults};
use crate::config::{Config, OrgConfig};

/// The accounts and regions to read, and how hard to push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `--profile`; `None` is the standard credential chain.
    pub profile: Option<String>,
    /// `--region`, else the config's `regions:` (empty: every enabled region).
    pub regions: Vec<String>,
    /// Maximum AWS calls in flight, across every account.
    pub concurrency: usize,
    /// Timeout of each AWS call attempt.
    pub timeout: Duration,
    /// `--org`: every account of the organization, through AssumeRole.
    pub org: Option<OrgTarget>,
}

/// How to reach the member accounts of an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgTarget {
    /// The role assumed in each member account.
    pub role_name: String,
    /// A role ARN with `{account_id}` (and `{partition}`), instead of the role name.
    pub role_arn_template: Option<String>,
    /// The external id the member roles require.
    pub external_id: Option<String>,
    /// Only these accounts (empty: all).
    pub accounts: Vec<String>,
    /// Not these accounts.
    pub exclude_accounts: Vec<String>,
}

impl Target {
    /// Merges the flags with the config file (flags win; a list flag given replaces the
    /// config's list).
    pub fn resolve(args: &TargetArgs, config: Option<&Config>) -> Target {
        let empty = OrgConfig::default();
        let (config_regions, org) = match config {
            Some(c) => (c.regions.as_slice(), &c.org),
            None => (&[][..], &empty),
        };
        Target {
            profile: args.profile.clone(),
            regions: pick(&args.regions, config_regions),
            concurrency: usize::from(args.concurrency),
            timeout: args.timeout,
            org: args.org.then(|| OrgTarget {
                role_name: args
                    .role_name
                    .clone()
                    .or_else(|| org.role_name.clone())
                    .unwrap_or_else(|| defaults::ROLE_NAME.to_owned()),
                role_arn_template: args
                    .role_arn_template
                    .clone()
                    .or_else(|| org.role_arn_template.clone()),
                external_id: args.external_id.clone().or_else(|| org.external_id.clone()),
                accounts: pick(&args.accounts, &org.accounts),
                exclude_accounts: pick(&args.exclude_accounts, &org.exclude_accounts),
            }),
        }
    }
}

/// The flag's list when given, else the config's.
fn pick(flag: &[String], config: &[String]) -> Vec<String> {
    if flag.is_empty() { config } else { flag }.to_vec()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        target: TargetArgs,
    }

    fn target(flags: &[&str], config: Option<&str>) -> Target {
        let args = Flags::try_parse_from(std::iter::once("t").chain(flags.iter().copied()))
            .unwrap_or_else(|e| panic!("{e}"));
        let config = config.map(|text| {
            Config::parse("trailguard.yaml", text, Path::new("."))
                .unwrap_or_else(|p| panic!("{}", p.render(false)))
        });
        Target::resolve(&args.target, config.as_ref())
    }

    #[test]
    fn defaults_without_flags_or_config() {
        let t = target(&["--org"], None);
        assert_eq!(t.concurrency, 256);
        assert_eq!(t.timeout, Duration::from_secs(30));
        assert!(t.regions.is_empty());
        let org = t.org.unwrap_or_else(|| panic!("--org"));
        assert_eq!(org.role_name, "OrganizationAccountAccessRole");
        assert!(target(&[], None).org.is_none());
    }

    #[test]
    fn config_fills_what_the_flags_leave_unset() {
        let config = "regions: [eu-west-1]\norg: { role_name: Audit, external_id: x, accounts: [\"111111111111\"] }\n";
        let t = target(&["--org"], Some(config));
        assert_eq!(t.regions, ["eu-west-1"]);
        let org = t.org.unwrap_or_else(|| panic!("--org"));
        assert_eq!(org.role_name, "Audit");
        assert_eq!(org.external_id.as_deref(), Some("x"));
        assert_eq!(org.accounts, ["111111111111"]);
    }

    #[test]
    fn flags_win_over_the_config() {
        let config =
            "regions: [eu-west-1]\norg: { role_name: Audit, accounts: [\"111111111111\"] }\n";
        let t = target(
            &[
                "--org",
                "--region",
                "us-east-1",
                "--role-name",
                "Other",
                "--accounts",
                "222222222222",
            ],
            Some(config),
        );
        assert_eq!(t.regions, ["us-east-1"]);
        let org = t.org.unwrap_or_else(|| panic!("--org"));
        assert_eq!(org.role_name, "Other");
        assert_eq!(org.accounts, ["222222222222"]);
    }
}
