#!/usr/bin/env bash
# The live server as a user meets it: `switchboard serve --demo` on a fresh data directory
# seeds the demo center and the simulated customers and agents make the numbers move; SIGTERM
# drains and stops cleanly; a restart on the same directory resumes with every queued contact in
# its place and keeps the configuration and accounts.
#
#   tests/server/serve_smoke.sh [SERVER_BINARY]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
server="${1:-$root/build/src/server/switchboard}"
tmp="$(mktemp -d)"
pid=""
passed=0
failed=0
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

check() {  # check NAME CONDITION-COMMAND...
  local name="$1"; shift
  if "$@"; then echo "PASS $name"; passed=$((passed + 1)); else echo "FAIL $name"; failed=$((failed + 1)); fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port="$(free_port)"
url="http://127.0.0.1:$port"
export SWITCHBOARD_ADMIN_PASSWORD="smoke-admin-password"

start_server() {  # start_server LOG [extra args]
  local log="$1"; shift
  "$server" serve --data-dir "$tmp/data" --listen "127.0.0.1:$port" "$@" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$url/api/v1/auth/me" && return 0
    sleep 0.1
  done
  echo "server did not start:"; cat "$log"; return 1
}
stop_server() {
  kill -TERM "$pid"
  local code=0
  wait "$pid" || code=$?
  pid=""
  return $code
}
api() {  # api METHOD PATH [BODY] — as admin, with an API key
  local method="$1" path="$2" body="${3:-}"
  if [[ -n "$body" ]]; then
    curl -s -X "$method" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
      -d "$body" "$url$path"
  else
    curl -s -X "$method" -H "Authorization: Bearer $key" "$url$path"
  fi
}
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# ---- first run: the demo ----
start_server "$tmp/serve1.log" --demo --demo-speed 30 --demo-password smoke-demo-password
cookie="$tmp/cookies"
login=$(curl -s -c "$cookie" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$SWITCHBOARD_ADMIN_PASSWORD\"}" "$url/api/v1/auth/login")
csrf=$(echo "$login" | jq_py 'd["csrf_token"]')
key=$(curl -s -b "$cookie" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d '{"name":"smoke"}' "$url/api/v1/users/1/api-keys" | jq_py 'd["key"]')
check "admin logs in and gets an API key" test -n "$key"

handled=0
for _ in $(seq 1 60); do
  handled=$(api GET /api/v1/stats/queues | jq_py 'sum(q["today"]["handled"] for q in d["items"])')
  [[ "$handled" -ge 5 ]] && break
  sleep 1
done
check "the demo seeds 5 queues" test "$(api GET /api/v1/queues | jq_py 'len(d["items"])')" -eq 5
check "the demo's simulated agents handle contacts (handled today: $handled)" test "$handled" -ge 5
busy=$(api GET /api/v1/stats/agents | jq_py 'sum(1 for a in d["items"] if a["activity"] in ("busy","ringing","wrap_up"))')
check "agents are at work on the wallboard ($busy busy)" test "$busy" -ge 1
check "the web app is served" test "$(curl -s -o /dev/null -w '%{http_code}' "$url/")" = 200
check "metrics are exported" bash -c "curl -s '$url/metrics' | grep -q '^switchboard_events_total [1-9]'"
check "SIGTERM stops the server cleanly" stop_server
check "the shutdown is logged" grep -q "stopped cleanly" "$tmp/serve1.log"

# ---- second run: no demo; queue contacts with nobody logged in, then restart ----
start_server "$tmp/serve2.log"
check "the second start keeps the admin API key" test "$(api GET /api/v1/auth/me | jq_py 'd["user"]["username"]')" = admin
# Log every agent out so that new contacts wait.
for a in $(api GET /api/v1/stats/agents | jq_py '" ".join(str(a["agent"]) for a in d["items"] if a["presence"] != "offline")'); do
  api PUT "/api/v1/agents/$a/state" '{"presence":"not_ready","reason":1}' >/dev/null || true
done
ids=()
for i in 1 2 3; do
  ids+=("$(api POST /api/v1/contacts '{"channel":"email","queue":4}' | jq_py 'd["id"]')")
done
before=$(api GET "/api/v1/contacts?state=queued&queue=4" | jq_py '" ".join(str(c["id"]) for c in d["items"])')
check "three contacts wait in the email queue" bash -c "echo '$before' | grep -q '${ids[2]}'"
stop_server
start_server "$tmp/serve3.log"
after=$(api GET "/api/v1/contacts?state=queued&queue=4" | jq_py '" ".join(str(c["id"]) for c in d["items"])')
check "after a restart the same contacts wait in the same order" test "$before" = "$after"
check "configuration survives the restart" test "$(api GET /api/v1/agents | jq_py 'len(d["items"])')" -eq 20
stop_server

echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
