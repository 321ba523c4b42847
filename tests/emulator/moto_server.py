#!/usr/bin/env python3
"""Start moto server on 127.0.0.1 with a few small behaviour fixes, for trailguard's tests.

Usage: moto_server.py [--port N] [--recording-file PATH] [--record] [--verbose]

* Binds 127.0.0.1 only (port 0 = any free port) and prints exactly one line
  ``PORT=<n>`` on stdout once the socket is listening.
* Exits as soon as stdin reaches EOF: the test process that started us holds the
  pipe, so when it exits (even by a crash) the server goes away too -- no orphans.
* Patches moto (pinned to 5.1.22 in requirements.txt) so that the behaviour the
  audit depends on matches AWS. Each patch checks that the code it replaces looks
  the way it expects; if moto has moved on, we exit non-zero with a message
  instead of silently running an unpatched emulator.
* The request recorder (``/moto-api/recorder/...``) writes to a file of its own
  per server (``--recording-file`` or a temp file), so parallel servers do not mix
  their recordings. With ``--record`` it records from boot; otherwise it starts
  stopped and tests start it through the API.
* Test hooks under ``/trailguard-test/`` (loopback clients only) give moto what only
  AWS itself could: CloudTrail's signing public keys for ListPublicKeys and a trail's
  LatestDigestDeliveryTime (see class TestHooks and docs/emulator.md).
"""

import argparse
import inspect
import io
import json
import logging
import os
import re
import struct
import sys
import tempfile
import threading

EXPECTED_MOTO_VERSION = "5.1.22"


def die(message):
    sys.stderr.write(f"moto_server.py: {message}\n")
    sys.stderr.flush()
    os._exit(2)


def require_source(func, *snippets):
    """Fail loudly if `func`'s source no longer contains what a patch assumes."""
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError) as err:
        die(f"cannot read the source of {func!r} to verify a patch target: {err}")
    for snippet in snippets:
        if snippet not in source:
            die(
                f"patch target {func.__qualname__} no longer contains {snippet!r}; "
                f"moto changed (expected {EXPECTED_MOTO_VERSION}). Refusing to run unpatched."
            )


# ---------------------------------------------------------------------------
# Patch (a): S3 GetBucketVersioning keeps and returns MfaDelete.
# moto parses only <Status> from PutBucketVersioning and its GET template has no
# <MfaDelete>, so "MFA Delete enabled" could never be tested. We remember the
# MfaDelete value on the bucket and serve it back. We also check that the GET
# template's root element is <VersioningConfiguration> (moto 5.2.x emits
# <GetBucketVersioningResponse>, which the Rust SDK rejects).
# ---------------------------------------------------------------------------
S3_GET_VERSIONING_WITH_MFA = """<?xml version="1.0" encoding="UTF-8"?>
<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{% if status %}
    <Status>{{ status }}</Status>{% endif %}{% if mfa_delete %}
    <MfaDelete>{{ mfa_delete }}</MfaDelete>{% endif %}
</VersioningConfiguration>
"""


def patch_s3_versioning_mfa_delete():
    import re

    from moto.s3 import responses as s3r

    template = getattr(s3r, "S3_BUCKET_GET_VERSIONING", None)
    if template is None or "<VersioningConfiguration" not in template:
        die("moto.s3.responses.S3_BUCKET_GET_VERSIONING is missing or its root element "
            "is not <VersioningConfiguration>; the Rust SDK would reject it.")
    if "GetBucketVersioningResponse" in template:
        die("S3_BUCKET_GET_VERSIONING uses <GetBucketVersioningResponse> (moto 5.2.x bug).")
    cls = s3r.S3Response
    for name in ("get_bucket_versioning", "_bucket_response_put"):
        if not hasattr(cls, name):
            die(f"moto.s3.responses.S3Response.{name} not found; moto changed.")
    require_source(cls.get_bucket_versioning, "get_bucket_versioning(self.bucket_name)")
    require_source(cls._bucket_response_put, '"versioning" in querystring', "<Status>")

    original_put = cls._bucket_response_put

    def _bucket_response_put(self, request, bucket_name, querystring, *args, **kwargs):
        result = original_put(self, request, bucket_name, querystring, *args, **kwargs)
        failed = isinstance(result, tuple) and isinstance(result[0], int) and result[0] >= 300
        if "versioning" in querystring and not failed:
            body = self.body.decode("utf-8") if isinstance(self.body, bytes) else str(self.body)
            mfa = re.search(r"<MfaDelete>([A-Za-z]+)</MfaDelete>", body)
            if mfa:  # as on AWS, a PUT without MfaDelete leaves the setting unchanged
                self.backend.get_bucket(bucket_name).trailguard_mfa_delete = mfa.group(1)
        return result

    def get_bucket_versioning(self):
        bucket = self.backend.get_bucket(self.bucket_name)
        template = self.response_template(S3_GET_VERSIONING_WITH_MFA)
        return template.render(
            status=bucket.versioning_status,
            mfa_delete=getattr(bucket, "trailguard_mfa_delete", None),
        )

    cls._bucket_response_put = _bucket_response_put
    cls.get_bucket_versioning = get_bucket_versioning


# ---------------------------------------------------------------------------
# Patch (b): PutInsightSelectors replaces the list (moto appends, so duplicates
# pile up, and an empty list never turns Insights off as it does on AWS).
# ---------------------------------------------------------------------------
def patch_cloudtrail_insight_selectors():
    from moto.cloudtrail.models import Trail

    require_source(Trail.put_insight_selectors, "self.insight_selectors.extend(")

    def put_insight_selectors(self, insight_selectors):
        self.insight_selectors = list(insight_selectors or [])

    Trail.put_insight_selectors = put_insight_selectors


# ---------------------------------------------------------------------------
# Patch (c): classic and advanced event selectors replace each other, as on AWS.
# moto keeps the advanced selectors when classic ones are put afterwards.
# ---------------------------------------------------------------------------
def patch_cloudtrail_event_selectors():
    from moto.cloudtrail.models import Trail

    require_source(
        Trail.put_event_selectors,
        "if event_selectors:",
        "elif advanced_event_selectors:",
        "self.advanced_event_selectors = advanced_event_selectors",
    )

    def put_event_selectors(self, event_selectors, advanced_event_selectors):
        if event_selectors is not None:
            self.event_selectors = list(event_selectors)
            self.advanced_event_selectors = []
        elif advanced_event_selectors is not None:
            self.advanced_event_selectors = list(advanced_event_selectors)
            self.event_selectors = []

    Trail.put_event_selectors = put_event_selectors


# ---------------------------------------------------------------------------
# Patch (e): S3 GetBucketPolicyStatus. moto 5.1.22 matches the query key "policy"
# exactly, so `GET /bucket?policyStatus` falls through to ListObjects and the Rust
# SDK rejects the <ListBucketResult> root. AWS answers 404 NoSuchBucketPolicy when
# the bucket has no policy, otherwise <PolicyStatus><IsPublic>. "Public" here is
# a simplified form of AWS's rule: an Allow statement for principal "*" (or
# {"AWS": "*"}) with no Condition. Restricting conditions (aws:SourceArn, …) make
# a statement non-public, as on AWS.
# ---------------------------------------------------------------------------
S3_POLICY_STATUS = """<?xml version="1.0" encoding="UTF-8"?>
<PolicyStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsPublic>{{ is_public }}</IsPublic></PolicyStatus>
"""


def policy_is_public(policy_text):
    try:
        doc = json.loads(policy_text)
    except (TypeError, ValueError):
        return False
    statements = doc.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]

    def everyone(principal):
        if principal == "*":
            return True
        if isinstance(principal, dict):
            aws = principal.get("AWS")
            return aws == "*" or (isinstance(aws, list) and "*" in aws)
        return False

    return any(
        st.get("Effect") == "Allow" and everyone(st.get("Principal")) and not st.get("Condition")
        for st in statements
        if isinstance(st, dict)
    )


def patch_s3_policy_status():
    from moto.s3 import responses as s3r

    cls = s3r.S3Response
    require_source(cls._bucket_response_get, '"policy" in querystring')
    if not hasattr(s3r, "S3_NO_POLICY"):
        die("moto.s3.responses.S3_NO_POLICY not found; moto changed.")
    original_get = cls._bucket_response_get

    def _bucket_response_get(self, bucket_name, querystring, *args, **kwargs):
        if "policyStatus" not in querystring:
            return original_get(self, bucket_name, querystring, *args, **kwargs)
        self._set_action("BUCKET", "GET", querystring)
        self._authenticate_and_authorize_s3_action(bucket_name=bucket_name)
        policy = self.backend.get_bucket_policy(bucket_name)
        if not policy:
            template = self.response_template(s3r.S3_NO_POLICY)
            return 404, {}, template.render(bucket_name=bucket_name)
        text = policy.decode("utf-8") if isinstance(policy, bytes) else str(policy)
        template = self.response_template(S3_POLICY_STATUS)
        return template.render(is_public="true" if policy_is_public(text) else "false")

    cls._bucket_response_get = _bucket_response_get


# ---------------------------------------------------------------------------
# Patch (g): ListTrails lists every trail of the account, whatever its region.
# AWS documents ListTrails as "Returns the name, ARN, and home Region of trails in
# the current account"; moto answers with DescribeTrails' view of one region (that
# region's trails plus multi-region shadows), so a single-region trail homed in
# another region would be missing.
# ---------------------------------------------------------------------------
def patch_cloudtrail_list_trails():
    from moto.cloudtrail.models import CloudTrailBackend, cloudtrail_backends

    require_source(CloudTrailBackend.list_trails, "self.describe_trails(include_shadow_trails=True)")

    def list_trails(self):
        every = []
        for backend in cloudtrail_backends[self.account_id].values():
            every.extend(backend.trails.values())
        return sorted(every, key=lambda t: t.arn)

    CloudTrailBackend.list_trails = list_trails


# ---------------------------------------------------------------------------
# Patch (d): the recorder appends one JSON line per request from many server
# threads; serialise it so parallel tests never get interleaved (unparsable) lines.
# ---------------------------------------------------------------------------
def patch_recorder_thread_safety():
    from moto.moto_api._internal.recorder.models import Recorder

    require_source(Recorder._record_request, "file.write(json.dumps(entry))")
    original = Recorder._record_request
    lock = threading.Lock()

    def _record_request(self, *args, **kwargs):
        with lock:
            return original(self, *args, **kwargs)

    Recorder._record_request = _record_request


# ---------------------------------------------------------------------------
# Patch (f): speed only, no behaviour change. moto lists its own package directory
# (one stat per service, ~180) on every request to route it, and re-inspects the
# response class's methods on every call. Both answers are fixed once the patches
# above are in place, so they are computed once. This roughly halves moto's CPU time
# per request, which is what bounds the benchmark and the emulator tests.
# ---------------------------------------------------------------------------
def patch_request_routing_cache():
    import functools

    from moto import backends
    from moto.core import responses

    require_source(backends.list_of_moto_modules, "os.listdir(path)")
    require_source(responses.BaseResponse.call_action, "method_names_from_class(self.__class__)")
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    names = functools.lru_cache(maxsize=None)(responses.method_names_from_class)
    # Callers may mutate the list they get; hand each one a copy of the cached answer.
    responses.method_names_from_class = lambda clazz: list(names(clazz))


# ---------------------------------------------------------------------------
# Patch (h): SNS subscriptions that AWS requires to be confirmed stay pending.
# AWS: "If the endpoint type is HTTP/S or email, or if the endpoint and the topic
# are not in the same Amazon Web Services account, the endpoint owner must run
# the ConfirmSubscription action to confirm the subscription", and until then
# ListSubscriptionsByTopic shows SubscriptionArn "PendingConfirmation"; Subscribe
# answers "pending confirmation" unless ReturnSubscriptionArn is true
# (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html).
# moto confirms every subscription at once, so a topic whose only subscriber never
# confirmed could not be shown. Nothing here confirms a pending subscription (no
# ConfirmSubscription: tests seed confirmed subscribers with sqs/lambda, which AWS
# confirms at once within one account). GetTopicAttributes' SubscriptionsConfirmed
# / SubscriptionsPending are counted from the subscriptions (moto keeps them at 0).
# ---------------------------------------------------------------------------
SNS_CONFIRMED_BY_ENDPOINT_OWNER = ("http", "https", "email", "email-json")


def patch_sns_pending_confirmation():
    from moto.sns import responses as snsr
    from moto.sns.models import SNSBackend

    require_source(SNSBackend.subscribe, '"PendingConfirmation": False', "self.subscriptions[subscription.arn] = subscription")
    require_source(snsr.SNSResponse.subscribe, 'result = {"SubscriptionArn": subscription.arn}')
    require_source(snsr.SNSResponse.get_topic_attributes, '"SubscriptionsPending": topic.subscriptions_pending')
    original_subscribe = SNSBackend.subscribe
    original_response = snsr.SNSResponse.subscribe
    original_attributes = snsr.SNSResponse.get_topic_attributes

    def subscribe(self, topic_arn, endpoint, protocol):
        existing = self._find_subscription(topic_arn, endpoint, protocol)
        subscription = original_subscribe(self, topic_arn, endpoint, protocol)
        if existing is None and protocol in SNS_CONFIRMED_BY_ENDPOINT_OWNER:
            subscription.confirmed = False
            subscription.attributes["PendingConfirmation"] = "true"
            # What the serializer reads for ListSubscriptions(ByTopic)'s SubscriptionArn.
            subscription.SubscriptionArn = "PendingConfirmation"
        return subscription

    def subscribe_response(self):
        result = original_response(self)
        sub_arn = result.result.get("SubscriptionArn") if hasattr(result, "result") else None
        sub = self.backend.subscriptions.get(sub_arn) if sub_arn else None
        wants_arn = str(self._get_param("ReturnSubscriptionArn") or "").lower() == "true"
        if sub is not None and getattr(sub, "SubscriptionArn", None) == "PendingConfirmation" and not wants_arn:
            result.result["SubscriptionArn"] = "pending confirmation"
        return result

    def get_topic_attributes(self):
        topic = self.backend.get_topic(self._get_param("TopicArn"))
        subs = [s for s in self.backend.subscriptions.values() if s.topic == topic]
        pending = sum(1 for s in subs if getattr(s, "SubscriptionArn", None) == "PendingConfirmation")
        topic.subscriptions_pending = pending
        topic.subscriptions_confimed = len(subs) - pending
        return original_attributes(self)

    SNSBackend.subscribe = subscribe
    snsr.SNSResponse.subscribe = subscribe_response
    snsr.SNSResponse.get_topic_attributes = get_topic_attributes


# ---------------------------------------------------------------------------
# Patch (i): DescribeAlarmsForMetric filters on Dimensions too. AWS: "Dimensions
# -- The dimensions associated with the metric. If the metric has any associated
# dimensions, you must specify them in order for the call to succeed."
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmsForMetric.html)
# moto matches name and namespace only. trailguard reads alarms with DescribeAlarms;
# this keeps the emulator honest for anyone checking alarms per metric.
# ---------------------------------------------------------------------------
def patch_cloudwatch_alarms_for_metric_dimensions():
    from moto.cloudwatch.responses import CloudWatchResponse

    require_source(CloudWatchResponse.describe_alarms_for_metric,
                   "self.filter_alarms(alarms, metric_name, namespace)", 'result = {"MetricAlarms": filtered_alarms}')
    original = CloudWatchResponse.describe_alarms_for_metric

    def describe_alarms_for_metric(self):
        result = original(self)
        wanted = sorted((d.get("Name"), d.get("Value")) for d in self._get_param("Dimensions", []) or [])
        result.result["MetricAlarms"] = [
            a for a in result.result["MetricAlarms"]
            if sorted((d.name, d.value) for d in (a.dimensions or [])) == wanted
        ]
        return result

    CloudWatchResponse.describe_alarms_for_metric = describe_alarms_for_metric


# ---------------------------------------------------------------------------
# Patch (j): CloudWatch over Smithy RPC v2 CBOR. aws-sdk-cloudwatch >= 1.100
# speaks only CBOR (POST /service/GraniteServiceVersion20100801/operation/<Op>,
# header smithy-protocol: rpc-v2-cbor); moto serves CloudWatch over JSON and Query
# only (getmoto/moto#9195). This WSGI shim decodes the CBOR request into the
# equivalent awsJson1.0 request (X-Amz-Target: GraniteServiceVersion20100801.<Op>),
# lets moto answer it, and encodes the answer as CBOR, typed by the operation's
# output shape in botocore's CloudWatch model (timestamps as tag 1, doubles as
# floats), as the Smithy spec requires
# (https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html). Errors keep
# their "__type". The recorder sees the JSON request (operation from X-Amz-Target).
# With IAM enforcement on, the rewritten request is signed again with the caller's
# own key (resign), since moto checks SigV4 over the request it receives.
# ---------------------------------------------------------------------------
CBOR_PATH = re.compile(r"^/service/GraniteServiceVersion20100801/operation/([A-Za-z]+)$")


class CborTimestamp(float):
    """An epoch-seconds value to encode as CBOR tag 1."""


def cbor_decode(data):
    def head(pos):
        initial = data[pos]
        major, info = initial >> 5, initial & 0x1F
        pos += 1
        if info < 24:
            return major, info, pos
        if info == 31:
            return major, None, pos  # indefinite length
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        return major, int.from_bytes(data[pos:pos + size], "big"), pos + size

    def item(pos):
        initial = data[pos]
        major, arg, pos = head(pos)
        if major == 0:
            return arg, pos
        if major == 1:
            return -1 - arg, pos
        if major in (2, 3):
            if arg is None:
                chunks = []
                while data[pos] != 0xFF:
                    chunk, pos = item(pos)
                    chunks.append(chunk)
                return ("" if major == 3 else b"").join(chunks), pos + 1
            raw = bytes(data[pos:pos + arg])
            return (raw.decode("utf-8") if major == 3 else raw), pos + arg
        if major in (4, 5):
            out = [] if major == 4 else {}
            count = 0
            while (data[pos] != 0xFF) if arg is None else (count < arg):
                first, pos = item(pos)
                if major == 4:
                    out.append(first)
                else:
                    out[first], pos = item(pos)
                count += 1
            return out, pos + (1 if arg is None else 0)
        if major == 6:
            value, pos = item(pos)
            return value, pos  # tag 1 (timestamp): the JSON protocol sends epoch seconds
        info = initial & 0x1F
        if info in (20, 21):
            return info == 21, pos
        if info in (22, 23):
            return None, pos
        if info in (25, 26, 27):
            size = {25: 2, 26: 4, 27: 8}[info]
            fmt = {2: ">e", 4: ">f", 8: ">d"}[size]
            return struct.unpack(fmt, data[pos - size:pos])[0], pos
        raise ValueError(f"unsupported CBOR simple value {info}")

    value, _ = item(0)
    return value


def cbor_encode(value):
    def head(major, arg):
        if arg < 24:
            return bytes([major << 5 | arg])
        for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if arg < 1 << (8 * size):
                return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
        raise ValueError("integer too large for CBOR")

    if value is None:
        return b"\xf6"
    if value is True:
        return b"\xf5"
    if value is False:
        return b"\xf4"
    if isinstance(value, CborTimestamp):
        return b"\xc1" + b"\xfb" + struct.pack(">d", float(value))
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return head(3, len(raw)) + raw
    if isinstance(value, (list, tuple)):
        return head(4, len(value)) + b"".join(cbor_encode(v) for v in value)
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor_encode(k) + cbor_encode(v) for k, v in value.items())
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


def typed_for_cbor(shape, value):
    """A JSON-protocol value converted to what the CBOR protocol sends for `shape`."""
    import base64
    import datetime

    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        return {k: typed_for_cbor(shape.members.get(k), v) for k, v in value.items()
                if v is not None}
    if kind == "list":
        return [typed_for_cbor(shape.member, v) for v in value]
    if kind == "map":
        return {k: typed_for_cbor(shape.value, v) for k, v in value.items()}
    if kind == "timestamp":
        if isinstance(value, str):
            try:
                return CborTimestamp(float(value))
            except ValueError:
                parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=datetime.timezone.utc)
                return CborTimestamp(parsed.timestamp())
        return CborTimestamp(float(value))
    if kind in ("double", "float"):
        return float(value)
    if kind in ("integer", "long"):
        return int(value)
    if kind == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    return value


def resign(environ, inner, body):
    """Signs the rewritten request again with the caller's own key, so that moto's IAM
    enforcement, which recomputes SigV4 over the request it is given, sees a valid signature
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
    A key moto does not know is left alone: without enforcement nothing checks it."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from moto.iam.access_control import CreateAccessKeyFailure, create_access_key
    from moto.iam.models import get_account_id_from
    from moto.utilities.utils import get_partition

    scope = environ.get("HTTP_AUTHORIZATION", "").partition("Credential=")[2]
    scope = scope.partition(",")[0].split("/")
    if len(scope) < 4:
        return
    akid, region, service = scope[0], scope[2], scope[3]
    token = environ.get("HTTP_X_AMZ_SECURITY_TOKEN")
    extra = {"X-Amz-Security-Token": token} if token else {}
    try:
        key = create_access_key(get_account_id_from(akid), get_partition(region), akid, extra)
    except CreateAccessKeyFailure:
        return
    request = AWSRequest(
        method="POST", url=f"http://{environ.get('HTTP_HOST', '127.0.0.1')}/", data=body,
        headers={"Content-Type": inner["CONTENT_TYPE"],
                 "X-Amz-Target": inner["HTTP_X_AMZ_TARGET"], **extra})
    SigV4Auth(key.create_credentials(), service, region).add_auth(request)
    inner["HTTP_AUTHORIZATION"] = request.headers["Authorization"]
    inner["HTTP_X_AMZ_DATE"] = request.headers["X-Amz-Date"]


class CloudWatchCborShim:
    def __init__(self, app):
        import botocore.session

        self.app = app
        self.model = botocore.session.get_session().get_service_model("cloudwatch")
        if self.model.metadata.get("targetPrefix") != "GraniteServiceVersion20100801":
            die("botocore's CloudWatch model has another JSON target prefix; the CBOR shim "
                "would send moto requests it cannot route.")

    def __call__(self, environ, start_response):
        match = CBOR_PATH.match(environ.get("PATH_INFO", ""))
        if not match or environ.get("HTTP_SMITHY_PROTOCOL") != "rpc-v2-cbor":
            return self.app(environ, start_response)
        operation = match.group(1)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        params = cbor_decode(raw) if raw else {}
        body = json.dumps(params, default=lambda b: __import__("base64").b64encode(b).decode()).encode()
        inner = dict(environ)
        inner.update({
            "PATH_INFO": "/",
            "CONTENT_TYPE": "application/x-amz-json-1.0",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_AMZ_TARGET": f"GraniteServiceVersion20100801.{operation}",
            "wsgi.input": io.BytesIO(body),
        })
        inner.pop("HTTP_SMITHY_PROTOCOL", None)
        resign(environ, inner, body)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        chunks = self.app(inner, capture)
        try:
            answer = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        status = captured.get("status", "500 INTERNAL SERVER ERROR")
        payload = json.loads(answer) if answer.strip() else {}
        if int(status.split()[0]) < 300:
            output = self.model.operation_model(operation).output_shape
            payload = typed_for_cbor(output, payload) if output is not None else {}
        encoded = cbor_encode(payload)
        headers = [(k, v) for k, v in captured.get("headers", [])
                   if k.lower() not in ("content-type", "content-length", "x-amzn-query-mode")]
        headers += [("Content-Type", "application/cbor"), ("Content-Length", str(len(encoded))),
                    ("smithy-protocol", "rpc-v2-cbor")]
        start_response(status, headers)
        return [encoded]


# ---------------------------------------------------------------------------
# Patch (k): CloudTrail ListPublicKeys (moto answers HTTP 500: not implemented).
# AWS: "Returns all public keys whose private keys were used to sign the digest
# files within the specified time range"; StartTime and EndTime default to now
# ("If not specified, the current time is used, and the current public key is
# returned"); a start after the end is InvalidTimeRangeException; "CloudTrail uses
# different private and public key pairs per Region"
# (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_ListPublicKeys.html).
# So keys are kept per region, for every account alike, and a key is returned when
# its validity [ValidityStartTime, ValidityEndTime] overlaps [StartTime, EndTime].
# Keys come from the tests, through the loopback test hook below
# (POST /trailguard-test/cloudtrail/public-keys). On the wire `Value` is plain base64
# of the DER PKCS#1 RSAPublicKey (API_PublicKey.html: "The DER encoded public key
# value in PKCS#1 format"; moto's JSON responses carry blobs as base64, as AWS does).
# `Fingerprint` is the hex MD5 of those DER bytes: that is what AWS's own example in
# aws-cli awscli/examples/cloudtrail/list-public-keys.rst gives (its Value's MD5 is its
# Fingerprint, 7f3f4014...). NextToken is "Reserved for future use": never returned.
# ---------------------------------------------------------------------------
PUBLIC_KEYS = {}  # region -> {fingerprint: {"der", "start", "end"}}
PUBLIC_KEYS_LOCK = threading.Lock()


def epoch_seconds(value):
    """A timestamp from a JSON body (epoch number, or ISO 8601 text) as epoch seconds."""
    import datetime

    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        parsed = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.timezone.utc)
        return parsed.timestamp()


def register_public_key(region, value_b64, validity_start, validity_end):
    """Stores one test key for `region`; returns its fingerprint as AWS computes it."""
    import base64
    import binascii
    import hashlib

    try:
        der = base64.b64decode(value_b64, validate=True)
    except (binascii.Error, ValueError) as err:
        raise ValueError(f"value is not base64: {err}") from err
    if not der.startswith(b"\x30"):
        raise ValueError("value is not DER (a PKCS#1 RSAPublicKey is an ASN.1 SEQUENCE)")
    start, end = epoch_seconds(validity_start), epoch_seconds(validity_end)
    if start > end:
        raise ValueError("validity_start is after validity_end")
    fingerprint = hashlib.md5(der).hexdigest()
    with PUBLIC_KEYS_LOCK:
        PUBLIC_KEYS.setdefault(region, {})[fingerprint] = {"der": der, "start": start, "end": end}
    return fingerprint


def patch_cloudtrail_list_public_keys():
    import base64
    import time

    from moto.cloudtrail.responses import CloudTrailResponse
    from moto.core.exceptions import JsonRESTError
    from moto.moto_api._internal.models import MotoAPIBackend

    if hasattr(CloudTrailResponse, "list_public_keys"):
        die("moto now implements CloudTrail ListPublicKeys; review patch (k) before upgrading.")
    require_source(MotoAPIBackend.reset, "BackendDict.reset()")

    def list_public_keys(self):
        now = time.time()
        start = self._get_param("StartTime")
        end = self._get_param("EndTime")
        start = now if start is None else epoch_seconds(start)
        end = now if end is None else epoch_seconds(end)
        if start > end:
            raise JsonRESTError("InvalidTimeRangeException",
                                "Start time must be before or equal to end time.")
        with PUBLIC_KEYS_LOCK:
            keys = list(PUBLIC_KEYS.get(self.region, {}).items())
        listed = [
            {"Value": base64.b64encode(k["der"]).decode("ascii"),
             "ValidityStartTime": k["start"], "ValidityEndTime": k["end"],
             "Fingerprint": fingerprint}
            for fingerprint, k in sorted(keys, key=lambda item: (item[1]["start"], item[0]))
            if k["start"] <= end and k["end"] >= start
        ]
        return json.dumps({"PublicKeyList": listed})

    original_reset = MotoAPIBackend.reset

    def reset(self):
        with PUBLIC_KEYS_LOCK:
            PUBLIC_KEYS.clear()
        return original_reset(self)

    CloudTrailResponse.list_public_keys = list_public_keys
    MotoAPIBackend.reset = reset


# ---------------------------------------------------------------------------
# Patch (l): GetTrailStatus reports LatestDigestDeliveryTime once a test has set it.
# AWS: "LatestDigestDeliveryTime: Specifies the date and time that the last digest
# file was delivered to an Amazon S3 bucket"
# (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html).
# moto delivers no digests and never sends it; a verifier compares it with the newest
# digest it finds (a deleted newest digest is otherwise invisible), so the tests set it
# through the hook (POST /trailguard-test/cloudtrail/digest-delivery) to what their
# generated chain says. Unset, the field stays absent, as for a trail without digests.
# ---------------------------------------------------------------------------
def patch_cloudtrail_latest_digest_delivery():
    from moto.cloudtrail.models import TrailStatus

    require_source(TrailStatus.description, 'desc["LatestDeliveryTime"] = self.latest_delivery_time')
    original = TrailStatus.description

    def description(self):
        desc = original(self)
        delivered = getattr(self, "trailguard_latest_digest_delivery", None)
        if delivered is not None:
            desc["LatestDigestDeliveryTime"] = delivered
        return desc

    TrailStatus.description = description


def set_latest_digest_delivery(account_id, trail_arn, delivered):
    """Sets the trail's LatestDigestDeliveryTime (epoch seconds, None to clear)."""
    from moto.cloudtrail.models import cloudtrail_backends

    parts = trail_arn.split(":")
    if len(parts) < 6 or not parts[5].startswith("trail/"):
        raise ValueError(f"not a trail ARN: {trail_arn!r}")
    region, name = parts[3], parts[5][len("trail/"):]
    trail = cloudtrail_backends[account_id][region].trails.get(name)
    if trail is None:
        raise ValueError(f"no trail {name!r} in account {account_id} region {region}")
    trail.status.trailguard_latest_digest_delivery = (
        None if delivered is None else int(epoch_seconds(delivered)))


# ---------------------------------------------------------------------------
# Test hooks: test-only calls that have no AWS API (AWS makes its signing keys and
# delivers digests itself). Served under /trailguard-test/ before moto sees the
# request, to loopback clients only (the server binds 127.0.0.1 anyway):
#   POST /trailguard-test/cloudtrail/public-keys
#        {"region", "value": base64 DER PKCS#1, "validity_start", "validity_end"}
#        -> {"Fingerprint"}
#   POST /trailguard-test/cloudtrail/digest-delivery
#        {"account_id", "trail_arn", "latest_digest_delivery_time": epoch|ISO|null} -> {}
# A bad request answers 400 with {"message"}.
# ---------------------------------------------------------------------------
TEST_HOOK_PREFIX = "/trailguard-test/"


class TestHooks:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(TEST_HOOK_PREFIX):
            return self.app(environ, start_response)
        if environ.get("REMOTE_ADDR") not in ("127.0.0.1", "::1"):
            return self.answer(start_response, "403 FORBIDDEN", {"message": "loopback only"})
        if environ.get("REQUEST_METHOD") != "POST":
            return self.answer(start_response, "405 METHOD NOT ALLOWED", {"message": "POST only"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
            result = self.dispatch(path[len(TEST_HOOK_PREFIX):], body)
        except (KeyError, TypeError, ValueError) as err:
            return self.answer(start_response, "400 BAD REQUEST", {"message": f"{type(err).__name__}: {err}"})
        if result is None:
            return self.answer(start_response, "404 NOT FOUND", {"message": f"no test hook {path}"})
        return self.answer(start_response, "200 OK", result)

    @staticmethod
    def dispatch(hook, body):
        if hook == "cloudtrail/public-keys":
            fingerprint = register_public_key(body["region"], body["value"],
                                              body["validity_start"], body["validity_end"])
            return {"Fingerprint": fingerprint}
        if hook == "cloudtrail/digest-delivery":
            set_latest_digest_delivery(body["account_id"], body["trail_arn"],
                                       body["latest_digest_delivery_time"])
            return {}
        return None

    @staticmethod
    def answer(start_response, status, payload):
        data = json.dumps(payload).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


def watch_stdin(cleanup):
    """Exit the whole process when the parent closes our stdin (or dies)."""
    try:
        while sys.stdin.buffer.read(65536):
            pass
    except Exception:
        pass
    cleanup()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = any free)")
    parser.add_argument("--recording-file", help="where moto's recorder writes (default: temp file)")
    parser.add_argument("--record", action="store_true",
                        help="record requests from boot (default: recorder stopped until started via the API)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args()

    # Never let the caller's environment force every request into one account:
    # the harness relies on per-account isolation through AssumeRole keys.
    os.environ.pop("MOTO_ACCOUNT_ID", None)

    # The recorder reads these when moto is imported, so set them first.
    recording_file = args.recording_file
    if not recording_file:
        fd, recording_file = tempfile.mkstemp(prefix="trailguard-moto-recording-", suffix=".jsonl")
        os.close(fd)
    else:
        open(recording_file, "w").close()  # download-recording fails if the file is missing
    os.environ["MOTO_RECORDER_FILEPATH"] = recording_file
    if args.record:
        os.environ["MOTO_ENABLE_RECORDING"] = "1"
    else:
        os.environ.pop("MOTO_ENABLE_RECORDING", None)

    import moto

    if moto.__version__ != EXPECTED_MOTO_VERSION:
        die(f"moto {moto.__version__} is installed but the patches were written for "
            f"{EXPECTED_MOTO_VERSION}; reinstall from tests/emulator/requirements.txt.")

    patch_s3_versioning_mfa_delete()
    patch_cloudtrail_insight_selectors()
    patch_cloudtrail_event_selectors()
    patch_recorder_thread_safety()
    patch_s3_policy_status()
    patch_cloudtrail_list_trails()
    patch_sns_pending_confirmation()
    patch_cloudwatch_alarms_for_metric_dimensions()
    patch_cloudtrail_list_public_keys()
    patch_cloudtrail_latest_digest_delivery()
    patch_request_routing_cache()  # last: it caches what the patches above define

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    app = TestHooks(CloudWatchCborShim(DomainDispatcherApplication(create_backend_app)))
    server = make_server("127.0.0.1", args.port, app, threaded=True)  # bound and listening
    port = server.server_port
    os.environ["MOTO_PORT"] = str(port)

    def cleanup():
        if not args.recording_file:
            try:
                os.unlink(recording_file)
            except OSError:
                pass

    threading.Thread(target=watch_stdin, args=(cleanup,), name="stdin-watch", daemon=True).start()
    sys.stdout.write(f"PORT={port}\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    finally:
        cleanup()


if __name__ == "__main__":
    main()
