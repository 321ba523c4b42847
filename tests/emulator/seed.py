#!/usr/bin/env python3
"""Seed a named scenario into a running moto server through the AWS APIs (boto3).

Usage: seed.py --endpoint http://127.0.0.1:PORT --scenario NAME [--account 12DIGITS]

Each scenario works in one AWS account. Apart from `denied`, that account is
selected by AssumeRole into arn:aws:iam::<account>:role/seed: moto maps the
temporary keys to that account and keeps CloudTrail/KMS/IAM/SNS state per
account, so tests sharing one server don't see each other. S3 bucket names are
global in moto as on AWS, so every bucket name starts with the account id.

On success prints one JSON object on stdout:
  {"account_id": ..., "credentials": {"access_key_id", "secret_access_key",
   "session_token"}, "facts": {...}}
On any error: message and traceback on stderr, exit status 1.
"""

import argparse
import json
import sys
import traceback

import boto3
from botocore.config import Config

DEFAULT_ACCOUNT = "123456789012"  # the account moto uses for unknown keys such as `testing`
PARTITION = "aws"


class Session:
    """boto3 clients for one set of credentials against the emulator."""

    def __init__(self, endpoint, access_key_id, secret_access_key, session_token=None):
        self.endpoint = endpoint
        self.creds = {
            "aws_access_key_id": access_key_id,
            "aws_secret_access_key": secret_access_key,
            "aws_session_token": session_token,
        }
        self.config = Config(
            retries={"max_attempts": 2, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        self._clients = {}

    def client(self, service, region="us-east-1"):
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = boto3.session.Session().client(
                service,
                region_name=region,
                endpoint_url=self.endpoint,
                config=self.config,
                **self.creds,
            )
        return self._clients[key]

    def credentials(self):
        return {
            "access_key_id": self.creds["aws_access_key_id"],
            "secret_access_key": self.creds["aws_secret_access_key"],
            "session_token": self.creds["aws_session_token"],
        }


def root_session(endpoint):
    return Session(endpoint, "testing", "testing")


def assume_account(endpoint, account):
    sts = root_session(endpoint).client("sts")
    creds = sts.assume_role(
        RoleArn=f"arn:{PARTITION}:iam::{account}:role/seed", RoleSessionName="seed"
    )["Credentials"]
    session = Session(endpoint, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    got = session.client("sts").get_caller_identity()["Account"]
    check(got == account, f"AssumeRole landed in account {got}, expected {account}")
    return session


def check(condition, message):
    if not condition:
        raise RuntimeError(f"seed check failed: {message}")


def trail_arn(region, account, name):
    return f"arn:{PARTITION}:cloudtrail:{region}:{account}:trail/{name}"


def create_bucket(s3, name, region, **extra):
    if region != "us-east-1":
        extra["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(Bucket=name, **extra)


def create_trail(session, account, region, name, **params):
    ct = session.client("cloudtrail", region)
    arn = ct.create_trail(Name=name, **params)["TrailARN"]
    check(arn == trail_arn(region, account, name), f"unexpected ARN {arn} for trail {name}")
    return ct, arn


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------


def scenario_empty(endpoint, account):
    session = assume_account(endpoint, account)
    return session, {"account_id": account}


def scenario_collector(endpoint, account):
    """One account with a spread of good and bad trail/bucket/key set-ups."""
    session = assume_account(endpoint, account)
    acct = account
    use1 = "us-east-1"

    # --- KMS ------------------------------------------------------------
    kms = session.client("kms", use1)
    rotating = kms.create_key(Description="trailguard rotating key", KeySpec="SYMMETRIC_DEFAULT",
                              KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=rotating["KeyId"])
    kms.create_alias(AliasName="alias/rotating", TargetKeyId=rotating["KeyId"])
    check(kms.get_key_rotation_status(KeyId=rotating["KeyId"])["KeyRotationEnabled"],
          "rotation not enabled on key rotating")
    doomed = kms.create_key(Description="trailguard doomed key")["KeyMetadata"]
    kms.create_alias(AliasName="alias/doomed", TargetKeyId=doomed["KeyId"])
    deletion = kms.schedule_key_deletion(KeyId=doomed["KeyId"], PendingWindowInDays=7)
    check(kms.describe_key(KeyId=doomed["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion",
          "key doomed is not PendingDeletion")

    # --- SNS --------------------------------------------------------------
    topic_name = "trail-notifications"
    topic_arn = session.client("sns", use1).create_topic(Name=topic_name)["TopicArn"]

    # --- S3 ---------------------------------------------------------------
    s3 = session.client("s3", use1)
    s3_eu = session.client("s3", "eu-west-1")
    locked, plain = f"{acct}-locked", f"{acct}-plain"
    access_logs, deleted = f"{acct}-access-logs", f"{acct}-deleted"
    locked_trail_arns = [
        trail_arn(use1, acct, "multi"),
        trail_arn("us-west-2", acct, "stopped"),
        trail_arn(use1, acct, "advanced"),
    ]

    create_bucket(s3, access_logs, use1, ACL="log-delivery-write")

    create_bucket(s3, locked, use1, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(
        Bucket=locked,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 365}},
        },
    )
    s3.put_bucket_versioning(
        Bucket=locked,
        MFA=f"arn:{PARTITION}:iam::{acct}:mfa/root-account-mfa-device 123456",
        VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"},
    )
    locked_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AWSCloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": f"arn:{PARTITION}:s3:::{locked}",
                "Condition": {"StringEquals": {"aws:SourceArn": locked_trail_arns}},
            },
            {
                "Sid": "AWSCloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"arn:{PARTITION}:s3:::{locked}/AWSLogs/{acct}/*",
                "Condition": {
                    "StringEquals": {
                        "s3:x-amz-acl": "bucket-owner-full-control",
                        "aws:SourceArn": locked_trail_arns,
                    }
                },
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:{PARTITION}:s3:::{locked}", f"arn:{PARTITION}:s3:::{locked}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }
    s3.put_bucket_policy(Bucket=locked, Policy=json.dumps(locked_policy))
    s3.put_public_access_block(
        Bucket=locked,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_logging(
        Bucket=locked,
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": access_logs, "TargetPrefix": f"{locked}/"}
        },
    )
    s3.put_bucket_encryption(
        Bucket=locked,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": rotating["Arn"],
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_bucket_ownership_controls(
        Bucket=locked,
        OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    )
    versioning = s3.get_bucket_versioning(Bucket=locked)
    check(versioning.get("MFADelete") == "Enabled" and versioning.get("Status") == "Enabled",
          f"bucket {locked} versioning read back as {versioning!r} (MFA Delete patch not active?)")

    plain_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:{PARTITION}:s3:::{plain}/*",
            }
        ],
    }
    create_bucket(s3_eu, plain, "eu-west-1")
    s3_eu.put_bucket_acl(Bucket=plain, ACL="public-read")
    s3_eu.put_bucket_policy(Bucket=plain, Policy=json.dumps(plain_policy))

    create_bucket(s3, deleted, use1)

    # --- Trails -----------------------------------------------------------
    cw_log_group_arn = f"arn:{PARTITION}:logs:{use1}:{acct}:log-group:cloudtrail/multi:*"
    cw_role_arn = f"arn:{PARTITION}:iam::{acct}:role/CloudTrail_CloudWatchLogs_Role"
    multi_tags = {"env": "prod", "owner": "security"}
    ct, multi_arn = create_trail(
        session, acct, use1, "multi",
        S3BucketName=locked,
        SnsTopicName=topic_name,
        IncludeGlobalServiceEvents=True,
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        CloudWatchLogsLogGroupArn=cw_log_group_arn,
        CloudWatchLogsRoleArn=cw_role_arn,
        KmsKeyId=rotating["Arn"],
    )
    ct.start_logging(Name="multi")
    multi_selectors = [
        {
            "ReadWriteType": "All",
            "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:{PARTITION}:s3"]}],
        }
    ]
    ct.put_event_selectors(TrailName=multi_arn, EventSelectors=multi_selectors)
    multi_insights = [{"InsightType": "ApiCallRateInsight"}]
    ct.put_insight_selectors(TrailName=multi_arn, InsightSelectors=multi_insights)
    ct.add_tags(ResourceId=multi_arn,
                TagsList=[{"Key": k, "Value": v} for k, v in multi_tags.items()])

    ct_eu, regional_arn = create_trail(
        session, acct, "eu-west-1", "regional",
        S3BucketName=plain,
        IsMultiRegionTrail=False,
        KmsKeyId=doomed["Arn"],
    )
    ct_eu.start_logging(Name="regional")
    regional_selectors = [
        {
            "ReadWriteType": "WriteOnly",
            "IncludeManagementEvents": True,
            "ExcludeManagementEventSources": ["kms.amazonaws.com"],
            "DataResources": [],
        }
    ]
    ct_eu.put_event_selectors(TrailName=regional_arn, EventSelectors=regional_selectors)

    ct_usw2, stopped_arn = create_trail(
        session, acct, "us-west-2", "stopped", S3BucketName=locked, IsMultiRegionTrail=False
    )
    ct_usw2.start_logging(Name="stopped")
    ct_usw2.stop_logging(Name="stopped")
    stopped_advanced = [
        {
            "Name": "Read-only management events",
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Management"]},
                {"Field": "readOnly", "Equals": ["true"]},
            ],
        },
        {
            "Name": "Object-level events in the locked bucket",
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                {"Field": "resources.ARN", "StartsWith": [f"arn:{PARTITION}:s3:::{locked}/"]},
            ],
        },
    ]
    ct_usw2.put_event_selectors(TrailName=stopped_arn, AdvancedEventSelectors=stopped_advanced)

    _, advanced_arn = create_trail(
        session, acct, use1, "advanced", S3BucketName=locked, IsMultiRegionTrail=True
    )
    ct.start_logging(Name="advanced")
    advanced_advanced = [
        {
            "Name": "Management events selector",
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Management"]},
                {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]},
            ],
        },
        {
            "Name": "Read-only S3 object events",
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                {"Field": "readOnly", "Equals": ["true"]},
            ],
        },
        {
            "Name": "Lambda function events",
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]},
            ],
        },
    ]
    ct.put_event_selectors(TrailName=advanced_arn, AdvancedEventSelectors=advanced_advanced)

    _, orphan_arn = create_trail(
        session, acct, use1, "orphan", S3BucketName=deleted, IsMultiRegionTrail=False
    )
    ct.start_logging(Name="orphan")
    s3.delete_bucket(Bucket=deleted)

    # Read back what the collector will see, so a seeding mistake shows up here.
    for region, arn, logging in [
        (use1, multi_arn, True), ("eu-west-1", regional_arn, True),
        ("us-west-2", stopped_arn, False), (use1, advanced_arn, True), (use1, orphan_arn, True),
    ]:
        status = session.client("cloudtrail", region).get_trail_status(Name=arn)
        check(status["IsLogging"] is logging, f"{arn}: IsLogging={status['IsLogging']}")
    got = ct.get_event_selectors(TrailName=multi_arn)
    check(got.get("EventSelectors") == multi_selectors and not got.get("AdvancedEventSelectors"),
          f"multi selectors read back as {got!r}")
    got = ct.get_insight_selectors(TrailName=multi_arn).get("InsightSelectors")
    check(got == multi_insights, f"multi insight selectors read back as {got!r}")

    def key_facts(meta, **extra):
        return {"key_id": meta["KeyId"], "arn": meta["Arn"], "region": use1, **extra}

    def trail_facts(name, arn, region, bucket, multi_region, logging, **extra):
        return {
            "name": name,
            "arn": arn,
            "home_region": region,
            "bucket": bucket,
            "is_multi_region": multi_region,
            "is_logging": logging,
            **extra,
        }

    facts = {
        "account_id": acct,
        "regions": [use1, "eu-west-1", "us-west-2"],
        "trail_names": ["multi", "regional", "stopped", "advanced", "orphan"],
        "trails": {
            "multi": trail_facts(
                "multi", multi_arn, use1, locked, True, True,
                include_global_service_events=True,
                log_file_validation=True,
                kms_key_id=rotating["Arn"],
                sns_topic_name=topic_name,
                sns_topic_arn=topic_arn,
                cloudwatch_logs_log_group_arn=cw_log_group_arn,
                cloudwatch_logs_role_arn=cw_role_arn,
                event_selectors=multi_selectors,
                advanced_event_selectors=[],
                insight_selectors=multi_insights,
                tags=multi_tags,
            ),
            "regional": trail_facts(
                "regional", regional_arn, "eu-west-1", plain, False, True,
                kms_key_id=doomed["Arn"],
                event_selectors=regional_selectors,
                advanced_event_selectors=[],
                insight_selectors=[],
                tags={},
            ),
            "stopped": trail_facts(
                "stopped", stopped_arn, "us-west-2", locked, False, False,
                kms_key_id=None,
                event_selectors=[],
                advanced_event_selectors=stopped_advanced,
                insight_selectors=[],
                tags={},
            ),
            "advanced": trail_facts(
                "advanced", advanced_arn, use1, locked, True, True,
                kms_key_id=None,
                event_selectors=[],
                advanced_event_selectors=advanced_advanced,
                insight_selectors=[],
                tags={},
            ),
            "orphan": trail_facts(
                "orphan", orphan_arn, use1, deleted, False, True,
                kms_key_id=None,
                event_selectors=[],
                advanced_event_selectors=[],
                insight_selectors=[],
                tags={},
            ),
        },
        "buckets": {
            "locked": {
                "name": locked,
                "region": use1,
                "exists": True,
                "object_lock": {"enabled": True, "mode": "COMPLIANCE", "days": 365},
                "versioning": "Enabled",
                "mfa_delete": "Enabled",
                "public_access_block": {
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
                "logging_target_bucket": access_logs,
                "logging_target_prefix": f"{locked}/",
                "encryption": {"algorithm": "aws:kms", "kms_key_id": rotating["Arn"]},
                "policy": locked_policy,
                "policy_source_arns": locked_trail_arns,
                "ownership": "BucketOwnerEnforced",
                "public": False,
            },
            "plain": {
                "name": plain,
                "region": "eu-west-1",
                "exists": True,
                "object_lock": None,
                "versioning": None,
                "mfa_delete": None,
                "public_access_block": None,
                "logging_target_bucket": None,
                "encryption": None,
                "policy": plain_policy,
                "acl": "public-read",
                "ownership": None,
                "public": True,
            },
            "access_logs": {
                "name": access_logs,
                "region": use1,
                "exists": True,
                "acl": "log-delivery-write",
            },
            "deleted": {"name": deleted, "region": use1, "exists": False},
        },
        "kms_keys": {
            "rotating": key_facts(rotating, alias="alias/rotating", rotation_enabled=True,
                                  state="Enabled"),
            "doomed": key_facts(doomed, alias="alias/doomed", rotation_enabled=False,
                                state="PendingDeletion", pending_window_days=7,
                                deletion_date=deletion["DeletionDate"].isoformat()),
        },
        "sns_topic": {"name": topic_name, "arn": topic_arn, "region": use1},
    }
    return session, facts


def scenario_denied(endpoint, account):
    """Default account; an IAM user allowed everything except two reads.

    For a private server only: the harness switches IAM enforcement on afterwards,
    and from then on the `testing` keys used here stop working.
    """
    check(account == DEFAULT_ACCOUNT,
          f"scenario denied lives in moto's default account {DEFAULT_ACCOUNT}, not {account}")
    root = root_session(endpoint)
    got = root.client("sts").get_caller_identity()["Account"]
    check(got == DEFAULT_ACCOUNT, f"testing keys map to account {got}, expected {DEFAULT_ACCOUNT}")

    bucket = "guarded-logs"
    root.client("s3").create_bucket(Bucket=bucket)
    _, arn = create_trail(root, account, "us-east-1", "guarded",
                          S3BucketName=bucket, IsMultiRegionTrail=True)
    root.client("cloudtrail").start_logging(Name="guarded")

    iam = root.client("iam")
    user = iam.create_user(UserName="auditor")["User"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": ["cloudtrail:GetEventSelectors", "s3:GetBucketPolicy"],
             "Resource": "*"},
        ],
    }
    iam.put_user_policy(UserName="auditor", PolicyName="auditor-deny-two-reads",
                        PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    auditor = Session(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    facts = {
        "account_id": account,
        "trail": {"name": "guarded", "arn": arn, "home_region": "us-east-1", "bucket": bucket,
                  "is_multi_region": True, "is_logging": True},
        "user": {"name": "auditor", "arn": user["Arn"], "policy": policy},
        "denied_actions": ["cloudtrail:GetEventSelectors", "s3:GetBucketPolicy"],
    }
    return auditor, facts


SCENARIOS = {
    "collector": scenario_collector,
    "empty": scenario_empty,
    "denied": scenario_denied,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--account", default=None,
                        help="12-digit account id (default: 123456789012 for denied; required otherwise)")
    args = parser.parse_args()

    if not args.endpoint.startswith(("http://127.0.0.1:", "http://[::1]:", "http://localhost:")):
        parser.error(f"refusing to seed a non-loopback endpoint: {args.endpoint}")
    account = args.account or (DEFAULT_ACCOUNT if args.scenario == "denied" else None)
    if account is None or len(account) != 12 or not account.isdigit():
        parser.error(f"--account must be 12 digits (got {account!r})")

    try:
        session, facts = SCENARIOS[args.scenario](args.endpoint, account)
    except Exception as err:
        traceback.print_exc()
        sys.stderr.write(f"seed.py: scenario {args.scenario!r} in account {account} failed: {err}\n")
        return 1
    json.dump(
        {"account_id": account, "credentials": session.credentials(), "facts": facts},
        sys.stdout,
    )
    sys.stdout.write("\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
