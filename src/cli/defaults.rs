//! The defaults of the run, in one place: the flags show them in `--help`, and the settings
//! apply those the config file can also set (flag, then config, then default).

/// `--concurrency`: AWS calls in flight at once.
pub const CONCURRENCY: u16 = 256;
/// `--timeout`: each AWS call attempt.
pub const TIMEOUT: &str = "30s";
/// `--role-name` (or `org.role_name`): the role assumed in each member account.
pub const ROLE_NAME: &str = "OrganizationAccountAccessRole";
/// The config file read when `--config` is not given: the nearest one from the working
/// directory up to the repository root (`crate::settings::locate`).
pub const CONFIG_FILE: &str = "trailguard.yaml";
