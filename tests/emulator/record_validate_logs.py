#!/usr/bin/env python3
"""Record what the real `aws cloudtrail validate-logs` says about each generated chain.

Usage: record_validate_logs.py --endpoint http://127.0.0.1:PORT [--out validate_logs_expected.json]

For every case in CASES it runs generate_chain.py into a fresh account, runs the AWS CLI
from this venv against the emulator (AWS_ENDPOINT_URL, the generated credentials), and
writes what the CLI printed: exit status, stderr lines, stdout lines. Objects the tamper
touched, a rogue key's fingerprint, the trail ARN, the bucket, the organization id and the
account whose logs they are, are written as placeholders ({digest}, {log}, {copy}, {previous},
{fingerprint}, {trail_arn}, {bucket}, {organization_id}, {account}) so the file holds for any
account; tests/integration/verify_logs_emulator.rs replays every case and
asserts the CLI still prints exactly this. Rerun it after an awscli upgrade and review
the diff: it is the record of the CLI's behaviour that trailguard is held to.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ACCOUNT_BASE = 790000000000
MEMBER = "790000009999"

# name -> (generate_chain.py options, source region ("home" or "other"), extra CLI options)
CASES = {
    "intact": ([], "home", []),
    "intact-other-region": ([], "other", []),
    "organization-trail": (["--org", "--member-account", MEMBER], "home", ["--account-id", MEMBER]),
    "organization-trail-other-region": (["--org", "--member-account", MEMBER], "other",
                                        ["--account-id", MEMBER]),
    "prefixed-trail": (["--prefix", "audit/cloudtrail"], "home", []),
    # --verbose lists every valid digest and log file, in the order the CLI checks them.
    "intact-verbose": ([], "home", ["--verbose"]),
    "organization-trail-verbose": (["--org", "--member-account", MEMBER], "home",
                                   ["--account-id", MEMBER, "--verbose"]),
    "backfill": (["--backfill"], "home", ["--verbose"]),
}
for tamper in ["modified-log", "deleted-log", "appended-log", "uncompressed-log", "modified-digest",
               "deleted-middle-digest", "deleted-newest-digest", "copied-newest-digest",
               "copied-middle-digest", "bad-signature-newest", "bad-signature-middle", "unlisted-key",
               "relinked-digest"]:
    CASES[tamper] = (["--tamper", tamper], "home", [])
CASES["unlisted-key-other-region"] = (["--tamper", "unlisted-key-other-region"], "other", [])


def cli_env(endpoint, manifest, home):
    creds = manifest["credentials"]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
           "AWS_CONFIG_FILE": os.path.join(home, "no-config"),
           "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "no-credentials"),
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": endpoint,
           "AWS_ACCESS_KEY_ID": creds["access_key_id"],
           "AWS_SECRET_ACCESS_KEY": creds["secret_access_key"]}
    if creds.get("session_token"):
        env["AWS_SESSION_TOKEN"] = creds["session_token"]
    return env


def templated(text, manifest):
    """Tamper targets, then the trail ARN, bucket, organization id and log account become
    placeholders (longest first, so a target URI wins over the bucket inside it)."""
    replacements = {}
    for tampered in manifest["tampered"]:
        for role, value in tampered["targets"].items():
            replacements[value] = "{" + role + "}"
    ordered = sorted(replacements, key=len, reverse=True)
    ordered += [manifest["trail_arn"], manifest["bucket"], manifest["organization_id"],
                manifest["log_account_id"]]
    replacements.update({manifest["trail_arn"]: "{trail_arn}", manifest["bucket"]: "{bucket}",
                         manifest["organization_id"]: "{organization_id}",
                         manifest["log_account_id"]: "{account}"})
    for value in ordered:
        if value:
            text = text.replace(value, replacements[value])
    return text


def record(endpoint, number, name, scratch):
    options, region, cli_options = CASES[name]
    out = os.path.join(scratch, f"{name}.json")
    subprocess.run([sys.executable, os.path.join(HERE, "generate_chain.py"), "--endpoint", endpoint,
                    "--account", str(ACCOUNT_BASE + number), "--out", out, *options], check=True)
    with open(out) as f:
        manifest = json.load(f)
    source = manifest["home_region"] if region == "home" else manifest["regions"][1]
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    result = subprocess.run(
        [aws, "cloudtrail", "validate-logs", "--region", source, "--trail-arn", manifest["trail_arn"],
         "--start-time", manifest["window"]["start"], "--end-time", manifest["window"]["end"],
         *cli_options],
        env=cli_env(endpoint, manifest, scratch), capture_output=True, text=True, check=False)
    lines = lambda text: [templated(l, manifest) for l in text.splitlines() if l.strip()]
    return {"generate": options, "region": region, "cli": cli_options,
            "exit": result.returncode, "stderr": lines(result.stderr), "stdout": lines(result.stdout)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--out", default=os.path.join(HERE, "validate_logs_expected.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        cases = {name: record(args.endpoint, i, name, scratch) for i, name in enumerate(CASES)}
    with open(args.out, "w") as f:
        json.dump({"awscli": __import__("awscli").__version__, "cases": cases}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
