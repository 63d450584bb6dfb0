#!/usr/bin/env bash
# Sync throughput: 100,000 queued answers uploaded over loopback TLS with
# durable commits on both ends, against a bulk insert of the same rows
# straight into the server's SQLite database (the limit), in the same run.
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
port=$(grep -o '127.0.0.1:[0-9]*' "$dir/server.log" | cut -d: -f2)
code=$("$build/tenpoint-server" enrol-code --data "$dir/server" --venue Bench 2>/dev/null)
cat >"$dir/kiosk/kiosk.json" <<JSON
{"question_set": "$src/config/questions/library-demo.json", "database": "kiosk.db",
 "sync": {"server": "https://127.0.0.1:$port", "ca_file": "$tls/ca.pem", "enrolment_code": "$code"}}
JSON
"$build/tenpoint" simulate --db "$dir/kiosk/kiosk.db" --answers "$n" --seed 5 >/dev/null
cp "$dir/kiosk/kiosk.db" "$dir/kiosk-copy.db"

# The upload, with the sync process's resident memory sampled as it runs.
t0=$(date +%s%N)
"$build/tenpoint-sync" --config "$dir/kiosk/kiosk.json" --once >"$dir/sync.out" 2>&1 &
pid=$!
peak=0
while kill -0 $pid 2>/dev/null; do
  rss=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
  [ "${rss:-0}" -gt "$peak" ] && peak=$rss
  sleep 0.05
done
wait $pid
t1=$(date +%s%N)
stored=$(sqlite3 "$dir/server/server.db" "SELECT count(*) FROM answers")
[ "$stored" = "$n" ] || { echo "the server holds $stored answers, expected $n"; exit 1; }

# The limit: the same rows in one transaction, straight into an empty server database.
sqlite3 "$dir/server/server.db" ".schema" | grep -v sqlite_sequence >"$dir/schema.sql"
sqlite3 "$dir/limit.db" "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;" >/dev/null
sqlite3 "$dir/limit.db" <"$dir/schema.sql"
b0=$(date +%s%N)
sqlite3 "$dir/limit.db" "PRAGMA synchronous=FULL; ATTACH '$dir/kiosk-copy.db' AS k; BEGIN;
  INSERT INTO answers SELECT NULL, uuid, 'bench', seq, set_id, set_version, question_id, session_id, score, text, choice, language,
    recorded_at, clock_trusted, boot_id, monotonic_ms, rapid_repeat, NULL, 'bulk', 0 FROM k.answers; COMMIT;"
b1=$(date +%s%N)

# A round with nothing to send.
i0=$(date +%s%N)
idle=$("$build/tenpoint-sync" --config "$dir/kiosk/kiosk.json" --once 2>&1 | tail -1)
i1=$(date +%s%N)

awk -v n="$n" -v up=$((t1 - t0)) -v bulk=$((b1 - b0)) -v peak="$peak" -v idle_ms=$(( (i1 - i0) / 1000000 )) -v idle="$idle" 'BEGIN {
  rate = n / (up / 1e9); limit = n / (bulk / 1e9)
  printf "sync upload, %d answers, loopback TLS, gzip batches of 1000, synchronous=FULL on both ends\n", n
  printf "  tenpoint-sync --once:            %6.2f s  = %8.0f answers/s\n", up / 1e9, rate
  printf "  bulk insert into server SQLite:  %6.2f s  = %8.0f answers/s  (the limit)\n", bulk / 1e9, limit
  printf "  ratio to the limit:              %6.2f    (target: at least 0.33)\n", rate / limit
  printf "  peak memory of tenpoint-sync:    %6.1f MB\n", peak / 1024
  printf "  against the figures quoted for PouchDB 9 -> pouchdb-server (2,500 docs/s, 360 MB, plain HTTP, no fsync;\n"
  printf "  not measured here): %.0fx the rate, %.3f of the memory  (target: 10x, 0.1)\n", rate / 2500, (peak / 1024) / 360
  printf "  a round with nothing to send:    %d ms; %s\n", idle_ms, idle }'
