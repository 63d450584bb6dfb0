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

# The upload; tenpoint-sync reports its own peak memory (getrusage).
t0=$(date +%s%N)
"$build/tenpoint-sync" --config "$dir/kiosk/kiosk.json" --once >"$dir/sync.out" 2>&1
t1=$(date +%s%N)
peak=$(grep -oE "peak memory [0-9]+ KiB" "$dir/sync.out" | grep -oE "[0-9]+")
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

awk -v n="$n" -v up=$((t1 - t0)) -v bulk=$((b1 - b0)) -v peak="$peak" -v idle_ms=$(( (i1 - i0) / 1000000 )) -v idle="$idle" -v peer="$peer_line" 'BEGIN {
  rate = n / (up / 1e9); limit = n / (bulk / 1e9)
  printf "sync upload, %d answers, loopback TLS, gzip batches of up to 2000, synchronous=FULL on both ends\n", n
  printf "  tenpoint-sync --once:            %6.2f s  = %8.0f answers/s\n", up / 1e9, rate
  printf "  bulk insert into server SQLite:  %6.2f s  = %8.0f answers/s  (the limit: one transaction, no network)\n", bulk / 1e9, limit
  printf "  ratio to the limit:              %6.2f    (target: at least 0.33)\n", rate / limit
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
