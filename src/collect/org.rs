//! Organization scans: list the accounts, and derive per-account credentials by AssumeRole.

use aws_config::SdkConfig;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_sdk_organizations::types::{AccountState, AccountStatus};
use tokio::sync::watch;

use super::error::error_chain;
use crate::inventory::AccountId;

/// How to reach member accounts.
#[derive(Debug, Clone)]
pub struct OrgOptions {
    /// `--role-name` (default `OrganizationAccountAccessRole`).
    pub role_name: String,
    /// `--role-arn-template`, with `{account_id}` (and optionally `{partition}`) placeholders.
    pub role_arn_template: Option<String>,
    /// `--external-id`.
    pub external_id: Option<String>,
    /// `--accounts`: only these (empty: all).
    pub accounts: Vec<String>,
    /// `--exclude-accounts`.
    pub exclude_accounts: Vec<String>,
}

/// The session name in every assumed role, so CloudTrail shows who read what.
pub const SESSION_NAME: &str = "trailguard-audit";

/// An active account of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedAccount {
    /// The account id.
    pub id: AccountId,
    /// The account name.
    pub name: String,
}

/// `organizations:ListAccounts`, every page, active accounts only.
pub async fn list_accounts(sdk: &SdkConfig) -> Result<Vec<ListedAccount>, String> {
    let client = aws_sdk_organizations::Client::new(sdk);
    let mut pages = client.list_accounts().into_paginator().send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| format!("organizations:ListAccounts: {}", error_chain(&e)))?;
        out.extend(
            page.accounts()
                .iter()
                .filter(|a| is_active(a))
                .filter_map(|a| {
                    Some(ListedAccount {
                        id: AccountId::from(a.id()?),
                        name: a.name().unwrap_or_default().to_owned(),
                    })
                }),
        );
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup();
    Ok(out)
}

/// `State` is the current field; older answers carry only the deprecated `Status`.
fn is_active(a: &aws_sdk_organizations::types::Account) -> bool {
    match (a.state(), a.status()) {
        (Some(state), _) => *state == AccountState::Active,
        (None, Some(status)) => *status == AccountStatus::Active,
        (None, None) => true,
    }
}

/// Applies `--accounts` / `--exclude-accounts`; an id in `--accounts` that is not an active
/// account of the organization is an error, and so is a selection of no account at all
/// (scanning nothing must not read as a passing gate).
pub fn select(listed: &[ListedAccount], opts: &OrgOptions) -> Result<Vec<bool>, String> {
    if listed.is_empty() {
        return Err(
            "organizations:ListAccounts returned no active account: 0 accounts to scan".to_owned(),
        );
    }
    for wanted in &opts.accounts {
        if !listed.iter().any(|a| a.id.as_str() == wanted) {
            return Err(format!(
                "--accounts {wanted}: not an active account of the organization"
            ));
        }
    }
    let selected: Vec<bool> = listed
        .iter()
        .map(|a| {
            (opts.accounts.is_empty() || opts.accounts.iter().any(|w| w == a.id.as_str()))
                && !opts.exclude_accounts.iter().any(|x| x == a.id.as_str())
        })
        .collect();
    if !selected.contains(&true) {
        return Err(format!(
            "--exclude-accounts excludes every one of the organization's {} active accounts: 0 accounts to scan",
            listed.len()
        ));
    }
    Ok(selected)
}

/// The role to assume in `account`.
pub fn role_arn(opts: &OrgOptions, partition: &str, account: &AccountId) -> String {
    match &opts.role_arn_template {
        Some(t) => t
            .replace("{account_id}", account.as_str())
            .replace("{partition}", partition),
        None => format!("arn:{partition}:iam::{account}:role/{}", opts.role_name),
    }
}

/// The configuration for a member account: the caller's settings with AssumeRole
/// credentials. Each account gets its own identity cache — a cache shared by many accounts
/// holds at most 64 partitions and would re-assume roles (AWS_SDK_NOTES.md §3.5).
pub async fn member_config(
    base: &SdkConfig,
    role_arn: &str,
    external_id: Option<&str>,
) -> (SdkConfig, watch::Receiver<bool>) {
    let mut provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
        .session_name(SESSION_NAME)
        .configure(base);
    if let Some(id) = external_id {
        provider = provider.external_id(id);
    }
    let provider = provider.build().await;
    let (ready, assumed) = watch::channel(false);
    let announcing = Announcing {
        inner: SharedCredentialsProvider::new(provider),
        ready,
    };
    let config = base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(announcing))
        .identity_cache(aws_config::identity::IdentityCache::lazy().build())
        .build();
    (config, assumed)
}

/// Announces that an account's role has been assumed, so its first calls can fan out while the
/// identity check that triggered the AssumeRole is still in flight. Caching stays with the SDK's
/// identity cache: calls made meanwhile wait for the load in progress instead of starting one.
#[derive(Debug)]
struct Announcing {
    inner: SharedCredentialsProvider,
    ready: watch::Sender<bool>,
}

impl ProvideCredentials for Announcing {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let answer = self.inner.provide_credentials().await;
            if answer.is_ok() {
                self.ready.send_replace(true);
            }
            answer
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(ids: &[&str]) -> Vec<ListedAccount> {
        ids.iter()
            .map(|i| ListedAccount {
                id: AccountId::from(*i),
                name: format!("n{i}"),
            })
            .collect()
    }

    fn opts() -> OrgOptions {
        OrgOptions {
            role_name: "OrganizationAccountAccessRole".into(),
            role_arn_template: None,
            external_id: None,
            accounts: vec![],
            exclude_accounts: vec![],
        }
    }

    #[test]
    fn selection() {
        let l = listed(&["111111111111", "222222222222", "333333333333"]);
        assert_eq!(select(&l, &opts()), Ok(vec![true, true, true]));
        let mut o = opts();
        o.exclude_accounts = vec!["222222222222".into()];
        assert_eq!(select(&l, &o), Ok(vec![true, false, true]));
        o.accounts = vec!["333333333333".into()];
        assert_eq!(select(&l, &o), Ok(vec![false, false, true]));
        o.accounts = vec!["999999999999".into()];
        assert!(
            select(&l, &o)
                .expect_err("unknown")
                .contains("--accounts 999999999999")
        );
    }

    #[test]
    fn selecting_nothing_is_an_error() {
        let l = listed(&["111111111111", "222222222222"]);
        let mut o = opts();
        o.exclude_accounts = vec!["111111111111".into(), "222222222222".into()];
        assert_eq!(
            select(&l, &o),
            Err("--exclude-accounts excludes every one of the organization's 2 active accounts: 0 accounts to scan".to_owned())
        );
        o.exclude_accounts.clear();
        assert!(
            select(&[], &o)
                .expect_err("empty")
                .contains("ListAccounts returned no active account")
        );
    }

    #[test]
    fn role_arns() {
        let acct = AccountId::from("222222222222");
        assert_eq!(
            role_arn(&opts(), "aws", &acct),
            "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"
        );
        let mut o = opts();
        o.role_arn_template = Some("arn:{partition}:iam::{account_id}:role/security/Audit".into());
        assert_eq!(
            role_arn(&o, "aws-us-gov", &acct),
            "arn:aws-us-gov:iam::222222222222:role/security/Audit"
        );
    }

    #[test]
    fn active_state_wins_over_status() {
        use aws_sdk_organizations::types::Account;
        let suspended = Account::builder()
            .id("1")
            .state(AccountState::Suspended)
            .status(AccountStatus::Active)
            .build();
        assert!(!is_active(&suspended));
        let legacy = Account::builder()
            .id("1")
            .status(AccountStatus::Active)
            .build();
        assert!(is_active(&legacy));
    }
}
