//! `trailguard verify-logs` options.

use clap::Args;

use super::TargetArgs;
use super::run::{OutputSpec, parse_output};

/// `trailguard verify-logs`: prove that the delivered CloudTrail logs were not modified,
/// deleted or forged.
#[derive(Debug, Clone, Args)]
#[command(mut_arg("regions", |a| a.help(
    "Source region whose digest chains to verify; repeatable (default: every enabled region). \
     Trails are still found in every enabled region, so a multi-region trail homed elsewhere \
     is verified in the regions given",
)))]
#[command(after_help = "Examples:
  trailguard verify-logs
  trailguard verify-logs --start-time 7d --output json=verify.json --output text
  trailguard verify-logs --trail arn:aws:cloudtrail:us-east-1:111111111111:trail/main \\
      --start-time 2026-03-01 --end-time 2026-04-01T00:00:00Z --fail-on-gaps
  trailguard verify-logs --org --role-name AuditRole --region eu-west-1 --output sarif=verify.sarif

Times (--start-time, --end-time): RFC 3339 (2026-03-01T04:00:00Z, 2026-03-01T06:00:00+02:00),
a date (2026-03-01: midnight UTC), or an age before now (90m, 24h, 7d, 2w). Default: the last
24 hours. Neither may be in the future, and the start must be before the end.

Exit status: 0 every digest and log file in the window verified; 1 any digest or log file
invalid or missing, a stray digest, a cut chain (newest digests deleted) or anything that could
not be read (and, with --fail-on-gaps, any gap); 2 could not run (bad flags or times, no
credentials, no such trail, nothing to verify).

Permissions beyond scan's: s3:ListBucket and s3:GetObject on the log bucket,
cloudtrail:ListPublicKeys, cloudtrail:GetTrailStatus, and kms:Decrypt on the trail's key when
its log files are SSE-KMS encrypted (not part of SecurityAudit).")]
pub struct VerifyLogsArgs {
    /// Which account(s) and source regions (`--region` narrows the regions whose digest chains
    /// are verified).
    #[command(flatten)]
    pub target: TargetArgs,
    /// Verify only this trail, by ARN or name (repeatable; default: every trail with log file
    /// validation enabled).
    #[arg(long = "trail", value_name = "ARN|NAME")]
    pub trails: Vec<String>,
    /// Start of the period: RFC 3339, a date (midnight UTC) or an age such as `24h`, `7d`
    /// [default: 24 hours before --end-time].
    #[arg(long, value_name = "TIME")]
    pub start_time: Option<String>,
    /// End of the period: RFC 3339, a date (midnight UTC) or an age such as `1h` [default:
    /// now].
    #[arg(long, value_name = "TIME")]
    pub end_time: Option<String>,
    /// Output format, and a file to write it to (repeatable): text, json, sarif, junit,
    /// markdown; without `=PATH` it goes to stdout (one format at most). The variable holds one
    /// FORMAT[=PATH].
    #[arg(long = "output", value_name = "FORMAT[=PATH]", value_parser = parse_output, env = "TRAILGUARD_OUTPUT")]
    pub outputs: Vec<OutputSpec>,
    /// The reports also list every valid digest and log file (so does `-v`), not only the
    /// problems.
    #[arg(long)]
    pub list_all: bool,
    /// Also fail (exit 1) on gaps: periods with no digests, when logging or log file validation
    /// was off.
    #[arg(long)]
    pub fail_on_gaps: bool,
    /// The clock, RFC 3339, for tests: relative times and the future are judged against it.
    #[arg(long, hide = true, value_name = "RFC3339")]
    pub now: Option<String>,
}
