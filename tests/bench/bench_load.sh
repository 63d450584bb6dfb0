#!/usr/bin/env bash
# tenpoint-server under 200 simulated kiosks on loopback (bounded: a fixed
# number of rounds each), kept-alive and reconnecting, against 1 kiosk; its
# group commit; and its resident memory against its idle size.
set -euo pipefail
build="$1"; dir="$2"; kiosks="${3:-200}"; rounds="${4:-10}"
. "$(dirname "$0")/../integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir/tls"
tls="$dir/tls"
make_certs "$tls"
# Runs of 1 kiosk (keep-alive, reconnect) and of N kiosks (keep-alive flat
# out and paced, reconnect), one code each.
codes=$((3 * kiosks + 2))
seq "$codes" | xargs -P 4 -I{} sh -c '"$1/tenpoint-server" enrol-code --data "$2/server" --venue "Venue $(({} % 20))" 2>/dev/null' _ "$build" "$dir" >"$dir/codes.txt"
# All these kiosks share one address, which the server limits (against
# code guessing, and against one host taking every socket); and they run
# rounds back to back, faster than one kiosk may by default.
"$build/tenpoint-server" serve --data "$dir/server" --listen 127.0.0.1:0 --tls-cert "$tls/server.pem" --tls-key "$tls/server.key" \
  --enrol-per-minute 100000 --max-connections-per-address 1000 --kiosk-rate 100000 --metrics-listen 127.0.0.1:0 ${TENPOINT_BENCH_SERVER_FLAGS:-} >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
# The API's line comes first, then the metrics address's (plain HTTP, loopback).
for _ in $(seq 50); do grep -q 'metrics on http' "$dir/server.log" && break; sleep 0.1; done
port=$(grep -oE 'listening on https://127\.0\.0\.1:[0-9]+' "$dir/server.log" | grep -oE '[0-9]+$' || true)
metrics_port=$(grep -oE 'metrics on http://127\.0\.0\.1:[0-9]+' "$dir/server.log" | grep -oE '[0-9]+$' || true)
if [ -z "$port" ] || [ ! -e /proc/$server/status ]; then
  echo "tenpoint-server did not start; its log says:"; cat "$dir/server.log"; exit 1
fi
idle=$(awk '/VmRSS/ {print $2}' /proc/$server/status)
echo "(server started with --enrol-per-minute 100000 --max-connections-per-address 1000 --kiosk-rate 100000: every kiosk shares 127.0.0.1)"
"$build/tests/bench_server_load" "https://127.0.0.1:$port" "$tls/ca.pem" "$dir/codes.txt" "$kiosks" "$rounds" "$server" || status=$?
# Group commit as the server reports it on its metrics address.
metrics=$(curl -s -o "$dir/metrics.txt" -w '%{http_code}' "http://127.0.0.1:${metrics_port:-0}/metrics" || true)
if [ "$metrics" = 200 ]; then
  echo "  /metrics (whole run): $(grep -E '^tenpoint_server_group_commit' "$dir/metrics.txt" | tr '\n' ' ')"
  awk '/^tenpoint_server_group_commits_total / {c=$2} /^tenpoint_server_group_commit_batches_total / {b=$2}
       /^tenpoint_server_group_commit_heartbeats_total / {h=$2}
       END {if (c > 0) printf "  requests per commit (whole run): %.2f (%d batches and %d heartbeats in %d commits)\n", (b + h) / c, b, h, c}' "$dir/metrics.txt"
else
  echo "  /metrics: not served (HTTP $metrics); group commit above is estimated from the server's syncs"
fi
# The server's own CPU time over the whole run (enrolments included): a
# busy machine moves it far less than it moves requests/s.
read -r utime stime < <(awk '{print $14, $15}' /proc/$server/stat)
requests=$(grep -c ' /api/' "$dir/server.log" || true)
hz=$(getconf CLK_TCK)
awk -v t="$((utime + stime))" -v hz="$hz" -v n="$requests" \
  'BEGIN {printf "  server CPU: %.1f s in all, %.3f ms a request (%d requests in its access log)\n", t / hz, t * 1000 / hz / (n > 0 ? n : 1), n}'
peak=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
echo "  server resident memory: $((idle / 1024)) MB idle, $((peak / 1024)) MB peak under load ($(awk -v a="$peak" -v b="$idle" 'BEGIN{printf "%.1f", a/b}')x)"
echo "  answers stored: $(sqlite3 "$dir/server/server.db" 'SELECT count(*) FROM answers')"
exit "${status:-0}"
