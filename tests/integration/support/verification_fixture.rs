//! The hand-built `verify-logs` report of the `report_verification` module: an intact chain,
//! a chain with every kind of problem (invalid log file, invalid, missing and unexpected
//! digests, a gap, a cut), a chain that could not be read (ListPublicKeys denied, its error on
//! the chain only), a backfill chain with an invalid digest, and an account whose trails could
//! not be listed (a problem of no chain). Fixed times, so renderings are reproducible.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use trailguard::report::{Format, RenderOptions};
use trailguard::verify::{
    Chain, ChainAt, Counts, Item, ItemKind, Period, ReportItem, Status, Verification,
};

/// `2026-03-01T04:00:00Z` as a time.
pub fn at(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &Rfc3339).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn chain(account: &str, trail: &str, region: &str, bucket: &str, prefix: &str) -> Chain {
    let trail_arn = format!("arn:aws:cloudtrail:us-east-1:{account}:trail/{trail}");
    let at = ChainAt {
        account_id: account,
        trail_arn: &trail_arn,
        region,
        bucket,
        prefix,
    };
    Chain::at(at, false)
}

fn counts(valid: u64, invalid: u64, missing: u64) -> Counts {
    Counts {
        valid,
        invalid,
        missing,
    }
}

/// A digest key of `prefix`'s chain at `stamp` (`20260301T120000Z`).
fn digest_key(prefix: &str, account: &str, region: &str, trail: &str, stamp: &str) -> String {
    format!(
        "{prefix}2026/03/01/{account}_CloudTrail-Digest_{region}_{trail}_us-east-1_{stamp}.json.gz"
    )
}

fn timed(mut item: Item, start: &str, end: &str) -> Item {
    item.start = Some(at(start));
    item.end = Some(at(end));
    item
}

/// The intact chain and its backfill chain (account 1111…, us-east-1).
fn intact_and_backfill(items: &mut Vec<ReportItem>) -> Vec<Chain> {
    let prefix = "AWSLogs/111111111111/CloudTrail-Digest/us-east-1/";
    let mut intact = chain(
        "111111111111",
        "main",
        "us-east-1",
        "trail-logs-111",
        prefix,
    );
    intact.digests = counts(24, 0, 0);
    intact.log_files = counts(37, 0, 0);
    for stamp in ["20260301T000000Z", "20260301T010000Z"] {
        let key = digest_key(prefix, "111111111111", "us-east-1", "main", stamp);
        let item = Item::object(ItemKind::Digest, Status::Valid, &intact.bucket, &key, "");
        items.push(ReportItem::of(&intact, item));
    }
    let log = "AWSLogs/111111111111/CloudTrail/us-east-1/2026/03/01/\
               111111111111_CloudTrail_us-east-1_20260301T0005Z_Ab12.json.gz";
    let item = Item::object(ItemKind::LogFile, Status::Valid, &intact.bucket, log, "");
    items.push(ReportItem::of(&intact, item));

    let mut backfill = intact.clone();
    backfill.backfill = true;
    backfill.digests = counts(2, 1, 0);
    backfill.log_files = counts(3, 0, 0);
    let key = digest_key(
        prefix,
        "111111111111",
        "us-east-1",
        "main",
        "20260301T100000Z",
    )
    .replace(".json.gz", "_backfill.json.gz");
    let item = Item::object(
        ItemKind::Digest,
        Status::Invalid,
        &backfill.bucket,
        &key,
        "signature verification failed",
    );
    items.push(ReportItem::of(&backfill, item));
    vec![intact, backfill]
}

/// The chain with every kind of problem (account 2222…, eu-west-1, S3 prefix `audit/`).
fn broken(items: &mut Vec<ReportItem>) -> Chain {
    let (account, region, trail) = ("222222222222", "eu-west-1", "audit");
    let prefix = "audit/AWSLogs/222222222222/CloudTrail-Digest/eu-west-1/";
    let mut c = chain(account, trail, region, "audit-logs", prefix);
    c.digests = counts(18, 1, 1);
    c.log_files = counts(35, 1, 0);
    c.gaps = 1;
    c.unexpected = 1;
    c.cut = true;
    let key = |stamp: &str| digest_key(prefix, account, region, trail, stamp);
    let log = "audit/AWSLogs/222222222222/CloudTrail/eu-west-1/2026/03/01/\
               222222222222_CloudTrail_eu-west-1_20260301T0905Z_Zx9.json.gz";
    let found = [
        Item::object(
            ItemKind::LogFile,
            Status::Invalid,
            &c.bucket,
            log,
            "hash value doesn't match",
        ),
        Item::object(
            ItemKind::Digest,
            Status::Missing,
            &c.bucket,
            &key("20260301T120000Z"),
            format!(
                "not found: {} names it as its previous digest",
                key("20260301T130000Z")
            ),
        ),
        Item::object(
            ItemKind::Digest,
            Status::Invalid,
            &c.bucket,
            &key("20260301T150000Z"),
            "invalid format: field `digestEndTime` is not an RFC 3339 time: `<none> | 0`",
        ),
        Item::object(
            ItemKind::Digest,
            Status::Unexpected,
            &c.bucket,
            &key("20260301T123000Z"),
            "not on the chain: no digest names it as its previous digest",
        ),
        timed(
            Item::object(
                ItemKind::Gap,
                Status::Gap,
                &c.bucket,
                &key("20260301T060000Z"),
                "no digests between 2026-03-01T03:00:00Z and 2026-03-01T06:00:00Z: the chain \
                 restarts at this digest (logging or log file validation was off)",
            ),
            "2026-03-01T03:00:00Z",
            "2026-03-01T06:00:00Z",
        ),
        timed(
            Item::object(
                ItemKind::Chain,
                Status::Cut,
                &c.bucket,
                &key("20260301T200000Z"),
                "the newest digest ends at 2026-03-01T20:00:00Z, but CloudTrail last delivered \
                 a digest at 2026-03-01T23:10:00Z: newer digests were deleted",
            ),
            "2026-03-01T20:00:00Z",
            "2026-03-01T23:10:00Z",
        ),
    ];
    items.extend(found.into_iter().map(|i| ReportItem::of(&c, i)));
    c
}

/// The organization trail's chain of a member account whose region's keys were denied: the
/// error is on the chain only (no item), as a renderer must still show it.
fn unreadable() -> Chain {
    let mut c = chain(
        "333333333333",
        "org",
        "ap-southeast-2",
        "org-logs",
        "AWSLogs/o-abc123def4/333333333333/CloudTrail-Digest/ap-southeast-2/",
    );
    c.trail_arn = "arn:aws:cloudtrail:us-east-1:999999999999:trail/org".into();
    c.error = Some(
        "cloudtrail:ListPublicKeys in ap-southeast-2 failed: AccessDeniedException: not \
         authorized to perform cloudtrail:ListPublicKeys"
            .into(),
    );
    c
}

/// The report; valid items listed when `list_valid` (`-v`).
pub fn verification(list_valid: bool) -> Verification {
    let mut items = Vec::new();
    let mut chains = intact_and_backfill(&mut items);
    chains.push(broken(&mut items));
    chains.push(unreadable());
    // An account whose trails could not be listed: a problem of no chain.
    items.push(ReportItem {
        kind: ItemKind::Chain,
        account_id: "444444444444".into(),
        trail_arn: String::new(),
        region: String::new(),
        backfill: false,
        bucket: String::new(),
        key: String::new(),
        status: Status::Error,
        reason: "could not list the trails (cloudtrail:DescribeTrails: AccessDenied)".into(),
        start: None,
        end: None,
    });
    // Deliberately out of order: the report sorts.
    chains.reverse();
    items.reverse();
    let mut report = Verification::new(
        Period {
            start: at("2026-03-01T00:00:00Z"),
            end: at("2026-03-02T00:00:00Z"),
        },
        Period {
            start: at("2026-03-02T00:05:00Z"),
            end: at("2026-03-02T00:05:12.345Z"),
        },
        chains,
        items,
        list_valid,
    );
    // Snapshots do not change with the crate's version.
    report.tool.version = "0.0.0-fixture".into();
    report
}

/// `report` in `format`.
pub fn render(report: &Verification, format: Format, options: &RenderOptions) -> String {
    let mut out = Vec::new();
    trailguard::report::render_verification(format, report, options, &mut out).expect("renders");
    String::from_utf8(out).expect("UTF-8")
}
