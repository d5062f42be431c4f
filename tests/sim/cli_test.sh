#!/bin/sh
# `switchboard simulate` end to end: exit codes, the error message of a malformed scenario, the
# table, --json and --intervals-csv of the demo center.
# Usage: cli_test.sh path/to/switchboard source-dir work-dir
set -u
bin=$1
src=$2
work=$3
mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }

out=$("$bin" simulate "$src/tests/sim/bad-selection.toml" 2>&1)
code=$?
[ "$code" -eq 2 ] || fail "malformed scenario exited with $code, expected 2: $out"
echo "$out" | grep -q "bad-selection.toml:10:13: queues\[0\].selection: unknown agent selection 'fastest'" \
  || fail "unexpected message: $out"

"$bin" simulate "$work/does-not-exist.toml" >/dev/null 2>&1
code=$?
[ "$code" -eq 2 ] || fail "missing scenario exited with $code, expected 2"

out=$("$bin" simulate "$src/examples/demo-center.toml" --replications 2 2>&1) \
  || fail "demo run failed: $out"
for word in Offered Handled Abandoned "Service level" ASA AHT Occupancy "Wait p90"; do
  echo "$out" | grep -q "$word" || fail "table lacks $word: $out"
done

out=$("$bin" simulate "$src/examples/demo-center.toml" --json --replications 3 --seed 9 \
  --intervals-csv "$work/intervals.csv" 2>&1) || fail "json run failed: $out"
echo "$out" | grep -q '"service_level": {' || fail "json lacks service_level: $out"
echo "$out" | grep -q '"replications": 3' || fail "json lacks replications: $out"
head -1 "$work/intervals.csv" | grep -q '^replication,interval_start,queue,' \
  || fail "bad intervals csv header"
[ "$(wc -l < "$work/intervals.csv")" -gt 100 ] || fail "too few interval rows"
echo "cli_test: ok"
