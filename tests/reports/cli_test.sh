#!/bin/sh
# `switchboard import`, `report` and `reports rebuild|define|settings` end to end: bad rows by
# line with a summary, exit codes, the same file refused twice, CSV/JSON reports, a rebuild that
# changes nothing, a definition version applied by a rebuild.
# Usage: cli_test.sh path/to/switchboard work-dir
set -u
bin=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
data="$work/data"
fail() { echo "FAIL: $*"; exit 1; }

cat > "$work/history.csv" <<'CSV'
arrival_time,queue,wait,outcome,talk,hold,wrap,agent,customer_id
2026-03-02 08:00:05,sales,12,answered,62,5,10,ann,c1
2026-03-02 08:03:00,sales,40,abandoned,,,,,c2
2026-03-02 08:20:00,sales,3,abandoned,,,,,
2026-03-02 08:31:00,support,25,answered,200,0,30,bob,c1
2026-03-02 08:40:00,sales,oops,answered,10,0,0,ann,
2026-03-02 08:45:00,sales,1,maybe,10,0,0,ann,
CSV
cat > "$work/queue_log" <<'LOG'
1772438400|NONE|NONE|Agent/1001|AGENTLOGIN|SIP/1001
1772438410|1.1|sales|NONE|ENTERQUEUE||5551234|1
1772438425|1.1|sales|Agent/1001|CONNECT|15|1.2|2
1772438525|1.1|sales|Agent/1001|COMPLETEAGENT|15|100|1
1772438600|2.1|sales|NONE|ENTERQUEUE||5550000|1
1772438900|2.1|sales|NONE|EXITWITHTIMEOUT|1|1|300
LOG

out=$("$bin" import --format csv "$work/history.csv" --data-dir "$data" 2>&1)
code=$?
[ "$code" -eq 0 ] || fail "import exited with $code: $out"
echo "$out" | grep -q "history.csv:6: wait 'oops' is not a duration" || fail "no line 6 problem: $out"
echo "$out" | grep -q "history.csv:7: outcome 'maybe'" || fail "no line 7 problem: $out"
echo "$out" | grep -q "7 lines, 4 contacts imported (2 answered, 2 abandoned, 0 timed out, 0 blocked), 2 bad rows skipped" \
  || fail "bad summary: $out"

out=$("$bin" import --format csv "$work/history.csv" --data-dir "$data" 2>&1)
[ $? -eq 2 ] || fail "a second import of the same file was not refused: $out"
echo "$out" | grep -q "imported before" || fail "unexpected message: $out"

out=$("$bin" import --format queue_log "$work/queue_log" --data-dir "$data" --strict 2>&1) \
  || fail "queue_log import failed: $out"
echo "$out" | grep -q "2 contacts imported (1 answered, 0 abandoned, 1 timed out" || fail "$out"

"$bin" import --format xml "$work/queue_log" --data-dir "$data" >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown format not refused with 2"

out=$("$bin" report --data-dir "$data" --from 2026-03-02 --to 2026-03-02 --interval 30m --csv 2>&1) \
  || fail "report failed: $out"
echo "$out" | head -1 | grep -q "^interval,offered,handled,abandoned," || fail "bad header: $out"
echo "$out" | grep -q "^2026-03-02T08:00:00+00:00,5,2,2," || fail "08:00 row: $out"
echo "$out" | grep -q "^2026-03-02T08:30:00+00:00,1,1,0," || fail "08:30 row: $out"
echo "$out" | grep -q "^total,6,3,2," || fail "total: $out"

out=$("$bin" report --data-dir "$data" --from 2026-03-02 --to 2026-03-02 --group-by queue \
  --queue sales --json 2>&1) || fail "json report failed: $out"
echo "$out" | grep -q '"queue":"sales","kpis":{"offered":5,"handled":2,"abandoned":2' \
  || fail "json: $out"

"$bin" report --data-dir "$data" --from 2026-03-02 --to 2026-03-02 --interval 20m >/dev/null 2>&1
[ $? -eq 2 ] || fail "--interval 20m not refused with 2"

before=$("$bin" report --data-dir "$data" --from 2026-03-02 --to 2026-03-02 --csv)
out=$("$bin" reports rebuild --data-dir "$data" 2>&1) || fail "rebuild failed: $out"
echo "$out" | grep -q "rebuilt reports.db from 6 events" || fail "rebuild: $out"
after=$("$bin" report --data-dir "$data" --from 2026-03-02 --to 2026-03-02 --csv)
[ "$before" = "$after" ] || fail "rebuild changed the report"

# A 60 s threshold for sales from March 1st: the abandon after 40 s becomes "within SL" only
# after the rebuild (recompute on request).
"$bin" reports define --data-dir "$data" --queue sales --from 2026-03-01 --sl-threshold 60s \
  --preset asterisk_sl2 >/dev/null || fail "define failed"
out=$("$bin" report --data-dir "$data" --from 2026-03-02 --to 2026-03-02 --group-by queue \
  --queue sales --json)
echo "$out" | grep -q '"definition_versions":\["sales:0"\]' || fail "before rebuild: $out"
"$bin" reports rebuild --data-dir "$data" >/dev/null || fail "second rebuild failed"
out=$("$bin" report --data-dir "$data" --from 2026-03-02 --to 2026-03-02 --group-by queue \
  --queue sales --json)
echo "$out" | grep -q '"definition_versions":\["sales:1"\]' || fail "after rebuild: $out"
echo "$out" | grep -q '"service_level_preset":"asterisk_sl2"' || fail "preset: $out"
echo "$out" | grep -q '"abandoned_within_sl":2' || fail "threshold: $out"

out=$("$bin" reports settings --data-dir "$data" --repeat-window 1d --conversion 7 \
  --minute-cost voice=0.02) || fail "settings failed"
echo "$out" | grep -q '"repeat_window_s":86400' || fail "settings: $out"
echo "cli_test: ok"
