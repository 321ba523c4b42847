//! How trailguard talks to the person running it: colour per stream, progress, verbosity —
//! decided once, from the flags, `NO_COLOR` and whether each stream is a terminal.

use std::ffi::OsStr;
use std::io::IsTerminal;
use std::time::Duration;

use crate::cli::ColorChoice;

/// Presentation settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ui {
    /// Where ANSI colours go.
    pub color: Colors,
    /// `-q`: only findings and errors, no notes, no progress, no gate line on stderr.
    pub quiet: bool,
    /// `-v`: notes on stderr on how the run was set up (config file, `TRAILGUARD_*`
    /// variables, rules selected); reports are unchanged.
    pub verbose: bool,
    /// A progress bar on stderr during collection: stderr is a terminal and not `-q`.
    pub progress: bool,
    /// Without a terminal (CI) and not `-q`: a progress line on stderr this often during
    /// collection, so a long organization scan shows it is alive.
    pub progress_lines: Option<Duration>,
}

/// How often a progress line is printed without a terminal. Long enough not to flood a CI log,
/// short enough that a job never looks stuck.
pub const PROGRESS_LINE_EVERY: Duration = Duration::from_secs(10);

/// Hidden: replaces [`PROGRESS_LINE_EVERY`] (e.g. `100ms`) so tests need not wait 10 s.
pub const PROGRESS_INTERVAL_VARIABLE: &str = "TRAILGUARD_PROGRESS_INTERVAL";

/// Whether each destination gets ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colors {
    /// Output on stdout (the text report, the drift).
    pub stdout: bool,
    /// Diagnostics on stderr.
    pub stderr: bool,
    /// Text reports written to files: only with `--color always`.
    pub files: bool,
}

impl Ui {
    /// Reads the environment and the terminals.
    pub fn new(color: ColorChoice, quiet: bool, verbose: bool) -> Ui {
        let stderr_tty = std::io::stderr().is_terminal();
        Ui {
            color: Colors::decide(
                color,
                std::env::var_os("NO_COLOR").as_deref(),
                std::io::stdout().is_terminal(),
                stderr_tty,
            ),
            quiet,
            verbose,
            progress: !quiet && stderr_tty,
            progress_lines: (!quiet && !stderr_tty).then(progress_interval),
        }
    }
}

/// [`PROGRESS_LINE_EVERY`], or the hidden variable's duration when it is one.
fn progress_interval() -> Duration {
    (std::env::var(PROGRESS_INTERVAL_VARIABLE).ok())
        .and_then(|text| crate::cli::parse_duration(&text).ok())
        .unwrap_or(PROGRESS_LINE_EVERY)
}

impl Colors {
    /// `--color always|never` wins; `auto` colours a terminal unless `NO_COLOR` is set to a
    /// non-empty value (no-color.org: an empty `NO_COLOR` is as good as unset).
    pub fn decide(
        choice: ColorChoice,
        no_color: Option<&OsStr>,
        stdout_tty: bool,
        stderr_tty: bool,
    ) -> Colors {
        let allowed = no_color.is_none_or(OsStr::is_empty);
        match choice {
            ColorChoice::Always => Colors {
                stdout: true,
                stderr: true,
                files: true,
            },
            ColorChoice::Never => Colors {
                stdout: false,
                stderr: false,
                files: false,
            },
            ColorChoice::Auto => Colors {
                stdout: allowed && stdout_tty,
                stderr: allowed && stderr_tty,
                files: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auto(no_color: Option<&str>) -> Colors {
        Colors::decide(ColorChoice::Auto, no_color.map(OsStr::new), true, true)
    }

    #[test]
    fn no_color_set_and_not_empty_disables_colour() {
        assert!(!auto(Some("1")).stdout);
        assert!(!auto(Some("1")).stderr);
        // An empty NO_COLOR is not "set" (no-color.org).
        assert!(auto(Some("")).stdout && auto(Some("")).stderr);
        assert!(auto(None).stdout && auto(None).stderr);
    }

    #[test]
    fn auto_colours_only_terminals_and_never_files() {
        let c = Colors::decide(ColorChoice::Auto, None, false, true);
        assert_eq!(
            c,
            Colors {
                stdout: false,
                stderr: true,
                files: false
            }
        );
    }

    #[test]
    fn the_flag_wins_over_no_color_and_terminals() {
        let always = Colors::decide(ColorChoice::Always, Some(OsStr::new("1")), false, false);
        assert!(always.stdout && always.stderr && always.files);
        let never = Colors::decide(ColorChoice::Never, None, true, true);
        assert!(!never.stdout && !never.stderr && !never.files);
    }
}
