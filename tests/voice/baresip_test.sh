#!/usr/bin/env bash
# Voice end to end with baresip, a real softphone, on 127.0.0.1 only: one baresip is an agent's
# phone (registers with digest authentication, auto-answers), another is the customer, driven
# through baresip's UDP console (`cons`): dial the DID, send DTMF, hang up. Both play a tone
# from a WAV file (aufile) and the test checks the call recording channel by channel. The server
# refreshes sessions every 2 s (re-INVITE): the call must survive them.
#
#   tests/voice/baresip_test.sh [SERVER_BINARY]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
server="$(realpath "${1:-$root/build/src/server/switchboard}")"
command -v baresip >/dev/null || { echo "baresip not installed (scripts/install-deps: baresip-core)"; exit 1; }
modules=/usr/lib/baresip/modules
[[ -f "$modules/cons.so" ]] || modules=/usr/lib/x86_64-linux-gnu/baresip/modules

tmp="$(mktemp -d)"
pids=()
passed=0
failed=0
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  if [[ "$failed" -ne 0 || -n "${KEEP_VOICE_TMP:-}" ]]; then echo "logs kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
check() {
  local name="$1"; shift
  if "$@"; then echo "PASS $name"; passed=$((passed + 1)); else echo "FAIL $name"; failed=$((failed + 1)); fi
}
source "$here/ports.sh"
port_range_init "$tmp"
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

http_port="$(free_port)"
sip_port="$(free_port)"
url="http://127.0.0.1:$http_port"
export SWITCHBOARD_ADMIN_PASSWORD="voice-admin-password"
sox -q -n -r 8000 -c 1 -b 16 "$tmp/customer.wav" synth 30 sine 440 vol 0.5
sox -q -n -r 8000 -c 1 -b 16 "$tmp/agent.wav" synth 30 sine 1000 vol 0.5

"$server" serve --data-dir "$tmp/data" --listen "127.0.0.1:$http_port" \
  --sip-listen "127.0.0.1:$sip_port" --sip-dids "1000=0" --sip-session-refresh-s 2 \
  >"$tmp/serve.log" 2>&1 &
pids+=($!)
server_pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "$url/api/v1/auth/me" && break; sleep 0.1; done
cookie="$tmp/cookies"
csrf=$(curl -s -c "$cookie" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$SWITCHBOARD_ADMIN_PASSWORD\"}" "$url/api/v1/auth/login" | jq_py 'd["csrf_token"]')
key=$(curl -s -b "$cookie" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d '{"name":"voice"}' "$url/api/v1/users/1/api-keys" | jq_py 'd["key"]')
api() {
  local method="$1" path="$2" body="${3:-}"
  if [[ -n "$body" ]]; then
    curl -s -X "$method" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$body" "$url$path"
  else
    curl -s -X "$method" -H "Authorization: Bearer $key" "$url$path"
  fi
}
api POST /api/v1/queues '{"name":"Sales","offer_timeout_s":15,"wrap_up_s":0}' >/dev/null
api POST /api/v1/profiles '{"name":"Voice","capacity":{"voice":1}}' >/dev/null
api POST /api/v1/agents '{"name":"Ada","profile":0,"queues":[{"queue":0}]}' >/dev/null
uid=$(api POST /api/v1/users '{"username":"ada","password":"ada-long-password","role":"agent","agent_id":0}' | jq_py 'd["id"]')
api PUT "/api/v1/users/$uid/sip-password" '{"password":"ada-phone-secret"}' >/dev/null
api PUT /api/v1/agents/0/state '{"presence":"available"}' >/dev/null

# baresip_config DIR SIP_PORT CONS_PORT WAV ACCOUNT
baresip_config() {
  mkdir -p "$1"
  cat >"$1/config" <<CFG
poll_method		epoll
sip_listen		127.0.0.1:$2
net_interface		127.0.0.1
audio_player		alsa,null
audio_source		aufile,$4
audio_alert		alsa,null
ausrc_srate		8000
auplay_srate		8000
ausrc_channels		1
auplay_channels		1
rtp_ports		42000-42999
module_path		$modules
module			g711.so
module			aufile.so
module			alsa.so
module			cons.so
module_app		account.so
module_app		menu.so
cons_listen		127.0.0.1:$3
CFG
  echo "$5" >"$1/accounts"
  : >"$1/contacts"
}
agent_cons="$(free_port)"
caller_cons="$(free_port)"
baresip_config "$tmp/agent" "$(free_port)" "$agent_cons" "$tmp/agent.wav" \
  "<sip:ada@127.0.0.1:$sip_port;transport=udp>;auth_pass=ada-phone-secret;answermode=auto;regint=300;audio_codecs=PCMU"
baresip_config "$tmp/caller" "$(free_port)" "$caller_cons" "$tmp/customer.wav" \
  "<sip:customer@127.0.0.1;transport=udp>;regint=0;audio_codecs=PCMU"

baresip -f "$tmp/agent" -t 40 >"$tmp/agent.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
  [[ "$(api GET /api/v1/voice/stats | jq_py 'd["agent_phones"]')" = 1 ]] && break
  sleep 0.2
done
check "baresip registers as the agent's phone (digest)" \
  test "$(api GET /api/v1/voice/stats | jq_py 'd["agent_phones"]')" = 1

baresip -f "$tmp/caller" -t 40 >"$tmp/caller.log" 2>&1 &
pids+=($!)
sleep 1
cons() { printf '%s\n' "$2" >"/dev/udp/127.0.0.1/$1"; }
cons "$caller_cons" "/dial sip:1000@127.0.0.1:$sip_port"
contact=""
for _ in $(seq 1 60); do
  contact=$(api GET "/api/v1/contacts?state=connected" | jq_py '" ".join(str(c["id"]) for c in d["items"])')
  [[ -n "$contact" ]] && break
  sleep 0.2
done
check "the baresip customer is bridged to the baresip agent (contact '$contact')" test -n "$contact"
sleep 1
for d in 4 2; do cons "$caller_cons" "$d"; sleep 0.4; done
sleep 2.5
# Session refresh every 2 s (--sip-session-refresh-s): both phones answered the re-INVITEs, so the
# call is still up after several.
refreshes=$(api GET /api/v1/voice/stats | jq_py 'd["session_refreshes"]')
state=$(api GET "/api/v1/contacts/$contact" | jq_py 'd.get("state")')
check "the call survives session refresh re-INVITEs to both phones ($refreshes sent, still $state)" \
  test "$refreshes" -ge 2 -a "$state" = connected
cons "$caller_cons" "/hangup"
sleep 1
stats=$(api GET /api/v1/voice/stats)
echo "voice stats: $stats"
check "the call ended when the customer hung up" test "$(echo "$stats" | jq_py 'd["active_calls"]')" = 0
check "RTP was relayed both ways (>= 2 x 100 packets)" test "$(echo "$stats" | jq_py 'd["rtp_relayed"] >= 200')" = True
check "baresip's DTMF keys arrived (RFC 4733, PT 101)" test "$(echo "$stats" | jq_py 'd["dtmf_digits"] >= 2')" = True
rec=$(api GET "/api/v1/contacts/$contact/recordings" | jq_py 'd["items"][0]["name"]')
curl -s -H "Authorization: Bearer $key" -o "$tmp/rec.wav" "$url/api/v1/contacts/$contact/recordings/$rec"
freq() { sox "$tmp/rec.wav" -n remix "$1" trim 1 1 stat -freq 2>&1 | sort -k2 -g | tail -1 | awk '{print int($1)}'; }
rms() { sox "$tmp/rec.wav" -n remix "$1" stat 2>&1 | awk '/RMS +amplitude/ {print $3}'; }
lf=$(freq 1); rf=$(freq 2)
echo "recording $rec: $(sox --i -D "$tmp/rec.wav") s; left $lf Hz (RMS $(rms 1)), right $rf Hz (RMS $(rms 2))"
check "the recording has the customer's 440 Hz on the left and the agent's 1 kHz on the right" \
  python3 -c "import sys; sys.exit(0 if abs($lf-440)<30 and abs($rf-1000)<30 else 1)"

kill -TERM "$server_pid"
code=0; wait "$server_pid" || code=$?
check "the server stops cleanly" test "$code" = 0
echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
