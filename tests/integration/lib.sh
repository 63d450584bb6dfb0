# Shared helpers for the integration scripts: a private Xvfb and a kiosk driven with xdotool.

# Starts Xvfb on a display number it picks itself (-displayfd), so tests
# running side by side never share one; sets DISPLAY and XVFB_PID.
# start_xvfb [SIZE [MORE XVFB OPTIONS...]], e.g. start_xvfb 800x480x24 -wr (a white root window).
start_xvfb() {
  local size="${1:-1920x1920x24}" fifo n=""
  [ $# -gt 0 ] && shift
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  Xvfb -displayfd 3 -screen 0 "$size" -nolisten tcp "$@" 3>"$fifo" >/dev/null 2>&1 &
  XVFB_PID=$!
  # The display number arrives on the fifo once the server is ready.
  read -r -t 20 n <"$fifo" || true
  rm -f "$fifo"
  if [ -z "$n" ] || ! kill -0 "$XVFB_PID" 2>/dev/null; then
    kill "$XVFB_PID" 2>/dev/null || true
    echo "unable to start Xvfb" >&2
    return 1
  fi
  export DISPLAY=":$n"
  for _ in $(seq 50); do
    xdpyinfo -display "$DISPLAY" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "Xvfb started on $DISPLAY but does not answer" >&2
  return 1
}

# shoot FILE: the whole screen, once the kiosk's first frame shows (Xvfb's root is black before it).
shoot() {
  for _ in $(seq 50); do
    import -window root "$1"
    [ "$(convert "$1" -format '%[fx:standard_deviation>0]' info:)" = 1 ] && return 0
    sleep 0.2
  done
  echo "nothing drawn on the screen in 10 s ($1)"
  return 1
}

# wait_for_screen HITS_FILE NAME [SECONDS]: waits until the kiosk reports that screen.
wait_for_screen() {
  local file="$1" want="$2" limit="${3:-15}"
  local deadline=$((SECONDS + limit))
  while [ $SECONDS -lt $deadline ]; do
    if [ -f "$file" ] && grep -q "\"screen\":\"$want\"" "$file"; then return 0; fi
    sleep 0.1
  done
  echo "the kiosk did not reach the $want screen within ${limit}s; it shows: $(head -c 40 "$file" 2>/dev/null)" >&2
  return 1
}

# wait_for_hit HITS_FILE ID [SECONDS]: waits until the screen drawn last has target ID.
wait_for_hit() {
  local file="$1" want="$2" limit="${3:-15}"
  local deadline=$((SECONDS + limit))
  while [ $SECONDS -lt $deadline ]; do
    if [ -f "$file" ] && grep -q "\"$want\"" "$file"; then return 0; fi
    sleep 0.1
  done
  echo "the kiosk did not show $want within ${limit}s" >&2
  return 1
}

# centre_of HITS_FILE ID: prints "X Y" of a touch target.
centre_of() {
  python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['hits'][sys.argv[2]]; print(int((r[0]+r[2])/2), int((r[1]+r[3])/2))" "$1" "$2"
}

# tap WINDOW X Y: a finger-length press and release.
tap() {
  xdotool mousemove --window "$1" "$2" "$3" mousedown 1
  sleep 0.12
  xdotool mouseup 1
}

# make_certs DIR: a throw-away CA and a certificate for 127.0.0.1 (DIR/ca.pem, DIR/server.pem, DIR/server.key).
make_certs() {
  local tls="$1"
  mkdir -p "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=test CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' >"$tls/ext.cnf"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 30 \
    -extfile "$tls/ext.cnf" -out "$tls/server.pem" 2>/dev/null
}

# sign_readback KEY_PEM SERIAL DOCUMENT OUT: signs a read-back card document
# (config/questions/READBACK.md) with OpenSSL's Ed25519, an implementation
# apart from the kiosk's, and writes the signed file to OUT whole.
sign_readback() {
  local key="$1" serial="$2" doc="$3" out="$4"
  { printf 'tenpoint-signed-readback/1\n%s\n' "$serial"; cat "$doc"; } >"$out.message"
  openssl pkeyutl -sign -inkey "$key" -rawin -in "$out.message" -out "$out.signature"
  python3 - "$serial" "$doc" "$(readback_public_key "$key")" "$out.signature" "$out.tmp" <<'PY'
import base64, json, sys
serial, doc, key, sig, out = sys.argv[1:]
json.dump({"format": "tenpoint-signed-readback/1", "serial": int(serial),
           "cards": base64.b64encode(open(doc, "rb").read()).decode(), "key": key,
           "signature": base64.b64encode(open(sig, "rb").read()).decode()}, open(out, "w"))
PY
  rm -f "$out.message" "$out.signature"
  mv "$out.tmp" "$out"
}

# readback_public_key KEY_PEM: the raw Ed25519 public key in base64, as a kiosk's trusted_set_key.
readback_public_key() { openssl pkey -in "$1" -pubout -outform DER | tail -c 32 | base64 -w0; }
