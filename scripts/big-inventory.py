#!/usr/bin/env python3
"""Writes a large, valid inventory for memory measurements (never commit its output).

Usage: scripts/big-inventory.py SIZE_MIB OUT.json

Replicates the accounts of examples/demo-inventory.json and tests/fixtures/inventories/*.json
(values, read errors, organization trails, cross-account buckets) under fresh 12-digit account
ids until the file is at least SIZE_MIB MiB. The output is pretty-printed like `collect -o`.
"""
import glob
import json
import os
import sys


def templates(repo):
    paths = [os.path.join(repo, "examples/demo-inventory.json")]
    paths += sorted(glob.glob(os.path.join(repo, "tests/fixtures/inventories/*.json")))
    accounts = []
    head = None
    for path in paths:
        with open(path, encoding="utf-8") as f:
            inv = json.load(f)
        head = head or inv
        for account in inv["accounts"]:
            accounts.append((account["account_id"], json.dumps(account)))
    return head, accounts


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    target = int(float(sys.argv[1]) * 1024 * 1024)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    head, accounts = templates(repo)
    out = {k: v for k, v in head.items() if k not in ("accounts", "organization")}
    out["accounts"] = []
    size, n = 0, 0
    while size < target:
        old_id, text = accounts[n % len(accounts)]
        new_id = f"{700000000000 + n:012d}"
        account = json.loads(text.replace(old_id, new_id))
        out["accounts"].append(account)
        # Pretty printing adds the nesting indent; measure each account as it will be written.
        size += len(json.dumps(account, indent=2)) + 4 * json.dumps(account, indent=2).count("\n")
        n += 1
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(f"{sys.argv[2]}: {n} accounts, {os.path.getsize(sys.argv[2])} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
