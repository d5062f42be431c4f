#!/usr/bin/env bash
# Voice with real SIP peers, on 127.0.0.1 only: `switchboard serve --sip-listen` with SIPp as the
# customers and as an agent's auto-answering phone (registered with digest authentication), and
# baresip as a real softphone (see baresip_test.sh). Checks signalling outcomes and media: DTMF
# received as RFC 4733 events, RTP relayed both ways through the bridge, a stereo recording with
# audio on both channels, pause/resume through the API, abandon in queue, malformed SIP -> 400;
# an IVR flow (DID 3000): a caller walks menu -> account digits -> queue with skills and priority
# from the flow, prompts heard, the agent sees the collected attributes, bridged, the agent hangs
# up and the caller answers the CSAT survey; a self-served path; an invalid flow version refused
# while the previous one keeps answering; blind transfer to another queue through the API; a
# callback requested in queue that keeps its place, rings the agent first, then dials the customer.
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
  --sip-listen "127.0.0.1:$sip_port" --sip-dids "1000=0,2000=1,3000=flow:voice-ivr" \
  >"$tmp/serve.log" 2>&1 &
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
api POST /api/v1/skills '{"name":"sales"}' >/dev/null
api POST /api/v1/profiles '{"name":"Voice","capacity":{"voice":1}}' >/dev/null
api POST /api/v1/profiles '{"name":"Callbacks","capacity":{"voice":1,"callback":1},"exclusive":[]}' >/dev/null
api POST /api/v1/agents '{"name":"Ada","profile":0,"queues":[{"queue":0}],"skills":[{"skill":0,"proficiency":5}]}' >/dev/null
# Bob takes the callbacks of Support (logged out until the callback test).
api POST /api/v1/agents '{"name":"Bob","profile":1,"queues":[{"queue":1}]}' >/dev/null
uid=$(api POST /api/v1/users '{"username":"ada","password":"ada-long-password","role":"agent","agent_id":0}' | jq_py 'd["id"]')
check "an admin sets the agent's SIP password" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' -d '{"password":"ada-phone-secret"}' \
    "$url/api/v1/users/$uid/sip-password")" = 204
api PUT /api/v1/agents/0/state '{"presence":"available"}' >/dev/null
bob_uid=$(api POST /api/v1/users '{"username":"bob","password":"bob-long-password","role":"agent","agent_id":1}' | jq_py 'd["id"]')
api PUT "/api/v1/users/$bob_uid/sip-password" '{"password":"bob-phone-secret"}' >/dev/null

# The IVR flow of DID 3000 (the callback number points at a SIPp "customer" on callback_port).
callback_port="$(free_port)"
sed "s/CALLBACK_PORT/$callback_port/" "$here/ivr_flow.json" >"$tmp/ivr_flow.json"
check "the IVR flow is stored" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' --data-binary @"$tmp/ivr_flow.json" "$url/api/v1/flows")" = 201
python3 - "$tmp/ivr_flow.json" "$tmp/bad_flow.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
f["nodes"][1]["choices"][0]["next"] = "nowhere"   # a typo: an unknown node
json.dump(f, open(sys.argv[2], "w"))
PY
bad_code=$(curl -s -o "$tmp/bad_flow.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' --data-binary @"$tmp/bad_flow.json" "$url/api/v1/flows")
check "an invalid version is refused with its path ($bad_code: $(head -c 160 "$tmp/bad_flow.out"))" \
  bash -c "test $bad_code = 400 && grep -q 'nodes/1/choices/0/next' '$tmp/bad_flow.out'"
check "the previous version stays active (the IVR calls below run it)" \
  test "$(api GET /api/v1/flows/voice-ivr | jq_py 'd["version"]')" = 1

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

# ---- IVR: menu -> account number -> queue (skills, priority) -> agent -> survey ---------------
delta() {  # delta BEFORE_JSON AFTER_JSON FIELD
  A="$1" B="$2" python3 -c "import json, os; a = json.loads(os.environ['A']); b = json.loads(os.environ['B']); print(b['$3'] - a['$3'])"
}
prompts_sent() {  # packets sent that were not relayed: prompts and music
  echo "$1" | jq_py 'd["rtp_sent"] - d["rtp_relayed"]'
}
before_ivr=$(api GET /api/v1/voice/stats)
sipp -sf "$here/agent_phone_hangup.xml" -p "$phone_port" -mp "$(free_port)" -m 1 -d 4000 \
  "${sipp_common[@]}" -error_file "$tmp/ivr_agent.err" >"$tmp/ivr_agent.out" 2>&1 &
agent_pid=$!
bg_pids+=("$agent_pid")
sipp 127.0.0.1:"$sip_port" -sf "$here/ivr_caller.xml" -s 3000 -m 1 -d 7000 -p "$(free_port)" \
  -mp "$(free_port)" "${sipp_common[@]}" \
  -error_file "$tmp/ivr_caller.err" >"$tmp/ivr_caller.out" 2>&1 &
caller_pid=$!
bg_pids+=("$caller_pid")
ivr_contact=""
for _ in $(seq 1 150); do
  ivr_contact=$(api GET "/api/v1/contacts?state=connected" | jq_py '" ".join(str(c["id"]) for c in d["items"])')
  [[ -n "$ivr_contact" ]] && break
  sleep 0.1
done
at_connect=$(api GET /api/v1/voice/stats)
check "the IVR caller reached the agent (contact '$ivr_contact')" test -n "$ivr_contact"
heard=$(( $(prompts_sent "$at_connect") - $(prompts_sent "$before_ivr") ))
check "prompts were heard during the IVR ($heard RTP packets sent to the caller)" test "$heard" -ge 100
api GET "/api/v1/contacts/$ivr_contact" >"$tmp/ivr_contact.json"
echo "IVR contact: $(cat "$tmp/ivr_contact.json")"
check "the agent sees the digits collected by the IVR (account_number 9876)" \
  test "$(jq_py 'd["attributes"].get("account_number")' <"$tmp/ivr_contact.json")" = 9876
check "the menu choice is an attribute too (intent sales)" \
  test "$(jq_py 'd["attributes"].get("intent")' <"$tmp/ivr_contact.json")" = sales
check "the flow's priority reached the engine (10 for accounts starting with 9)" \
  test "$(jq_py 'd["priority"]' <"$tmp/ivr_contact.json")" = 10
caller_ok=0; wait "$caller_pid" || caller_ok=$?
agent_ok=0; wait "$agent_pid" || agent_ok=$?
check "the IVR caller's scenario completes (survey answered, Switchboard hung up)" test "$caller_ok" = 0
check "the agent's phone hung up itself" test "$agent_ok" = 0
after_ivr=$(api GET /api/v1/voice/stats)
echo "voice stats: $after_ivr"
check "RTP relayed both ways through the bridge ($(delta "$at_connect" "$after_ivr" rtp_relayed) packets)" \
  test "$(delta "$at_connect" "$after_ivr" rtp_relayed)" -ge 200
check "DTMF digits of the IVR path arrived (1, 9876#, 4)" \
  test "$(delta "$before_ivr" "$after_ivr" dtmf_digits)" -ge 7
check "one survey answer was recorded" test "$(delta "$before_ivr" "$after_ivr" surveys)" = 1
today=$(date -u +%F)
report_kpi() {  # report_kpi NAME: today's total from the reports read model (it may lag a little)
  api GET "/api/v1/reports/intervals?from=$today&to=$today&group_by=none" |
    jq_py "d['total'].get('$1', 0)"
}
wait_kpi() {  # wait_kpi NAME MIN: up to 10 s for the read model to catch up
  local v=0
  for _ in $(seq 1 50); do
    v=$(report_kpi "$1")
    python3 -c "import sys; sys.exit(0 if $v >= $2 else 1)" && break
    sleep 0.2
  done
  echo "$v"
}
csat_n=$(wait_kpi csat_responses 1)
check "the survey answer is in the CSAT KPI (csat_responses $csat_n, csat_avg $(report_kpi csat_avg))" \
  python3 -c "import sys; sys.exit(0 if $csat_n >= 1 else 1)"

# ---- IVR: a self-served path ----------------------------------------------------------------
before_ss=$(api GET /api/v1/voice/stats)
check "a caller who picks 'opening hours' is answered and hung up by the flow" \
  sipp 127.0.0.1:"$sip_port" -sf "$here/menu_caller.xml" -s 3000 -m 1 -p "$(free_port)" \
    -mp "$(free_port)" "${sipp_common[@]}" -error_file "$tmp/selfserve.err"
after_ss=$(api GET /api/v1/voice/stats)
check "the call ended as self-served (SelfServed)" test "$(delta "$before_ss" "$after_ss" self_served)" = 1
ss_n=$(wait_kpi self_served 1)
check "the containment KPI counts it (self_served $ss_n)" \
  python3 -c "import sys; sys.exit(0 if $ss_n >= 1 else 1)"

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

# ---- blind transfer through the API: the call lands in the target queue ----------------------
sipp -sf "$here/agent_phone.xml" -p "$phone_port" -mp "$(free_port)" -m 1 \
  "${sipp_common[@]}" -error_file "$tmp/xfer_agent.err" >"$tmp/xfer_agent.out" 2>&1 &
agent_pid=$!
bg_pids+=("$agent_pid")
sipp 127.0.0.1:"$sip_port" -sf "$here/caller.xml" -s 1000 -m 1 -d 5000 -p "$(free_port)" \
  -mp "$(free_port)" "${sipp_common[@]}" -error_file "$tmp/xfer_caller.err" \
  >"$tmp/xfer_caller.out" 2>&1 &
caller_pid=$!
bg_pids+=("$caller_pid")
xfer=""
for _ in $(seq 1 50); do
  xfer=$(api GET "/api/v1/contacts?state=connected" | jq_py '" ".join(str(c["id"]) for c in d["items"])')
  [[ -n "$xfer" ]] && break
  sleep 0.1
done
check "the call to transfer is connected (contact '$xfer')" test -n "$xfer"
before=$(api GET /api/v1/stats/queues | jq_py '[q for q in d["items"] if q["queue"] == 1][0]["today"]["abandoned"]')
check "a blind transfer to queue 1 is accepted" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' -d '{"queue":1}' "$url/api/v1/contacts/$xfer/transfer")" = 200
sleep 0.3
check "the transferred call waits in the target queue" \
  test "$(api GET "/api/v1/contacts/$xfer" | jq_py 'str(d.get("queue")) + "/" + d.get("state", "")')" = 1/queued
agent_ok=0; wait "$agent_pid" || agent_ok=$?
check "the first agent's phone was released (BYE)" test "$agent_ok" = 0
caller_ok=0; wait "$caller_pid" || caller_ok=$?
check "the transferred caller stays on the line until hanging up" test "$caller_ok" = 0
sleep 0.3
after=$(api GET /api/v1/stats/queues | jq_py '[q for q in d["items"] if q["queue"] == 1][0]["today"]["abandoned"]')
check "hanging up in the target queue is an abandon there ($before -> $after)" test "$after" -eq $((before + 1))

# ---- callback: keeps the place in line, rings the agent first, then dials the customer --------
sipp 127.0.0.1:"$sip_port" -sf "$here/caller.xml" -s 2000 -m 1 -d 16000 -p "$(free_port)" \
  -mp "$(free_port)" "${sipp_common[@]}" -error_file "$tmp/first.err" >"$tmp/first.out" 2>&1 &
first_pid=$!
bg_pids+=("$first_pid")
sleep 1
sipp 127.0.0.1:"$sip_port" -sf "$here/callback_caller.xml" -s 3000 -m 1 -d 7000 -p "$(free_port)" \
  -mp "$(free_port)" "${sipp_common[@]}" -error_file "$tmp/cb_caller.err" \
  >"$tmp/cb_caller.out" 2>&1 &
cb_pid=$!
bg_pids+=("$cb_pid")
waiting_json() { api GET "/api/v1/contacts?queue=1&state=queued"; }
cb=""
for _ in $(seq 1 100); do
  cb=$(waiting_json | jq_py '" ".join(str(c["id"]) for c in d["items"][1:2])')
  [[ -n "$cb" ]] && break
  sleep 0.1
done
check "the second caller waits in Support behind the first (contact '$cb')" test -n "$cb"
enq_before=$(api GET "/api/v1/contacts/$cb" | jq_py 'd["enqueued_at"]')
cb_ok=0; wait "$cb_pid" || cb_ok=$?
check "the caller pressed 9 for a callback and was hung up after the confirmation" test "$cb_ok" = 0
api GET "/api/v1/contacts/$cb" >"$tmp/cb.json"
echo "callback contact: $(cat "$tmp/cb.json")"
check "the contact is now a callback, still queued" \
  test "$(jq_py 'str(d["callback"]) + "/" + d["state"]' <"$tmp/cb.json")" = True/queued
check "the agent will see the callback number and the flow on the contact" \
  test "$(jq_py 'd["attributes"].get("flow", "") + " " + d["attributes"].get("callback_number", "")' <"$tmp/cb.json")" = "voice-ivr v1 sip:callback@127.0.0.1:$callback_port"
check "it keeps its place in line (same enqueued_at)" \
  test "$(jq_py 'd["enqueued_at"]' <"$tmp/cb.json")" = "$enq_before"
first_ok=0; wait "$first_pid" || first_ok=$?
bob_phone_port="$(free_port)"
check "Bob's phone registers" \
  sipp 127.0.0.1:"$sip_port" -sf "$here/register.xml" -s bob -au bob -ap bob-phone-secret \
    -set contact_port "$bob_phone_port" -set expires 300 -m 1 -p "$(free_port)" "${sipp_common[@]}" \
    -error_file "$tmp/bob_register.err"
sipp -sf "$here/agent_phone.xml" -p "$callback_port" -mp "$(free_port)" -m 1 \
  "${sipp_common[@]}" -error_file "$tmp/customer.err" >"$tmp/customer.out" 2>&1 &
customer_pid=$!
bg_pids+=("$customer_pid")
sipp -sf "$here/agent_phone_hangup.xml" -p "$bob_phone_port" -mp "$(free_port)" -m 1 -d 2500 \
  "${sipp_common[@]}" -error_file "$tmp/bob.err" >"$tmp/bob.out" 2>&1 &
bob_pid=$!
bg_pids+=("$bob_pid")
before_cb=$(api GET /api/v1/voice/stats)
api PUT /api/v1/agents/1/state '{"presence":"available"}' >/dev/null
bob_ok=0; wait "$bob_pid" || bob_ok=$?
customer_ok=0; wait "$customer_pid" || customer_ok=$?
after_cb=$(api GET /api/v1/voice/stats)
check "the agent's phone rang first and took the callback" test "$bob_ok" = 0
check "then the customer was dialed, answered and was hung up at the end" test "$customer_ok" = 0
check "one callback was dialed" test "$(delta "$before_cb" "$after_cb" callbacks_dialed)" = 1
check "the callback conversation was relayed ($(delta "$before_cb" "$after_cb" rtp_relayed) packets)" \
  test "$(delta "$before_cb" "$after_cb" rtp_relayed)" -ge 100

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
