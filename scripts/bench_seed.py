#!/usr/bin/env python3
"""Seed an AWS Organization of N accounts into a running moto server, for scripts/bench.

Usage: bench_seed.py --endpoint http://127.0.0.1:PORT --accounts N [--management 111111111111]
                     [--workers 4]

Run it with the emulator venv's python (it needs boto3). Everything goes through the AWS APIs.

* management account (--management): an organization (all features, CloudTrail service
  access on) and an organization trail done right: multi-region, homed in us-east-1, logging,
  log file validation, SSE-KMS with a rotating key, CloudWatch Logs, SNS, event selectors
  with data events, Insights, tags; it delivers to a protected bucket in the log-archive member.
* N-1 member accounts made with organizations:CreateAccount (moto creates their
  OrganizationAccountAccessRole). The first is `log-archive`: it owns the organization trail's
  bucket and a second shared bucket, `member-trails`, that about half of the other members'
  trails deliver to, plus a single-region trail of its own. The others rotate through four
  shapes (own multi-region trail homed in us-east-1 / eu-central-1 / us-east-2, single-region
  trails in other regions, logging or stopped, own buckets protected or not, a KMS key each).
* CIS monitoring (CT-F01..CT-F15): the organization trail's log group carries the fifteen
  filters, alarms and a subscribed topic (every member inherits them); members of the first
  shape carry them on their own trail's log group with two alarms notifying a topic nobody
  subscribed to; members of the second shape deliver to a log group without filters.

Every account makes one EC2 call while seeding (see warm_ec2). Seeding is not timed; it is made fast by reusing one botocore session (service models are
loaded once) and the clients of each account, and by seeding members on a few threads.

Prints one JSON object on stdout: {"management", "organization_id", "members": [ids],
"credentials": {access_key_id, secret_access_key, session_token} (the management account's),
"counts": {"accounts", "trails", "buckets", "keys"}}. Errors: traceback, exit status 1.
"""

import argparse
import json
import sys
import threading
import traceback
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import yaml
from botocore.config import Config

PARTITION = "aws"
USE1 = "us-east-1"
MEMBER_ROLE = "OrganizationAccountAccessRole"

_boto = boto3.session.Session()
_boto_lock = threading.Lock()
_config = Config(
    retries={"max_attempts": 3, "mode": "standard"},
    connect_timeout=5,
    read_timeout=60,
    s3={"addressing_style": "path"},
    request_checksum_calculation="when_required",
    response_checksum_validation="when_required",
    max_pool_connections=4,
)


class Session:
    """Clients for one set of credentials, built once per (service, region)."""

    def __init__(self, endpoint, key, secret, token=None):
        self.endpoint = endpoint
        self.creds = dict(aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)
        self._clients = {}

    def client(self, service, region=USE1):
        key = (service, region)
        if key not in self._clients:
            with _boto_lock:  # one botocore session, shared model cache; not thread-safe
                self._clients[key] = _boto.client(service, region_name=region, endpoint_url=self.endpoint,
                                                  config=_config, **self.creds)
        return self._clients[key]


def assume(endpoint, via, account, role, session_name):
    creds = via.client("sts").assume_role(
        RoleArn=f"arn:{PARTITION}:iam::{account}:role/{role}", RoleSessionName=session_name
    )["Credentials"]
    return Session(endpoint, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])


def check(condition, message):
    if not condition:
        raise RuntimeError(f"bench seed check failed: {message}")


def trail_arn(region, account, name):
    return f"arn:{PARTITION}:cloudtrail:{region}:{account}:trail/{name}"


def create_bucket(session, name, region, **extra):
    if region != USE1:
        extra["CreateBucketConfiguration"] = {"LocationConstraint": region}
    session.client("s3", region).create_bucket(Bucket=name, **extra)
    return name


def delivery_policy(bucket, source_arns, prefixes):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
             "Resource": f"arn:{PARTITION}:s3:::{bucket}",
             "Condition": {"StringLike": {"aws:SourceArn": source_arns}}},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": [f"arn:{PARTITION}:s3:::{bucket}/AWSLogs/{p}/*" for p in prefixes],
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"},
                           "StringLike": {"aws:SourceArn": source_arns}}},
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [f"arn:{PARTITION}:s3:::{bucket}", f"arn:{PARTITION}:s3:::{bucket}/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        ],
    }


def protect(session, bucket, region, policy, key_arn=None, access_logs=None, lock=False):
    """Versioning, PAB, policy, encryption, ownership, optionally logging and object lock."""
    s3 = session.client("s3", region)
    if lock:
        s3.put_object_lock_configuration(
            Bucket=bucket,
            ObjectLockConfiguration={"ObjectLockEnabled": "Enabled",
                                     "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 365}}})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True,
                                        "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    sse = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn} if key_arn else {"SSEAlgorithm": "AES256"}
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": sse,
                                                      "BucketKeyEnabled": bool(key_arn)}]})
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    if access_logs:
        s3.put_bucket_logging(
            Bucket=bucket,
            BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": access_logs, "TargetPrefix": f"{bucket}/"}})


def kms_key(session, region, description, rotate):
    kms = session.client("kms", region)
    meta = kms.create_key(Description=description)["KeyMetadata"]
    if rotate:
        kms.enable_key_rotation(KeyId=meta["KeyId"])
    return meta["Arn"]


def trail(session, account, region, name, bucket, *, multi, logging=True, key_arn=None,
          validation=True, selectors=None, insights=False, tags=None, **extra):
    ct = session.client("cloudtrail", region)
    params = dict(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi,
                  IncludeGlobalServiceEvents=multi, EnableLogFileValidation=validation, **extra)
    if key_arn:
        params["KmsKeyId"] = key_arn
    arn = ct.create_trail(**params)["TrailARN"]
    check(arn == trail_arn(region, account, name), f"unexpected ARN {arn}")
    if selectors is not None:
        ct.put_event_selectors(TrailName=arn, EventSelectors=selectors)
    if insights:
        ct.put_insight_selectors(TrailName=arn, InsightSelectors=[{"InsightType": "ApiCallRateInsight"}])
    if tags:
        ct.add_tags(ResourceId=arn, TagsList=[{"Key": k, "Value": v} for k, v in tags.items()])
    if logging:
        ct.start_logging(Name=name)  # moto: by name only (by ARN gives 500)
    return arn


ALL_EVENTS = [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]
WRITE_ONLY = [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True,
               "ExcludeManagementEventSources": ["kms.amazonaws.com"], "DataResources": []}]
DATA_EVENTS = [{"ReadWriteType": "All", "IncludeManagementEvents": True,
                "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:{PARTITION}:s3"]}]}]


# The CIS monitoring controls' filter texts (CIS 5.0), read from the rules themselves.
RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


def cis_texts():
    texts = {}
    for path in sorted(RULES_DIR.glob("CT-F*.yaml")):
        doc = yaml.safe_load(path.read_text())
        texts[path.stem] = doc["filter_texts"]["5.0.0"][0]
    check(len(texts) == 15, f"expected 15 CT-F rules in {RULES_DIR}, found {len(texts)}")
    return texts


def monitoring(session, account, region, group, silent=()):
    """The fifteen CIS monitoring chains on log group `group` (created): a metric filter, an
    enabled alarm on its metric, notifying one topic with a confirmed SQS subscription, except
    the `silent` controls, whose alarms notify a topic nobody subscribed to. Returns the count
    of (filters, alarms, topics) created."""
    logs, cw, sns = (session.client(s, region) for s in ("logs", "cloudwatch", "sns"))
    logs.create_log_group(logGroupName=group)
    alerts = sns.create_topic(Name="cis-alerts")["TopicArn"]
    quiet = sns.create_topic(Name="cis-silent")["TopicArn"]
    sns.subscribe(TopicArn=alerts, Protocol="sqs",
                  Endpoint=f"arn:{PARTITION}:sqs:{region}:{account}:cis-alerts")
    texts = cis_texts()
    for control, text in texts.items():
        metric = control.replace("-", "")
        logs.put_metric_filter(logGroupName=group, filterName=f"cis-{control}", filterPattern=text,
                               metricTransformations=[{"metricName": metric,
                                                       "metricNamespace": "CISBenchmark",
                                                       "metricValue": "1"}])
        cw.put_metric_alarm(AlarmName=f"cis-{control}", MetricName=metric,
                            Namespace="CISBenchmark", Statistic="Sum", Period=300,
                            EvaluationPeriods=1, Threshold=1.0,
                            ComparisonOperator="GreaterThanOrEqualToThreshold",
                            AlarmActions=[quiet if control in silent else alerts])
    return len(texts), len(texts), 2


def warm_ec2(session):
    """moto builds an account's EC2 backend (default VPC, AMIs, ...) on the account's first EC2
    call: ~0.5 s of moto CPU per account, and many seconds for the first account of the
    process. AWS has no such cost, so pay it here, untimed, not in the scan's DescribeRegions."""
    session.client("ec2", USE1).describe_regions()


def log_group_params(account, region, group):
    """CreateTrail parameters that deliver to CloudWatch Logs group `group`."""
    return {
        "CloudWatchLogsLogGroupArn": f"arn:{PARTITION}:logs:{region}:{account}:log-group:{group}:*",
        "CloudWatchLogsRoleArn": f"arn:{PARTITION}:iam::{account}:role/CloudTrail_CloudWatchLogs_Role",
    }


def seed_member(endpoint, mgmt, index, account, shared_bucket):
    """One member account; returns (trails, buckets, keys) created."""
    s = assume(endpoint, mgmt, account, MEMBER_ROLE, "bench-seed")
    warm_ec2(s)
    shape = index % 4
    counts = [0, 0, 0]

    def own_bucket(region, suffix, protected):
        name = create_bucket(s, f"{account}-{suffix}", region)
        counts[1] += 1
        if protected:
            protect(s, name, region, delivery_policy(name, [f"arn:{PARTITION}:cloudtrail:*:{account}:trail/*"],
                                                     [account]))
        return name

    def key(region, rotate):
        counts[2] += 1
        return kms_key(s, region, f"bench trail key {account}", rotate)

    def add_trail(*args, **kwargs):
        counts[0] += 1
        return trail(s, account, *args, **kwargs)

    tags = {"owner": f"team-{index % 7}", "env": "prod" if index % 2 else "dev"}
    if shape == 0:
        # Own multi-region trail (us-east-1) to the shared bucket; a single-region one in eu-west-1.
        k = key(USE1, True)
        group = "cloudtrail/main"
        monitoring(s, account, USE1, group, silent=("CT-F09", "CT-F12"))
        add_trail(USE1, "main", shared_bucket, multi=True, key_arn=k, selectors=DATA_EVENTS,
                  insights=True, tags=tags, **log_group_params(account, USE1, group))
        eu = own_bucket("eu-west-1", "trail-eu", protected=True)
        add_trail("eu-west-1", "eu-audit", eu, multi=False, key_arn=k, selectors=ALL_EVENTS)
    elif shape == 1:
        # Multi-region trail homed in eu-central-1 to its own bucket; two single-region trails.
        k = key("eu-central-1", False)
        own = own_bucket("eu-central-1", "trail", protected=True)
        s.client("logs", "eu-central-1").create_log_group(logGroupName="cloudtrail/main")
        add_trail("eu-central-1", "main", own, multi=True, key_arn=k, selectors=ALL_EVENTS, tags=tags,
                  **log_group_params(account, "eu-central-1", "cloudtrail/main"))
        add_trail("us-west-2", "us-west", shared_bucket, multi=False, selectors=WRITE_ONLY)
        add_trail("ap-southeast-2", "apse2", own, multi=False, logging=False, validation=False)
    elif shape == 2:
        # Single-region trails only: one logging to the shared bucket, one stopped to a bare bucket.
        k = key(USE1, True)
        add_trail(USE1, "use1", shared_bucket, multi=False, key_arn=k, selectors=ALL_EVENTS, tags=tags)
        bare = own_bucket("eu-west-1", "legacy", protected=False)
        add_trail("eu-west-1", "euw1", bare, multi=False, logging=False, validation=False)
    else:
        # Multi-region trail homed in us-east-2 to the shared bucket; one in sa-east-1 whose
        # bucket has a public-read policy.
        k = key("us-east-2", True)
        add_trail("us-east-2", "main", shared_bucket, multi=True, key_arn=k, selectors=DATA_EVENTS,
                  insights=True, tags=tags)
        public = own_bucket("sa-east-1", "public", protected=False)
        s.client("s3", "sa-east-1").put_bucket_policy(Bucket=public, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": f"arn:{PARTITION}:s3:::{public}/*"}]}))
        add_trail("sa-east-1", "sa-east", public, multi=False, selectors=WRITE_ONLY)
    return counts


def seed(endpoint, n_accounts, mgmt_id, workers):
    check(n_accounts >= 2, "--accounts must be at least 2 (management + log-archive)")
    # Deterministic account ids for create_account.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/seed?a=42", method="POST"), timeout=30)
    root = Session(endpoint, "testing", "testing")
    mgmt = assume(endpoint, root, mgmt_id, "seed", "bench-seed")
    check(mgmt.client("sts").get_caller_identity()["Account"] == mgmt_id, "AssumeRole did not land in mgmt")
    warm_ec2(mgmt)

    orgs = mgmt.client("organizations")
    org = orgs.create_organization(FeatureSet="ALL")["Organization"]
    check(org["MasterAccountId"] == mgmt_id, f"management account is {org['MasterAccountId']}")
    orgs.enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
    members = []
    for i in range(1, n_accounts):
        name = "log-archive" if i == 1 else f"member-{i:03d}"
        status = orgs.create_account(Email=f"{name}@bench.example.com", AccountName=name)["CreateAccountStatus"]
        check(status["State"] == "SUCCEEDED", f"create_account {name}: {status!r}")
        members.append(status["AccountId"])
    check(len(set(members)) == len(members), "duplicate member ids")

    # log-archive: the organization trail's bucket and the shared member-trails bucket.
    archive_id = members[0]
    archive = assume(endpoint, mgmt, archive_id, MEMBER_ROLE, "bench-seed")
    warm_ec2(archive)
    access_logs = create_bucket(archive, f"{archive_id}-access-logs", USE1, ACL="log-delivery-write")
    org_bucket = create_bucket(archive, f"{mgmt_id}-org-cloudtrail", USE1, ObjectLockEnabledForBucket=True)
    shared_bucket = create_bucket(archive, f"{archive_id}-member-trails", USE1)
    org_key = kms_key(mgmt, USE1, "organization trail key", True)
    org_trail = trail_arn(USE1, mgmt_id, "org-trail")
    protect(archive, org_bucket, USE1, delivery_policy(org_bucket, [org_trail], [mgmt_id, org["Id"]]),
            key_arn=org_key, access_logs=access_logs, lock=True)
    protect(archive, shared_bucket, USE1,
            delivery_policy(shared_bucket, [f"arn:{PARTITION}:cloudtrail:*:*:trail/*"], ["*"]),
            access_logs=access_logs)
    counts = {"accounts": n_accounts, "trails": 1, "buckets": 3, "keys": 1}

    # management: the organization trail, done right.
    mgmt.client("sns").create_topic(Name="org-trail-deliveries")
    monitoring(mgmt, mgmt_id, USE1, "cloudtrail/org-trail")
    trail(mgmt, mgmt_id, USE1, "org-trail", org_bucket, multi=True, key_arn=org_key,
          selectors=DATA_EVENTS, insights=True, tags={"owner": "security", "scope": "organization"},
          IsOrganizationTrail=True, SnsTopicName="org-trail-deliveries",
          CloudWatchLogsLogGroupArn=f"arn:{PARTITION}:logs:{USE1}:{mgmt_id}:log-group:cloudtrail/org-trail:*",
          CloudWatchLogsRoleArn=f"arn:{PARTITION}:iam::{mgmt_id}:role/CloudTrail_CloudWatchLogs_Role")

    # log-archive's own single-region trail; then every other member, a few at a time.
    counts["trails"] += 1
    trail(archive, archive_id, USE1, "archive-local", shared_bucket, multi=False, selectors=ALL_EVENTS)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(seed_member, endpoint, mgmt, i, acct, shared_bucket)
                   for i, acct in enumerate(members[1:], start=2)]
        for f in futures:
            t, b, k = f.result()
            counts["trails"] += t
            counts["buckets"] += b
            counts["keys"] += k

    listed = [a["Id"] for page in orgs.get_paginator("list_accounts").paginate() for a in page["Accounts"]]
    check(sorted(listed) == sorted(members + [mgmt_id]), f"list_accounts gave {len(listed)} accounts")
    return {
        "management": mgmt_id,
        "organization_id": org["Id"],
        "members": members,
        "credentials": {
            "access_key_id": mgmt.creds["aws_access_key_id"],
            "secret_access_key": mgmt.creds["aws_secret_access_key"],
            "session_token": mgmt.creds["aws_session_token"],
        },
        "counts": counts,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--accounts", type=int, default=20, help="accounts in the organization, management included")
    parser.add_argument("--management", default="111111111111")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not args.endpoint.startswith("http://127.0.0.1:"):
        parser.error("--endpoint must be http://127.0.0.1:PORT (loopback only)")
    try:
        out = seed(args.endpoint.rstrip("/"), args.accounts, args.management, args.workers)
    except Exception:
        traceback.print_exc()
        sys.exit(1)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
