#!/usr/bin/env bash
# Voice with real SIP peers, on 127.0.0.1 only: `switchboard serve --sip-listen` with SIPp as the
# customers and as an agent's auto-answering phone (registered with digest authentication), and
# baresip as a real softphone (see baresip_test.sh). Checks signalling outcomes and media: DTMF
# received as RFC 4733 events, RTP relayed both ways through the bridge, a stereo recording with
# audio on both channels, pause/resume through the API, abandon in queue, malformed SIP -> 400.
#
#   tests/voice/run_voice_tests.sh [SERVER_BINARY]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
server="$(realpath "${1:-$root/build/src/server/switchboard}")"
command -v sipp >/dev/null || { echo "sipp not installed (scripts/install-deps: sip-tester)"; exit 1; }
command -v sox >/dev/null || { echo "sox not installed (scripts/install-deps)"; exit 1; }

tmp="$(mktemp -d)"
pid=""
bg_pids=()
passed=0
failed=0
cleanup() {
  for p in "${bg_pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  if [[ "$failed" -ne 0 || -n "${KEEP_VOICE_TMP:-}" ]]; then
    echo "logs kept in $tmp"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT

check() {  # check NAME CONDITION-COMMAND...
  local name="$1"; shift
  if "$@"; then echo "PASS $name"; passed=$((passed + 1)); else echo "FAIL $name"; failed=$((failed + 1)); fi
}
free_port() {  # a port free on both UDP and TCP
  python3 - <<'PY'
import socket
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        u.close(); t.close()
PY
}
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

http_port="$(free_port)"
sip_port="$(free_port)"
url="http://127.0.0.1:$http_port"
export SWITCHBOARD_ADMIN_PASSWORD="voice-admin-password"

# Audio: a 440 Hz tone for the customer, 1 kHz for the agent (µ-law WAV, what SIPp streams).
sox -q -n -r 8000 -c 1 -e u-law "$tmp/caller.wav" synth 20 sine 440 vol 0.5
sox -q -n -r 8000 -c 1 -e u-law "$tmp/agent.wav" synth 20 sine 1000 vol 0.5

cd "$tmp"  # SIPp streams caller.wav / agent.wav from the working directory
"$server" serve --data-dir "$tmp/data" --listen "127.0.0.1:$http_port" \
  --sip-listen "127.0.0.1:$sip_port" --sip-dids "1000=0,2000=1" >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -s -o /dev/null "$url/api/v1/auth/me" && break
  sleep 0.1
done
cookie="$tmp/cookies"
login=$(curl -s -c "$cookie" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$SWITCHBOARD_ADMIN_PASSWORD\"}" "$url/api/v1/auth/login")
csrf=$(echo "$login" | jq_py 'd["csrf_token"]')
key=$(curl -s -b "$cookie" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d '{"name":"voice"}' "$url/api/v1/users/1/api-keys" | jq_py 'd["key"]')
api() {  # api METHOD PATH [BODY]
  local method="$1" path="$2" body="${3:-}"
  if [[ -n "$body" ]]; then
    curl -s -X "$method" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
      -d "$body" "$url$path"
  else
    curl -s -X "$method" -H "Authorization: Bearer $key" "$url$path"
  fi
}
check "server up with SIP on $sip_port" grep -q "SIP listening on 127.0.0.1:$sip_port" "$tmp/serve.log"

# A center: queue 0 "Sales" (DID 1000) with agent 0, queue 1 "Support" (DID 2000) with nobody.
api POST /api/v1/queues '{"name":"Sales","offer_timeout_s":15,"wrap_up_s":0}' >/dev/null
api POST /api/v1/queues '{"name":"Support","offer_timeout_s":15,"wrap_up_s":0}' >/dev/null
api POST /api/v1/profiles '{"name":"Voice","capacity":{"voice":1}}' >/dev/null
api POST /api/v1/agents '{"name":"Ada","profile":0,"queues":[{"queue":0}]}' >/dev/null
uid=$(api POST /api/v1/users '{"username":"ada","password":"ada-long-password","role":"agent","agent_id":0}' | jq_py 'd["id"]')
check "an admin sets the agent's SIP password" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' -d '{"password":"ada-phone-secret"}' \
    "$url/api/v1/users/$uid/sip-password")" = 204
api PUT /api/v1/agents/0/state '{"presence":"available"}' >/dev/null

sipp_common=(-i 127.0.0.1 -nostdin -trace_err -timeout 30s -max_recv_loops 1000)

# ---- malformed SIP -------------------------------------------------------------------------
check "malformed requests are answered 400 (SIPp)" \
  sipp 127.0.0.1:"$sip_port" -sf "$here/malformed.xml" -s 1000 -m 1 -p "$(free_port)" \
    "${sipp_common[@]}" -error_file "$tmp/malformed.err"

# ---- the agent's phone registers -----------------------------------------------------------
phone_port="$(free_port)"
check "a wrong SIP password is refused" \
  bash -c "! sipp 127.0.0.1:$sip_port -sf '$here/register.xml' -s ada -au ada -ap wrong-secret \
    -set contact_port $phone_port -set expires 300 -m 1 -p $(free_port) -i 127.0.0.1 -nostdin \
    -timeout 10s >/dev/null 2>&1"
check "the phone registers with digest authentication (SIPp)" \
  sipp 127.0.0.1:"$sip_port" -sf "$here/register.xml" -s ada -au ada -ap ada-phone-secret \
    -set contact_port "$phone_port" -set expires 300 -m 1 -p "$(free_port)" "${sipp_common[@]}" \
    -error_file "$tmp/register.err"
check "the registration is live" \
  test "$(api GET /api/v1/voice/stats | jq_py 'd["agent_phones"]')" = 1

# ---- a call: queue -> ring the phone -> bridge -> record -> hang up --------------------------
sipp -sf "$here/agent_phone.xml" -p "$phone_port" -mp "$(free_port)" -m 1 \
  "${sipp_common[@]}" -error_file "$tmp/agent.err" >"$tmp/agent.out" 2>&1 &
agent_pid=$!
bg_pids+=("$agent_pid")
sipp 127.0.0.1:"$sip_port" -sf "$here/caller.xml" -s 1000 -m 1 -d 6000 -p "$(free_port)" \
  -mp "$(free_port)" "${sipp_common[@]}" -error_file "$tmp/caller.err" \
  >"$tmp/caller.out" 2>&1 &
caller_pid=$!
bg_pids+=("$caller_pid")
contact=""
for _ in $(seq 1 50); do
  contact=$(api GET "/api/v1/contacts?state=connected" | jq_py '" ".join(str(c["id"]) for c in d["items"])')
  [[ -n "$contact" ]] && break
  sleep 0.1
done
check "the call is connected to the agent (contact '$contact')" test -n "$contact"
sleep 1.5
pause_code=$(curl -s -o "$tmp/pause.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $key" \
  "$url/api/v1/contacts/$contact/recording/pause")
check "the recording pauses through the API" test "$pause_code" = 200
check "the recording lists as active and paused" \
  test "$(api GET "/api/v1/contacts/$contact/recordings" | jq_py 'd["items"][-1]["active"] and d["items"][-1]["paused"]')" = True
sleep 1
check "the recording resumes" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $key" \
    "$url/api/v1/contacts/$contact/recording/resume")" = 200
caller_ok=0; wait "$caller_pid" || caller_ok=$?
agent_ok=0; wait "$agent_pid" || agent_ok=$?
check "the caller's SIPp scenario completes (BYE answered)" test "$caller_ok" = 0
check "the phone's SIPp scenario completes (Switchboard hung it up)" test "$agent_ok" = 0
sleep 0.3
stats=$(api GET /api/v1/voice/stats)
echo "voice stats: $stats"
check "DTMF 1 2 arrived as RFC 4733 events (PT from the SDP)" \
  test "$(echo "$stats" | jq_py 'd["dtmf_digits"] >= 2')" = True
check "RTP was relayed both ways (>= 2 x 150 packets)" \
  test "$(echo "$stats" | jq_py 'd["rtp_relayed"] >= 300')" = True
check "the contact ended" \
  test "$(api GET "/api/v1/contacts/$contact" | jq_py 'd.get("state", "gone")')" != connected
rec=$(api GET "/api/v1/contacts/$contact/recordings" | jq_py 'd["items"][0]["name"]')
check "a recording is listed on the contact ($rec)" test -n "$rec"
curl -s -H "Authorization: Bearer $key" -o "$tmp/rec.wav" "$url/api/v1/contacts/$contact/recordings/$rec"
check "the recording is an 8 kHz stereo WAV" \
  bash -c "sox --i -c '$tmp/rec.wav' | grep -qx 2 && sox --i -r '$tmp/rec.wav' | grep -qx 8000"
rms() { sox "$tmp/rec.wav" -n remix "$1" stat 2>&1 | awk '/RMS +amplitude/ {print $3}'; }
left=$(rms 1); right=$(rms 2)
echo "recording: $(sox --i -D "$tmp/rec.wav") s, RMS left (caller) $left, right (agent) $right"
check "the caller's channel has audio" python3 -c "import sys; sys.exit(0 if $left > 0.05 else 1)"
check "the agent's channel has audio" python3 -c "import sys; sys.exit(0 if $right > 0.05 else 1)"
# The caller's tone (440 Hz) is on the left, the agent's (1 kHz) on the right.
# (measured on the last second: earlier, the recording was paused and is silent for a while)
freq() { sox "$tmp/rec.wav" -n remix "$1" trim -1.2 1 stat -freq 2>&1 | sort -k2 -g | tail -1 | awk '{print int($1)}'; }
lf=$(freq 1); rf=$(freq 2)
check "left is the caller's 440 Hz ($lf Hz), right the agent's 1 kHz ($rf Hz)" \
  python3 -c "import sys; sys.exit(0 if abs($lf-440)<30 and abs($rf-1000)<30 else 1)"
silent=$(python3 - "$tmp/rec.wav" <<'PY'
import array, sys, wave
w = wave.open(sys.argv[1]); s = array.array("h", w.readframes(w.getnframes()))
win = 2000  # 0.25 s; each channel on its own (the sides may be offset by the recorder's skew)
counts = []
for ch in (0, 1):
    c = s[ch::2]
    counts.append(sum(1 for i in range(0, len(c) - win, win) if max(map(abs, c[i:i + win])) == 0))
print(min(counts))
PY
)
check "the paused stretch is recorded as silence on each channel ($silent x 0.25 s)" test "$silent" -ge 2

# ---- abandon in queue ------------------------------------------------------------------------
before=$(api GET /api/v1/stats/queues | jq_py '[q for q in d["items"] if q["queue"] == 1][0]["today"]["abandoned"]')
check "a caller who hangs up while queued completes" \
  sipp 127.0.0.1:"$sip_port" -sf "$here/caller.xml" -s 2000 -m 1 -d 1500 -p "$(free_port)" \
    -mp "$(free_port)" "${sipp_common[@]}" -error_file "$tmp/abandon.err"
sleep 0.3
after=$(api GET /api/v1/stats/queues | jq_py '[q for q in d["items"] if q["queue"] == 1][0]["today"]["abandoned"]')
check "the hang-up in queue is a ContactAbandoned ($before -> $after)" test "$after" -eq $((before + 1))
check "the queued caller heard the welcome and music (>= 50 frames of prompts sent)" \
  test "$(api GET /api/v1/voice/stats | jq_py 'd["rtp_sent"] - d["rtp_relayed"] >= 50')" = True

# ---- unknown number ------------------------------------------------------------------------
check "an unknown DID is refused (404) and does not become a contact" \
  bash -c "! sipp 127.0.0.1:$sip_port -sf '$here/caller.xml' -s 9999 -m 1 -d 500 -p $(free_port) \
    -mp $(free_port) -i 127.0.0.1 -nostdin -timeout 10s >/dev/null 2>&1"
check "the server is still healthy" test "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/auth/me")" = 401

kill -TERM "$pid"
code=0; wait "$pid" || code=$?
pid=""
check "SIGTERM stops the server cleanly with voice on" test "$code" = 0

echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
