#!/usr/bin/env python3
"""Provision the emulator's Python venv, shared by the tests and scripts/demo.

Usage: python3 provision.py [--state-dir DIR]

Creates (or reuses) DIR/venv (default: <repo>/.emulator/venv) with the pinned packages of
tests/emulator/requirements.txt, and prints the venv's python as the last line on stdout.

* A marker file in the venv (`.trailguard-requirements.txt`, a byte copy of requirements.txt)
  says what was installed: when it is missing or differs, the venv is removed and rebuilt.
  The marker is written last, so an interrupted install is redone next time.
* An exclusive lock on DIR/venv.lock (flock) serialises concurrent callers: test binaries
  started in parallel, or a test run and the demo.
* The venv is created with the interpreter running this script; pip's output goes to stderr.

Exits non-zero with a message on stderr if anything fails.
"""

import argparse
import fcntl
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
REQUIREMENTS = os.path.join(HERE, "requirements.txt")
MARKER = ".trailguard-requirements.txt"


def run(cmd, what):
    result = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr)
    if result.returncode != 0:
        sys.stderr.write(f"provision.py: could not {what}: {cmd!r} exited with {result.returncode}\n")
        sys.exit(1)


def provision(state_dir):
    os.makedirs(state_dir, exist_ok=True)
    with open(REQUIREMENTS, "rb") as f:
        requirements = f.read()
    venv = os.path.join(state_dir, "venv")
    python = os.path.join(venv, "bin", "python")
    marker = os.path.join(venv, MARKER)

    with open(os.path.join(state_dir, "venv.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        try:
            with open(marker, "rb") as f:
                up_to_date = os.path.exists(python) and f.read() == requirements
        except OSError:
            up_to_date = False
        if not up_to_date:
            if os.path.lexists(venv):
                shutil.rmtree(venv)
            sys.stderr.write(f"provision.py: creating {venv} from {REQUIREMENTS}\n")
            run([sys.executable, "-m", "venv", venv],
                "create the emulator venv (is python3 with the venv module installed?)")
            os.environ["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
            run([python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
                 "-r", REQUIREMENTS],
                "install tests/emulator/requirements.txt into the emulator venv")
            run([python, "-c", "import moto, boto3; print(moto.__version__)"],
                "import moto and boto3 from the emulator venv")
            with open(marker, "wb") as f:
                f.write(requirements)
    return python


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", default=os.path.join(REPO, ".emulator"),
                        help="where the venv and its lock live (default: <repo>/.emulator)")
    args = parser.parse_args()
    print(provision(os.path.abspath(args.state_dir)), flush=True)


if __name__ == "__main__":
    main()
