//! Which AWS profile a run uses — checked before any AWS call — and credential failures said as
//! what they are.
//!
//! Precedence is the AWS CLI's: `--profile NAME` wins over credentials in the environment
//! (`AWS_ACCESS_KEY_ID`, …), while `AWS_PROFILE=NAME` only picks the profile the standard chain
//! reads after the environment. The SDK's chain gives the environment precedence even over an
//! explicit profile name, so `--profile` here gets that profile's own credentials provider.
//! A profile that the config and credentials files (`AWS_CONFIG_FILE`,
//! `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/…`) do not define is an error rather than a
//! silent fall-back to other credentials.

use std::borrow::Cow;
use std::error::Error;
use std::fmt;
use std::sync::Mutex;

use aws_config::profile::ProfileSet;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

use super::error::error_chain;
use crate::rules::diagnostic::did_you_mean;

/// Where the profile name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--profile`.
    Flag,
    /// `AWS_PROFILE`.
    Env,
    /// Neither: the `default` profile, if the chain gets that far.
    Default,
}

/// The profile a run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    /// The profile name.
    pub name: String,
    /// Where it was named.
    pub origin: Origin,
    /// The profile whose `credential_process` supplies the credentials: the selected one, or
    /// the one its `source_profile` chain leads to.
    pub process_profile: Option<String>,
}

/// The profile `--profile` or `AWS_PROFILE` names (else `default`), checked against the
/// config and credentials files. Reads only local files.
pub async fn select(flag: Option<&str>) -> Result<Selected, String> {
    let env_profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
    let (name, origin) = match (flag, env_profile) {
        (Some(name), _) => (name.to_owned(), Origin::Flag),
        (None, Some(name)) => (name, Origin::Env),
        (None, None) => ("default".to_owned(), Origin::Default),
    };
    let loaded = aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        &EnvConfigFiles::default(),
        Some(Cow::Owned(name.clone())),
    )
    .await;
    let set = match (loaded, origin) {
        (Ok(set), _) => set,
        // Unnamed: the chain may never read the files (credentials in the environment).
        (Err(_), Origin::Default) => ProfileSet::default(),
        (Err(e), _) => return Err(format!("cannot read the AWS config files: {e}")),
    };
    // `default` may be absent, as for the SDK and the AWS CLI.
    if origin != Origin::Default && name != "default" && set.get_profile(&name).is_none() {
        return Err(not_found(&name, origin, &set));
    }
    Ok(Selected {
        process_profile: process_profile(&set, &name),
        name,
        origin,
    })
}

fn not_found(name: &str, origin: Origin, set: &ProfileSet) -> String {
    let by = if origin == Origin::Flag {
        "--profile"
    } else {
        "AWS_PROFILE"
    };
    let files: Vec<String> = profile_files()
        .into_iter()
        .map(|(path, exists)| {
            if exists {
                path
            } else {
                format!("{path} (no such file)")
            }
        })
        .collect();
    let mut known: Vec<&str> = set.profiles().collect();
    known.sort_unstable();
    let hint = match did_you_mean(name, known.iter().copied()) {
        Some(guess) => format!("; {guess}"),
        None if known.is_empty() => String::new(),
        None => format!("; profiles there: {}", known.join(", ")),
    };
    format!(
        "profile `{name}` (named by {by}) not found in {}{hint}",
        files.join(", ")
    )
}

/// The config and credentials files the SDK reads, as it resolves them, and whether each
/// exists.
fn profile_files() -> Vec<(String, bool)> {
    let home = std::env::var("HOME").ok();
    [
        ("AWS_CONFIG_FILE", "~/.aws/config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
    ]
    .into_iter()
    .map(|(var, default)| {
        let raw = std::env::var(var).unwrap_or_else(|_| default.to_owned());
        let path = match (raw.strip_prefix("~/"), &home) {
            (Some(rest), Some(home)) => format!("{}/{rest}", home.trim_end_matches('/')),
            _ => raw,
        };
        let exists = std::path::Path::new(&path).is_file();
        (path, exists)
    })
    .collect()
}

/// Follows `source_profile` from `start` to the profile with a `credential_process`.
fn process_profile(set: &ProfileSet, start: &str) -> Option<String> {
    let mut name = start;
    // A loop in source_profile is the SDK's to report; stop following it here.
    for _ in 0..16 {
        let profile = set.get_profile(name)?;
        if profile.get("credential_process").is_some() {
            return Some(name.to_owned());
        }
        name = profile.get("source_profile")?;
    }
    None
}

/// The provider for `--profile NAME`: that profile's credentials and nothing else, so
/// environment credentials cannot take its place.
pub fn explicit_profile_provider(
    name: &str,
    provider_config: &aws_config::provider_config::ProviderConfig,
) -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(
        aws_config::profile::ProfileFileCredentialsProvider::builder()
            .profile_name(name)
            .configure(provider_config)
            .build(),
    )
}

/// Wraps the credentials provider so its failures say what failed: a `credential_process`
/// that exited non-zero (with its exit status and the first line of its stderr), or a
/// `--profile` that defines no credentials. The SDK's own text for the process failure is
/// "external process exited with code …. Stderr: …" under a generic "access denied".
///
/// A failed process is not run again in the same run: the SDK would otherwise re-run it for
/// every call that needs credentials (three at once in an organization scan), and the run stops
/// at the first anyway.
#[derive(Debug)]
pub struct Explained {
    inner: SharedCredentialsProvider,
    selected: Selected,
    process_failed: Mutex<Option<String>>,
}

impl Explained {
    /// Wraps `inner` for the run's selected profile.
    pub fn new(inner: SharedCredentialsProvider, selected: Selected) -> Self {
        Explained {
            inner,
            selected,
            process_failed: Mutex::new(None),
        }
    }

    fn failed_before(&self) -> Option<String> {
        self.process_failed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn explain(&self, err: CredentialsError) -> CredentialsError {
        let text = error_chain(&err);
        let profile = self
            .selected
            .process_profile
            .as_deref()
            .unwrap_or(&self.selected.name);
        if let Some(message) = process_failure(&text, profile) {
            *self
                .process_failed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(message.clone());
            return CredentialsError::provider_error(Explanation(message));
        }
        if self.selected.origin == Origin::Flag
            && matches!(err, CredentialsError::CredentialsNotLoaded(_))
        {
            return CredentialsError::provider_error(Explanation(format!(
                "--profile {}: the profile defines no credentials (no access keys, role_arn, \
                 credential_process, sso_* or web_identity_token_file)",
                self.selected.name
            )));
        }
        err
    }
}

impl ProvideCredentials for Explained {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            if let Some(message) = self.failed_before() {
                return Err(CredentialsError::provider_error(Explanation(message)));
            }
            self.inner
                .provide_credentials()
                .await
                .map_err(|e| self.explain(e))
        })
    }
}

/// A credentials failure in trailguard's words.
#[derive(Debug)]
struct Explanation(String);

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for Explanation {}

const PROCESS_FAILED: &str = "credential_process for profile `";
const NO_CREDENTIALS: &str = "--profile ";

/// The SDK's `credential_process` failure (`external process exited with code exit status:
/// 3. Stderr: …`) as "credential_process for profile `p` failed (exit status 3): first line".
fn process_failure(text: &str, profile: &str) -> Option<String> {
    const EXITED: &str = "external process exited with code ";
    const STDERR: &str = ". Stderr: ";
    let rest = &text[text.find(EXITED)? + EXITED.len()..];
    let (status, stderr) = rest.split_once(STDERR)?;
    let first_line = stderr.lines().map(str::trim).find(|l| !l.is_empty());
    let said = first_line.map_or_else(
        || " with nothing on stderr".to_owned(),
        |l| format!(": {l}"),
    );
    Some(format!(
        "{PROCESS_FAILED}{profile}` failed ({}){said}",
        status.replace(": ", " ")
    ))
}

/// trailguard's own explanation inside an SDK error chain, when there is one.
pub fn explanation(detail: &str) -> Option<&str> {
    [PROCESS_FAILED, NO_CREDENTIALS]
        .iter()
        .filter_map(|lead| detail.find(lead))
        .min()
        .map(|at| &detail[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_process_is_named_with_its_status_and_first_stderr_line() {
        let sdk = "dispatch failure: other: an error occurred while loading credentials: Error \
                   retrieving credentials: external process exited with code exit status: 3. \
                   Stderr: token expired: run sso login\nsecond line\n";
        let said = process_failure(sdk, "sso").expect("recognised");
        assert_eq!(
            said,
            "credential_process for profile `sso` failed (exit status 3): token expired: run sso login"
        );
        assert_eq!(explanation(&format!("x: y: {said}")), Some(said.as_str()));
        let silent = "external process exited with code signal: 9 (SIGKILL). Stderr: ";
        assert_eq!(
            process_failure(silent, "p").as_deref(),
            Some(
                "credential_process for profile `p` failed (signal 9 (SIGKILL)) with nothing on stderr"
            )
        );
        assert_eq!(process_failure("access denied", "p"), None);
        assert_eq!(explanation("the credential provider was not enabled"), None);
    }
}
