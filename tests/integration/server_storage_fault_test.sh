#!/usr/bin/env bash
# The server's disk fills up, for real: tenpoint-server keeps its data on a
# small tmpfs, and a filler file takes the last byte of it. A kiosk that
# enrols, and later one that sends, must be told "temporarily unavailable
# (503)", keep its pending token or its device.json, and finish by itself
# once there is space again: the server ends up holding exactly the kiosk's
# answers, each once. Needs root (mount); otherwise it reports skipped (77).
#
#   1. disk full  -> tenpoint-sync --once enrols  -> 503, device.json.pending kept
#   2. space back -> --once                        -> enrolled with the same token, all sent
#   3. disk full  -> new answers, --once           -> 503, device.json unchanged
#   4. space back -> --once                        -> all sent
#   5. the server holds the kiosk's answers, each once, nothing quarantined
#
# Why a full tmpfs makes every write fail: the server's SQLite runs in WAL
# mode and checkpoints only after 10,000 pages (160 MiB), so within this test
# every commit appends to server.db-wal, which needs new blocks. Nothing here
# may checkpoint the WAL (a checkpoint lets the next commit reuse the WAL from
# its start, in blocks it already owns, and then succeed on a full disk): the
# server keeps the database open throughout, so the short-lived readers below
# (sqlite3, tenpoint-server stats) cannot checkpoint when they close.
#
# Usage: server_storage_fault_test.sh BUILD_DIR SOURCE_DIR OUTPUT_DIR
set -euo pipefail
build="$1"; src="$2"; out="$3"
. "$src/tests/integration/lib.sh"
work="$out/server-storage-fault"
data="$work/server"      # the tmpfs
kiosk="$work/kiosk"
config="$kiosk/kiosk.json"
db="$kiosk/kiosk.db"

skip() {
  echo "server storage fault: skipped ($*)"
  exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs for the server's data"
for tool in mount umount setpriv sqlite3 openssl python3 curl; do
  command -v "$tool" >/dev/null || skip "needs $tool"
done

server_pid=""
# True while PID runs (a zombie has finished: it only waits to be reaped).
alive() {
  local state
  state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null || true)
  [ -n "$state" ] && [ "$state" != Z ]
}
# Stops the server by its own PID: TERM, up to 10 s to finish, then KILL.
stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 100); do
    alive "$server_pid" || break
    sleep 0.1
  done
  if alive "$server_pid"; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_server
  if mountpoint -q "$data"; then umount "$data" 2>/dev/null || umount -l "$data"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A run killed before its trap could act leaves its tmpfs mounted.
while mountpoint -q "$data" 2>/dev/null; do umount "$data" || umount -l "$data"; done
rm -rf "$work"
mkdir -p "$data" "$kiosk"
mount -t tmpfs -o size=16m,mode=0700 tmpfs "$data" 2>"$work/mount.err" || skip "unable to mount a tmpfs: $(cat "$work/mount.err")"

fail() {
  echo "FAILED: $*"
  for log in "$work"/sync-*.log "$work/server.log"; do
    [ -f "$log" ] && { echo "---- $log"; tail -15 "$log"; }
  done
  exit 1
}

# Fills the tmpfs to the last block. dd stops at ENOSPC; the second pass
# takes what a partial 1 MiB write left.
fill_disk() {
  dd if=/dev/zero of="$data/filler" bs=1M 2>/dev/null || true
  dd if=/dev/zero of="$data/filler-tail" bs=4k 2>/dev/null || true
  local free
  free=$(stat -f -c '%a' "$data")
  [ "$free" -eq 0 ] || fail "the tmpfs still has $free free blocks after filling it"
}
free_disk() { rm -f "$data/filler" "$data/filler-tail"; }

# sync_once NAME: one round; its exit code in $sync_rc, its output in $work/sync-NAME.log.
sync_once() {
  set +e
  "$build/tenpoint-sync" --once --config "$config" --db "$db" >"$work/sync-$1.log" 2>&1
  sync_rc=$?
  set -e
}

# Words that would send someone to re-enrol a kiosk that only has to wait.
check_no_reenrol_advice() {
  if grep -Eiq "enrol (it |this kiosk )?again|new enrolment|needs a new|new code|refused" "$1"; then
    fail "$1 gives up on the enrolment: $(cat "$1")"
  fi
}

token_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$1"; }
unsent() { sqlite3 "$db" 'SELECT count(*) FROM answers WHERE sent_at IS NULL'; }

# ---- The server, on the tmpfs -------------------------------------------------
make_certs "$work/tls"
code=$("$build/tenpoint-server" enrol-code --data "$data" --venue "Full Disk Library" 2>/dev/null)
# setpriv execs the server in the same process, so $! is the server's own PID;
# PDEATHSIG stops it even if this script is killed outright.
: >"$work/server.log"  # the background job opens it only once it runs
setpriv --pdeathsig TERM "$build/tenpoint-server" serve --data "$data" --listen 127.0.0.1:0 \
  --tls-cert "$work/tls/server.pem" --tls-key "$work/tls/server.key" >"$work/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's#.*listening on https://127.0.0.1:\([0-9][0-9]*\) .*#\1#p' "$work/server.log")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || fail "tenpoint-server did not start"
  sleep 0.1
done
[ -n "$port" ] || fail "tenpoint-server did not report its port"
[ "$(readlink "/proc/$server_pid/exe")" = "$(readlink -f "$build/tenpoint-server")" ] || fail "PID $server_pid is not tenpoint-server"

cat >"$config" <<JSON
{"question_set": "$src/config/questions/library-demo.json", "database": "kiosk.db",
 "sync": {"server": "https://127.0.0.1:$port", "ca_file": "$work/tls/ca.pem", "enrolment_code": "$code",
          "kiosk_name": "full-disk test", "connect_timeout_s": 5, "total_timeout_s": 60}}
JSON
"$build/tenpoint" simulate --db "$db" --answers 300 --seed 11 >/dev/null

# ---- 1. Enrolment with the server's disk full ------------------------------------
fill_disk
sync_once enrol-full
[ "$sync_rc" -ne 0 ] || fail "tenpoint-sync reported success with the server's disk full (was the WAL checkpointed? see the top of this script)"
grep -q "temporarily unavailable (503)" "$work/sync-enrol-full.log" || fail "the kiosk was not told the server is temporarily unavailable (503)"
check_no_reenrol_advice "$work/sync-enrol-full.log"
grep -q "storage failure (enrol a kiosk).*disk full" "$work/server.log" || fail "the server did not fail for lack of space"
[ -f "$kiosk/device.json.pending" ] || fail "the pending token was not kept"
[ ! -e "$kiosk/device.json" ] || fail "device.json exists although the enrolment failed"
pending_token=$(token_of "$kiosk/device.json.pending")
[ "$(unsent)" -eq 300 ] || fail "answers were marked sent during a failed enrolment"
# The reply itself, as any client sees it: 503 with Retry-After, and none of
# the server's own details (its data folder, SQLite's words) in the body.
curl -sS --cacert "$work/tls/ca.pem" -D "$work/enrol-503.headers" -o "$work/enrol-503.body" -H 'Content-Type: application/json' \
  --data "{\"code\": \"$code\", \"kiosk_name\": \"probe\", \"token\": \"tp1.PROBEPROBEPROBEPROBEPROBEPROBEPROBEPROBEPRO\"}" \
  "https://127.0.0.1:$port/api/v1/enrol" || fail "no reply to a direct enrolment request"
head -1 "$work/enrol-503.headers" | grep -q " 503" || fail "a direct enrolment got $(head -1 "$work/enrol-503.headers"), not 503"
grep -iq "^retry-after: *[1-9]" "$work/enrol-503.headers" || fail "the 503 has no Retry-After"
if grep -Eiq "sqlite|database|disk full|$work|server\.db" "$work/enrol-503.body"; then
  fail "the 503 body shows the server's storage details: $(cat "$work/enrol-503.body")"
fi
echo "disk full during enrolment: 503, pending token kept"

# ---- 2. Space again: the same token enrols, everything goes ------------------------
free_disk
sync_once enrol-free
[ "$sync_rc" -eq 0 ] || fail "tenpoint-sync did not finish once the server had space again"
grep -q "enrolled as kiosk-" "$work/sync-enrol-free.log" || fail "no enrolment reported"
grep -q "all sent (300 this round" "$work/sync-enrol-free.log" || fail "the 300 answers were not all sent"
[ -f "$kiosk/device.json" ] || fail "no device.json after enrolling"
[ ! -e "$kiosk/device.json.pending" ] || fail "device.json.pending left behind"
[ "$(stat -c '%a' "$kiosk/device.json")" = "600" ] || fail "device.json is not mode 0600"
[ "$(token_of "$kiosk/device.json")" = "$pending_token" ] || fail "the kiosk enrolled with a new token, not the pending one"
[ "$(sqlite3 "$data/server.db" 'SELECT count(*) FROM devices')" = "1" ] || fail "the server holds more than one device"
echo "space back: enrolled with the pending token, 300 answers sent"

# ---- 3. Disk full while sending ------------------------------------------------------
cp "$kiosk/device.json" "$work/device.json.before"
fill_disk
"$build/tenpoint" simulate --db "$db" --answers 200 --seed 12 >/dev/null
sync_once send-full
[ "$sync_rc" -ne 0 ] || fail "tenpoint-sync reported success with the server's disk full (was the WAL checkpointed? see the top of this script)"
grep -q "temporarily unavailable (503)" "$work/sync-send-full.log" || fail "the kiosk was not told the server is temporarily unavailable (503)"
check_no_reenrol_advice "$work/sync-send-full.log"
grep -q "storage failure (store a batch).*disk full" "$work/server.log" || fail "the server did not fail for lack of space"
cmp -s "$kiosk/device.json" "$work/device.json.before" || fail "device.json changed"
[ "$(unsent)" -eq 200 ] || fail "answers were marked sent that the server could not store"
echo "disk full while sending: 503, device.json kept, 200 answers waiting"

# ---- 4. Space again: everything goes -----------------------------------------------
free_disk
sync_once send-free
[ "$sync_rc" -eq 0 ] || fail "tenpoint-sync did not finish once the server had space again"
grep -q "all sent (200 this round" "$work/sync-send-free.log" || fail "the 200 answers were not all sent"
if grep -q "enrolled as" "$work/sync-send-free.log"; then fail "the kiosk enrolled again"; fi
[ "$(unsent)" -eq 0 ] || fail "answers left unsent"

# ---- 5. The server holds exactly the kiosk's answers, each once ------------------------
sqlite3 "$db" 'SELECT uuid FROM answers ORDER BY uuid' >"$work/kiosk-uuids.txt"
sqlite3 "$data/server.db" 'SELECT uuid FROM answers ORDER BY uuid' >"$work/server-uuids.txt"
[ "$(wc -l <"$work/kiosk-uuids.txt")" -eq 500 ] || fail "the kiosk does not hold 500 answers"
cmp -s "$work/kiosk-uuids.txt" "$work/server-uuids.txt" || fail "the server's answers differ from the kiosk's"
[ "$(sqlite3 "$data/server.db" 'SELECT count(*) - count(DISTINCT uuid) FROM answers')" = "0" ] || fail "an answer is stored twice"
[ "$(sqlite3 "$data/server.db" 'SELECT count(*) FROM quarantine')" = "0" ] || fail "answers were quarantined"
"$build/tenpoint-server" stats --data "$data" --json >"$work/stats.json" || fail "tenpoint-server stats failed"
grep -q '"total_answers":500' "$work/stats.json" || fail "stats does not count 500 answers: $(cat "$work/stats.json")"
[ "$(sqlite3 "$data/server.db" 'PRAGMA integrity_check')" = "ok" ] || fail "the server database is damaged"

# A clean stop, then no server left behind.
kill -TERM "$server_pid"
wait "$server_pid" || fail "tenpoint-server did not stop cleanly"
stopped=$server_pid
server_pid=""
! kill -0 "$stopped" 2>/dev/null || fail "tenpoint-server is still running"
echo "server storage fault: ok (500 answers, each stored once; enrolment and device.json survived two full disks)"
