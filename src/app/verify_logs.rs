//! `trailguard verify-logs`: find and verify the digest chains of the period, report every
//! problem, and decide the exit status. Fail closed: anything that could not be read is an
//! error item, and an error is never a pass.

use time::OffsetDateTime;

use super::collect::collect_options;
use super::pipeline::write_outputs;
use super::progress::with_progress;
use crate::collect::{VerifyCollected, VerifyRequest, verify_logs_blocking};
use crate::exit::{Error, ExitStatus, NothingToJudge};
use crate::report;
use crate::settings::{Ui, VerifyLogs};
use crate::verify::{Period, Status, Verification};

/// Runs `trailguard verify-logs`.
pub fn run(ui: &Ui, verify: &VerifyLogs) -> Result<ExitStatus, Error> {
    let clock = || verify.clock.map_or_else(OffsetDateTime::now_utc, |t| t.0);
    let started = clock();
    let request = VerifyRequest {
        window: verify.window,
        trails: verify.trails.clone(),
    };
    let collected = with_progress(ui, "verifying", |progress| {
        verify_logs_blocking(&collect_options(&verify.target, progress), &request)
    })?;
    let run = Period {
        start: started,
        end: clock(),
    };
    report_and_decide(ui, verify, collected, run)
}

/// Builds the report, decides the exit status, and writes every output — none when nothing
/// was verified (exit 2).
fn report_and_decide(
    ui: &Ui,
    verify: &VerifyLogs,
    collected: VerifyCollected,
    run: Period,
) -> Result<ExitStatus, Error> {
    let report = Verification::new(
        verify.window,
        run,
        collected.chains,
        collected.items,
        verify.list_valid,
    );
    // Nothing verified is "could not run", decided before any report is written.
    let verdict = decide(&report, verify.fail_on_gaps)?;
    write_outputs(&verify.outputs, |spec, out| {
        report::render_verification(spec.format, &report, &spec.options, out)
    })?;
    if !verify.outputs.text_on_stdout() && !ui.quiet {
        eprintln!("{}", verdict.reason);
    }
    Ok(verdict.status)
}

/// The exit status of a verification, and why in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// 0 every chain verified; 1 a problem (or, with `--fail-on-gaps`, a gap).
    pub status: ExitStatus,
    /// `verify-logs: passed: …` or `verify-logs: FAILED: …`.
    pub reason: String,
}

/// How many of each problem a report holds. Each is the larger of what the chains count and
/// what the items say, so a problem counted in one place and not the other still fails.
#[derive(Debug, Default, Clone, Copy)]
struct Problems {
    invalid: u64,
    missing: u64,
    unexpected: u64,
    cut: u64,
    errors: u64,
    gaps: u64,
}

impl Problems {
    fn of(report: &Verification) -> Problems {
        let items = |status: Status| report.items.iter().filter(|i| i.status == status).count();
        let items = |status| items(status) as u64;
        let s = &report.summary;
        let chain_errors = report.chains.iter().filter(|c| c.error.is_some()).count() as u64;
        Problems {
            invalid: items(Status::Invalid).max(s.digests.invalid + s.log_files.invalid),
            missing: items(Status::Missing).max(s.digests.missing + s.log_files.missing),
            unexpected: items(Status::Unexpected).max(s.unexpected),
            cut: items(Status::Cut).max(s.cut),
            errors: items(Status::Error).max(s.errors).max(chain_errors),
            gaps: items(Status::Gap).max(s.gaps),
        }
    }

    /// `2 invalid, 1 missing, …` for the counts that are not zero (gaps only when `gaps`).
    fn describe(&self, gaps: bool) -> Vec<String> {
        let plural =
            |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        [
            (self.invalid, plural(self.invalid, "invalid", "invalid")),
            (self.missing, plural(self.missing, "missing", "missing")),
            (
                self.unexpected,
                plural(self.unexpected, "stray digest", "stray digests"),
            ),
            (self.cut, plural(self.cut, "cut chain", "cut chains")),
            (self.errors, plural(self.errors, "error", "errors")),
            (
                if gaps { self.gaps } else { 0 },
                plural(self.gaps, "gap", "gaps"),
            ),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(_, text)| text)
        .collect()
    }
}

/// The exit status: 1 on any invalid, missing, stray, cut or error item (an error is never a
/// pass), and with `fail_on_gaps` on any gap; else 0. A report with no chain and no problem
/// verified nothing: [`NothingToJudge::NoChains`] (exit 2), never a pass.
pub fn decide(report: &Verification, fail_on_gaps: bool) -> Result<Verdict, NothingToJudge> {
    let problems = Problems::of(report);
    let failing = problems.describe(fail_on_gaps);
    let s = &report.summary;
    let chains = format!("{} chain{}", s.chains, if s.chains == 1 { "" } else { "s" });
    if !failing.is_empty() {
        return Ok(Verdict {
            status: ExitStatus::Failure,
            reason: format!("verify-logs: FAILED: {} in {chains}", failing.join(", ")),
        });
    }
    if report.chains.is_empty() {
        return Err(NothingToJudge::NoChains);
    }
    if s.digests.valid + s.digests.invalid + s.digests.missing == 0 {
        return Err(NothingToJudge::NoDigests);
    }
    let gaps = match problems.gaps {
        0 => String::new(),
        n => format!(
            "; {n} gap{} (fail with --fail-on-gaps)",
            if n == 1 { "" } else { "s" }
        ),
    };
    Ok(Verdict {
        status: ExitStatus::Success,
        reason: format!(
            "verify-logs: passed: {chains}, {} digests and {} log files valid{gaps}",
            s.digests.valid, s.log_files.valid
        ),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use time::macros::datetime;

    use super::*;
    use crate::cli::{OutputArgs, OutputSpec};
    use crate::report::Format;
    use crate::settings::{Colors, Outputs, Target};
    use crate::verify::{Chain, Counts, ItemKind, ReportItem};

    const UI: Ui = Ui {
        color: Colors {
            stdout: false,
            stderr: false,
            files: false,
        },
        quiet: true,
        verbose: false,
        progress: false,
        progress_lines: None,
    };

    /// Settings writing one JSON report to `path`.
    fn settings(path: &Path) -> VerifyLogs {
        let args = OutputArgs {
            outputs: vec![OutputSpec {
                format: Format::Json,
                path: Some(path.to_path_buf()),
            }],
            list_all: false,
            sarif_include_waived: false,
            sarif_category: None,
        };
        let window = Period {
            start: datetime!(2026-03-01 00:00 UTC),
            end: datetime!(2026-03-02 00:00 UTC),
        };
        VerifyLogs {
            target: Target {
                profile: None,
                regions: Vec::new(),
                concurrency: 1,
                timeout: Duration::from_secs(1),
                org: None,
            },
            trails: Vec::new(),
            window,
            clock: None,
            outputs: Outputs::resolve(&args, &UI).unwrap_or_else(|e| panic!("{e}")),
            fail_on_gaps: false,
            list_valid: false,
        }
    }

    #[test]
    fn a_problem_is_reported_in_every_output_and_exits_1_and_nothing_verified_writes_none() {
        let dir =
            std::env::temp_dir().join(format!("trailguard-verify-app-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("verify.json");
        let verify = settings(&path);
        let collected = VerifyCollected {
            chains: vec![chain("us-east-1")],
            items: vec![
                item(ItemKind::LogFile, Status::Valid),
                item(ItemKind::LogFile, Status::Missing),
            ],
        };
        let status = report_and_decide(&UI, &verify, collected, verify.window);
        assert_eq!(status.ok(), Some(ExitStatus::Failure));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json["schema"], "trailguard.verification/v1");
        assert_eq!(
            json["items"].as_array().map(Vec::len),
            Some(1),
            "problems only"
        );
        assert_eq!(json["items"][0]["status"], "missing");

        std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let nothing = report_and_decide(&UI, &verify, VerifyCollected::default(), verify.window);
        assert!(
            matches!(
                nothing,
                Err(Error::NothingToJudge(NothingToJudge::NoChains))
            ),
            "{nothing:?}"
        );
        assert!(!path.exists(), "no report when nothing was verified");
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn chain(region: &str) -> Chain {
        Chain {
            account_id: "111111111111".into(),
            trail_arn: "arn:aws:cloudtrail:us-east-1:111111111111:trail/main".into(),
            region: region.into(),
            bucket: "logs".into(),
            prefix: format!("AWSLogs/111111111111/CloudTrail-Digest/{region}/"),
            backfill: false,
            digests: Counts {
                valid: 24,
                ..Counts::default()
            },
            log_files: Counts {
                valid: 100,
                ..Counts::default()
            },
            gaps: 0,
            unexpected: 0,
            cut: false,
            error: None,
        }
    }

    fn item(kind: ItemKind, status: Status) -> ReportItem {
        ReportItem {
            kind,
            account_id: "111111111111".into(),
            trail_arn: "arn:aws:cloudtrail:us-east-1:111111111111:trail/main".into(),
            region: "us-east-1".into(),
            bucket: "logs".into(),
            key: "AWSLogs/111111111111/CloudTrail/us-east-1/2026/03/01/x.json.gz".into(),
            status,
            reason: if status == Status::Valid {
                String::new()
            } else {
                "because".into()
            },
            start: None,
            end: None,
            backfill: false,
        }
    }

    fn report(chains: Vec<Chain>, items: Vec<ReportItem>) -> Verification {
        let window = Period {
            start: datetime!(2026-03-01 00:00 UTC),
            end: datetime!(2026-03-02 00:00 UTC),
        };
        Verification::new(window, window, chains, items, true)
    }

    fn status(chains: Vec<Chain>, items: Vec<ReportItem>, gaps: bool) -> ExitStatus {
        match decide(&report(chains, items), gaps) {
            Ok(v) => v.status,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn everything_valid_passes() {
        let r = report(
            vec![chain("us-east-1"), chain("eu-west-1")],
            vec![item(ItemKind::Digest, Status::Valid)],
        );
        assert_eq!(
            decide(&r, true).ok(),
            Some(Verdict {
                status: ExitStatus::Success,
                reason: "verify-logs: passed: 2 chains, 48 digests and 200 log files valid".into()
            })
        );
    }

    #[test]
    fn every_problem_item_fails() {
        for (kind, s) in [
            (ItemKind::Digest, Status::Invalid),
            (ItemKind::LogFile, Status::Invalid),
            (ItemKind::LogFile, Status::Missing),
            (ItemKind::Digest, Status::Missing),
            (ItemKind::Digest, Status::Unexpected),
            (ItemKind::Chain, Status::Cut),
            (ItemKind::Chain, Status::Error),
            (ItemKind::Digest, Status::Error),
        ] {
            assert_eq!(
                status(vec![chain("us-east-1")], vec![item(kind, s)], false),
                ExitStatus::Failure,
                "{kind:?} {s:?}"
            );
        }
    }

    #[test]
    fn chain_counts_fail_even_without_their_item() {
        let with = |f: fn(&mut Chain)| {
            let mut c = chain("us-east-1");
            f(&mut c);
            status(vec![c], Vec::new(), false)
        };
        assert_eq!(with(|c| c.digests.invalid = 1), ExitStatus::Failure);
        assert_eq!(with(|c| c.log_files.missing = 1), ExitStatus::Failure);
        assert_eq!(with(|c| c.unexpected = 1), ExitStatus::Failure);
        assert_eq!(with(|c| c.cut = true), ExitStatus::Failure);
        assert_eq!(
            with(|c| c.error = Some("ListObjectsV2: AccessDenied".into())),
            ExitStatus::Failure
        );
        // A gap alone does not fail without --fail-on-gaps.
        assert_eq!(with(|c| c.gaps = 1), ExitStatus::Success);
    }

    #[test]
    fn gaps_fail_only_with_fail_on_gaps() {
        let gap = || vec![item(ItemKind::Gap, Status::Gap)];
        assert_eq!(
            status(vec![chain("us-east-1")], gap(), false),
            ExitStatus::Success
        );
        assert_eq!(
            status(vec![chain("us-east-1")], gap(), true),
            ExitStatus::Failure
        );
        let r = report(vec![chain("us-east-1")], gap());
        assert_eq!(
            decide(&r, false).map(|v| v.reason).ok().as_deref(),
            Some(
                "verify-logs: passed: 1 chain, 24 digests and 100 log files valid; 1 gap (fail with --fail-on-gaps)"
            )
        );
        assert_eq!(
            decide(&r, true).map(|v| v.reason).ok().as_deref(),
            Some("verify-logs: FAILED: 1 gap in 1 chain")
        );
    }

    #[test]
    fn the_reason_counts_each_problem() {
        let mut c = chain("us-east-1");
        c.digests.invalid = 1;
        c.log_files.invalid = 1;
        c.log_files.missing = 2;
        let r = report(
            vec![c, chain("eu-west-1")],
            vec![
                item(ItemKind::Digest, Status::Unexpected),
                item(ItemKind::Chain, Status::Error),
            ],
        );
        assert_eq!(
            decide(&r, false).ok(),
            Some(Verdict {
                status: ExitStatus::Failure,
                reason:
                    "verify-logs: FAILED: 2 invalid, 2 missing, 1 stray digest, 1 error in 2 chains"
                        .into()
            })
        );
    }

    #[test]
    fn chains_without_a_digest_in_the_period_are_exit_2_not_a_pass() {
        let mut empty = chain("us-east-1");
        empty.digests = Counts::default();
        empty.log_files = Counts::default();
        assert!(matches!(
            decide(&report(vec![empty.clone()], Vec::new()), false),
            Err(NothingToJudge::NoDigests)
        ));
        // One chain with digests is enough to have proven something.
        assert!(decide(&report(vec![empty, chain("eu-west-1")], Vec::new()), false).is_ok());
    }

    #[test]
    fn nothing_verified_is_exit_2_but_errors_without_chains_fail() {
        assert!(matches!(
            decide(&report(Vec::new(), Vec::new()), true),
            Err(NothingToJudge::NoChains)
        ));
        // An account that could not be read: no chain, one error item — a failure, not 2.
        assert_eq!(
            status(
                Vec::new(),
                vec![item(ItemKind::Chain, Status::Error)],
                false
            ),
            ExitStatus::Failure
        );
    }
}
