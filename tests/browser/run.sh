#!/usr/bin/env bash
# The admin web in a real browser: Debian's chromium, driven headless by
# playwright-core (npm ci from tests/browser's lockfile), against a real
# tenpoint-server over TLS on loopback, with a real tenpoint-sync fetching
# what the browser published. The steps and checks are in admin_test.mjs.
# Screenshots of every page, at desktop and phone width, land in
# OUT/admin-browser/screenshots.
#
# Usage: run.sh BUILD_DIR SOURCE_DIR OUTPUT_DIR
# Exits 77 (skipped) when node, npm or chromium is missing.
set -euo pipefail
build="$(cd "$1" && pwd)"
src="$(cd "$2" && pwd)"
out="$(mkdir -p "$3" && cd "$3" && pwd)"
chromium="${TENPOINT_CHROMIUM:-/usr/bin/chromium}"
for tool in node npm openssl; do
  command -v "$tool" >/dev/null || { echo "SKIPPED: $tool is not installed (apt-get install nodejs npm)"; exit 77; }
done
[ -x "$chromium" ] || { echo "SKIPPED: no $chromium (apt-get install chromium)"; exit 77; }
# shellcheck source=../integration/lib.sh
source "$src/tests/integration/lib.sh"

work="$out/admin-browser"
rm -rf "$work"
mkdir -p "$work/server" "$work/kiosk" "$work/node" "$work/screenshots"
server_pid=""
kiosk_pid=""
XVFB_PID=""
cleanup() {
  for pid in "$kiosk_pid" "$XVFB_PID"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

# playwright-core only: no browser download, the system's chromium is used.
cp "$src/tests/browser/package.json" "$src/tests/browser/package-lock.json" "$work/node/"
(cd "$work/node" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts >npm.log 2>&1) || {
  echo "FAILED: npm ci in $work/node"
  cat "$work/node/npm.log"
  exit 1
}

make_certs "$work/tls"
chmod 600 "$work/tls/server.key"
server="$build/tenpoint-server"
data=(--data "$work/server")
printf 'correct horse battery\n' >"$work/alice.password"
"$server" admin add alice --role admin "${data[@]}" --password-file "$work/alice.password" >/dev/null
printf 'violet marble teapot\n' | "$server" admin add vera --venue "North Branch" "${data[@]}" >/dev/null
# A weak password is refused with a reason, and nothing is added.
if printf 'short\n' | "$server" admin add weak --role admin "${data[@]}" >"$work/weak.log" 2>&1; then
  echo "FAILED: a weak password was accepted"
  exit 1
fi
grep -q "too short" "$work/weak.log" || { echo "FAILED: no reason for refusing a weak password"; cat "$work/weak.log"; exit 1; }
if "$server" admin list "${data[@]}" | grep -q "^weak "; then echo "FAILED: the refused account exists"; exit 1; fi
"$server" enrol-code "${data[@]}" --venue "North Branch" >/dev/null 2>&1
code=$("$server" enrol-code "${data[@]}" --venue "Central" 2>/dev/null)
"$server" sets add "$src/config/questions/library-demo.json" "${data[@]}" >/dev/null
"$server" sets publish library-demo "${data[@]}" >/dev/null
"$server" sets assign library-demo --venue Central "${data[@]}" >/dev/null

"$server" serve "${data[@]}" --listen 127.0.0.1:0 --metrics-listen none \
  --tls-cert "$work/tls/server.pem" --tls-key "$work/tls/server.key" >"$work/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 100); do
  port=$(grep -oE "listening on https://127.0.0.1:[0-9]+" "$work/server.log" | grep -oE "[0-9]+$" || true)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "FAILED: the server did not start"; cat "$work/server.log"; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "FAILED: the server did not say where it listens"; cat "$work/server.log"; exit 1; }

cat >"$work/kiosk/kiosk.json" <<JSON
{"question_set": "$src/config/questions/library-demo.json", "database": "kiosk.db",
 "sync": {"server": "https://127.0.0.1:$port", "ca_file": "$work/tls/ca.pem", "enrolment_code": "$code",
          "backoff_cap_s": 120, "interval_s": 60, "connect_timeout_s": 5}}
JSON
"$build/tenpoint" simulate --db "$work/kiosk/kiosk.db" --answers 300 --days 20 --seed 7 >/dev/null
"$build/tenpoint-sync" --config "$work/kiosk/kiosk.json" --once >"$work/sync-first.log" 2>&1 || {
  echo "FAILED: the first sync"
  cat "$work/sync-first.log"
  exit 1
}

status=0
TP_BASE="https://127.0.0.1:$port" TP_CHROMIUM="$chromium" TP_WORK="$work" TP_SYNC="$build/tenpoint-sync" \
  NODE_PATH="$work/node/node_modules" node "$src/tests/browser/admin_test.mjs" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines)"
  tail -40 "$work/server.log"
  exit "$status"
fi

# A real kiosk under Xvfb shows the prompt the browser published (where the
# kiosk is built and a display can be made; the rest above has run anyway).
kiosk_bin="$build/tenpoint-kiosk"
if [ ! -x "$kiosk_bin" ] || ! command -v Xvfb >/dev/null || ! command -v xdotool >/dev/null || ! command -v import >/dev/null; then
  echo "admin browser test: the kiosk step did not run (needs tenpoint-kiosk, Xvfb, xdotool, imagemagick)"
  exit 0
fi
start_xvfb 1280x800x24
hits="$work/kiosk/hits.json"
"$kiosk_bin" --config "$work/kiosk/kiosk.json" --db "$work/kiosk/kiosk.db" --windowed 1280x800 --hits-file "$hits" >"$work/kiosk.log" 2>&1 &
kiosk_pid=$!
wait_for_screen "$hits" attract 30 || { echo "FAILED: the kiosk did not start"; cat "$work/kiosk.log"; exit 1; }
grep -q "question set library-demo v2 · serial 2 · signed by the server" "$work/kiosk.log" || {
  echo "FAILED: the kiosk does not use the set published in the browser"
  cat "$work/kiosk.log"
  exit 1
}
win=$(xdotool search --sync --name '^Tenpoint$' | head -1)
# The card published in the browser takes its turn with the invitation.
wait_for_hit "$hits" readback.card 40 || { echo "FAILED: the kiosk did not show the read-back card"; cat "$work/kiosk.log"; exit 1; }
sleep 0.3
import -window "$win" "$work/screenshots/kiosk-readback.png"
grep -q "read-back cards showing today: 1" "$work/kiosk.log" || { echo "FAILED: the kiosk did not log its card"; cat "$work/kiosk.log"; exit 1; }
tap "$win" 640 600
wait_for_screen "$hits" scale 10 || { echo "FAILED: the kiosk did not reach its scale screen"; exit 1; }
sleep 0.3
import -window "$win" "$work/screenshots/kiosk-scale.png"
kill -TERM "$kiosk_pid"
wait "$kiosk_pid" || true
kiosk_pid=""
echo "admin browser test: the kiosk shows the read-back card and the new set (screenshots kiosk-readback.png, kiosk-scale.png)"
