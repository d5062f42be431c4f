#!/bin/sh
# `switchboard import`, `report` and `reports rebuild|define|settings` end to end: bad rows by
# line with a summary, exit codes, the same file refused twice, CSV/JSON reports, a rebuild that
# changes nothing, a definition version applied by a rebuild; `report --attrition` over the
# accounts of a live server's data directory: the API's bytes, and the figures recomputed here
# from accounts.db with sqlite3 and awk.
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

# ---- attrition: agent users hired, separated and re-hired on a live server ----
live="$work/live"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
SWITCHBOARD_ADMIN_PASSWORD=cli-admin-password-1 "$bin" serve --data-dir "$live" \
  --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
spid=$!
trap 'kill -KILL "$spid" 2>/dev/null' EXIT
ready=""
for _ in $(seq 1 150); do
  curl -s -o /dev/null "$url/api/v1/auth/me" && { ready=1; break; }
  sleep 0.1
done
[ -n "$ready" ] || fail "server did not start: $(cat "$work/serve.log")"
login=$(curl -s -c "$work/cookies" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"cli-admin-password-1"}' "$url/api/v1/auth/login")
csrf=$(echo "$login" | jq -r .csrf_token)
key=$(curl -s -b "$work/cookies" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d '{"name":"cli"}' "$url/api/v1/users/1/api-keys" | jq -r .key)
[ -n "$key" ] && [ "$key" != null ] || fail "no API key: $login"
api() {  # api METHOD PATH [BODY]
  if [ $# -ge 3 ]; then
    curl -s -X "$1" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$3" "$url$2"
  else
    curl -s -X "$1" -H "Authorization: Bearer $key" "$url$2"
  fi
}
now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }
profile=$(api POST /api/v1/profiles '{"name":"p","capacity":{"voice":1}}' | jq -r .id)
agent=$(api POST /api/v1/agents "{\"name\":\"A\",\"profile\":$profile}" | jq -r .id)
[ "$agent" != null ] || fail "no routing agent"
start=$(now_ms)
for u in ann bob cat dan eve; do
  id=$(api POST /api/v1/users "{\"username\":\"$u\",\"password\":\"password-$u-1\",\"role\":\"agent\",\"agent_id\":$agent}" | jq -r .id)
  [ "$id" != null ] || fail "user $u not created"
  eval "id_$u=$id"
  sleep 0.2
done
api POST /api/v1/users '{"username":"sue","password":"password-sue-1","role":"supervisor"}' >/dev/null
middle=$(now_ms)  # ann..eve hired before, the changes below after
sleep 0.2
api DELETE "/api/v1/users/$id_ann" >/dev/null
sleep 0.2
api DELETE "/api/v1/users/$id_bob" >/dev/null
sleep 0.2
api PATCH "/api/v1/users/$id_bob" '{"disabled":false}' >/dev/null
sleep 0.2
api DELETE "/api/v1/users/$id_cat" >/dev/null
sleep 0.2
end=$(now_ms)
for range in "$start $end" "$middle $end"; do
  set -- $range
  api_json=$(api GET "/api/v1/reports/attrition?from=$1&to=$2")
  api_csv=$(api GET "/api/v1/reports/attrition?from=$1&to=$2&format=csv")
  cli_json=$("$bin" report --data-dir "$live" --from "$1" --to "$2" --attrition --json 2>&1) \
    || fail "report --attrition --json: $cli_json"
  cli_csv=$("$bin" report --data-dir "$live" --from "$1" --to "$2" --attrition --csv 2>&1) \
    || fail "report --attrition --csv: $cli_csv"
  [ "$cli_json" = "$api_json" ] || fail "attrition JSON: CLI $cli_json, API $api_json"
  [ "$cli_csv" = "$api_csv" ] || fail "attrition CSV: CLI $cli_csv, API $api_csv"
  # Independently: each agent user's state changes (creation +1, user.disable -1, an update to
  # enabled +1) from accounts.db, then the headcounts, hires, separations and the time-weighted
  # average headcount over [from, to).
  expected=$(sqlite3 -separator ' ' "$live/accounts.db" "
      SELECT id, created_at, 1 FROM users WHERE role = 'agent'
      UNION ALL
      SELECT CAST(substr(a.target, 6) AS INTEGER), a.at,
             CASE a.action WHEN 'user.disable' THEN 0 ELSE 1 END
        FROM audit a JOIN users u ON u.id = CAST(substr(a.target, 6) AS INTEGER)
       WHERE u.role = 'agent' AND (a.action = 'user.disable'
             OR (a.action = 'user.update' AND a.detail LIKE '%\"disabled\":false%'))
      ORDER BY 1, 2" |
    awk -v from="$1" -v to="$2" '
      function close_span(u, t) { if (active[u]) { lo = since[u] > from ? since[u] : from;
                                                  hi = t < to ? t : to; if (hi > lo) ms += hi - lo } }
      { u = $1; t = $2; on = $3; agents[u] = 1
        if (t < from) start[u] = on
        if (t < to) end_[u] = on
        if (t >= from && t < to) { if (on) hires++; else seps++ }
        close_span(u, t); active[u] = on; since[u] = t }
      END { for (u in agents) { close_span(u, to); n++; hs += start[u]; he += end_[u] }
            avg = ms / (to - from)
            printf "%d %d %d %d %d %.12g %.12g\n", n, hs, he, hires, seps, avg, (avg > 0 ? seps / avg : 0) }')
  got=$(echo "$cli_csv" | tail -1 | awk -F, '{ printf "%d %d %d %d %d %.12g %.12g\n", $4, $5, $6, $8, $9, $7, $10 }')
  [ "$got" = "$expected" ] || fail "attrition over $1..$2: report $got, independent $expected"
  echo "attrition $1..$2 (agents start end hires separations average rate): $got"
done
# After the hires: ann, bob and cat leave, bob comes back (bob, dan and eve remain).
echo "$got" | grep -q "^5 5 3 1 3 " || fail "attrition after the hires: $got"
"$bin" report --data-dir "$work/nowhere" --from 2026-03-02 --to 2026-03-03 --attrition >/dev/null 2>&1
[ $? -eq 1 ] || fail "--attrition without accounts.db not refused"
"$bin" report --data-dir "$live" --from 2026-03-02 --to 2026-03-03 --attrition --queue sales \
  >/dev/null 2>&1
[ $? -eq 2 ] || fail "--attrition --queue not refused with 2"
kill -TERM "$spid"
wait "$spid" || fail "server exit status $?"
echo "cli_test: ok"
