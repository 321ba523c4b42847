//! What every verification format shows the same way: the items of each chain, problems
//! worst first, a chain's error that no item carries, labels, times and the one-line verdict.

use std::borrow::Cow;
use std::collections::BTreeMap;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::verify::{Chain, ItemKind, ReportItem, Status, Verification};

/// One chain with its items.
pub(super) struct ChainView<'a> {
    /// The chain.
    pub chain: &'a Chain,
    /// Its problems, worst first (then in report order), with its error as an item when no
    /// item of the chain carries one: an error never vanishes from any format.
    pub problems: Vec<Cow<'a, ReportItem>>,
    /// Its valid items, in report order (present only when the report lists them).
    pub valid: Vec<&'a ReportItem>,
}

/// The report arranged by chain.
pub(super) struct View<'a> {
    /// Every chain, in report order.
    pub chains: Vec<ChainView<'a>>,
    /// Problems of no chain (an account or trail that could not be read), worst first.
    pub orphans: Vec<&'a ReportItem>,
}

impl<'a> View<'a> {
    /// Sorts the report's items under their chains.
    pub fn of(report: &'a Verification) -> View<'a> {
        let index: BTreeMap<ChainKey<'a>, usize> = report
            .chains
            .iter()
            .enumerate()
            .map(|(i, c)| (chain_key(c), i))
            .collect();
        let mut chains: Vec<ChainView<'a>> = report
            .chains
            .iter()
            .map(|chain| ChainView {
                chain,
                problems: Vec::new(),
                valid: Vec::new(),
            })
            .collect();
        let mut orphans = Vec::new();
        for item in &report.items {
            match index.get(&item_key(item)) {
                Some(&i) if item.is_problem() => chains[i].problems.push(Cow::Borrowed(item)),
                Some(&i) => chains[i].valid.push(item),
                None if item.is_problem() => orphans.push(item),
                // A valid object of no chain cannot be: it would have been verified by one.
                None => {}
            }
        }
        for view in &mut chains {
            if let Some(error) = uncovered_error(view) {
                view.problems.push(Cow::Owned(error));
            }
            view.problems.sort_by_key(|i| rank(i.status));
        }
        orphans.sort_by_key(|i| rank(i.status));
        View { chains, orphans }
    }

    /// Every problem: chain by chain, worst first within each, then those of no chain.
    pub fn problems(&self) -> impl Iterator<Item = &ReportItem> {
        self.chains
            .iter()
            .flat_map(|c| c.problems.iter().map(|p| p.as_ref()))
            .chain(self.orphans.iter().copied())
    }
}

type ChainKey<'a> = (&'a str, &'a str, &'a str, bool);

fn chain_key(c: &Chain) -> ChainKey<'_> {
    (&c.account_id, &c.trail_arn, &c.region, c.backfill)
}

fn item_key(i: &ReportItem) -> ChainKey<'_> {
    (&i.account_id, &i.trail_arn, &i.region, i.backfill)
}

/// The chain's error as an item (at its digest prefix), unless an item of the chain already
/// says why the chain could not be read.
fn uncovered_error(view: &ChainView<'_>) -> Option<ReportItem> {
    let chain = view.chain;
    let error = chain.error.as_ref()?;
    let covered = view
        .problems
        .iter()
        .any(|p| p.kind == ItemKind::Chain && p.status == Status::Error);
    (!covered).then(|| ReportItem {
        kind: ItemKind::Chain,
        account_id: chain.account_id.clone(),
        trail_arn: chain.trail_arn.clone(),
        region: chain.region.clone(),
        backfill: chain.backfill,
        bucket: chain.bucket.clone(),
        key: chain.prefix.clone(),
        status: Status::Error,
        reason: error.clone(),
        start: None,
        end: None,
    })
}

/// Worst first: what breaks the proof (invalid, missing, cut), what should not be there,
/// what could not be read, then gaps (logging or validation was off), then valid objects.
pub(super) fn rank(status: Status) -> u8 {
    match status {
        Status::Invalid => 0,
        Status::Missing => 1,
        Status::Cut => 2,
        Status::Unexpected => 3,
        Status::Error => 4,
        Status::Gap => 5,
        Status::Valid => 6,
    }
}

/// `log file`, `digest`, `gap`, `chain`.
pub(super) fn kind_words(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Digest => "digest",
        ItemKind::LogFile => "log file",
        ItemKind::Gap => "gap",
        ItemKind::Chain => "chain",
    }
}

/// A trail ARN's name (`arn:…:trail/main` → `main`); anything else as it is.
pub(super) fn trail_name(arn: &str) -> &str {
    arn.rsplit_once(":trail/").map_or(arn, |(_, name)| name)
}

/// `main-trail · account 111122223333 · us-east-1`, `· backfill` for a backfill chain.
pub(super) fn chain_label(c: &Chain) -> String {
    let mut label = format!(
        "{} · account {} · {}",
        trail_name(&c.trail_arn),
        c.account_id,
        c.region
    );
    if c.backfill {
        label.push_str(" · backfill");
    }
    label
}

/// What a problem is about, in words: `trail main · account 1111… · us-east-1[ · backfill]`,
/// or `account 1111…` for an account whose trails could not be read.
pub(super) fn owner_label(i: &ReportItem) -> String {
    let mut parts = Vec::new();
    if !i.trail_arn.is_empty() {
        parts.push(format!("trail {}", trail_name(&i.trail_arn)));
    }
    parts.push(format!("account {}", i.account_id));
    if !i.region.is_empty() {
        parts.push(i.region.clone());
    }
    if i.backfill {
        parts.push("backfill".to_owned());
    }
    parts.join(" · ")
}

/// Where a problem is: its `s3://` URI, or what it is about when it has no bucket (an account
/// or trail that could not be read).
pub(super) fn location(i: &ReportItem) -> String {
    if i.bucket.is_empty() {
        owner_label(i)
    } else {
        i.s3_uri()
    }
}

/// A time as reports print it (`2026-03-01T04:05:00Z`).
pub(super) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// A time to the second, for people.
pub(super) fn to_the_second(t: OffsetDateTime) -> String {
    rfc3339(t.replace_nanosecond(0).unwrap_or(t))
}

/// `n word` or `n words`.
pub(super) fn plural(n: u64, word: &str) -> String {
    super::super::describe::plural(usize::try_from(n).unwrap_or(usize::MAX), word)
}

/// The verdict in one line, like the AWS CLI's closing summary but over every chain:
/// `verified 3 chains from … to …: 21/21 digests valid, 36/37 log files valid (1 invalid),
/// 1 gap`.
pub(super) fn verdict(report: &Verification) -> String {
    let s = &report.summary;
    let mut parts = vec![
        fraction(s.digests, "digests"),
        fraction(s.log_files, "log files"),
    ];
    for (n, word) in [
        (s.unexpected, "unexpected digest"),
        (s.gaps, "gap"),
        (s.cut, "cut chain"),
        (s.errors, "error"),
    ] {
        if n > 0 {
            parts.push(plural(n, word));
        }
    }
    format!(
        "verified {} from {} to {}: {}",
        plural(s.chains, "chain"),
        to_the_second(report.window.start),
        to_the_second(report.window.end),
        parts.join(", ")
    )
}

/// `36/37 log files valid (1 invalid)`.
fn fraction(c: crate::verify::Counts, what: &str) -> String {
    let total = c.valid + c.invalid + c.missing;
    let mut text = format!("{}/{total} {what} valid", c.valid);
    let mut bad = Vec::new();
    if c.invalid > 0 {
        bad.push(format!("{} invalid", c.invalid));
    }
    if c.missing > 0 {
        bad.push(format!("{} missing", c.missing));
    }
    if !bad.is_empty() {
        text.push_str(&format!(" ({})", bad.join(", ")));
    }
    text
}

/// How the run went, for colours and headings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Every object verified, nothing else to say.
    Valid,
    /// Only gaps: the proof holds, but part of the window is not covered.
    Gaps,
    /// Something is invalid, missing, cut, unexpected or could not be read.
    Problems,
}

/// The run's [`Outcome`].
pub(super) fn outcome(view: &View<'_>) -> Outcome {
    let mut outcome = Outcome::Valid;
    for p in view.problems() {
        if p.status == Status::Gap {
            outcome = Outcome::Gaps;
        } else {
            return Outcome::Problems;
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_first_puts_gaps_after_every_other_problem() {
        let mut statuses = vec![
            Status::Gap,
            Status::Error,
            Status::Unexpected,
            Status::Cut,
            Status::Missing,
            Status::Invalid,
        ];
        statuses.sort_by_key(|s| rank(*s));
        assert_eq!(
            statuses,
            [
                Status::Invalid,
                Status::Missing,
                Status::Cut,
                Status::Unexpected,
                Status::Error,
                Status::Gap
            ]
        );
        assert!(rank(Status::Valid) > rank(Status::Gap));
    }

    fn chain(backfill: bool, error: Option<&str>) -> Chain {
        Chain {
            account_id: "111122223333".into(),
            trail_arn: "arn:aws:cloudtrail:us-east-1:111122223333:trail/main".into(),
            region: "us-east-1".into(),
            bucket: "b".into(),
            prefix: "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/".into(),
            backfill,
            digests: crate::verify::Counts::default(),
            log_files: crate::verify::Counts::default(),
            gaps: 0,
            unexpected: 0,
            cut: false,
            error: error.map(str::to_owned),
        }
    }

    fn report(chains: Vec<Chain>, items: Vec<ReportItem>) -> Verification {
        let t = OffsetDateTime::UNIX_EPOCH;
        let period = crate::verify::Period { start: t, end: t };
        Verification::new(period, period, chains, items, true)
    }

    /// A chain's error shows once: as the item that carries it, or as an item made from it.
    #[test]
    fn a_chain_error_is_an_item_exactly_once() {
        use crate::verify::Item;
        let denied = "cloudtrail:ListPublicKeys: AccessDenied";
        let bare = chain(false, Some(denied));
        let r = report(vec![bare.clone()], Vec::new());
        let view = View::of(&r);
        let problems: Vec<&ReportItem> = view.problems().collect();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (
                problems[0].status,
                problems[0].kind,
                problems[0].reason.as_str()
            ),
            (Status::Error, ItemKind::Chain, denied)
        );
        assert_eq!(problems[0].s3_uri(), format!("s3://b/{}", bare.prefix));

        let item = Item::object(ItemKind::Chain, Status::Error, "b", "", denied);
        let r = report(vec![bare.clone()], vec![ReportItem::of(&bare, item)]);
        assert_eq!(View::of(&r).problems().count(), 1);
    }

    /// Items of the backfill chain stay under it, not under the standard chain of the same
    /// trail, account and region; an item of no chain is an orphan.
    #[test]
    fn items_go_under_their_own_chain() {
        use crate::verify::Item;
        let standard = chain(false, None);
        let backfill = chain(true, None);
        let bad = Item::object(ItemKind::Digest, Status::Invalid, "b", "k", "why");
        let ok = Item::object(ItemKind::Digest, Status::Valid, "b", "v", "");
        let mut stray = ReportItem::of(&standard, bad.clone());
        stray.region = "eu-west-1".into();
        let r = report(
            vec![standard.clone(), backfill.clone()],
            vec![
                ReportItem::of(&backfill, bad),
                ReportItem::of(&standard, ok),
                stray,
            ],
        );
        let view = View::of(&r);
        assert_eq!(view.chains[0].problems.len(), 0);
        assert_eq!(view.chains[0].valid.len(), 1);
        assert_eq!(view.chains[1].problems.len(), 1);
        assert!(view.chains[1].chain.backfill);
        assert_eq!(view.orphans.len(), 1);
        assert_eq!(outcome(&view), Outcome::Problems);
    }

    #[test]
    fn trail_names() {
        assert_eq!(
            trail_name("arn:aws:cloudtrail:us-east-1:111122223333:trail/main"),
            "main"
        );
        assert_eq!(trail_name("main"), "main");
        assert_eq!(trail_name(""), "");
    }

    #[test]
    fn fractions_name_what_is_wrong() {
        let c = crate::verify::Counts {
            valid: 36,
            invalid: 1,
            missing: 0,
        };
        assert_eq!(
            fraction(c, "log files"),
            "36/37 log files valid (1 invalid)"
        );
        assert_eq!(
            fraction(crate::verify::Counts::default(), "digests"),
            "0/0 digests valid"
        );
    }
}
