#!/usr/bin/env bash
# Sync throughput: 100,000 queued answers uploaded over loopback TLS with
# durable commits on both ends, against a bulk insert of the same rows into
# an empty database with the server's schema and pragmas (the limit:
# bulk_insert_baseline, one transaction, no network), in the same run.
# Also the sync process's peak memory and the cost of a round with nothing to send.
set -euo pipefail
build="$1"; src="$2"; dir="$3"; n="${4:-100000}"
. "$src/tests/integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir/kiosk" "$dir/tls"
tls="$dir/tls"
make_certs "$tls"

"$build/tenpoint-server" serve --data "$dir/server" --listen 127.0.0.1:0 --tls-cert "$tls/server.pem" --tls-key "$tls/server.key" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$dir/server.log" && break; sleep 0.1; done
port=$(grep -oE 'listening on https://127\.0\.0\.1:[0-9]+' "$dir/server.log" | grep -oE '[0-9]+$')
code=$("$build/tenpoint-server" enrol-code --data "$dir/server" --venue Bench 2>/dev/null)
cat >"$dir/kiosk/kiosk.json" <<JSON
{"question_set": "$src/config/questions/library-demo.json", "database": "kiosk.db",
 "sync": {"server": "https://127.0.0.1:$port", "ca_file": "$tls/ca.pem", "enrolment_code": "$code"}}
JSON
"$build/tenpoint" simulate --db "$dir/kiosk/kiosk.db" --answers "$n" --seed 5 >/dev/null
cp "$dir/kiosk/kiosk.db" "$dir/kiosk-copy.db"

# The upload; tenpoint-sync reports its own peak memory (getrusage). The
# CPU time of each side too: on 2 cores, their sum bounds the wall time.
server_cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
s0=$(server_cpu)
t0=$(date +%s%N)
TIMEFORMAT='%U %S'
{ time "$build/tenpoint-sync" --config "$dir/kiosk/kiosk.json" --once >"$dir/sync.out" 2>&1; } 2>"$dir/sync.time"
t1=$(date +%s%N)
s1=$(server_cpu)
sync_cpu=$(awk '{print $1 + $2}' "$dir/sync.time")
server_cpu_s=$(awk -v a="$s0" -v b="$s1" -v hz="$(getconf CLK_TCK)" 'BEGIN {print (b - a) / hz}')
peak=$(grep -oE "peak memory [0-9]+ KiB" "$dir/sync.out" | grep -oE "[0-9]+")
stored=$(sqlite3 "$dir/server/server.db" "SELECT count(*) FROM answers")
[ "$stored" = "$n" ] || { echo "the server holds $stored answers, expected $n"; exit 1; }

# The limit: the same rows in one transaction, into an empty database with
# the server's schema (copied from the one it just wrote) and pragmas.
read -r _ bulk_rows _ bulk_s < <("$build/tests/bulk_insert_baseline" "$dir/server/server.db" "$dir/kiosk-copy.db" kiosk "$dir/limit.db")
[ "$bulk_rows" = "$n" ] || { echo "the bulk insert wrote $bulk_rows rows, expected $n"; exit 1; }

# A round with nothing to send.
i0=$(date +%s%N)
idle=$("$build/tenpoint-sync" --config "$dir/kiosk/kiosk.json" --once 2>&1 | tail -1)
i1=$(date +%s%N)

# The peer: PouchDB 9 replicating the same number of answer-sized documents to
# pouchdb-server, over plain HTTP on loopback, in memory (no fsync), same run.
peer_line="not measured (npm or node unavailable)"
peer_dir="$(cd "$build" && pwd)/bench-peer"
if command -v npm >/dev/null && command -v node >/dev/null; then
  mkdir -p "$peer_dir"
  cp "$src/tests/bench/peer/package.json" "$src/tests/bench/peer/pouchdb_replicate.js" "$peer_dir/"
  if (cd "$peer_dir" && npm install --no-audit --no-fund --silent >"$dir/npm.log" 2>&1); then
    pport=$((20000 + RANDOM % 20000))
    # pouchdb-server writes log.txt and config.json into its working folder: keep them in $dir.
    (cd "$dir" && exec "$peer_dir/node_modules/.bin/pouchdb-server" --in-memory --port "$pport" >"$dir/pouchdb-server.log" 2>&1) &
    pserver=$!
    for _ in $(seq 100); do curl -s "http://127.0.0.1:$pport/" >/dev/null 2>&1 && break; sleep 0.1; done
    peer_line=$(cd "$peer_dir" && node pouchdb_replicate.js "http://127.0.0.1:$pport/answers" "$n" 2>&1 | tail -1) || true
    kill $pserver 2>/dev/null || true
  fi
fi

awk -v n="$n" -v up=$((t1 - t0)) -v bulk="$(awk -v s="$bulk_s" 'BEGIN{printf "%.0f", s * 1e9}')" -v peak="$peak" -v idle_ms=$(( (i1 - i0) / 1000000 )) -v idle="$idle" -v peer="$peer_line" -v sync_cpu="$sync_cpu" -v server_cpu="$server_cpu_s" -v cores="$(nproc)" 'BEGIN {
  rate = n / (up / 1e9); limit = n / (bulk / 1e9)
  verdict = (rate / limit >= 0.5) ? "ok" : "MISSED"
  printf "sync upload, %d answers, loopback TLS, gzip batches of up to 2000, synchronous=FULL on both ends\n", n
  printf "  tenpoint-sync --once:            %6.2f s  = %8.0f answers/s\n", up / 1e9, rate
  printf "  bulk insert (server schema and pragmas, one transaction, no network: the limit):\n"
  printf "                                   %6.2f s  = %8.0f answers/s\n", bulk / 1e9, limit
  printf "  ratio to the limit:              %6.2f    (target: at least 0.5)  %s\n", rate / limit, verdict
  printf "  CPU time during the upload:      tenpoint-sync %.2f s, tenpoint-server %.2f s (both: %.2f s on %d cores)\n", sync_cpu,
    server_cpu, sync_cpu + server_cpu, cores
  if (ENVIRON["TENPOINT_BENCH_SUMMARY"] != "")
    printf("sync: tenpoint-sync --once of %d answers %.1f s vs bulk insert %.1f s = %.2f of the limit (target >= 0.5)  %s\n", n, up / 1e9,
      bulk / 1e9, rate / limit, verdict) >>ENVIRON["TENPOINT_BENCH_SUMMARY"]
  printf "  peak memory of tenpoint-sync:    %6.1f MB\n", peak / 1024
  if (match(peer, /"per_second":[0-9.]+/)) {
    prate = substr(peer, RSTART + 13, RLENGTH - 13) + 0
    match(peer, /"peak_mb":[0-9.]+/); pmem = substr(peer, RSTART + 10, RLENGTH - 10) + 0
    printf "  PouchDB 9 -> pouchdb-server:     %8.0f docs/s, client peak %.0f MB (plain HTTP, in memory, no fsync)\n", prate, pmem
    printf "  tenpoint against PouchDB:        %6.1fx the rate, %.3f of the memory  (target: 10x, 0.1)\n", rate / prate, (peak / 1024) / pmem
  } else {
    printf "  PouchDB: %s\n", peer
  }
  printf "  a round with nothing to send:    %d ms; %s\n", idle_ms, idle }'
