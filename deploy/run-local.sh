#!/usr/bin/env bash
# Starts the whole system on this machine: tenpoint-server on loopback with
# its embedded database and a certificate made on first run, the local kiosk
# enrolled with it, tenpoint-sync, and the kiosk window. Ctrl+C (or Exit in
# the staff menu) stops all of it; running again reuses what exists.
# Usage: run-local.sh BUILD_DIR SOURCE_DIR [kiosk options]
set -euo pipefail
build="$1"; root="$2"; shift 2
data="${XDG_DATA_HOME:-$HOME/.local/share}/tenpoint"
port="${TENPOINT_PORT:-8443}"
server_data="$data/server"
tls="$server_data/tls"
mkdir -p "$data" "$tls"
chmod 700 "$data"  # residents' answers and the kiosk's token

# 1. A private CA and a server certificate for localhost, once.
if [ ! -f "$tls/server.pem" ]; then
  echo "run: making a certificate for the local server in $tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=Tenpoint local CA" -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=localhost" -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$tls/ext.cnf"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
    -days 825 -extfile "$tls/ext.cnf" -out "$tls/server.pem" 2>/dev/null
  chmod 600 "$tls/ca.key" "$tls/server.key"
fi

pids=()
stop_all() {
  trap - INT TERM EXIT
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  echo "run: stopped (data kept in $data)"
}
trap stop_all INT TERM EXIT

# 2. The server.
"$build/tenpoint-server" serve --data "$server_data" --listen "127.0.0.1:$port" \
  --tls-cert "$tls/server.pem" --tls-key "$tls/server.key" >>"$data/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  grep -q "listening on https://127.0.0.1:$port" "$data/server.log" 2>/dev/null && break
  if ! kill -0 "${pids[0]}" 2>/dev/null; then
    echo "run: the server did not start; the end of $data/server.log says:" >&2
    tail -3 "$data/server.log" >&2
    exit 1
  fi
  sleep 0.1
done

# 3. The kiosk's config, with a fresh enrolment code only while it is not enrolled yet.
code=""
if [ ! -f "$data/device.json" ]; then
  code=$("$build/tenpoint-server" enrol-code --data "$server_data" --venue "This machine" 2>/dev/null)
fi
sed -e "s#\"questions/library-demo.json\"#\"$root/config/questions/library-demo.json\"#" \
    -e '$d' "$root/config/kiosk.example.json" >"$data/kiosk.json.tmp"
cat >>"$data/kiosk.json.tmp" <<JSON
  ,"database": "$data/kiosk.db",
  "sync": {
    "server": "https://127.0.0.1:$port",
    "ca_file": "$tls/ca.pem",
    "enrolment_code": "$code",
    "kiosk_name": "$(hostname)",
    "interval_s": 10
  }
}
JSON
mv "$data/kiosk.json.tmp" "$data/kiosk.json"

# An admin account for the admin web, and the demo question set published
# and assigned to this machine's venue (delivered signed to the kiosk), once.
if [ ! -f "$data/admin-password.txt" ]; then
  (umask 077; openssl rand -base64 18 >"$data/admin-password.txt")
  "$build/tenpoint-server" admin add admin --role admin --data "$server_data" --password-file "$data/admin-password.txt" >/dev/null
fi
if [ ! -f "$data/.demo-set-published" ] && [ -n "$code" ]; then
  "$build/tenpoint-server" sets add "$root/config/questions/library-demo.json" --data "$server_data" >/dev/null &&
    "$build/tenpoint-server" sets publish library-demo --data "$server_data" >/dev/null &&
    "$build/tenpoint-server" sets assign library-demo --venue "This machine" --data "$server_data" >/dev/null &&
    touch "$data/.demo-set-published"
fi

# 4. Sync, then the kiosk in front.
"$build/tenpoint-sync" --config "$data/kiosk.json" >>"$data/sync.log" 2>&1 &
pids+=($!)
echo "run: server https://127.0.0.1:$port (log $data/server.log), sync every 10 s (log $data/sync.log)"
echo "run: answers in $data/kiosk.db; staff menu: hold the top-left corner 5 s, PIN 2468"
echo "run: see what arrived with: $build/tenpoint-server status --data $server_data"
echo "run: admin web https://127.0.0.1:$port/admin/ (user admin, password in $data/admin-password.txt; the certificate is this machine's own CA, $tls/ca.pem)"
"$build/tenpoint-kiosk" --config "$data/kiosk.json" --windowed "${TENPOINT_WINDOW:-1280x800}" "$@" || true
