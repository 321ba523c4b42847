//! Evaluation: rules × inventory → findings. Pure and synchronous: no I/O, no clock (the
//! clock is an argument), no AWS.

mod filters;
mod gaps;
mod judge;
mod log_groups;
mod logic;
mod subjects;
#[cfg(test)]
mod tests;
mod unreachable;

use std::collections::BTreeMap;

pub use gaps::UNLISTED_REGIONS;
pub use judge::{CaseResult, Verdict, judge, run_tests};
pub use logic::{Env, Truth, eval, fold_all, fold_any};
pub use subjects::{
    Subject, TrailJoins, organization_subjects, organization_trails_hidden, subjects, subjects_with,
};
pub use unreachable::unreachable_accounts;

use filters::PatternMemo;
use judge::{judge_in, to_finding};

use crate::finding::{self, Finding};
use crate::inventory::{Account, Inventory, Timestamp};
use crate::rules::{ParamValue, Rule, RuleSet};
use crate::vocabulary::Scope;

/// Evaluates every rule on every subject of its scope in every account. The findings are in
/// report order ([`finding::sort`]): this is where they are sorted, once.
pub fn evaluate(rules: &RuleSet, inventory: &Inventory, now: Timestamp) -> Vec<Finding> {
    evaluate_all(rules, [(inventory, now)])
}

/// [`evaluate`] over several inventories, each judged by its own clock (an offline check of
/// several files): all their findings, sorted once.
pub fn evaluate_all<'a>(
    rules: &RuleSet,
    sources: impl IntoIterator<Item = (&'a Inventory, Timestamp)>,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = sources
        .into_iter()
        .flat_map(|(inventory, now)| evaluate_unsorted(rules, inventory, now))
        .collect();
    finding::sort(&mut findings);
    findings
}

/// The findings of one inventory, in no particular order.
///
/// Each subject is built once and judged by every rule of its scope, then dropped: memory
/// stays at a few accounts' subjects however large the organization (a region subject embeds
/// its trails, buckets and keys, so building a scope for every account at once costs tens of
/// megabytes at twenty accounts). Accounts are independent, so they are shared out among a few
/// threads; the caller sorts, so the result does not depend on the order.
fn evaluate_unsorted(rules: &RuleSet, inventory: &Inventory, now: Timestamp) -> Vec<Finding> {
    let by_scope: Vec<(Scope, Vec<ScopedRule>, TrailJoins)> = Scope::ALL
        .iter()
        .map(|&scope| {
            let scoped: Vec<ScopedRule> = rules
                .iter()
                .filter(|rule| rule.scope == scope)
                .map(|rule| (rule, rule.param_values()))
                .collect();
            let paths: Vec<String> = scoped.iter().flat_map(|(rule, _)| rule.paths()).collect();
            (
                scope,
                scoped,
                TrailJoins::read_by(paths.iter().map(String::as_str)),
            )
        })
        .filter(|(_, scoped, _)| !scoped.is_empty())
        .collect();
    // Members inherit the organization trail from the management account: what hides it
    // there may hide it from them.
    let inherited = organization_trails_hidden(inventory);
    let patterns = PatternMemo::default();
    let per_account = |account: &Account| {
        let gaps = account.trail_gaps();
        let mut out = Vec::new();
        for (scope, scoped, joins) in &by_scope {
            // One subject per organization, not per account: judged below.
            if *scope != Scope::Organization {
                let rules: Vec<&Rule> = scoped.iter().map(|(rule, _)| *rule).collect();
                let subjects = subjects_with(*scope, account, inherited.as_ref(), *joins);
                judge_subjects(scoped, subjects, (now, &patterns), &mut out);
                out.extend(gaps::gap_findings(
                    *scope, &rules, inventory, account, &gaps,
                ));
            }
        }
        out
    };
    let mut findings: Vec<Finding> = crate::parallel::map(&inventory.accounts, per_account)
        .into_iter()
        .flatten()
        .collect();
    if let Some((_, scoped, _)) = by_scope.iter().find(|(s, ..)| *s == Scope::Organization) {
        judge_subjects(
            scoped,
            organization_subjects(inventory),
            (now, &patterns),
            &mut findings,
        );
    }
    findings.extend(unreachable_accounts(rules, inventory));
    findings
}

/// A rule with its parameter values.
type ScopedRule<'a> = (&'a Rule, BTreeMap<String, ParamValue>);

/// Judges every subject with every rule of their scope.
fn judge_subjects(
    scoped: &[ScopedRule],
    subjects: Vec<Subject>,
    (now, patterns): (Timestamp, &PatternMemo),
    findings: &mut Vec<Finding>,
) {
    for subject in subjects {
        for (rule, params) in scoped {
            let env = Env {
                params,
                now,
                patterns: Some(patterns),
            };
            let mut verdict = judge_in(rule, &subject.value, &env);
            verdict.evidence.extend(subject.notes.iter().cloned());
            findings.push(to_finding(rule, &subject.resource, verdict));
        }
    }
}
