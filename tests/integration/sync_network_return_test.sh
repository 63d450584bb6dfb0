#!/usr/bin/env bash
# tenpoint-sync starts at once when the network returns, instead of waiting
# out its back-off. Everything runs in a network namespace made here: the
# kiosk first has no network at all (loopback down), backs off, then the
# link comes up and the server starts; the answers must arrive within a few
# seconds, well before the next scheduled try. Needs root (ip netns).
# Usage: sync_network_return_test.sh BUILD_DIR SOURCE_DIR OUT_DIR
set -euo pipefail
build="$1"; src="$2"; out="$3"
. "$src/tests/integration/lib.sh"
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then
  echo "network return: SKIPPED (needs root and iproute2 for a network namespace)"
  exit 77  # ctest reports the test as skipped, never as passed
fi
work="$out/network-return"; rm -rf "$work"; mkdir -p "$work/kiosk"
ns="tenpoint-test-$$"
ip netns add "$ns" || { echo "network return: SKIPPED (unable to make a network namespace here)"; exit 77; }
in_ns() { ip netns exec "$ns" "$@"; }
cleanup() {
  # Every process in the namespace is ours: end them all, then the namespace.
  local left
  left=$(ip netns pids "$ns" 2>/dev/null || true)
  [ -n "$left" ] && kill $left 2>/dev/null || true
  for _ in $(seq 50); do [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break; sleep 0.1; done
  left=$(ip netns pids "$ns" 2>/dev/null || true)
  [ -n "$left" ] && kill -9 $left 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT

make_certs "$work/tls"
port=18443
code=$("$build/tenpoint-server" enrol-code --data "$work/server" --venue "Netns" 2>/dev/null)
cat >"$work/kiosk/kiosk.json" <<JSON
{"question_set": "$src/config/questions/library-demo.json", "database": "kiosk.db",
 "sync": {"server": "https://127.0.0.1:$port", "ca_file": "$work/tls/ca.pem", "enrolment_code": "$code",
          "backoff_cap_s": 120, "interval_s": 60, "connect_timeout_s": 2}}
JSON
"$build/tenpoint" simulate --db "$work/kiosk/kiosk.db" --answers 100 --seed 9 >/dev/null

# No network: loopback is down in a fresh namespace.
ip netns exec "$ns" "$build/tenpoint-sync" --config "$work/kiosk/kiosk.json" >"$work/sync.log" 2>&1 &
# Wait until the back-off has grown past 10 s.
deadline=$((SECONDS + 90))
until grep -qE "next try in ([1-9][0-9]+) s" "$work/sync.log"; do
  [ $SECONDS -lt $deadline ] || { echo "FAILED: no long back-off"; cat "$work/sync.log"; exit 1; }
  sleep 0.2
done
scheduled=$(grep -oE "next try in [0-9]+ s" "$work/sync.log" | tail -1 | grep -oE "[0-9]+")
grep -q "server unreachable" "$work/sync.log" || { echo "FAILED: the failure was not explained"; cat "$work/sync.log"; exit 1; }

# The network returns, and the server is there.
t0=$SECONDS
in_ns ip link set lo up
ip netns exec "$ns" "$build/tenpoint-server" serve --data "$work/server" --listen "127.0.0.1:$port" \
  --tls-cert "$work/tls/server.pem" --tls-key "$work/tls/server.key" >"$work/server.log" 2>&1 &
until grep -q "sent 100 answers" "$work/sync.log"; do
  if [ $((SECONDS - t0)) -gt 15 ]; then echo "FAILED: not sent within 15 s of the network returning"; cat "$work/sync.log"; exit 1; fi
  sleep 0.2
done
took=$((SECONDS - t0))
grep -q "the network changed; trying now" "$work/sync.log" || { echo "FAILED: the change was not noticed"; exit 1; }
[ "$(sqlite3 "$work/server/server.db" 'SELECT count(*) FROM answers')" = "100" ] || { echo "FAILED: the server does not hold 100 answers"; exit 1; }
echo "network return: sent ${took} s after the link came up; the back-off had scheduled the next try in ${scheduled} s"
[ "$took" -lt "$scheduled" ] || { echo "FAILED: it waited out the back-off"; exit 1; }
