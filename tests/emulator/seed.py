#!/usr/bin/env python3
"""Seed a named scenario into a running moto server through the AWS APIs (boto3).

Usage: seed.py --endpoint http://127.0.0.1:PORT --scenario NAME [--account 12DIGITS]

Each scenario works in one AWS account. Apart from `denied`, that account is
selected by AssumeRole into arn:aws:iam::<account>:role/seed: moto maps the
temporary keys to that account and keeps CloudTrail/KMS/IAM/SNS state per
account, so tests sharing one server don't see each other. S3 bucket names are
global in moto as on AWS, so every bucket name starts with the account id.
Scenario `org` makes that account the management account of its own organization
with five members (see scenario_org); its member accounts get random ids and its
bucket names start with the management account id.

On success prints one JSON object on stdout:
  {"account_id": ..., "credentials": {"access_key_id", "secret_access_key",
   "session_token"}, "facts": {...}}
On any error: message and traceback on stderr, exit status 1.
"""

import argparse
import json
import re
import sys
import traceback
from pathlib import Path

import boto3
import yaml
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
    """Default account; an IAM user allowed everything except three reads: two of a trail's
    and its bucket's settings, and ListTrails (so discovery must ask every region).

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
    # A single-region trail outside the own region: only found by asking eu-west-1 itself.
    _, regional_arn = create_trail(root, account, "eu-west-1", "guarded-eu",
                                   S3BucketName=bucket, IsMultiRegionTrail=False)

    iam = root.client("iam")
    user = iam.create_user(UserName="auditor")["User"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny",
             "Action": ["cloudtrail:GetEventSelectors", "s3:GetBucketPolicy", "cloudtrail:ListTrails"],
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
        "regional_trail": {"name": "guarded-eu", "arn": regional_arn, "home_region": "eu-west-1",
                           "bucket": bucket, "is_multi_region": False},
        "user": {"name": "auditor", "arn": user["Arn"], "policy": policy},
        "denied_actions": ["cloudtrail:GetEventSelectors", "s3:GetBucketPolicy",
                           "cloudtrail:ListTrails"],
    }
    return auditor, facts


# ---------------------------------------------------------------------------
# Scenario `org`: an AWS Organization seen from its management account
# ---------------------------------------------------------------------------

ORG_MEMBERS = ["log-archive", "compliant", "legacy", "no-trail", "broken"]
MEMBER_ROLE = "OrganizationAccountAccessRole"


def assume_member(endpoint, management, member):
    """The management account's way into a member: AssumeRole into its org access role."""
    sts = management.client("sts")
    creds = sts.assume_role(
        RoleArn=f"arn:{PARTITION}:iam::{member}:role/{MEMBER_ROLE}", RoleSessionName="seed-org"
    )["Credentials"]
    session = Session(endpoint, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    got = session.client("sts").get_caller_identity()["Account"]
    check(got == member, f"AssumeRole into member landed in account {got}, expected {member}")
    return session


def rotating_key(session, region, description):
    kms = session.client("kms", region)
    meta = kms.create_key(Description=description)["KeyMetadata"]
    kms.enable_key_rotation(KeyId=meta["KeyId"])
    check(kms.get_key_rotation_status(KeyId=meta["KeyId"])["KeyRotationEnabled"],
          f"rotation not enabled on {meta['Arn']}")
    return meta["Arn"]


def cloudtrail_bucket_policy(bucket, source_arns, log_prefixes):
    """The CloudTrail delivery policy, restricted by aws:SourceArn, plus Deny on plain HTTP."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AWSCloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": f"arn:{PARTITION}:s3:::{bucket}",
                "Condition": {"StringEquals": {"aws:SourceArn": source_arns}},
            },
            {
                "Sid": "AWSCloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": [f"arn:{PARTITION}:s3:::{bucket}/AWSLogs/{p}/*" for p in log_prefixes],
                "Condition": {
                    "StringEquals": {
                        "s3:x-amz-acl": "bucket-owner-full-control",
                        "aws:SourceArn": source_arns,
                    }
                },
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:{PARTITION}:s3:::{bucket}", f"arn:{PARTITION}:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def protected_bucket(session, owner, bucket, access_logs, kms_key_arn, source_arns, log_prefixes):
    """A trail bucket done right, in us-east-1 of the session's account."""
    s3 = session.client("s3", "us-east-1")
    create_bucket(s3, access_logs, "us-east-1", ACL="log-delivery-write")
    create_bucket(s3, bucket, "us-east-1", ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(
        Bucket=bucket,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 365}},
        },
    )
    s3.put_bucket_versioning(
        Bucket=bucket,
        MFA=f"arn:{PARTITION}:iam::{owner}:mfa/root-account-mfa-device 123456",
        VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"},
    )
    policy = cloudtrail_bucket_policy(bucket, source_arns, log_prefixes)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_logging(
        Bucket=bucket,
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": access_logs, "TargetPrefix": f"{bucket}/"}
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": kms_key_arn,
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_bucket_ownership_controls(
        Bucket=bucket,
        OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    )
    lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    check(lock["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE", f"{bucket}: lock {lock!r}")
    versioning = s3.get_bucket_versioning(Bucket=bucket)
    check(versioning.get("Status") == "Enabled" and versioning.get("MFADelete") == "Enabled",
          f"bucket {bucket} versioning read back as {versioning!r}")
    return policy


def full_trail(session, account, name, bucket, kms_key_arn, topic_name, tags, **extra):
    """A multi-region trail done right, homed in us-east-1, logging."""
    use1 = "us-east-1"
    session.client("sns", use1).create_topic(Name=topic_name)
    log_group = f"cloudtrail/{name}"
    session.client("logs", use1).create_log_group(logGroupName=log_group)
    ct, arn = create_trail(
        session, account, use1, name,
        S3BucketName=bucket,
        SnsTopicName=topic_name,
        IncludeGlobalServiceEvents=True,
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        CloudWatchLogsLogGroupArn=f"arn:{PARTITION}:logs:{use1}:{account}:log-group:{log_group}:*",
        CloudWatchLogsRoleArn=f"arn:{PARTITION}:iam::{account}:role/CloudTrail_CloudWatchLogs_Role",
        KmsKeyId=kms_key_arn,
        **extra,
    )
    selectors = [
        {
            "ReadWriteType": "All",
            "IncludeManagementEvents": True,
            "DataResources": [
                {"Type": "AWS::S3::Object", "Values": [f"arn:{PARTITION}:s3"]},
                {"Type": "AWS::Lambda::Function", "Values": [f"arn:{PARTITION}:lambda"]},
            ],
        }
    ]
    ct.put_event_selectors(TrailName=arn, EventSelectors=selectors)
    insights = [{"InsightType": "ApiCallRateInsight"}, {"InsightType": "ApiErrorRateInsight"}]
    ct.put_insight_selectors(TrailName=arn, InsightSelectors=insights)
    ct.add_tags(ResourceId=arn, TagsList=[{"Key": k, "Value": v} for k, v in tags.items()])
    ct.start_logging(Name=name)
    got = ct.get_event_selectors(TrailName=arn)
    check(got.get("EventSelectors") == selectors, f"{arn}: selectors read back as {got!r}")
    check(ct.get_trail_status(Name=arn)["IsLogging"] is True, f"{arn} is not logging")
    return arn


# The demo organization's broken links on the organization trail's log group, with the
# words each FAIL's evidence carries.
ORG_BROKEN = {
    "CT-F09": ({"topic": "pending"}, "confirmed"),
    "CT-F12": ({"namespace": "Other"}, "on_filter_metric"),
    "CT-F15": ({"filter": False}, "does not match"),
}


def scenario_org(endpoint, account):
    """An organization: the management account (--account) plus five members.

    * management: the organization trail done right, delivering to a bucket in log-archive;
    * log-archive: owns that bucket (and its access-log bucket), no trail of its own;
    * compliant: its own compliant multi-region trail and bucket, and its own complete CIS
      monitoring set-up on that trail's log group;
    * legacy: a stopped single-region trail (eu-west-1), write-only selectors excluding KMS,
      and a public bucket;
    * no-trail: nothing;
    * broken: a logging trail whose bucket was deleted.
    The organization trail's log group carries the fifteen CIS monitoring controls (rewritten
    as teams write them), three of them broken (ORG_BROKEN): every account relying on the
    organization trail inherits both verdicts.
    Returns the management account's session (what `trailguard scan --org` runs as).
    """
    mgmt_id = account
    use1 = "us-east-1"
    mgmt = assume_account(endpoint, mgmt_id)

    # --- The organization -------------------------------------------------
    orgs = mgmt.client("organizations", use1)
    org = orgs.create_organization(FeatureSet="ALL")["Organization"]
    check(org["MasterAccountId"] == mgmt_id,
          f"the organization's management account is {org['MasterAccountId']}, not {mgmt_id}")
    orgs.enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
    members = {}
    for name in ORG_MEMBERS:
        status = orgs.create_account(
            Email=f"{name}@{mgmt_id}.example.com", AccountName=name
        )["CreateAccountStatus"]
        check(status["State"] == "SUCCEEDED" and status.get("AccountId"),
              f"create_account {name}: {status!r}")
        members[name] = status["AccountId"]
    listed = {a["Id"]: a for page in orgs.get_paginator("list_accounts").paginate()
              for a in page["Accounts"]}
    for name, member_id in members.items():
        check(member_id in listed and listed[member_id]["Status"] == "ACTIVE",
              f"member {name} ({member_id}) not listed as ACTIVE: {listed.get(member_id)!r}")
    check(mgmt_id in listed, f"the management account {mgmt_id} is not listed")
    sessions = {name: assume_member(endpoint, mgmt, member_id) for name, member_id in members.items()}
    for name, session in sessions.items():
        seen = session.client("organizations", use1).describe_organization()["Organization"]
        check(seen["Id"] == org["Id"], f"member {name} sees organization {seen['Id']}")

    # --- management: the organization trail, bucket in log-archive ---------
    archive_id = members["log-archive"]
    org_bucket, org_access_logs = f"{mgmt_id}-org-logs", f"{mgmt_id}-org-access-logs"
    org_trail_arn = trail_arn(use1, mgmt_id, "org-trail")
    org_key = rotating_key(mgmt, use1, "organization trail key")
    org_policy = protected_bucket(
        sessions["log-archive"], archive_id, org_bucket, org_access_logs, org_key,
        [org_trail_arn], [mgmt_id, org["Id"]],
    )
    org_tags = {"owner": "security", "scope": "organization"}
    full_trail(mgmt, mgmt_id, "org-trail", org_bucket, org_key, "org-trail-deliveries",
               org_tags, IsOrganizationTrail=True)
    got = mgmt.client("cloudtrail", use1).get_trail(Name=org_trail_arn)["Trail"]
    check(got.get("IsOrganizationTrail") is True, f"org-trail read back as {got!r}")
    # CIS monitoring on the organization trail's log group: it sees every member's events,
    # so every member inherits it. Written as teams write it (clauses reordered, one per
    # line); three controls are broken so the demo shows both verdicts.
    org_monitoring = seed_cis_controls(mgmt, mgmt_id, use1, "cloudtrail/org-trail", {
        **{c: {"pattern": multi_line(reordered(cis_text(c)))} for c in CIS_METRICS},
        **{c: link for c, (link, _) in ORG_BROKEN.items()},
    }, prefix="org-cis")

    # --- compliant: its own trail done right -------------------------------
    compliant_id = members["compliant"]
    compliant = sessions["compliant"]
    compliant_bucket = f"{mgmt_id}-compliant-logs"
    compliant_access_logs = f"{mgmt_id}-compliant-access-logs"
    compliant_trail_arn = trail_arn(use1, compliant_id, "compliant-trail")
    compliant_key = rotating_key(compliant, use1, "compliant trail key")
    protected_bucket(compliant, compliant_id, compliant_bucket, compliant_access_logs,
                     compliant_key, [compliant_trail_arn], [compliant_id])
    full_trail(compliant, compliant_id, "compliant-trail", compliant_bucket, compliant_key,
               "compliant-trail-deliveries", {"owner": "platform"})
    # Its own complete CIS monitoring, so it passes the three controls the organization
    # trail's set-up breaks: a member is judged on either.
    compliant_monitoring = seed_cis_controls(compliant, compliant_id, use1,
                                             "cloudtrail/compliant-trail", {})

    # --- legacy: stopped regional trail, public bucket ---------------------
    legacy_id = members["legacy"]
    legacy = sessions["legacy"]
    legacy_bucket = f"{mgmt_id}-legacy-logs"
    s3_eu = legacy.client("s3", "eu-west-1")
    create_bucket(s3_eu, legacy_bucket, "eu-west-1")
    s3_eu.put_bucket_acl(Bucket=legacy_bucket, ACL="public-read")
    legacy_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:{PARTITION}:s3:::{legacy_bucket}/*",
            }
        ],
    }
    s3_eu.put_bucket_policy(Bucket=legacy_bucket, Policy=json.dumps(legacy_policy))
    ct_eu, legacy_trail_arn = create_trail(
        legacy, legacy_id, "eu-west-1", "legacy-trail",
        S3BucketName=legacy_bucket, IsMultiRegionTrail=False,
    )
    legacy_selectors = [
        {
            "ReadWriteType": "WriteOnly",
            "IncludeManagementEvents": True,
            "ExcludeManagementEventSources": ["kms.amazonaws.com"],
            "DataResources": [],
        }
    ]
    ct_eu.put_event_selectors(TrailName=legacy_trail_arn, EventSelectors=legacy_selectors)
    ct_eu.start_logging(Name="legacy-trail")
    ct_eu.stop_logging(Name="legacy-trail")
    check(ct_eu.get_trail_status(Name=legacy_trail_arn)["IsLogging"] is False,
          "legacy-trail is still logging")

    # --- broken: a logging trail whose bucket is gone ----------------------
    broken_id = members["broken"]
    broken = sessions["broken"]
    broken_bucket = f"{mgmt_id}-broken-logs"
    s3_broken = broken.client("s3", use1)
    create_bucket(s3_broken, broken_bucket, use1)
    ct_broken, broken_trail_arn = create_trail(
        broken, broken_id, use1, "broken-trail",
        S3BucketName=broken_bucket, IsMultiRegionTrail=True, IncludeGlobalServiceEvents=True,
    )
    ct_broken.start_logging(Name="broken-trail")
    s3_broken.delete_bucket(Bucket=broken_bucket)
    check(ct_broken.get_trail_status(Name=broken_trail_arn)["IsLogging"] is True,
          "broken-trail is not logging")

    # --- Read back per-account isolation: each account sees only its own trails ----
    expected_trails = {
        mgmt_id: [org_trail_arn],
        archive_id: [],
        compliant_id: [compliant_trail_arn],
        legacy_id: [legacy_trail_arn],
        members["no-trail"]: [],
        broken_id: [broken_trail_arn],
    }
    by_account = {mgmt_id: mgmt, **{members[n]: s for n, s in sessions.items()}}
    for acct, arns in expected_trails.items():
        seen = [t["TrailARN"] for region in (use1, "eu-west-1")
                for t in by_account[acct].client("cloudtrail", region).describe_trails(
                    includeShadowTrails=False)["trailList"]]
        check(sorted(seen) == sorted(arns), f"account {acct} sees trails {seen}, expected {arns}")

    facts = {
        "account_id": mgmt_id,
        "monitoring": {
            "organization": {**org_monitoring, "log_group": "cloudtrail/org-trail",
                             "broken": {c: words for c, (_, words) in ORG_BROKEN.items()}},
            "compliant": {**compliant_monitoring, "log_group": "cloudtrail/compliant-trail"},
        },
        "organization_id": org["Id"],
        "organization_arn": org["Arn"],
        "management_account_id": mgmt_id,
        "members": members,
        "member_role": MEMBER_ROLE,
        "accounts": {
            "management": {
                "account_id": mgmt_id,
                "trails": {"org-trail": {
                    "arn": org_trail_arn, "home_region": use1, "bucket": org_bucket,
                    "bucket_owner": archive_id, "is_organization_trail": True,
                    "is_multi_region": True, "is_logging": True, "kms_key_id": org_key,
                    "tags": org_tags,
                }},
                "buckets": {},
                "kms_keys": [org_key],
            },
            "log-archive": {
                "account_id": archive_id,
                "trails": {},
                "buckets": {
                    org_bucket: {"exists": True, "public": False, "policy": org_policy},
                    org_access_logs: {"exists": True, "acl": "log-delivery-write"},
                },
            },
            "compliant": {
                "account_id": compliant_id,
                "trails": {"compliant-trail": {
                    "arn": compliant_trail_arn, "home_region": use1, "bucket": compliant_bucket,
                    "is_organization_trail": False, "is_multi_region": True, "is_logging": True,
                    "kms_key_id": compliant_key,
                }},
                "buckets": {
                    compliant_bucket: {"exists": True, "public": False},
                    compliant_access_logs: {"exists": True, "acl": "log-delivery-write"},
                },
                "kms_keys": [compliant_key],
            },
            "legacy": {
                "account_id": legacy_id,
                "trails": {"legacy-trail": {
                    "arn": legacy_trail_arn, "home_region": "eu-west-1", "bucket": legacy_bucket,
                    "is_organization_trail": False, "is_multi_region": False,
                    "is_logging": False, "event_selectors": legacy_selectors,
                }},
                "buckets": {legacy_bucket: {"exists": True, "public": True, "acl": "public-read",
                                            "region": "eu-west-1", "policy": legacy_policy}},
            },
            "no-trail": {"account_id": members["no-trail"], "trails": {}, "buckets": {}},
            "broken": {
                "account_id": broken_id,
                "trails": {"broken-trail": {
                    "arn": broken_trail_arn, "home_region": use1, "bucket": broken_bucket,
                    "is_organization_trail": False, "is_multi_region": True, "is_logging": True,
                }},
                "buckets": {broken_bucket: {"exists": False}},
            },
        },
        "trail_arns": {
            "management": [org_trail_arn],
            "log-archive": [],
            "compliant": [compliant_trail_arn],
            "legacy": [legacy_trail_arn],
            "no-trail": [],
            "broken": [broken_trail_arn],
        },
        "buckets": {
            "org": org_bucket,
            "org_access_logs": org_access_logs,
            "compliant": compliant_bucket,
            "compliant_access_logs": compliant_access_logs,
            "legacy": legacy_bucket,
            "broken": broken_bucket,
        },
    }
    return mgmt, facts


# ---------------------------------------------------------------------------
# CIS monitoring (issue 16): trail -> log group -> metric filter -> alarm -> topic
# ---------------------------------------------------------------------------

# CIS AWS Foundations 5.0 audit patterns (4.3, 4.5, 4.2, 4.1, 4.4, 4.7), verbatim apart from
# the multi-line layout of the CloudTrail one (whitespace and newlines are allowed anywhere).
CIS_PATTERNS = {
    "root": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
            '$.eventType != "AwsServiceEvent" }',
    "cloudtrail": "{ ($.eventName = CreateTrail) ||\n  ($.eventName = UpdateTrail) ||\n"
                  "  ($.eventName = DeleteTrail) ||\n  ($.eventName = StartLogging) ||\n"
                  "  ($.eventName = StopLogging) }",
    "console_no_mfa": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    "unauthorized": '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && '
                    '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
    "iam_policy": "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||"
                  "($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||"
                  "($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||"
                  "($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||"
                  "($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||"
                  "($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||"
                  "($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||"
                  "($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}",
    "kms": "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||"
           "($.eventName=ScheduleKeyDeletion)) }",
}

# Each link of the chain, once right and once broken in one way:
# (filter key, metric name, dimensions, alarm namespace, alarm actions enabled, alarm topic key)
MONITORING_CHAINS = [
    ("root", "RootAccountUsage", {}, "CISBenchmark", True, "alerts"),          # compliant
    ("cloudtrail", "CloudTrailChanges", {}, "Other", True, "alerts"),          # other namespace
    ("console_no_mfa", "ConsoleSignInWithoutMfa", {}, "CISBenchmark", False, "alerts"),  # disabled
    ("unauthorized", "UnauthorizedAPICalls", {}, "CISBenchmark", True, None),  # no actions
    ("iam_policy", "IAMPolicyChanges", {}, "CISBenchmark", True, "silent"),    # no subscribers
    ("kms", "DisableOrDeleteCMK", {"EventSource": "$.eventSource"}, "CISBenchmark", True,
     "pending"),                                                               # pending only
]


def monitoring_base(session, account, region, log_group, prefix):
    """What every monitoring set-up starts from: `log_group` (created if missing) and three
    topics, `<prefix>-alerts` with a confirmed SQS subscription, `<prefix>-silent` without
    one and `<prefix>-pending` with a pending e-mail one. Returns (logs, sns, cloudwatch
    clients, {key: topic ARN})."""
    logs = session.client("logs", region)
    if not logs.describe_log_groups(logGroupNamePrefix=log_group)["logGroups"]:
        logs.create_log_group(logGroupName=log_group)
    sns, cw = session.client("sns", region), session.client("cloudwatch", region)
    topics = {key: sns.create_topic(Name=f"{prefix}-{key}")["TopicArn"]
              for key in ("alerts", "silent", "pending")}
    sns.subscribe(TopicArn=topics["alerts"], Protocol="sqs",
                  Endpoint=f"arn:{PARTITION}:sqs:{region}:{account}:{prefix}-alerts")
    sns.subscribe(TopicArn=topics["pending"], Protocol="email", Endpoint="nobody@example.com")
    return logs, sns, cw, topics


def seed_monitoring(session, account, region, log_group, prefix="cis"):
    """A CIS monitoring set-up on `log_group` (created if missing) in `account`/`region`:
    one metric filter per MONITORING_CHAINS entry, publishing to namespace CISBenchmark, each
    with one alarm, and three topics: `<prefix>-alerts` (a confirmed SQS subscription and a
    pending e-mail one), `<prefix>-silent` (no subscription) and `<prefix>-pending` (e-mail and
    HTTPS, both PendingConfirmation). Reusable by the demo and benchmark organizations.
    Returns the facts tests assert on."""
    logs, sns, cw, topics = monitoring_base(session, account, region, log_group, prefix)
    sns.subscribe(TopicArn=topics["alerts"], Protocol="email", Endpoint="oncall@example.com")
    sns.subscribe(TopicArn=topics["pending"], Protocol="https", Endpoint="https://example.com/hook")
    filters = {}
    for key, metric, dimensions, namespace, enabled, topic in MONITORING_CHAINS:
        name = f"{prefix}-{key.replace('_', '-')}"
        transformation = {"metricName": metric, "metricNamespace": "CISBenchmark", "metricValue": "1"}
        if dimensions:
            transformation["dimensions"] = dimensions
        logs.put_metric_filter(logGroupName=log_group, filterName=name,
                               filterPattern=CIS_PATTERNS[key],
                               metricTransformations=[transformation])
        alarm = {"AlarmName": name, "MetricName": metric, "Namespace": namespace,
                 "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1, "Threshold": 1.0,
                 "ComparisonOperator": "GreaterThanOrEqualToThreshold", "ActionsEnabled": enabled,
                 "AlarmActions": [topics[topic]] if topic else []}
        cw.put_metric_alarm(**alarm)
        filters[key] = {"name": name, "pattern": CIS_PATTERNS[key], "metric": metric,
                        "alarm": name, "namespace": namespace, "actions_enabled": enabled,
                        "topic": topics[topic] if topic else None}
    got = logs.describe_metric_filters(logGroupName=log_group)["metricFilters"]
    check(len(got) == len(MONITORING_CHAINS), f"{log_group}: {len(got)} metric filters")
    pending = sns.list_subscriptions_by_topic(TopicArn=topics["pending"])["Subscriptions"]
    check(all(s["SubscriptionArn"] == "PendingConfirmation" for s in pending),
          "moto_server.py's SNS patch did not keep e-mail/HTTPS subscriptions pending")
    return {"log_group": log_group, "topics": topics, "filters": filters}


def scenario_monitoring(endpoint, account):
    """One account: a logging multi-region trail delivering to a CloudWatch Logs group that
    carries seed_monitoring's filters, alarms and topics; and an alarm in another region that
    nothing should read."""
    session = assume_account(endpoint, account)
    use1 = "us-east-1"
    bucket = f"{account}-monitoring-trail"
    create_bucket(session.client("s3", use1), bucket, use1)
    log_group = "cloudtrail/monitoring"
    facts = seed_monitoring(session, account, use1, log_group)
    group_arn = f"arn:{PARTITION}:logs:{use1}:{account}:log-group:{log_group}"
    ct, arn = create_trail(
        session, account, use1, "monitored",
        S3BucketName=bucket,
        IsMultiRegionTrail=True,
        CloudWatchLogsLogGroupArn=f"{group_arn}:*",
        CloudWatchLogsRoleArn=f"arn:{PARTITION}:iam::{account}:role/CloudTrail_CloudWatchLogs_Role",
    )
    ct.start_logging(Name="monitored")
    session.client("cloudwatch", "eu-west-1").put_metric_alarm(
        AlarmName="elsewhere", MetricName="RootAccountUsage", Namespace="CISBenchmark",
        Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold")
    facts.update({"account_id": account, "trail_arn": arn, "log_group_arn": group_arn})
    return session, facts


# --- The fifteen CIS monitoring controls (CT-F01..CT-F15) -------------------------------
# Each control's CIS 5.0 filter text is read from the rule file itself (`filter_texts`), so
# the emulator set-ups and the rules can never drift apart. The metric names are the ones
# CIS's remediation steps use.
RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
CIS_METRICS = {
    "CT-F01": "UnauthorizedAPICalls", "CT-F02": "ConsoleSigninWithoutMFA",
    "CT-F03": "RootAccountUsage", "CT-F04": "IAMPolicyChanges",
    "CT-F05": "CloudTrailConfigChanges", "CT-F06": "ConsoleSigninFailures",
    "CT-F07": "DisableOrDeleteCMK", "CT-F08": "S3BucketPolicyChanges",
    "CT-F09": "AWSConfigChanges", "CT-F10": "SecurityGroupChanges", "CT-F11": "NACLChanges",
    "CT-F12": "NetworkGatewayChanges", "CT-F13": "RouteTableChanges", "CT-F14": "VPCChanges",
    "CT-F15": "OrganizationsEvents",
}


def cis_text(control, version="5.0.0"):
    """The first CIS filter text of `version` in rules/<control>.yaml."""
    doc = yaml.safe_load((RULES_DIR / f"{control}.yaml").read_text())
    texts = (doc.get("filter_texts") or {}).get(version)
    check(bool(texts), f"rules/{control}.yaml has no filter_texts for CIS {version}")
    return texts[0]


def _split_top(body, op):
    """`body` split at `op` outside parentheses and quotes."""
    parts, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(body):
        c = body[i]
        if c == '"':
            quoted = not quoted
        elif not quoted and c == "(":
            depth += 1
        elif not quoted and c == ")":
            depth -= 1
        elif not quoted and depth == 0 and body.startswith(op, i):
            parts.append(body[start:i].strip())
            start = i + len(op)
            i += len(op) - 1
        i += 1
    parts.append(body[start:].strip())
    return parts


def _body(pattern):
    text = pattern.strip()
    check(text.startswith("{") and text.endswith("}"), f"not a JSON pattern: {pattern!r}")
    return text[1:-1].strip()


# Rewrites that keep what a filter matches but defeat text and regex matching (CHECKS.md
# §2.11): the peer-failing variants the issue asks to see PASS live.
def reordered(pattern):
    """The top-level clauses in reverse order (`||` splits first: `&&` binds tighter)."""
    body = _body(pattern)
    for op in ("||", "&&"):
        parts = _split_top(body, op)
        if len(parts) > 1:
            return "{ " + f" {op} ".join(reversed(parts)) + " }"
    return pattern


def multi_line(pattern):
    """One clause per line, as CloudFormation and Terraform heredocs write it."""
    return re.sub(r"\s*(\|\||&&)\s*", lambda m: f"\n    {m.group(1)} ", pattern)


def requoted(pattern):
    """Unquoted values quoted and quoted plain values unquoted; spaces around `=` dropped."""
    def swap(m):
        field, op, value = m.group(1), m.group(2), m.group(3)
        if value.startswith('"'):
            inner = value[1:-1]
            plain = re.fullmatch(r"[A-Za-z0-9_.:-]+", inner)
            return f"{field}{op}{inner if plain else value}"
        return f'{field}{op}"{value}"'
    return re.sub(r'(\$\.[A-Za-z0-9_.\[\]]+)\s*(!=|=)\s*("[^"]*"|[A-Za-z0-9_.:*-]+)', swap, pattern)


def superset(pattern):
    """One more event name or-ed in: a filter that catches more is still compliant."""
    return "{ " + _body(pattern) + " || ($.eventName = ExtraEventTheTeamWatches) }"


CIS_VARIANTS = {
    "reordered": reordered, "multi_line": multi_line, "requoted": requoted,
    "superset": superset,
}


def seed_cis_controls(session, account, region, log_group, links, prefix="cis"):
    """Filters, alarms and topics for the fifteen CIS monitoring controls on `log_group`.

    `links` maps a control to how its chain is built, by default the CIS 5.0 text, metric
    namespace CISBenchmark, an enabled alarm notifying `<prefix>-alerts` (one confirmed SQS
    subscription). Keys: pattern (or version: that CIS version's text), filter (False: no
    filter), namespace (the alarm's),
    dimensions (the filter's), actions_enabled, action ("topic" | "none" | "ec2-stop"),
    topic ("alerts" | "silent" | "pending"). Returns {control: facts}."""
    logs, sns, cw, topics = monitoring_base(session, account, region, log_group, prefix)
    facts = {}
    for control, metric in CIS_METRICS.items():
        link = links.get(control, {})
        pattern = link.get("pattern") or cis_text(control, link.get("version", "5.0.0"))
        name = f"{prefix}-{control.lower()}"
        if link.get("filter", True):
            transformation = {"metricName": metric, "metricNamespace": "CISBenchmark",
                              "metricValue": "1"}
            if link.get("dimensions"):
                transformation["dimensions"] = link["dimensions"]
            logs.put_metric_filter(logGroupName=log_group, filterName=name,
                                   filterPattern=pattern, metricTransformations=[transformation])
        action = link.get("action", "topic")
        actions = {"topic": [topics[link.get("topic", "alerts")]], "none": [],
                   "ec2-stop": [f"arn:{PARTITION}:automate:{region}:ec2:stop"]}[action]
        cw.put_metric_alarm(
            AlarmName=name, MetricName=metric, Namespace=link.get("namespace", "CISBenchmark"),
            Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=1.0,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            ActionsEnabled=link.get("actions_enabled", True), AlarmActions=actions)
        facts[control] = {"filter": name, "pattern": pattern, "alarm": name,
                          "actions": actions}
    got = {f["filterName"]: f["filterPattern"] for page in
           logs.get_paginator("describe_metric_filters").paginate(logGroupName=log_group)
           for f in page["metricFilters"]}
    for control, fact in facts.items():
        if links.get(control, {}).get("filter", True):
            check(got.get(fact["filter"]) == fact["pattern"],
                  f"{log_group}: filter {fact['filter']} read back as {got.get(fact['filter'])!r}")
    return {"topics": topics, "controls": facts}


def cis_trail(session, account, name, log_group, multi_region=True, logging=True,
              region="us-east-1"):
    """A trail recording all read and write management events, delivering to `log_group`."""
    bucket = f"{account}-{name}"
    create_bucket(session.client("s3", region), bucket, region)
    ct, arn = create_trail(
        session, account, region, name, S3BucketName=bucket,
        IsMultiRegionTrail=multi_region, IncludeGlobalServiceEvents=multi_region,
        CloudWatchLogsLogGroupArn=f"arn:{PARTITION}:logs:{region}:{account}:log-group:{log_group}:*",
        CloudWatchLogsRoleArn=f"arn:{PARTITION}:iam::{account}:role/CloudTrail_CloudWatchLogs_Role",
    )
    ct.put_event_selectors(TrailName=arn, EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}])
    ct.start_logging(Name=name)
    if not logging:
        ct.stop_logging(Name=name)
    check(ct.get_trail_status(Name=arn)["IsLogging"] is logging, f"{arn}: logging is not {logging}")
    return arn


# What each control of `cis-broken` breaks, and the words its FAIL evidence must carry.
CIS_BROKEN = {
    "CT-F01": ({"filter": False}, "does not match"),
    "CT-F02": ({"pattern": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "Yes") }'}, "does not match"),
    "CT-F03": ({"pattern": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" && $.awsRegion = "us-east-1" }'}, "does not match"),
    "CT-F04": ({"pattern": "{($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}"}, "DeleteGroupPolicy"),
    "CT-F05": ({"namespace": "Other"}, "on_filter_metric"),
    "CT-F06": ({"action": "none"}, ".topics"),
    "CT-F07": ({"actions_enabled": False}, "actions_enabled"),
    "CT-F08": ({"topic": "silent"}, "confirmed"),
    "CT-F09": ({"topic": "pending"}, "confirmed"),
    "CT-F10": ({"version": "4.0.0"}, "ModifySecurityGroupRules"),
    "CT-F11": ({"pattern": "{ ($.eventSource = CreateNetworkAcl) || ($.eventSource = CreateNetworkAclEntry) || ($.eventSource = DeleteNetworkAcl) || ($.eventSource = DeleteNetworkAclEntry) || ($.eventSource = ReplaceNetworkAclEntry) || ($.eventSource = ReplaceNetworkAclAssociation) }"}, "does not match CreateNetworkAcl"),
    "CT-F12": ({"dimensions": {"EventName": "$.eventName"}}, "on_filter_metric"),
    "CT-F13": ({"action": "ec2-stop"}, ".topics"),
}


def scenario_cis(endpoint, account):
    """One account whose multi-region logging trail delivers to a log group carrying the
    fifteen CIS monitoring controls, each with its CIS 5.0 text, an enabled alarm on the
    filter's metric and a topic with a confirmed subscription: all fifteen PASS."""
    session = assume_account(endpoint, account)
    group = "cloudtrail/cis"
    monitoring = seed_cis_controls(session, account, "us-east-1", group, {})
    arn = cis_trail(session, account, "cis-trail", group)
    return session, {"trail_arn": arn, "log_group": group, **monitoring}


def scenario_cis_variants(endpoint, account):
    """As `cis`, but every filter is a CIS 5.0 text rewritten the way real set-ups write it
    (clauses reordered, one per line, quotes swapped, one more event or-ed in), which text and
    regex matchers reject. Filters are judged by what they match, so all fifteen PASS."""
    session = assume_account(endpoint, account)
    group = "cloudtrail/cis-variants"
    names = sorted(CIS_VARIANTS)
    links, used = {}, {}
    for i, control in enumerate(CIS_METRICS):
        kind = names[i % len(names)]
        pattern = CIS_VARIANTS[kind](cis_text(control))
        if kind != "multi_line":
            pattern = multi_line(pattern)
        links[control], used[control] = {"pattern": pattern}, kind
    monitoring = seed_cis_controls(session, account, "us-east-1", group, links)
    arn = cis_trail(session, account, "cis-trail", group)
    return session, {"trail_arn": arn, "log_group": group, "variants": used, **monitoring}


def scenario_cis_broken(endpoint, account):
    """As `cis`, but thirteen controls each break one link of the chain (CIS_BROKEN: no
    filter, a filter missing an event (CT-F10: the CIS 4.0 text, which lacks 5.0's
    ModifySecurityGroupRules) or narrowed, the wrong field, an alarm
    on another namespace or without the filter's dimensions, no actions, actions disabled, a
    non-SNS action, a topic without or with only pending subscribers); CT-F14 and CT-F15 stay
    compliant."""
    session = assume_account(endpoint, account)
    group = "cloudtrail/cis-broken"
    links = {control: link for control, (link, _) in CIS_BROKEN.items()}
    monitoring = seed_cis_controls(session, account, "us-east-1", group, links)
    arn = cis_trail(session, account, "cis-trail", group)
    expect = {control: words for control, (_, words) in CIS_BROKEN.items()}
    return session, {"trail_arn": arn, "log_group": group, "evidence": expect, **monitoring}


def scenario_cis_weak_trails(endpoint, account):
    """The compliant CIS set-up of `cis`, but the two trails delivering to its log group do
    not qualify: one multi-region trail is stopped, the other logs in one region only. All
    fifteen FAIL."""
    session = assume_account(endpoint, account)
    group = "cloudtrail/cis-weak"
    monitoring = seed_cis_controls(session, account, "us-east-1", group, {})
    stopped = cis_trail(session, account, "stopped-trail", group, logging=False)
    regional = cis_trail(session, account, "regional-trail", group, multi_region=False)
    return session, {"trail_arns": [stopped, regional], "log_group": group, **monitoring}


SCENARIOS = {
    "collector": scenario_collector,
    "empty": scenario_empty,
    "denied": scenario_denied,
    "org": scenario_org,
    "monitoring": scenario_monitoring,
    "cis": scenario_cis,
    "cis-variants": scenario_cis_variants,
    "cis-broken": scenario_cis_broken,
    "cis-weak-trails": scenario_cis_weak_trails,
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
