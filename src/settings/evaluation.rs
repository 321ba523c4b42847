//! What `check` and `scan` evaluate and how they report: the rule selection, the gate, the
//! outputs — each the flags merged with the config file's `rules:`, `gate:` and `waivers:`.

use std::path::PathBuf;

use crate::cli::{GateArgs, OutputArgs, OutputSpec, RuleArgs};
use crate::config::Config;
use crate::exit::{Error, Usage};
use crate::gate::GatePolicy;
use crate::report::{Format, RenderOptions};
use crate::rules::Severity;

use super::ui::Ui;

/// Where rules come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folders {
    /// Load the built-in pack.
    pub builtin: bool,
    /// Rule folders to add (a rule with a built-in id replaces it).
    pub dirs: Vec<PathBuf>,
}

/// Which rules to evaluate, and the config that tunes them.
#[derive(Debug, Clone)]
pub struct Selection {
    /// `--rules`, then the config's `rules.dirs`; `--no-builtin` or `rules.no_builtin`.
    pub folders: Folders,
    /// `--only` with the config's `rules.only` (empty: every rule).
    pub only: Vec<String>,
    /// `--skip` with the config's `rules.skip`.
    pub skip: Vec<String>,
    /// The ids `--only` and `--skip` name, with the flag, in command-line order: each must be
    /// a loaded rule's (the config's ids are checked at their lines by [`Config::apply`]).
    pub flag_ids: Vec<(&'static str, String)>,
    /// `--severity-min` (default: every severity).
    pub severity_min: Severity,
    /// `--framework`: only its rules, and per-control status in the report.
    pub framework: Option<String>,
    /// The config file, whose `parameters:` are applied to the loaded rules.
    pub config: Option<Config>,
}

/// The gate and what it excuses.
#[derive(Debug, Clone)]
pub struct Gate {
    /// When the run fails: the flags, else the config's `gate:`.
    pub policy: GatePolicy,
    /// `--waivers`, else the config's `waivers:`.
    pub waivers: Option<PathBuf>,
    /// `--baseline`.
    pub baseline: Option<PathBuf>,
}

/// The reports to write: at most one on stdout (default: text on stdout).
#[derive(Debug, Clone)]
pub struct Outputs {
    /// In command-line order.
    pub reports: Vec<ReportOutput>,
}

/// One report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOutput {
    /// The format.
    pub format: Format,
    /// The file; `None` is stdout.
    pub path: Option<PathBuf>,
    /// How to render it (colour for this destination).
    pub options: RenderOptions,
}

impl Selection {
    /// The flags' selection, extended by the config's `rules:`.
    pub fn resolve(args: &RuleArgs, config: Option<Config>) -> Selection {
        let mut folders = Folders {
            builtin: !args.no_builtin,
            dirs: args.rules.clone(),
        };
        let (mut only, mut skip) = (args.only.clone(), args.skip.clone());
        if let Some(c) = &config {
            folders.dirs.extend(c.rule_dirs.iter().cloned());
            folders.builtin &= !c.no_builtin;
            only.extend(c.only.iter().cloned());
            skip.extend(c.skip.iter().cloned());
        }
        let flag_ids = (args.only.iter().map(|id| ("--only", id.clone())))
            .chain(args.skip.iter().map(|id| ("--skip", id.clone())))
            .collect();
        Selection {
            folders,
            only,
            skip,
            flag_ids,
            severity_min: args.severity_min.unwrap_or(Severity::Info),
            framework: args.framework.clone(),
            config,
        }
    }
}

impl Gate {
    /// The flags, with the config's `gate:` and `waivers:` for what they leave unset.
    pub fn resolve(args: &GateArgs, config: Option<&Config>) -> Gate {
        let gate = config.map(|c| c.gate.clone()).unwrap_or_default();
        Gate {
            policy: GatePolicy {
                fail_on: args.fail_on.or(gate.fail_on),
                allow_errors: args.allow_errors || gate.allow_errors.unwrap_or(false),
                exit_zero: args.exit_zero || gate.exit_zero.unwrap_or(false),
                fail_on_new_only: args.fail_on_new_only,
            },
            waivers: args
                .waivers
                .clone()
                .or_else(|| config.and_then(|c| c.waivers.clone())),
            baseline: args.baseline.clone(),
        }
    }
}

impl Outputs {
    /// Checks `--output` (one format at most on stdout) and decides how each is rendered.
    pub fn resolve(args: &OutputArgs, ui: &Ui) -> Result<Outputs, Error> {
        let specs = if args.outputs.is_empty() {
            vec![OutputSpec {
                format: Format::Text,
                path: None,
            }]
        } else {
            args.outputs.clone()
        };
        let on_stdout: Vec<Format> = specs
            .iter()
            .filter(|o| o.path.is_none())
            .map(|o| o.format)
            .collect();
        if on_stdout.len() > 1 {
            return Err(Usage::ReportsOnStdout(on_stdout).into());
        }
        let reports = specs
            .into_iter()
            .map(|spec| {
                let color = match spec.path {
                    None => ui.color.stdout,
                    Some(_) => ui.color.files,
                };
                ReportOutput {
                    format: spec.format,
                    options: RenderOptions {
                        color: color && spec.format == Format::Text,
                        // Only --list-all: -v writes to stderr, never changes a report.
                        verbose: args.list_all,
                        sarif_include_waived: args.sarif_include_waived,
                        sarif_category: args.sarif_category.clone(),
                    },
                    path: spec.path,
                }
            })
            .collect();
        Ok(Outputs { reports })
    }

    /// Whether the text report goes to stdout (it then ends with the gate line).
    pub fn text_on_stdout(&self) -> bool {
        matches!(
            self.reports.iter().find(|o| o.path.is_none()),
            Some(o) if o.format == Format::Text
        )
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::settings::Colors;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        gate: GateArgs,
        #[command(flatten)]
        output: OutputArgs,
    }

    fn flags(args: &[&str]) -> Flags {
        Flags::try_parse_from(std::iter::once("t").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn config(text: &str) -> Config {
        Config::parse("trailguard.yaml", text, std::path::Path::new("/cfg"))
            .unwrap_or_else(|p| panic!("{}", p.render(false)))
    }

    const UI: Ui = Ui {
        color: Colors {
            stdout: true,
            stderr: false,
            files: false,
        },
        quiet: false,
        verbose: false,
        progress: false,
        progress_lines: None,
    };

    #[test]
    fn selection_merges_flags_and_config() {
        let f = flags(&["--rules", "mine", "--only", "CT-A01", "--skip", "CT-B08"]);
        let c = config("rules: { dirs: [theirs], only: [CT-A02], no_builtin: true }\n");
        let s = Selection::resolve(&f.rules, Some(c));
        assert_eq!(
            s.folders.dirs,
            [PathBuf::from("mine"), PathBuf::from("/cfg/theirs")]
        );
        assert!(!s.folders.builtin);
        assert_eq!(s.only, ["CT-A01", "CT-A02"]);
        assert_eq!(s.skip, ["CT-B08"]);
        // Only the flags' ids: the config's are reported at their lines.
        assert_eq!(
            s.flag_ids,
            [
                ("--only", "CT-A01".to_owned()),
                ("--skip", "CT-B08".to_owned())
            ]
        );
        assert_eq!(s.severity_min, Severity::Info);
        let s = Selection::resolve(&flags(&["--severity-min", "high"]).rules, None);
        assert_eq!(s.severity_min, Severity::High);
    }

    #[test]
    fn gate_flags_win_over_the_config() {
        let c = config("gate: { fail_on: high, exit_zero: true }\nwaivers: w.yaml\n");
        let g = Gate::resolve(&flags(&[]).gate, Some(&c));
        assert_eq!(g.policy.fail_on, Some(Severity::High));
        assert!(g.policy.exit_zero && !g.policy.allow_errors);
        assert_eq!(g.waivers, Some(PathBuf::from("/cfg/w.yaml")));
        let g = Gate::resolve(
            &flags(&["--fail-on", "critical", "--waivers", "mine.yaml"]).gate,
            Some(&c),
        );
        assert_eq!(g.policy.fail_on, Some(Severity::Critical));
        assert_eq!(g.waivers, Some(PathBuf::from("mine.yaml")));
    }

    #[test]
    fn outputs_default_to_text_and_colour_only_text_on_stdout() {
        let o = Outputs::resolve(&flags(&[]).output, &UI).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.reports.len(), 1);
        assert!(o.text_on_stdout() && o.reports[0].options.color);
        let o = Outputs::resolve(
            &flags(&["--output", "json", "--output", "text=r.txt"]).output,
            &UI,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!o.text_on_stdout());
        assert!(o.reports.iter().all(|r| !r.options.color));
    }

    #[test]
    fn two_formats_on_stdout_is_a_usage_error() {
        let e = Outputs::resolve(
            &flags(&["--output", "json", "--output", "sarif"]).output,
            &UI,
        )
        .err()
        .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "--output: 2 formats on stdout (json, sarif); give all but one a file with FORMAT=PATH"
            )
        );
    }
}
