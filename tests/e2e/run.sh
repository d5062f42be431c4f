#!/usr/bin/env bash
# End-to-end browser test of the web app against the real server.
#
#   tests/e2e/run.sh [SERVER_BINARY] [WEB_DIST]
#
# Defaults: build/src/server/switchboard and web/dist (build both first:
# `cmake --build build --target switchboard` and `cd web && npm ci && npm run build`).
# Needs Node 18+ and Debian's chromium (/usr/bin/chromium, or set CHROMIUM); playwright-core
# never downloads a browser. Starts `switchboard serve` on a free loopback port with a fresh
# data directory, runs e2e.mjs, stops the server. Screenshots and the server log go to
# tests/e2e/artifacts/. Exits non-zero on any failure; the last line is "N passed, M failed".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
server="${1:-$root/build/src/server/switchboard}"
web="${2:-$root/web/dist}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
artifacts="$here/artifacts"

fail() {
  echo "e2e: $*" >&2
  echo "0 passed, 1 failed"
  exit 1
}

[[ -x "$server" ]] || fail "no server binary at $server (build it: cmake --build build --target switchboard)"
[[ -f "$web/index.html" ]] || fail "no web app at $web (build it: cd web && npm ci && npm run build)"
[[ -x "$chromium" ]] || fail "no chromium at $chromium (apt-get install chromium)"
command -v node >/dev/null || fail "node is not installed"

if [[ ! -f "$here/node_modules/playwright-core/package.json" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in tests/e2e failed"
fi

mkdir -p "$artifacts"
rm -f "$artifacts"/*.png
tmp="$(mktemp -d)"
server_pid=""
# shellcheck disable=SC2317  # called through the trap
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
base="http://127.0.0.1:$port"
export SWITCHBOARD_ADMIN_PASSWORD="e2e-admin-password-$RANDOM$RANDOM"

mkdir -p "$tmp/data"
"$server" serve --data-dir "$tmp/data" --listen "127.0.0.1:$port" --web-root "$web" \
  >"$artifacts/server.log" 2>&1 &
server_pid=$!

# Ready when GET /api/v1/auth/me answers 401 (no session yet).
ready=""
for _ in $(seq 1 150); do
  kill -0 "$server_pid" 2>/dev/null || { cat "$artifacts/server.log" >&2; fail "the server exited during start-up"; }
  code="$(node -e 'fetch(process.argv[1]).then(r=>console.log(r.status)).catch(()=>console.log(0))' "$base/api/v1/auth/me")"
  if [[ "$code" == "401" ]]; then ready=1; break; fi
  sleep 0.2
done
[[ -n "$ready" ]] || { cat "$artifacts/server.log" >&2; fail "the server did not answer 401 on /api/v1/auth/me within 30 s"; }
echo "e2e: server ready on $base (pid $server_pid)"

status=0
timeout --kill-after=5 110 node "$here/e2e.mjs" --base "$base" --admin-password "$SWITCHBOARD_ADMIN_PASSWORD" \
  --artifacts "$artifacts" --chromium "$chromium" --server-pid "$server_pid" || status=$?
if ! kill -0 "$server_pid" 2>/dev/null; then
  wait "$server_pid" 2>/dev/null && server_status=0 || server_status=$?
  echo "e2e: the server exited during the test (status $server_status); the end of its log:"
  tail -n 20 "$artifacts/server.log" | sed 's/^/    /'
  server_pid=""
  [[ $status -ne 0 ]] || status=1
fi
if [[ $status -eq 124 || $status -eq 137 ]]; then
  echo "e2e: the browser test did not finish within 110 s"
  echo "0 passed, 1 failed"
fi
exit "$status"
