#!/usr/bin/env python3
"""Write CloudTrail-faithful digest chains and log files into moto S3, through the S3 API.

Usage: generate_chain.py --endpoint http://127.0.0.1:PORT --account 12DIGITS --out manifest.json
                         [--bucket NAME] [--prefix P] [--org] [--member-account 12DIGITS]
                         [--start 2026-03-01T00:00:00Z] [--tamper CASE]...

What it writes (all times fixed by --start, so CLI output is reproducible; see
docs/emulator.md "Digest chains"):
* a multi-region trail `chain-trail` (home us-east-1, log file validation on) in the
  account, and its bucket; with --org an organization trail of that (management)
  account's new organization, whose logs are written for --member-account under
  `AWSLogs/<o-id>/<member>/`;
* per source region (us-east-1, eu-west-1) an hourly digest chain over 8 hours with
  correct previousDigest* links, digests signed RSASSA-PKCS1-v1_5/SHA-256 over the exact
  string to sign of CHECKS.md §3.5 with the signature in the S3 metadata `signature` /
  `signature-algorithm`, and gzip'd log files with realistic records;
* two RSA-2048 keys per region, rotated inside the window, registered with the patched
  moto's ListPublicKeys through the loopback test hook;
* the home region has an empty hour (a digest with `logFiles: []`) and a stop/start:
  logging stops at 03:40, a final digest covers up to then, no digest for 04:xx, and a
  new chain (previousDigest* null) starts at 05:10;
* LatestDigestDeliveryTime of the trail = end of the newest digest written (before any
  tampering), through the test hook.
Then it applies each --tamper CASE (TAMPERS below) and writes a JSON manifest of what is
in S3: account, credentials, bucket, trail, keys, every digest and log, expected counts
for the intact chain, and per tamper case the objects it touched (`targets`) and the
items verify-logs must report at least (`expected_items`).

Exit 0 on success; on any error a message on stderr and exit 1.
"""

import argparse
import base64
import datetime as dt
import gzip
import hashlib
import json
import random
import sys
import traceback
import urllib.request

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import seed

HOME = "us-east-1"
OTHER = "eu-west-1"  # the default second source region
TRAIL = "chain-trail"
HOURS = 8  # default window length (--hours)
DIGEST_OFFSET = dt.timedelta(minutes=5)  # digests end a few minutes past the hour
STOP = dt.timedelta(hours=3, minutes=40)  # home region: logging stopped at 03:40 ...
RESTART = dt.timedelta(hours=5, minutes=10)  # ... and started again at 05:10
ROTATION = dt.timedelta(hours=2, minutes=30)  # signing key rotated at 02:30
EMPTY_HOUR = 1  # the home digest ending at 02:05 lists no log files
LOGS_PER_HOUR = 2  # default (--logs-per-hour)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text):
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


class Layout:
    """Where CloudTrail puts things: AWSLogs/[<o-id>/]<account>/CloudTrail[-Digest]/<region>/…"""

    def __init__(self, bucket, prefix, org_id, account, trail, home):
        self.bucket, self.prefix, self.org_id = bucket, prefix, org_id
        self.account, self.trail, self.home = account, trail, home

    def _base(self, kind, region, t):
        parts = [self.prefix] if self.prefix else []
        parts += ["AWSLogs"] + ([self.org_id] if self.org_id else [])
        parts += [self.account, kind, region, t.strftime("%Y/%m/%d")]
        return "/".join(parts)

    def digest_key(self, region, end):
        name = (f"{self.account}_CloudTrail-Digest_{region}_{self.trail}_{self.home}_"
                f"{end.strftime('%Y%m%dT%H%M%SZ')}.json.gz")
        return f"{self._base('CloudTrail-Digest', region, end)}/{name}"

    def log_key(self, region, delivered, rng):
        suffix = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                         for _ in range(16))
        name = f"{self.account}_CloudTrail_{region}_{delivered.strftime('%Y%m%dT%H%MZ')}_{suffix}.json.gz"
        return f"{self._base('CloudTrail', region, delivered)}/{name}"


class SigningKey:
    def __init__(self, region, valid_from, valid_to, register=True):
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.der = self.private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
        # What AWS uses as Fingerprint (see moto_server.py patch (k)).
        self.fingerprint = hashlib.md5(self.der).hexdigest()
        self.region, self.valid_from, self.valid_to, self.registered = region, valid_from, valid_to, register

    def sign(self, message):
        return self.private.sign(message, padding.PKCS1v15(), hashes.SHA256()).hex()

    def manifest(self):
        return {"region": self.region, "fingerprint": self.fingerprint,
                "validity_start": iso(self.valid_from), "validity_end": iso(self.valid_to),
                "value": base64.b64encode(self.der).decode(), "registered": self.registered}


def string_to_sign(digest, inflated):
    """CHECKS.md §3.5: end time, bucket/key, SHA-256 of the inflated digest, previous signature."""
    previous = digest["previousDigestSignature"] or "null"
    return (f"{digest['digestEndTime']}\n{digest['digestS3Bucket']}/{digest['digestS3Object']}\n"
            f"{hashlib.sha256(inflated).hexdigest()}\n{previous}").encode()


def hook(endpoint, path, body):
    request = urllib.request.Request(f"{endpoint}/trailguard-test/{path}", method="POST",
                                     data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def event(rng, account, region, when):
    """One realistic management event record (CloudTrail record format, eventVersion 1.11)."""
    name, source, read_only = rng.choice([
        ("DescribeInstances", "ec2.amazonaws.com", True),
        ("GetBucketAcl", "s3.amazonaws.com", True),
        ("AssumeRole", "sts.amazonaws.com", True),
        ("PutObjectAcl", "s3.amazonaws.com", False),
        ("CreateLogStream", "logs.amazonaws.com", False),
        ("ListKeys", "kms.amazonaws.com", True),
    ])
    return {
        "eventVersion": "1.11",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROA{rng.randrange(16**12):012X}:ci-session",
            "arn": f"arn:aws:sts::{account}:assumed-role/deployer/ci-session",
            "accountId": account,
            "accessKeyId": f"ASIA{rng.randrange(16**16):016X}",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEDEPLOYER",
                                  "arn": f"arn:aws:iam::{account}:role/deployer",
                                  "accountId": account, "userName": "deployer"},
                "attributes": {"creationDate": iso(when - dt.timedelta(minutes=20)),
                               "mfaAuthenticated": "false"},
            },
        },
        "eventTime": iso(when),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": f"198.51.100.{rng.randrange(1, 255)}",
        "userAgent": "aws-cli/2.22.0 md/awscrt#0.23.4 ua/2.1 os/linux#6.8 md/arch#x86_64",
        "requestParameters": {"maxResults": 100} if read_only else {"name": f"obj-{rng.randrange(10**6)}"},
        "responseElements": None,
        "requestID": f"{rng.randrange(16**8):08x}-{rng.randrange(16**4):04x}-4{rng.randrange(16**3):03x}-"
                     f"8{rng.randrange(16**3):03x}-{rng.randrange(16**12):012x}",
        "eventID": f"{rng.randrange(16**8):08x}-{rng.randrange(16**4):04x}-4{rng.randrange(16**3):03x}-"
                   f"9{rng.randrange(16**3):03x}-{rng.randrange(16**12):012x}",
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com"},
    }


class Writer:
    """Puts objects through the S3 API and remembers them for the manifest."""

    def __init__(self, s3, bucket, sse_kms_key=None):
        self.s3, self.bucket, self.sse_kms_key = s3, bucket, sse_kms_key

    def put(self, key, body, metadata=None):
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body,
                           ContentType="application/json", Metadata=metadata or {})

    def put_log(self, key, body):
        """A log file: SSE-KMS with the trail's key when it has one (CloudTrail encrypts log
        files with the trail's KmsKeyId; digest files always with SSE-S3, CT-UG
        "Encrypting CloudTrail log files with AWS KMS keys")."""
        extra = {}
        if self.sse_kms_key:
            extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.sse_kms_key}
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body,
                           ContentType="application/json", **extra)


def write_logs(writer, layout, rng, region, period_start, period_end, count):
    """`count` log files delivered inside the period; returns their digest entries."""
    entries = []
    span = (period_end - period_start).total_seconds()
    for i in range(count):
        delivered = period_start + dt.timedelta(seconds=span * (i + 1) / (count + 1))
        times = sorted(delivered - dt.timedelta(seconds=rng.randrange(60, 600)) for _ in range(3))
        records = {"Records": [event(rng, layout.account, region, t) for t in times]}
        raw = json.dumps(records, separators=(",", ":")).encode()
        key = layout.log_key(region, delivered, rng)
        writer.put_log(key, gzip.compress(raw, mtime=0))
        entries.append({"s3Bucket": layout.bucket, "s3Object": key,
                        "hashValue": hashlib.sha256(raw).hexdigest(), "hashAlgorithm": "SHA-256",
                        "newestEventTime": iso(times[-1]), "oldestEventTime": iso(times[0])})
    return entries


def digest_body(layout, region, start, end, key, signer, logs, previous):
    """The digest JSON as CloudTrail writes it (field order of the CT-UG example)."""
    times = [e for log in logs for e in (log["newestEventTime"], log["oldestEventTime"])]
    return {
        "awsAccountId": layout.account,
        "digestStartTime": iso(start),
        "digestEndTime": iso(end),
        "digestS3Bucket": layout.bucket,
        "digestS3Object": key,
        "digestPublicKeyFingerprint": signer.fingerprint,
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": max(times) if times else None,
        "oldestEventTime": min(times) if times else None,
        "previousDigestS3Bucket": layout.bucket if previous else None,
        "previousDigestS3Object": previous["key"] if previous else None,
        "previousDigestHashValue": previous["sha256"] if previous else None,
        "previousDigestHashAlgorithm": "SHA-256" if previous else None,
        "previousDigestSignature": previous["signature"] if previous else None,
        "logFiles": logs,
    }


def put_digest(writer, body, signer, extra_metadata=None):
    """Serialises, signs and stores one digest; returns its manifest entry."""
    inflated = json.dumps(body, separators=(",", ":")).encode()
    signature = signer.sign(string_to_sign(body, inflated))
    writer.put(body["digestS3Object"], gzip.compress(inflated, mtime=0),
               {"signature": signature, "signature-algorithm": "SHA256withRSA", **(extra_metadata or {})})
    return {"key": body["digestS3Object"], "start": body["digestStartTime"], "end": body["digestEndTime"],
            "fingerprint": signer.fingerprint, "signature": signature,
            "sha256": hashlib.sha256(inflated).hexdigest(),
            "previous_key": body["previousDigestS3Object"],
            "logs": [log["s3Object"] for log in body["logFiles"]]}


def periods(region, start, hours):
    """(begin, end, starts_chain) of each digest of `region`, oldest first."""
    out, begin, first, stopped = [], start + dt.timedelta(minutes=2), True, False
    for hour in range(hours):
        end = start + dt.timedelta(hours=hour + 1) + DIGEST_OFFSET
        stop = start + STOP
        if region == HOME and not stopped and begin < stop <= end:
            out.append((begin, stop, first))  # the final digest covers up to StopLogging
            begin, first, stopped = start + RESTART, True, True
            continue
        if begin >= end:
            continue  # logging was off for this whole hour: no digest
        out.append((begin, end, first))
        begin, first = end, False
    return out


BACKFILL_HOUR = 2  # the backfill digest supplements the home digest 02:05-03:05 ...
BACKFILL_GENERATED = dt.timedelta(hours=3, minutes=20)  # ... generated at 03:20


def write_backfill(writer, layout, rng, start, keys):
    """One backfill digest (issue 18: a separate chain): a log file delivered late for the
    home hour 02:05-03:05, under the same key with `_backfill` before `.json.gz` and S3
    metadata `backfill-generation-timestamp` (what aws-cli >= 2026-02 requires; it looks the
    key up for that time +-1 h). Assumed, not documented by AWS: its previousDigest* fields
    are null (a backfill digest is not linked), the timestamp is ISO 8601 UTC, and it is
    signed by the key valid at generation time."""
    begin, end = periods(HOME, start, BACKFILL_HOUR + 1)[BACKFILL_HOUR][:2]
    generated = start + BACKFILL_GENERATED
    signer = next(k for k in keys if k.valid_from <= generated <= k.valid_to)
    logs = write_logs(writer, layout, rng, HOME, begin, end, 1)
    key = layout.digest_key(HOME, end)[:-len(".json.gz")] + "_backfill.json.gz"
    body = digest_body(layout, HOME, begin, end, key, signer, logs, None)
    entry = put_digest(writer, body, signer, {"backfill-generation-timestamp": iso(generated)})
    return {**entry, "generation_timestamp": iso(generated)}


def write_chain(writer, layout, rng, region, start, keys, hours, logs_per_hour):
    digests, previous = [], None
    for index, (begin, end, chain_start) in enumerate(periods(region, start, hours)):
        if chain_start:
            previous = None
        signer = keys[1] if end >= start + ROTATION else keys[0]
        empty = region == HOME and index == EMPTY_HOUR
        logs = [] if empty else write_logs(writer, layout, rng, region, begin, end, logs_per_hour)
        key = layout.digest_key(region, end)
        previous = put_digest(writer, digest_body(layout, region, begin, end, key, signer, logs, previous),
                              signer)
        digests.append(previous)
    return digests


# ---------------------------------------------------------------------------
# Tamper cases (issue 18 item 6). Each takes the Run and returns {role: "s3://…"} of
# what it touched. "middle" is the home digest ending 03:05 (index 2), "newest" the
# home digest ending 08:05; log cases use the first log of the home digest ending 06:05.
# ---------------------------------------------------------------------------
def uri(run, key):
    return f"s3://{run.layout.bucket}/{key}"


def get_bytes(run, key):
    return run.s3.get_object(Bucket=run.layout.bucket, Key=key)["Body"].read()


def tamper_log(run, change):
    key = run.chains[HOME][5]["logs"][0]
    run.writer.put(key, change(get_bytes(run, key)))
    return {"log": uri(run, key), "digest": uri(run, run.chains[HOME][5]["key"])}


def modified_log(run):
    def change(body):
        records = json.loads(gzip.decompress(body))
        records["Records"][0]["eventName"] = "DeleteTrail"  # what an intruder would hide
        return gzip.compress(json.dumps(records, separators=(",", ":")).encode(), mtime=0)
    return tamper_log(run, change)


def appended_log(run):
    return tamper_log(run, lambda body: body + b'{"Records":[]}\n')


def uncompressed_log(run):
    return tamper_log(run, gzip.decompress)


def deleted_log(run):
    key = run.chains[HOME][2]["logs"][0]
    run.s3.delete_object(Bucket=run.layout.bucket, Key=key)
    return {"log": uri(run, key), "digest": uri(run, run.chains[HOME][2]["key"])}


def modified_digest(run):
    digest = run.chains[HOME][2]
    answer = run.s3.get_object(Bucket=run.layout.bucket, Key=digest["key"])
    body = json.loads(gzip.decompress(answer["Body"].read()))
    body["logFiles"] = body["logFiles"][:1]  # hide the second log file; keep the old signature
    run.writer.put(digest["key"], gzip.compress(json.dumps(body, separators=(",", ":")).encode(), mtime=0),
                   answer["Metadata"])
    return {"digest": uri(run, digest["key"])}


def deleted_digest(index):
    def tamper(run):
        key = run.chains[HOME][index]["key"]
        run.s3.delete_object(Bucket=run.layout.bucket, Key=key)
        return {"digest": uri(run, key)}
    return tamper


def copied_digest(index, later):
    """A byte-for-byte copy (metadata too) under the key a digest `later` would have."""
    def tamper(run):
        digest = run.chains[HOME][index]
        copy = run.layout.digest_key(HOME, parse_time(digest["end"]) + later)
        run.s3.copy_object(Bucket=run.layout.bucket, Key=copy, MetadataDirective="COPY",
                           CopySource={"Bucket": run.layout.bucket, "Key": digest["key"]})
        return {"digest": uri(run, digest["key"]), "copy": uri(run, copy)}
    return tamper


def bad_signature(index):
    def tamper(run):
        digest = run.chains[HOME][index]
        sig = digest["signature"]
        broken = ("0" if sig[0] != "0" else "1") + sig[1:]
        run.writer.put(digest["key"], get_bytes(run, digest["key"]),
                       {"signature": broken, "signature-algorithm": "SHA256withRSA"})
        return {"digest": uri(run, digest["key"])}
    return tamper


def resign(run, region, index, change, signer):
    """Rewrites a digest with `change` applied and a valid signature by `signer`."""
    digest = run.chains[region][index]
    body = json.loads(gzip.decompress(get_bytes(run, digest["key"])))
    change(body)
    body["digestPublicKeyFingerprint"] = signer.fingerprint
    put_digest(run.writer, body, signer)
    return {"digest": uri(run, digest["key"])}


def unlisted_key(region):
    """The newest digest of `region` (None: the second source region) signed by a key
    ListPublicKeys never returns."""
    def tamper(run, region=region):
        region = region or run.regions[1]
        start = parse_time(run.window["start"])
        rogue = SigningKey(region, start, start + dt.timedelta(days=30), register=False)
        run.keys.append(rogue)
        targets = resign(run, region, -1, lambda body: None, rogue)
        return {**targets, "fingerprint": rogue.fingerprint}
    return tamper


def relinked_digest(run):
    """The newest home digest with a wrong previousDigestHashValue, validly re-signed."""
    digest = run.chains[HOME][-1]
    signer = next(k for k in run.keys if k.fingerprint == digest["fingerprint"])

    def change(body):
        body["previousDigestHashValue"] = hashlib.sha256(b"not the previous digest").hexdigest()
    return {**resign(run, HOME, -1, change, signer),
            "previous": uri(run, run.chains[HOME][-2]["key"])}


TAMPERS = {
    "modified-log": modified_log,
    "deleted-log": deleted_log,
    "appended-log": appended_log,
    "uncompressed-log": uncompressed_log,
    "modified-digest": modified_digest,
    "deleted-middle-digest": deleted_digest(2),
    "deleted-newest-digest": deleted_digest(-1),
    "copied-newest-digest": copied_digest(-1, dt.timedelta(minutes=30)),
    "copied-middle-digest": copied_digest(2, dt.timedelta(minutes=30)),
    "bad-signature-newest": bad_signature(-1),
    "bad-signature-middle": bad_signature(2),
    "unlisted-key": unlisted_key(HOME),
    "unlisted-key-other-region": unlisted_key(None),
    "relinked-digest": relinked_digest,
}


# What verify-logs must report at least, per case (issue 18 item 4's item vocabulary):
# (kind, status, target role). The CLI's own reports (same status) plus what it misses:
# a deleted newest digest cuts the chain, a stray copy is `unexpected`, a wrong link
# makes the digest that carries it invalid.
EXPECTED_ITEMS = {
    "modified-log": [("log_file", "invalid", "log")],
    "deleted-log": [("log_file", "missing", "log")],
    "appended-log": [("log_file", "invalid", "log")],
    "uncompressed-log": [("log_file", "invalid", "log")],
    "modified-digest": [("digest", "invalid", "digest")],
    "deleted-middle-digest": [("digest", "missing", "digest")],
    "deleted-newest-digest": [("chain", "cut", "digest")],
    "copied-newest-digest": [("digest", "invalid", "copy")],
    "copied-middle-digest": [("digest", "unexpected", "copy")],
    "bad-signature-newest": [("digest", "invalid", "digest")],
    "bad-signature-middle": [("digest", "invalid", "digest")],
    "unlisted-key": [("digest", "invalid", "digest")],
    "unlisted-key-other-region": [("digest", "invalid", "digest")],
    "relinked-digest": [("digest", "invalid", "digest")],
}


# ---------------------------------------------------------------------------
# Set-up and the run
# ---------------------------------------------------------------------------
class Run:
    """Everything one generation wrote, and the handles the tamper cases need."""

    def __init__(self, args):
        self.endpoint = args.endpoint
        self.session = seed.assume_account(args.endpoint, args.account)
        self.s3 = self.session.client("s3", HOME)
        bucket = args.bucket or f"{args.account}-chain-logs"
        if bucket not in {b["Name"] for b in self.s3.list_buckets()["Buckets"]}:
            self.s3.create_bucket(Bucket=bucket)
        org_id = None
        if args.org:
            org = self.session.client("organizations", HOME)
            org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        log_account = args.member_account if args.org else args.account
        self.layout = Layout(bucket, args.prefix, org_id, log_account, TRAIL, HOME)
        kms_key = None
        if args.sse_kms:
            kms = self.session.client("kms", HOME)
            kms_key = kms.create_key(Description="trail log files")["KeyMetadata"]["Arn"]
        self.writer = Writer(self.s3, bucket, kms_key)
        start = parse_time(args.start)
        self.hours, self.logs_per_hour, self.with_backfill = args.hours, args.logs_per_hour, args.backfill
        self.regions = [HOME] + [r for r in args.other_regions.split(",") if r and r != HOME]
        self.window = {"start": iso(start), "end": iso(start + dt.timedelta(hours=args.hours))}
        self.trail_arn = self.create_trail(args)
        self.keys, self.chains, self.tampered = [], {}, []

    def create_trail(self, args):
        params = {"S3BucketName": self.layout.bucket, "IsMultiRegionTrail": True,
                  "EnableLogFileValidation": True, "IsOrganizationTrail": bool(args.org)}
        if args.prefix:
            params["S3KeyPrefix"] = args.prefix
        _, arn = seed.create_trail(self.session, args.account, HOME, TRAIL, **params)
        self.session.client("cloudtrail", HOME).start_logging(Name=TRAIL)
        return arn

    def register_keys(self):
        start = parse_time(self.window["start"])
        for region in self.regions:
            pair = [SigningKey(region, start - dt.timedelta(days=20), start + ROTATION),
                    SigningKey(region, start + ROTATION, start + dt.timedelta(days=30))]
            for key in pair:
                got = hook(self.endpoint, "cloudtrail/public-keys", {
                    "region": region, "value": base64.b64encode(key.der).decode(),
                    "validity_start": iso(key.valid_from), "validity_end": iso(key.valid_to)})
                seed.check(got["Fingerprint"] == key.fingerprint,
                           f"moto's fingerprint {got['Fingerprint']} is not {key.fingerprint}")
            self.keys.extend(pair)

    def write(self, seed_value):
        rng = random.Random(seed_value)
        start = parse_time(self.window["start"])
        for region in self.regions:
            keys = [k for k in self.keys if k.region == region]
            self.chains[region] = write_chain(self.writer, self.layout, rng, region, start, keys,
                                              self.hours, self.logs_per_hour)
        newest = max(d["end"] for chain in self.chains.values() for d in chain)
        hook(self.endpoint, "cloudtrail/digest-delivery", {
            "account_id": self.session.client("sts").get_caller_identity()["Account"],
            "trail_arn": self.trail_arn, "latest_digest_delivery_time": newest})
        self.latest_digest_delivery = newest
        self.backfill = []
        if self.with_backfill:
            keys = [k for k in self.keys if k.region == HOME]
            self.backfill.append(write_backfill(self.writer, self.layout, rng, start, keys))

    def tamper(self, case):
        targets = TAMPERS[case](self)
        region = self.regions[1] if case == "unlisted-key-other-region" else HOME
        expected = [{"kind": kind, "status": status, "region": region,
                     "object": targets[role]} for kind, status, role in EXPECTED_ITEMS[case]]
        self.tampered.append({"case": case, "targets": targets, "expected_items": expected})

    def manifest(self):
        def gaps(digests):  # a chain start after older digests: logging was off in between
            return [{"start": older["end"], "end": newer["start"]}
                    for older, newer in zip(digests, digests[1:]) if newer["previous_key"] is None]
        return {
            "account_id": self.session.client("sts").get_caller_identity()["Account"],
            "log_account_id": self.layout.account,
            "organization_id": self.layout.org_id,
            "credentials": self.session.credentials(),
            "bucket": self.layout.bucket,
            "prefix": self.layout.prefix,
            "trail_arn": self.trail_arn,
            "home_region": HOME,
            "regions": self.regions,
            "window": self.window,
            "latest_digest_delivery_time": self.latest_digest_delivery,
            "keys": [k.manifest() for k in self.keys],
            "chains": [{"region": region, "digests": digests, "gaps": gaps(digests),
                        "expected": {"digests": len(digests),
                                     "logs": sum(len(d["logs"]) for d in digests)}}
                       for region, digests in self.chains.items()],
            "backfill": self.backfill,
            "tampered": self.tampered,
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account", required=True, help="the trail's (management) account")
    parser.add_argument("--out", required=True, help="where to write the JSON manifest")
    parser.add_argument("--bucket", help="default: <account>-chain-logs (created if missing)")
    parser.add_argument("--prefix", help="the trail's S3 key prefix")
    parser.add_argument("--org", action="store_true",
                        help="organization trail; logs for --member-account under AWSLogs/<o-id>/")
    parser.add_argument("--member-account", default="210987654321")
    parser.add_argument("--start", default="2026-03-01T00:00:00Z", help="window start (UTC, whole hour)")
    parser.add_argument("--seed", type=int, default=18, help="seed for names and records")
    parser.add_argument("--hours", type=int, default=HOURS,
                        help=f"window length in hours (default {HOURS}; the home-region stop/start "
                             "needs at least 7)")
    parser.add_argument("--other-regions", default=OTHER,
                        help=f"comma-separated source regions besides {HOME} (default {OTHER})")
    parser.add_argument("--logs-per-hour", type=int, default=LOGS_PER_HOUR)
    parser.add_argument("--sse-kms", action="store_true",
                        help="log files stored with SSE-KMS (a new KMS key of the account)")
    parser.add_argument("--backfill", action="store_true",
                        help="also write one home-region backfill digest (see write_backfill)")
    parser.add_argument("--tamper", action="append", default=[], choices=sorted(TAMPERS))
    args = parser.parse_args()
    try:
        run = Run(args)
        run.register_keys()
        run.write(args.seed)
        for case in args.tamper:
            run.tamper(case)
        with open(args.out, "w") as out:
            json.dump(run.manifest(), out, indent=2)
    except Exception as err:  # noqa: BLE001 - the caller needs the reason, whatever it is
        traceback.print_exc()
        sys.stderr.write(f"generate_chain.py: {err}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
