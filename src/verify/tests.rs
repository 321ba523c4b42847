//! A small hourly chain built in memory with freshly generated RSA-2048 keys, then tampered
//! with case by case; each case must give exactly the expected items.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::OnceLock;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use super::gzip::{CHUNK, sha256_hex};
use super::*;

const BUCKET: &str = "trail-bucket";
const REGION: &str = "eu-west-1";
const ACCOUNT: &str = "111122223333";

struct Signer {
    pair: RsaKeyPair,
    fingerprint: String,
}

impl Signer {
    fn generate(name: &str) -> Signer {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA-2048 key generation");
        let der = pair.public_key().as_ref().to_vec();
        // Opaque, as AWS's: any string unique per key will do.
        let fingerprint = format!("{name}{}", &sha256_hex(&der)[..24]);
        Signer { pair, fingerprint }
    }

    fn der(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }

    fn sign(&self, message: &[u8]) -> String {
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .expect("RSA signing");
        hex::encode(signature)
    }
}

/// Two keys (rotation between the second and third digest) and one ListPublicKeys never
/// returns; generated once for all tests (RSA key generation is the slow part).
fn signers() -> &'static [Signer; 3] {
    static SIGNERS: OnceLock<[Signer; 3]> = OnceLock::new();
    SIGNERS.get_or_init(|| {
        [
            Signer::generate("aa"),
            Signer::generate("bb"),
            Signer::generate("rogue"),
        ]
    })
}

fn region_keys() -> PublicKeys {
    let mut keys = PublicKeys::new(REGION);
    for signer in &signers()[..2] {
        keys.insert(signer.fingerprint.clone(), signer.der());
    }
    keys
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("gzip into memory");
    encoder.finish().expect("gzip into memory")
}

fn stamp(time: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    )
}

fn iso(time: OffsetDateTime) -> String {
    let s = stamp(time);
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    )
}

fn digest_key(end: OffsetDateTime) -> String {
    format!(
        "AWSLogs/{ACCOUNT}/CloudTrail-Digest/{REGION}/2026/03/01/{ACCOUNT}_CloudTrail-Digest_{REGION}_\
         trail_us-east-1_{}.json.gz",
        stamp(end)
    )
}

/// One digest as written: its JSON (to tamper with and re-sign), bytes and signature.
#[derive(Clone)]
struct Written {
    key: String,
    json: Value,
    inflated: Vec<u8>,
    signature: String,
}

/// The chain as it sits in the bucket: digests (listing order) and log objects.
#[derive(Clone)]
struct Bucket {
    digests: Vec<Written>,
    logs: BTreeMap<String, Vec<u8>>,
}

/// Serialises, signs (§3.5) and returns the digest as stored.
fn seal(key: &str, json: Value, signer: &Signer) -> Written {
    let inflated = serde_json::to_vec(&json).expect("digest JSON");
    let previous = json["previousDigestSignature"].as_str().unwrap_or("null");
    let end = json["digestEndTime"].as_str().expect("digestEndTime");
    let bucket = json["digestS3Bucket"].as_str().expect("digestS3Bucket");
    let object = json["digestS3Object"].as_str().expect("digestS3Object");
    let to_sign = format!(
        "{end}\n{bucket}/{object}\n{}\n{previous}",
        sha256_hex(&inflated)
    );
    let signature = signer.sign(to_sign.as_bytes());
    Written {
        key: key.to_owned(),
        json,
        inflated,
        signature,
    }
}

/// Hourly digests `periods` = (start, end, number of log files, chain start?), oldest first;
/// the first two signed with key `aa`, the rest with `bb`.
fn build(periods: &[(OffsetDateTime, OffsetDateTime, usize, bool)]) -> Bucket {
    let mut bucket = Bucket {
        digests: Vec::new(),
        logs: BTreeMap::new(),
    };
    for (index, &(start, end, logs, chain_start)) in periods.iter().enumerate() {
        let mut entries = Vec::new();
        for n in 0..logs {
            let key = format!(
                "AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/2026/03/01/{ACCOUNT}_CloudTrail_{REGION}_{}_{n}.json.gz",
                stamp(end)
            );
            let raw = format!(
                r#"{{"Records":[{{"eventName":"Event{index}_{n}","awsRegion":"{REGION}"}}]}}"#
            );
            entries.push(json!({"s3Bucket": BUCKET, "s3Object": key, "hashValue": sha256_hex(raw.as_bytes()),
                "hashAlgorithm": "SHA-256", "newestEventTime": iso(end), "oldestEventTime": iso(start)}));
            bucket.logs.insert(key, gzip(raw.as_bytes()));
        }
        let previous = bucket.digests.last().filter(|_| !chain_start);
        let key = digest_key(end);
        let signer = &signers()[usize::from(index >= 2)];
        let body = json!({
            "awsAccountId": ACCOUNT, "digestStartTime": iso(start), "digestEndTime": iso(end),
            "digestS3Bucket": BUCKET, "digestS3Object": key,
            "digestPublicKeyFingerprint": signer.fingerprint, "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": iso(end), "oldestEventTime": iso(start),
            "previousDigestS3Bucket": previous.map(|_| BUCKET),
            "previousDigestS3Object": previous.map(|p| p.key.clone()),
            "previousDigestHashValue": previous.map(|p| sha256_hex(&p.inflated)),
            "previousDigestHashAlgorithm": previous.map(|_| "SHA-256"),
            "previousDigestSignature": previous.map(|p| p.signature.clone()),
            "logFiles": entries,
        });
        bucket.digests.push(seal(&key, body, signer));
    }
    bucket
}

const WINDOW: Window = Window {
    start: datetime!(2026-03-01 00:00 UTC),
    end: datetime!(2026-03-01 04:00 UTC),
};
const LATEST: OffsetDateTime = datetime!(2026-03-01 04:07 UTC);

/// Four hourly digests (00:02–01:05, …, 03:05–04:05) with 2, 1, 2, 1 log files.
fn intact() -> Bucket {
    let h = |hour: u8, minute: u8| {
        datetime!(2026-03-01 00:00 UTC)
            .replace_hour(hour)
            .and_then(|t| t.replace_minute(minute))
            .expect("time")
    };
    build(&[
        (h(0, 2), h(1, 5), 2, true),
        (h(1, 5), h(2, 5), 1, false),
        (h(2, 5), h(3, 5), 2, false),
        (h(3, 5), h(4, 5), 1, false),
    ])
}

fn listed(bucket: &Bucket) -> Vec<ListedDigest> {
    let metadata = |w: &Written| {
        BTreeMap::from([
            ("signature".to_owned(), w.signature.clone()),
            ("signature-algorithm".to_owned(), "SHA256withRSA".to_owned()),
        ])
    };
    bucket
        .digests
        .iter()
        .map(|w| ListedDigest {
            key: w.key.clone(),
            fetched: Fetched::Object {
                body: gzip(&w.inflated),
                metadata: metadata(w),
            },
        })
        .collect()
}

/// The chain's items plus one item per log file the valid digests list.
fn verify_all(
    listed: &[ListedDigest],
    logs: &BTreeMap<String, Vec<u8>>,
    latest: Option<OffsetDateTime>,
) -> Vec<Item> {
    let keys = region_keys();
    let input = ChainInput {
        bucket: BUCKET,
        source_region: REGION,
        window: WINDOW,
        listed,
        keys: &keys,
        latest_delivery: latest,
    };
    let outcome = verify_chain(&input).expect("inputs belong together");
    let mut items = outcome.items;
    for entry in &outcome.log_files {
        let source = match logs.get(&entry.key) {
            Some(body) => LogSource::Body(body.as_slice()),
            None => LogSource::NotFound,
        };
        items.push(verify_log(entry, source));
    }
    items
}

fn problems(items: &[Item]) -> Vec<(ItemKind, Status, String, String)> {
    items
        .iter()
        .filter(|item| item.status != Status::Valid)
        .map(|item| {
            (
                item.kind,
                item.status,
                item.key.clone(),
                item.reason.clone(),
            )
        })
        .collect()
}

fn count(items: &[Item], kind: ItemKind, status: Status) -> usize {
    items
        .iter()
        .filter(|item| item.kind == kind && item.status == status)
        .count()
}

fn log_key(bucket: &Bucket, digest: usize, n: usize) -> String {
    bucket.digests[digest].json["logFiles"][n]["s3Object"]
        .as_str()
        .expect("log key")
        .to_owned()
}

#[test]
fn the_intact_chain_is_valid_every_digest_and_log_file() {
    let bucket = intact();
    let items = verify_all(&listed(&bucket), &bucket.logs, Some(LATEST));
    assert_eq!(problems(&items), vec![]);
    assert_eq!(count(&items, ItemKind::Digest, Status::Valid), 4);
    assert_eq!(count(&items, ItemKind::LogFile, Status::Valid), 6);
}

fn one_log_changed(
    change: impl FnOnce(Vec<u8>) -> Vec<u8>,
) -> (String, Vec<(ItemKind, Status, String, String)>) {
    let mut bucket = intact();
    let key = log_key(&bucket, 2, 1);
    let body = bucket.logs.remove(&key).expect("log written");
    bucket.logs.insert(key.clone(), change(body));
    let items = verify_all(&listed(&bucket), &bucket.logs, Some(LATEST));
    assert_eq!(
        count(&items, ItemKind::LogFile, Status::Valid),
        5,
        "the other log files stay valid"
    );
    (key, problems(&items))
}

#[test]
fn a_modified_log_file_does_not_match_its_hash() {
    let (key, found) = one_log_changed(|_| gzip(br#"{"Records":[{"eventName":"DeleteTrail"}]}"#));
    let digest = digest_key(datetime!(2026-03-01 03:05 UTC));
    let reason = format!("hash value doesn't match the one in digest {digest}");
    assert_eq!(
        found,
        vec![(ItemKind::LogFile, Status::Invalid, key, reason)]
    );
}

#[test]
fn bytes_after_the_gzip_stream_make_a_log_file_invalid_even_a_second_member() {
    let trailing = "unexpected data after end of compressed stream".to_owned();
    let (key, found) = one_log_changed(|mut body| {
        body.extend_from_slice(b"{\"Records\":[]}\n");
        body
    });
    assert_eq!(
        found,
        vec![(ItemKind::LogFile, Status::Invalid, key, trailing.clone())]
    );
    let (key, found) = one_log_changed(|mut body| {
        body.extend(gzip(b"{\"Records\":[]}"));
        body
    });
    assert_eq!(
        found,
        vec![(ItemKind::LogFile, Status::Invalid, key, trailing)]
    );
}

#[test]
fn an_uncompressed_log_file_is_invalid_format() {
    let (key, found) = one_log_changed(|body| {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(body.as_slice())
            .read_to_end(&mut raw)
            .expect("gunzip");
        raw
    });
    let reason = "invalid format: invalid gzip header".to_owned();
    assert_eq!(
        found,
        vec![(ItemKind::LogFile, Status::Invalid, key, reason)]
    );
}

#[test]
fn a_truncated_or_empty_log_file_is_invalid_format() {
    let (_, found) = one_log_changed(|body| body[..body.len() - 4].to_vec());
    assert_eq!(found.len(), 1);
    assert!(found[0].3.starts_with("invalid format:"), "{found:?}");
    let (_, found) = one_log_changed(|_| Vec::new());
    assert_eq!(found[0].3, "invalid format: the object is empty");
}

#[test]
fn a_deleted_or_unreadable_log_file_is_missing_or_invalid_never_valid() {
    let bucket = intact();
    let entry = LogFileEntry {
        bucket: BUCKET.into(),
        key: "k".into(),
        hash_value: "00".into(),
        digest_key: "d".into(),
    };
    let missing = verify_log::<&[u8]>(&entry, LogSource::NotFound);
    assert_eq!(
        (missing.status, missing.reason.as_str()),
        (Status::Missing, "not found")
    );
    let denied = verify_log::<&[u8]>(
        &entry,
        LogSource::Failed {
            call: "s3:GetObject".into(),
            message: "AccessDenied".into(),
        },
    );
    assert_eq!(denied.status, Status::Invalid);
    assert_eq!(
        denied.reason,
        "could not be read (s3:GetObject: AccessDenied)"
    );
    let mut logs = bucket.logs.clone();
    let gone = log_key(&bucket, 1, 0);
    logs.remove(&gone);
    let found = problems(&verify_all(&listed(&bucket), &logs, Some(LATEST)));
    assert_eq!(
        found,
        vec![(
            ItemKind::LogFile,
            Status::Missing,
            gone,
            "not found".to_owned()
        )]
    );
}

/// A failing source must be reported as a read failure, not as a corrupt file.
#[test]
fn a_failing_stream_is_a_read_error_not_a_format_error() {
    struct Broken;
    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("connection reset"))
        }
    }
    assert_eq!(
        hash_gzip(Broken),
        Err(GzipError::Read("connection reset".into()))
    );
}

fn uri(key: &str) -> String {
    format!("s3://{BUCKET}/{key}")
}

/// Replaces digest `index` with `change`d JSON, re-signed by `signer` (so only the checks
/// beyond the signature can catch it).
fn resign(bucket: &mut Bucket, index: usize, signer: &Signer, change: impl FnOnce(&mut Value)) {
    let mut json = bucket.digests[index].json.clone();
    change(&mut json);
    json["digestPublicKeyFingerprint"] = json!(signer.fingerprint);
    let key = bucket.digests[index].key.clone();
    bucket.digests[index] = seal(&key, json, signer);
}

#[test]
fn a_modified_digest_body_fails_its_signature_and_its_log_files_are_not_trusted() {
    let bucket = intact();
    let mut all = listed(&bucket);
    let mut json = bucket.digests[2].json.clone();
    json["logFiles"]
        .as_array_mut()
        .expect("logFiles")
        .truncate(1); // hide a log file
    let Fetched::Object { body, .. } = &mut all[2].fetched else {
        panic!("fetched")
    };
    *body = gzip(&serde_json::to_vec(&json).expect("json"));
    let items = verify_all(&all, &bucket.logs, Some(LATEST));
    let key = bucket.digests[2].key.clone();
    let reason = "signature verification failed".to_owned();
    assert_eq!(
        problems(&items),
        vec![(ItemKind::Digest, Status::Invalid, key, reason)]
    );
    assert_eq!(
        count(&items, ItemKind::Digest, Status::Valid),
        3,
        "the walk goes on past it"
    );
    assert_eq!(
        count(&items, ItemKind::LogFile, Status::Valid),
        4,
        "its two log files are not checked"
    );
}

#[test]
fn a_wrong_metadata_signature_makes_that_digest_invalid_newest_or_middle() {
    for index in [3, 1] {
        let bucket = intact();
        let mut all = listed(&bucket);
        let Fetched::Object { metadata, .. } = &mut all[index].fetched else {
            panic!("fetched")
        };
        let signature = metadata.get_mut("signature").expect("signature");
        let flipped = if signature.starts_with('0') { "1" } else { "0" };
        signature.replace_range(0..1, flipped);
        let items = verify_all(&all, &bucket.logs, Some(LATEST));
        let key = bucket.digests[index].key.clone();
        let reason = "signature verification failed".to_owned();
        assert_eq!(
            problems(&items),
            vec![(ItemKind::Digest, Status::Invalid, key, reason)],
            "digest {index}"
        );
    }
}

#[test]
fn a_digest_without_signature_metadata_is_invalid() {
    let bucket = intact();
    let mut all = listed(&bucket);
    let Fetched::Object { metadata, .. } = &mut all[3].fetched else {
        panic!("fetched")
    };
    metadata.remove("signature-algorithm");
    let found = problems(&verify_all(&all, &bucket.logs, Some(LATEST)));
    let reason =
        "signature verification failed: the S3 object metadata has no `signature-algorithm`";
    assert_eq!(
        found,
        vec![(
            ItemKind::Digest,
            Status::Invalid,
            bucket.digests[3].key.clone(),
            reason.to_owned()
        )]
    );
}

#[test]
fn a_digest_signed_by_a_key_not_listed_is_invalid() {
    let mut bucket = intact();
    let rogue = &signers()[2];
    resign(&mut bucket, 3, rogue, |_| {});
    let found = problems(&verify_all(&listed(&bucket), &bucket.logs, Some(LATEST)));
    let reason = format!(
        "public key not found in region {REGION} for fingerprint {}",
        rogue.fingerprint
    );
    assert_eq!(
        found,
        vec![(
            ItemKind::Digest,
            Status::Invalid,
            bucket.digests[3].key.clone(),
            reason
        )]
    );
}

#[test]
fn a_digest_copied_to_a_newer_key_has_moved() {
    let bucket = intact();
    let mut all = listed(&bucket);
    let mut copy = all[3].clone();
    copy.key = digest_key(datetime!(2026-03-01 04:35 UTC));
    all.push(copy.clone());
    let found = problems(&verify_all(&all, &bucket.logs, Some(LATEST)));
    let reason = format!(
        "has been moved from its original location {}",
        uri(&bucket.digests[3].key)
    );
    assert_eq!(
        found,
        vec![(ItemKind::Digest, Status::Invalid, copy.key, reason)]
    );
}

#[test]
fn a_digest_copy_between_two_linked_digests_is_unexpected() {
    let bucket = intact();
    let mut all = listed(&bucket);
    let mut copy = all[1].clone();
    copy.key = digest_key(datetime!(2026-03-01 02:35 UTC));
    all.push(copy.clone());
    let found = problems(&verify_all(&all, &bucket.logs, Some(LATEST)));
    let reason = "not on the chain: no digest names it as its previous digest".to_owned();
    assert_eq!(
        found,
        vec![(ItemKind::Digest, Status::Unexpected, copy.key, reason)]
    );
}

#[test]
fn a_broken_previous_link_re_signed_is_caught_by_the_link_check_alone() {
    let mut bucket = intact();
    let wrong = sha256_hex(b"not the previous digest");
    resign(&mut bucket, 3, &signers()[1], |json| {
        json["previousDigestHashValue"] = json!(wrong)
    });
    let found = problems(&verify_all(&listed(&bucket), &bucket.logs, Some(LATEST)));
    let previous = &bucket.digests[2];
    let reason = format!(
        "previous-digest link broken: previousDigestHashValue {wrong} is not the SHA-256 of {} ({})",
        uri(&previous.key),
        sha256_hex(&previous.inflated)
    );
    assert_eq!(
        found,
        vec![(
            ItemKind::Digest,
            Status::Invalid,
            bucket.digests[3].key.clone(),
            reason
        )]
    );

    let mut bucket = intact();
    resign(&mut bucket, 2, &signers()[1], |json| {
        json["previousDigestSignature"] = json!("ab".repeat(256))
    });
    let found = problems(&verify_all(&listed(&bucket), &bucket.logs, Some(LATEST)));
    // Digest 3 links to the re-signed digest 2 by its old signature: both links are broken.
    let reason = |of: &Written| {
        format!(
            "previous-digest link broken: previousDigestHashValue {} is not the SHA-256 of {} ({})",
            bucket.digests[3].json["previousDigestHashValue"]
                .as_str()
                .unwrap_or_default(),
            uri(&of.key),
            sha256_hex(&of.inflated)
        )
    };
    assert_eq!(
        found[0],
        (
            ItemKind::Digest,
            Status::Invalid,
            bucket.digests[2].key.clone(),
            format!(
                "previous-digest link broken: previousDigestSignature is not the signature of {}",
                uri(&bucket.digests[1].key)
            )
        )
    );
    assert_eq!(
        found[1],
        (
            ItemKind::Digest,
            Status::Invalid,
            bucket.digests[3].key.clone(),
            reason(&bucket.digests[2])
        )
    );
    assert_eq!(found.len(), 2);
}

#[test]
fn a_deleted_middle_digest_is_missing_not_a_gap() {
    let bucket = intact();
    let mut all = listed(&bucket);
    all.remove(2);
    let items = verify_all(&all, &bucket.logs, Some(LATEST));
    let reason = format!(
        "not found: {} names it as its previous digest",
        bucket.digests[3].key
    );
    assert_eq!(
        problems(&items),
        vec![(
            ItemKind::Digest,
            Status::Missing,
            bucket.digests[2].key.clone(),
            reason
        )]
    );
    assert_eq!(
        count(&items, ItemKind::Digest, Status::Valid),
        3,
        "the walk goes on with the older digests"
    );
}

#[test]
fn a_deleted_newest_digest_cuts_the_chain_which_only_the_delivery_time_shows() {
    let bucket = intact();
    let mut all = listed(&bucket);
    all.pop();
    assert_eq!(
        problems(&verify_all(&all, &bucket.logs, None)),
        vec![],
        "invisible in the chain itself"
    );
    let items = verify_all(&all, &bucket.logs, Some(LATEST));
    let newest = datetime!(2026-03-01 03:05 UTC);
    let reason = "the newest digest ends at 2026-03-01T03:05:00Z, but CloudTrail last delivered a digest at \
                  2026-03-01T04:07:00Z: newer digests were deleted"
        .to_owned();
    assert_eq!(
        problems(&items),
        vec![(
            ItemKind::Chain,
            Status::Cut,
            bucket.digests[2].key.clone(),
            reason
        )]
    );
    let cut = items
        .iter()
        .find(|item| item.status == Status::Cut)
        .expect("cut item");
    assert_eq!((cut.start, cut.end), (Some(newest), Some(LATEST)));
}

#[test]
fn an_empty_listing_with_a_recent_delivery_is_a_cut_chain() {
    let items = verify_all(&[], &BTreeMap::new(), Some(LATEST));
    let reason =
        "no digest in the window, but CloudTrail last delivered one at 2026-03-01T04:07:00Z"
            .to_owned();
    assert_eq!(
        problems(&items),
        vec![(ItemKind::Chain, Status::Cut, String::new(), reason)]
    );
}

#[test]
fn an_empty_listing_with_a_delivery_after_what_was_listed_is_not_a_cut() {
    // The window is in the past: a delivery since says nothing about it.
    let later = WINDOW.end + LISTED_PAST_END + time::Duration::minutes(1);
    let items = verify_all(&[], &BTreeMap::new(), Some(later));
    assert_eq!(problems(&items), vec![]);
}

#[test]
fn a_chain_restart_after_older_digests_is_a_gap_with_its_times() {
    let h = |hour: u8, minute: u8| {
        datetime!(2026-03-01 00:00 UTC)
            .replace_hour(hour)
            .and_then(|t| t.replace_minute(minute))
            .expect("time")
    };
    let bucket = build(&[
        (h(0, 2), h(1, 5), 1, true),
        (h(1, 5), h(1, 40), 1, false), // logging stopped at 01:40
        (h(3, 10), h(4, 5), 1, true),  // and started again at 03:10
    ]);
    let items = verify_all(&listed(&bucket), &bucket.logs, Some(LATEST));
    let reason =
        "no digests between 2026-03-01T01:40:00Z and 2026-03-01T03:10:00Z: the chain restarts at \
                  this digest (logging or log file validation was off)"
            .to_owned();
    assert_eq!(
        problems(&items),
        vec![(
            ItemKind::Gap,
            Status::Gap,
            bucket.digests[2].key.clone(),
            reason
        )]
    );
    let gap = items
        .iter()
        .find(|item| item.kind == ItemKind::Gap)
        .expect("gap item");
    assert_eq!((gap.start, gap.end), (Some(h(1, 40)), Some(h(3, 10))));
    assert_eq!(count(&items, ItemKind::Digest, Status::Valid), 3);
}

#[test]
fn a_stray_digest_with_a_valid_signature_off_the_chain_is_unexpected() {
    let bucket = intact();
    let mut all = listed(&bucket);
    // A well-formed, correctly located, validly signed chain start nobody links to.
    let key = digest_key(datetime!(2026-03-01 01:35 UTC));
    let mut json = bucket.digests[0].json.clone();
    json["digestS3Object"] = json!(key);
    let stray = seal(&key, json, &signers()[0]);
    let mut stray_listed = listed(&Bucket {
        digests: vec![stray],
        logs: BTreeMap::new(),
    });
    all.append(&mut stray_listed);
    let found = problems(&verify_all(&all, &bucket.logs, Some(LATEST)));
    let reason = "not on the chain: no digest names it as its previous digest".to_owned();
    assert_eq!(
        found,
        vec![(ItemKind::Digest, Status::Unexpected, key, reason)]
    );
}

#[test]
fn digests_read_as_not_found_or_unreadable_are_never_valid() {
    let bucket = intact();
    let mut all = listed(&bucket);
    all[3].fetched = Fetched::Failed {
        call: "s3:GetObject".into(),
        message: "AccessDenied".into(),
    };
    all[1].fetched = Fetched::NotFound;
    let found = problems(&verify_all(&all, &bucket.logs, Some(LATEST)));
    assert_eq!(
        found,
        vec![
            (
                ItemKind::Digest,
                Status::Missing,
                bucket.digests[1].key.clone(),
                "not found (listed, then gone)".to_owned()
            ),
            (
                ItemKind::Digest,
                Status::Invalid,
                bucket.digests[3].key.clone(),
                "could not be read (s3:GetObject: AccessDenied)".to_owned()
            ),
        ]
    );
}

#[test]
fn keys_of_another_region_are_refused() {
    let keys = PublicKeys::new("us-east-1");
    let input = ChainInput {
        bucket: BUCKET,
        source_region: REGION,
        window: WINDOW,
        listed: &[],
        keys: &keys,
        latest_delivery: None,
    };
    assert_eq!(
        verify_chain(&input),
        Err(ChainError::KeysOfOtherRegion {
            keys: "us-east-1".into(),
            chain: REGION.into()
        })
    );
}

fn verify_one(
    key: &str,
    inflated: &[u8],
    signature: &str,
    keys: &PublicKeys,
) -> Result<VerifiedDigest, DigestError> {
    let body = gzip(inflated);
    let metadata = BTreeMap::from([
        ("signature".to_owned(), signature.to_owned()),
        ("signature-algorithm".to_owned(), "SHA256withRSA".to_owned()),
    ]);
    verify_digest(
        FetchedDigest {
            bucket: BUCKET,
            key,
            body: &body,
            metadata: &metadata,
        },
        keys,
    )
}

#[test]
fn a_digest_missing_a_required_field_names_the_field() {
    let written = &intact().digests[1];
    for field in ["digestS3Object", "previousDigestSignature", "logFiles"] {
        let mut json = written.json.clone();
        json.as_object_mut().expect("object").remove(field);
        let inflated = serde_json::to_vec(&json).expect("json");
        let err = verify_one(&written.key, &inflated, &written.signature, &region_keys())
            .expect_err(field);
        assert_eq!(
            err.to_string(),
            format!("invalid format: required field `{field}` is missing")
        );
    }
    let mut json = written.json.clone();
    json["logFiles"][0]["hashValue"] = json!(7);
    let inflated = serde_json::to_vec(&json).expect("json");
    let err =
        verify_one(&written.key, &inflated, &written.signature, &region_keys()).expect_err("typed");
    assert_eq!(
        err.to_string(),
        "invalid format: field `logFiles[0].hashValue` is not a string"
    );
}

#[test]
fn a_digest_with_bytes_after_its_gzip_stream_is_invalid() {
    let written = &intact().digests[1];
    let mut body = gzip(&written.inflated);
    body.push(b'x');
    let metadata = BTreeMap::from([
        ("signature".to_owned(), written.signature.clone()),
        ("signature-algorithm".to_owned(), "SHA256withRSA".to_owned()),
    ]);
    let found = FetchedDigest {
        bucket: BUCKET,
        key: &written.key,
        body: &body,
        metadata: &metadata,
    };
    assert_eq!(
        verify_digest(found, &region_keys()),
        Err(DigestError::Gzip(GzipError::TrailingData))
    );
}

#[test]
fn the_public_key_must_be_der_pkcs1_not_x509() {
    use aws_lc_rs::encoding::AsDer;
    let written = &intact().digests[1]; // signed with `aa`
    let pkcs1 = verify_one(
        &written.key,
        &written.inflated,
        &written.signature,
        &region_keys(),
    );
    assert_eq!(pkcs1.map(|v| v.key), Ok(written.key.clone()));
    let spki = signers()[0].pair.public_key().as_der().expect("X.509 form");
    let mut keys = PublicKeys::new(REGION);
    keys.insert(signers()[0].fingerprint.clone(), spki.as_ref().to_vec());
    let err = verify_one(&written.key, &written.inflated, &written.signature, &keys)
        .expect_err("SPKI refused");
    assert_eq!(
        err,
        DigestError::NotPkcs1 {
            fingerprint: signers()[0].fingerprint.clone()
        }
    );
}

#[test]
fn key_times_come_from_standard_and_backfill_digest_names() {
    let key = digest_key(datetime!(2026-03-01 04:05 UTC));
    assert_eq!(
        super::chain::key_time(&key),
        Some(datetime!(2026-03-01 04:05 UTC))
    );
    let backfill = key.replace(".json.gz", "_backfill.json.gz");
    assert_eq!(
        super::chain::key_time(&backfill),
        Some(datetime!(2026-03-01 04:05 UTC))
    );
    assert_eq!(
        super::chain::key_time("AWSLogs/x/CloudTrail-Digest/notes.txt"),
        None
    );
}

/// An endless-looking source: `len` bytes of a repeating pattern, gzip'd on the fly with stored
/// blocks, never in memory as a whole. Records the largest read the verifier asked for.
struct Stream {
    gz: flate2::read::GzEncoder<io::Take<Pattern>>,
    largest_read: usize,
}

struct Pattern(u8);

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        for byte in buf.iter_mut() {
            *byte = self.0;
            self.0 = self.0.wrapping_mul(31).wrapping_add(7);
        }
        Ok(buf.len())
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.largest_read = self.largest_read.max(buf.len());
        self.gz.read(buf)
    }
}

#[test]
fn the_log_hash_streams_in_constant_memory_whatever_the_size() {
    const LEN: u64 = 48 * 1024 * 1024;
    let mut expected = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    let mut pattern = Pattern(1).take(LEN);
    let mut chunk = vec![0; CHUNK];
    loop {
        let n = pattern.read(&mut chunk).expect("pattern");
        if n == 0 {
            break;
        }
        expected.update(&chunk[..n]);
    }
    let gz = flate2::read::GzEncoder::new(Pattern(1).take(LEN), Compression::none());
    let mut stream = Stream {
        gz,
        largest_read: 0,
    };
    let hashed = hash_gzip(&mut stream).expect("hash");
    assert_eq!(hashed.sha256_hex, hex::encode(expected.finish().as_ref()));
    assert_eq!(hashed.inflated_len, LEN);
    // By construction: one read buffer and one output buffer of CHUNK bytes, for 48 MiB.
    assert_eq!(hashed.buffer_bytes, 2 * CHUNK);
    assert!(
        hashed.buffer_bytes < 1024 * 1024,
        "{} bytes of buffer",
        hashed.buffer_bytes
    );
    assert!(
        stream.largest_read <= CHUNK,
        "asked for {} bytes at once",
        stream.largest_read
    );
}
