#!/usr/bin/env bash
# Runs one cargo-fuzz target for a bounded time, seeded with the repository's own files.
#   fuzz/run.sh TARGET [SECONDS] [more libFuzzer flags...]
# Stable Rust: no sanitizer (safe Rust; panics, aborts, hangs and memory are what we look for),
# debug assertions on so an integer overflow is a crash. New inputs go to fuzz/corpus/TARGET
# (ignored by git), crashes to fuzz/artifacts/TARGET.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?"usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer flags...]"}
seconds=${2:-60}
shift $(($# < 2 ? $# : 2))
case $target in
rule_yaml) seeds=(../rules ../tests/fixtures/rules ../tests/diagnostics) dict=yaml.dict ;;
config_yaml) seeds=(../tests/fixtures/config ../tests/diagnostics/bad-parameter) dict=yaml.dict ;;
waivers_yaml) seeds=(../tests/fixtures/waivers) dict=yaml.dict ;;
inventory_json) seeds=(../tests/fixtures/inventories ../examples) dict=json.dict ;;
report_json) seeds=(../tests/fixtures/reports) dict=json.dict ;;
waiver_glob) seeds=() dict=yaml.dict ;;
*) echo "unknown target $target; see fuzz/Cargo.toml" >&2 && exit 2 ;;
esac
mkdir -p "corpus/$target"
exec cargo fuzz run --sanitizer none -a "$target" "corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -dict="$dict" "$@"
