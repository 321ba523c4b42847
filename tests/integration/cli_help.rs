//! `--help` of every command and subcommand, byte for byte against a committed snapshot each
//! (`snapshots/integration__cli_help__NAME.snap`), so a changed flag, default, value list or
//! wording shows in review. After an intended change:
//! `INSTA_UPDATE=always cargo test --test integration cli_help` and review `git diff`.

use crate::support::cli::{code, run_with_env, stderr, stdout};

/// Clap wraps help to the terminal width; output is piped here, so `COLUMNS` decides it.
const COLUMNS: &str = "100";

/// `trailguard ARGS… --help`, compared with the snapshot `name`.
fn help_snapshot(name: &str, args: &[&str]) {
    let mut argv = args.to_vec();
    argv.push("--help");
    let o = run_with_env(&argv, &[("COLUMNS", COLUMNS)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stderr(&o), "", "help writes to stdout only");
    let text = stdout(&o);
    let usage = format!(
        "Usage: {}",
        ["trailguard"]
            .iter()
            .chain(args)
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    );
    assert!(
        text.lines().any(|l| l.starts_with(&usage)),
        "the usage line names the binary `trailguard`: {text}"
    );
    // insta compares without trailing whitespace: these two make the comparison byte for byte.
    assert!(!text.starts_with('\n'), "{text:?}");
    assert_eq!(
        text,
        format!("{}\n", text.trim_end()),
        "help ends in one newline"
    );
    insta::assert_snapshot!(name, text);
}

/// One test per command; `COMMANDS` is what `every_listed_command_has_a_snapshot` checks.
macro_rules! help_snapshots {
    ($($test:ident: [$($arg:literal),*];)*) => {
        $(
            #[test]
            fn $test() {
                help_snapshot(stringify!($test), &[$($arg),*]);
            }
        )*

        const COMMANDS: &[&[&str]] = &[$(&[$($arg),*]),*];
    };
}

help_snapshots! {
    trailguard: [];
    collect: ["collect"];
    scan: ["scan"];
    check: ["check"];
    diff: ["diff"];
    rules: ["rules"];
    rules_list: ["rules", "list"];
    rules_explain: ["rules", "explain"];
    rules_validate: ["rules", "validate"];
    rules_test: ["rules", "test"];
    rules_fields: ["rules", "fields"];
    verify_logs: ["verify-logs"];
}

/// The names under `Commands:` in a help text (without clap's own `help`).
fn listed_commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// A command added to the CLI without a help snapshot fails here.
#[test]
fn every_listed_command_has_a_snapshot() {
    let mut parents: Vec<Vec<String>> = vec![Vec::new()];
    let mut seen = 0;
    while let Some(parent) = parents.pop() {
        let mut argv: Vec<&str> = parent.iter().map(String::as_str).collect();
        argv.push("--help");
        let o = run_with_env(&argv, &[("COLUMNS", COLUMNS)]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        for name in listed_commands(&stdout(&o)) {
            let mut path = parent.clone();
            path.push(name);
            assert!(
                COMMANDS.iter().any(|c| c.iter().eq(path.iter())),
                "`trailguard {}` has no help snapshot in cli_help.rs",
                path.join(" ")
            );
            seen += 1;
            parents.push(path);
        }
    }
    assert_eq!(
        seen + 1,
        COMMANDS.len(),
        "every snapshot is of a listed command"
    );
}
