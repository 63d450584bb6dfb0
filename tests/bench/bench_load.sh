#!/usr/bin/env bash
# tenpoint-server under 200 simulated kiosks on loopback (bounded: a fixed
# number of rounds each), and its resident memory against its idle size.
set -euo pipefail
build="$1"; dir="$2"; kiosks="${3:-200}"; rounds="${4:-10}"
. "$(dirname "$0")/../integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir/tls"
tls="$dir/tls"
make_certs "$tls"
for i in $(seq $((kiosks + 1))); do "$build/tenpoint-server" enrol-code --data "$dir/server" --venue "Venue $((i % 20))" 2>/dev/null; done >"$dir/codes.txt"
# Enrolment is limited per address (against code guessing); all these kiosks share one.
"$build/tenpoint-server" serve --data "$dir/server" --listen 127.0.0.1:0 --tls-cert "$tls/server.pem" --tls-key "$tls/server.key" \
  --enrol-per-minute 100000 >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$dir/server.log" && break; sleep 0.1; done
port=$(grep -o '127.0.0.1:[0-9]*' "$dir/server.log" | cut -d: -f2)
idle=$(awk '/VmRSS/ {print $2}' /proc/$server/status)
"$build/tests/bench_server_load" "https://127.0.0.1:$port" "$tls/ca.pem" "$dir/codes.txt" "$kiosks" "$rounds"
peak=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
echo "  server resident memory: $((idle / 1024)) MB idle, $((peak / 1024)) MB peak under load ($(awk -v a="$peak" -v b="$idle" 'BEGIN{printf "%.1f", a/b}')x)"
echo "  answers stored: $(sqlite3 "$dir/server/server.db" 'SELECT count(*) FROM answers')"
