#!/usr/bin/env bash
# Runs inside the clean Debian 12 root of packages_install_test.sh, where the
# packages are installed: deploy/server-setup.sh and deploy/pi-setup.sh for
# real (SQLite, a self-signed certificate, an admin account; a kiosk with a
# staff PIN, sent to that server), each twice, the second time changing
# nothing. No systemd runs in the root, so nothing is started; the last step
# starts the server by hand with the certificate server-setup.sh made and
# lets tenpoint-sync enrol with the code, the certificate file and the pin,
# as a kiosk does after its reboot.
# Expects in /tmp: the two scripts, the two packages, and setup-port (a free
# port on loopback).
# Usage: setup_scripts_in_root.sh server-first|server-again|pi-first|pi-again|enrol
set -euo pipefail
port=$(cat /tmp/setup-port)
server_url="https://tenpoint.example:$port"
server_deb=$(ls /tmp/tenpoint-server_*.deb)
kiosk_deb=$(ls /tmp/tenpoint-kiosk_*.deb)
cert=/etc/tenpoint-server/tls/cert.pem key=/etc/tenpoint-server/tls/key.pem

fail() { echo "FAIL: $*"; exit 1; }
# run_logged LOG COMMAND...: the command's output goes to LOG, shown when it fails.
run_logged() {
  local log="$1"; shift
  if ! "$@" </dev/null >"$log" 2>&1; then cat "$log"; fail "$(basename "$1") exited non-zero"; fi
}
# The state a second run must leave as it was: contents, modes, owners, links.
state() {
  for f in "$@"; do
    if [ -e "$f" ] || [ -L "$f" ]; then stat -c '%n %a %U:%G %s %N' "$f"; fi
    if [ -f "$f" ]; then sha256sum "$f"; fi
  done
}
server_files=("$cert" "$key" /etc/tenpoint-server/tls /etc/default/tenpoint-server /var/lib/tenpoint-server
  /etc/systemd/system/multi-user.target.wants/tenpoint-server.service)
kiosk_files=(/etc/tenpoint/kiosk.json /etc/tenpoint/server-ca.pem /etc/systemd/system/default.target
  /etc/systemd/system/graphical.target.wants/tenpoint-kiosk.service
  /etc/systemd/system/multi-user.target.wants/tenpoint-sync.service)
pin_of() {
  printf 'sha256//%s' "$(openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | openssl enc -base64 -A)"
}
admins() { runuser -u tenpoint-server -- tenpoint-server admin list --data /var/lib/tenpoint-server | awk 'NR > 1 && $2 == "admin" { print $1 }'; }

case "$1" in
  server-first)
    echo "correct horse battery staple" >/tmp/admin-password.txt
    run_logged /tmp/server-setup-1.log /tmp/server-setup.sh --deb "$server_deb" --hostname tenpoint.example \
      --listen "127.0.0.1:$port" --admin-password-file /tmp/admin-password.txt
    [ "$(stat -c '%a %U' /etc/tenpoint-server/tls)" = "700 root" ] || fail "/etc/tenpoint-server/tls is $(stat -c '%a %U' /etc/tenpoint-server/tls)"
    [ "$(stat -c '%a %U' "$key")" = "600 root" ] || fail "$key is $(stat -c '%a %U' "$key")"
    openssl x509 -in "$cert" -noout -ext subjectAltName | grep -q 'DNS:tenpoint.example' || fail "the certificate does not name tenpoint.example"
    grep -qx 'TENPOINT_STORE="--data=/var/lib/tenpoint-server"' /etc/default/tenpoint-server || fail "no SQLite TENPOINT_STORE"
    grep -qx "TENPOINT_LISTEN=127.0.0.1:$port" /etc/default/tenpoint-server || fail "no TENPOINT_LISTEN"
    [ "$(stat -c '%a %U' /var/lib/tenpoint-server)" = "700 tenpoint-server" ] || fail "/var/lib/tenpoint-server is $(stat -c '%a %U' /var/lib/tenpoint-server)"
    [ "$(stat -c '%U' /var/lib/tenpoint-server/server.db)" = tenpoint-server ] || fail "server.db is not the service's"
    [ "$(admins)" = admin ] || fail "admin accounts: $(admins | tr '\n' ' ')"
    [ "$(systemctl is-enabled tenpoint-server.service)" = enabled ] || fail "tenpoint-server.service is not enabled"
    grep -qF "Server pin:      $(pin_of "$cert")" /tmp/server-setup-1.log || fail "the pin printed is not the certificate's"
    grep -q "systemd is not running here" /tmp/server-setup-1.log || fail "no word that the service was not started"
    echo "server-setup.sh made $(grep -c '^   doing:' /tmp/server-setup-1.log) changes; pin $(pin_of "$cert")"
    ;;
  server-again)
    before=$(state "${server_files[@]}")
    run_logged /tmp/server-setup-2.log /tmp/server-setup.sh --deb "$server_deb" --hostname tenpoint.example \
      --listen "127.0.0.1:$port" --admin-password-file /tmp/admin-password.txt
    grep -q "Nothing needed doing" /tmp/server-setup-2.log || { cat /tmp/server-setup-2.log; fail "the second run changed something"; }
    ! grep -q '^   doing:' /tmp/server-setup-2.log || fail "the second run did: $(grep '^   doing:' /tmp/server-setup-2.log)"
    [ "$before" = "$(state "${server_files[@]}")" ] || fail "the second run changed files: $(diff <(echo "$before") <(state "${server_files[@]}"))"
    [ "$(admins)" = admin ] || fail "admin accounts after the second run: $(admins | tr '\n' ' ')"
    echo "server-setup.sh again: nothing needed doing, files as they were"
    ;;
  pi-first)
    grep -qs tenpoint.example /etc/hosts || echo "127.0.0.1 tenpoint.example" >>/etc/hosts
    cp "$cert" /tmp/server-cert.pem
    runuser -u tenpoint-server -- tenpoint-server enrol-code --data /var/lib/tenpoint-server --venue "Central Library" >/tmp/code.txt
    printf '246813\n' >/tmp/staff-pin.txt
    run_logged /tmp/pi-setup-1.log /tmp/pi-setup.sh --deb "$kiosk_deb" --server "$server_url" --code "$(cat /tmp/code.txt)" \
      --server-ca /tmp/server-cert.pem --server-pin "$(pin_of "$cert")" --staff-pin-file /tmp/staff-pin.txt --no-reboot
    python3 - "$server_url" "$(cat /tmp/code.txt)" "$(pin_of "$cert")" <<'PY' || fail "the kiosk config is not as set up"
import json, sys
c = json.load(open("/etc/tenpoint/kiosk.json"))
s = c["sync"]
want = {"server": sys.argv[1], "enrolment_code": sys.argv[2], "pinned_public_key": sys.argv[3], "ca_file": "/etc/tenpoint/server-ca.pem"}
bad = {k: s.get(k) for k, v in want.items() if s.get(k) != v}
assert not bad, f"sync: {bad}"
assert c["staff_pin_hash"].startswith("$argon2id$"), c["staff_pin_hash"]
assert "5TKgY7QcVom" not in c["staff_pin_hash"], "the demo hash"
assert c["question_set"] == "/usr/share/tenpoint/questions/library-demo.json", c["question_set"]
PY
    [ "$(stat -c '%a %U:%G' /etc/tenpoint/kiosk.json)" = "640 root:tenpoint-kiosk" ] || fail "kiosk.json is $(stat -c '%a %U:%G' /etc/tenpoint/kiosk.json)"
    [ "$(systemctl get-default)" = graphical.target ] || fail "the default target is $(systemctl get-default)"
    [ "$(systemctl is-enabled tenpoint-kiosk.service)" = enabled ] || fail "tenpoint-kiosk.service is not enabled"
    [ "$(systemctl is-enabled tenpoint-sync.service)" = enabled ] || fail "tenpoint-sync.service is not enabled"
    ! grep -q 246813 /etc/tenpoint/kiosk.json /tmp/pi-setup-1.log || fail "the PIN itself was written somewhere"
    echo "pi-setup.sh made $(grep -c '^   doing:' /tmp/pi-setup-1.log) changes"
    ;;
  pi-again)
    before=$(state "${kiosk_files[@]}")
    run_logged /tmp/pi-setup-2.log /tmp/pi-setup.sh --no-reboot
    grep -q "Nothing needed doing" /tmp/pi-setup-2.log || { cat /tmp/pi-setup-2.log; fail "the second run changed something"; }
    [ "$before" = "$(state "${kiosk_files[@]}")" ] || fail "the second run changed files: $(diff <(echo "$before") <(state "${kiosk_files[@]}"))"
    echo "pi-setup.sh again: nothing needed doing, files as they were"
    ;;
  enrol)
    # The server as its unit runs it (the key is handed over by systemd
    # there; here a copy the service user can read).
    install -m 0600 -o tenpoint-server "$key" /tmp/serve-key.pem
    install -m 0644 "$cert" /tmp/serve-cert.pem
    runuser -u tenpoint-server -- tenpoint-server serve --data /var/lib/tenpoint-server --listen "127.0.0.1:$port" \
      --tls-cert /tmp/serve-cert.pem --tls-key /tmp/serve-key.pem --metrics-listen none >/tmp/serve.log 2>&1 &
    server_pid=$!
    trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
    for _ in $(seq 100); do
      grep -q "listening on" /tmp/serve.log && break
      kill -0 "$server_pid" 2>/dev/null || { cat /tmp/serve.log; fail "the server did not start"; }
      sleep 0.1
    done
    install -d -m 0700 -o tenpoint-kiosk -g tenpoint-kiosk /var/lib/tenpoint  # StateDirectory= at boot
    if ! runuser -u tenpoint-kiosk -- tenpoint-sync --config /etc/tenpoint/kiosk.json --db /var/lib/tenpoint/kiosk.db --once >/tmp/sync.log 2>&1; then
      cat /tmp/sync.log; fail "tenpoint-sync did not enrol with the code, certificate and pin pi-setup.sh wrote"
    fi
    grep -q "enrolled as kiosk-" /tmp/sync.log || { cat /tmp/sync.log; fail "no enrolment in tenpoint-sync's log"; }
    run_logged /tmp/pi-setup-3.log /tmp/pi-setup.sh --no-reboot
    grep -q "Nothing needed doing" /tmp/pi-setup-3.log || { cat /tmp/pi-setup-3.log; fail "a run after enrolment changed something"; }
    grep -q "ok: enrolled with $server_url" /tmp/pi-setup-3.log || fail "pi-setup.sh does not see the enrolment"
    echo "tenpoint-sync enrolled over TLS with the self-signed certificate and its pin; $(grep -o 'enrolled as [^ ]* at .*' /tmp/sync.log)"
    ;;
  *) fail "unknown step $1" ;;
esac
