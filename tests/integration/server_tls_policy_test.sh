#!/usr/bin/env bash
# tenpoint-server's TLS policy, checked from outside with openssl s_client:
# TLS 1.2 at least, AEAD suites only, the server's cipher order, no
# compression. (testssl.sh gives the full picture; see the README.)
# Usage: server_tls_policy_test.sh BUILD_DIR SOURCE_DIR OUT_DIR
set -euo pipefail
build="$1"; src="$2"; out="$3"
. "$src/tests/integration/lib.sh"
work="$out/tls-policy"; rm -rf "$work"; mkdir -p "$work"
make_certs "$work/tls"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; true; }
trap cleanup EXIT
fail() { echo "FAILED: $*"; exit 1; }

"$build/tenpoint-server" serve --data "$work/server" --listen 127.0.0.1:0 \
  --tls-cert "$work/tls/server.pem" --tls-key "$work/tls/server.key" >"$work/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 100); do
  port=$(grep -oE 'listening on https://127\.0\.0\.1:[0-9]+' "$work/server.log" | grep -oE '[0-9]+$' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "the server did not start: $(cat "$work/server.log")"

# probe NAME OPENSSL-ARGS...: prints what s_client negotiated (or its error).
probe() {
  local name="$1"; shift
  timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$work/tls/ca.pem" "$@" </dev/null \
    >"$work/$name.txt" 2>&1 || true
}
negotiated() { grep -oE 'Cipher is [A-Za-z0-9_-]+' "$work/$1.txt" | head -1 | sed 's/Cipher is //'; }

probe tls11 -tls1_1
case "$(negotiated tls11)" in ""|"(NONE)") echo "TLS 1.1: refused" ;; *) fail "TLS 1.1 was accepted" ;; esac

probe cbc -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA
case "$(negotiated cbc)" in ""|"(NONE)") echo "CBC suites: refused" ;; *) fail "a CBC suite was accepted: $(negotiated cbc)" ;; esac

# The client prefers ChaCha20; a server that keeps its own order picks AES-GCM first.
probe order -tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256
[ "$(negotiated order)" = "ECDHE-ECDSA-AES128-GCM-SHA256" ] || fail "the server did not apply its own cipher order (got: $(negotiated order))"
echo "TLS 1.2: server order, chose $(negotiated order)"

probe tls13 -tls1_3
[ -n "$(negotiated tls13)" ] && [ "$(negotiated tls13)" != "(NONE)" ] || fail "TLS 1.3 was refused"
grep -q "Compression: NONE" "$work/tls13.txt" || grep -q "Compression: NONE" "$work/order.txt" || fail "TLS compression is on"
grep -q "Verify return code: 0 (ok)" "$work/tls13.txt" || fail "the certificate did not verify against the test CA"
echo "TLS 1.3: $(negotiated tls13), no compression"
