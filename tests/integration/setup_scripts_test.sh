#!/usr/bin/env bash
# deploy/pi-setup.sh and deploy/server-setup.sh in --dry-run, on any machine
# and without root: the plan each prints for a fresh system (--root an empty
# folder), what each refuses (the demo PIN, short and easy PINs, conflicting
# options, a certificate that is not its pin's), and that against a root
# prepared as a finished setup leaves it (--root a folder laid out as the
# scripts leave a system) each reports "Nothing needed doing". Every dry run
# must leave its root exactly as it was.
#
# The prepared roots hold what the scripts check: dpkg's status file, the
# users, the units enabled with `systemctl --root`, the kiosk config with a
# real `tenpoint pin-hash` hash, the server's certificate made with openssl
# and its database with an admin made by the real `tenpoint-server admin add`.
# Usage: setup_scripts_test.sh SOURCE_DIR TENPOINT TENPOINT_SERVER OUT_DIR
set -euo pipefail
src="$1"; tenpoint="$2"; tenpoint_server="$3"; out="$4/setup-scripts"
pi="$src/deploy/pi-setup.sh"; server="$src/deploy/server-setup.sh"
for tool in openssl python3 dpkg-deb dpkg-query systemctl; do
  command -v "$tool" >/dev/null || { echo "SKIPPED: no $tool"; exit 77; }
done
rm -rf "$out"; mkdir -p "$out"
# The scripts find tenpoint and tenpoint-server on PATH, as on an installed system.
PATH="$(dirname "$tenpoint"):$(dirname "$tenpoint_server"):$PATH"
export PATH

failures=0 passed=0 name="" case_failed=0
log="$out/last-run.txt"
begin() { name="$1"; case_failed=0; : >"$log"; }
fail() { echo "FAIL $name: $*"; case_failed=1; }
end() {
  if [ "$case_failed" -eq 0 ]; then
    echo "ok   $name"; passed=$((passed + 1))
  else
    failures=$((failures + 1)); echo "---- output:"; sed 's/^/     /' "$log"; echo "----"
  fi
}
# expect CODE COMMAND...: runs it with standard input from $input (default
# /dev/null), keeps its output in $log; its exit code must be CODE.
input=/dev/null
expect() {
  local want="$1" rc=0; shift
  "$@" <"$input" >>"$log" 2>&1 || rc=$?
  [ "$rc" -eq "$want" ] || fail "exit code $rc, wanted $want: $(basename "$1") ${*:2}"
}
has() { grep -qF -- "$1" "$log" || fail "the output lacks: $1"; }
lacks() { ! grep -qF -- "$1" "$log" || fail "the output has: $1"; }
# snapshot DIR: every path with its mode, size and time, to show a dry run touched nothing.
snapshot() { find "$1" -printf '%p %m %s %T@ %l\n' | sort; }
untouched() { # untouched DIR SNAPSHOT_FILE
  snapshot "$1" >"$out/after.txt"
  cmp -s "$2" "$out/after.txt" || fail "the dry run changed $1: $(diff "$2" "$out/after.txt" | head -5 | tr '\n' ' ')"
}

# A package file with only a control file: enough for the version check.
fake_deb() { # fake_deb NAME VERSION
  local d="$out/deb-$1"
  mkdir -p "$d/DEBIAN"
  printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: Tenpoint tests <tests@example.org>\nDescription: stand-in\n' "$1" "$2" >"$d/DEBIAN/control"
  dpkg-deb --root-owner-group --build "$d" "$out/$1_$2_all.deb" >/dev/null
  echo "$out/$1_$2_all.deb"
}
kiosk_deb=$(fake_deb tenpoint-kiosk 0.1.0)
server_deb=$(fake_deb tenpoint-server 0.1.0)
# A package for another kind of machine than this one.
other_arch=arm64; [ "$(dpkg --print-architecture)" != arm64 ] || other_arch=amd64
mkdir -p "$out/deb-foreign/DEBIAN"
sed "s/^Architecture: all/Architecture: $other_arch/" "$out/deb-tenpoint-kiosk/DEBIAN/control" >"$out/deb-foreign/DEBIAN/control"
dpkg-deb --root-owner-group --build "$out/deb-foreign" "$out/tenpoint-kiosk_0.1.0_$other_arch.deb" >/dev/null
printf '135790\n' >"$out/good-pin.txt"

# base_root DIR PACKAGE USER: a Debian 12 root with the package installed
# (dpkg's status file), its system user (owned by whoever runs the test,
# so no chown is needed) and the targets the units hang from.
base_root() {
  local r="$1" package="$2" user="$3"
  mkdir -p "$r/etc" "$r/var/lib/dpkg" "$r/usr/lib/systemd/system"
  printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_CODENAME=bookworm\n' >"$r/etc/os-release"
  printf 'Package: %s\nStatus: install ok installed\nVersion: 0.1.0\nArchitecture: all\nMaintainer: Tenpoint tests <tests@example.org>\nDescription: stand-in\n\n' \
    "$package" >"$r/var/lib/dpkg/status"
  printf 'root:x:0:0:root:/root:/bin/sh\n%s:x:%s:%s::/var/lib/%s:/usr/sbin/nologin\n' "$user" "$(id -u)" "$(id -g)" "$user" >"$r/etc/passwd"
  printf 'root:x:0:\nvideo:x:44:\ninput:x:105:\nrender:x:106:\n%s:x:%s:\n' "$user" "$(id -g)" >"$r/etc/group"
  echo "venue-kiosk" >"$r/etc/hostname"
  for t in multi-user graphical sysinit; do printf '[Unit]\nDescription=%s\n' "$t" >"$r/usr/lib/systemd/system/$t.target"; done
}

# pi_root DIR MODE: a kiosk as pi-setup.sh leaves it; MODE online (enrolled
# with https://tenpoint.example:8443), offline, or demo (online, but the
# config still holds the demo PIN's hash).
pin_hash=$("$tenpoint" pin-hash 135790)
pi_root() {
  local r="$1" mode="$2" hash="$pin_hash"
  base_root "$r" tenpoint-kiosk tenpoint-kiosk
  cp "$src/deploy/systemd/tenpoint-kiosk.service" "$src/deploy/systemd/tenpoint-sync.service" "$r/usr/lib/systemd/system/"
  printf '[Unit]\nDescription=Network Time Synchronization\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=sysinit.target\n' \
    >"$r/usr/lib/systemd/system/systemd-timesyncd.service"
  mkdir -p "$r/usr/lib/udev/rules.d" "$r/etc/tenpoint" "$r/var/lib/tenpoint"
  cp "$src/deploy/udev/90-tenpoint-usb.rules" "$r/usr/lib/udev/rules.d/"
  systemctl --root="$r" set-default graphical.target >/dev/null 2>&1
  systemctl --root="$r" enable tenpoint-kiosk.service systemd-timesyncd.service >/dev/null 2>&1
  [ "$mode" = offline ] || systemctl --root="$r" enable tenpoint-sync.service >/dev/null 2>&1
  [ "$mode" != demo ] || hash=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["staff_pin_hash"])' "$src/config/kiosk.example.json")
  cp "$out/server-cert.pem" "$r/etc/tenpoint/server-ca.pem"
  TP_HASH="$hash" TP_MODE="$mode" TP_PIN="$server_pin" python3 - "$src/deploy/kiosk.json" "$r/etc/tenpoint/kiosk.json" <<'PY'
import json, os, sys
c = json.load(open(sys.argv[1]))
c["staff_pin_hash"] = os.environ["TP_HASH"]
if os.environ["TP_MODE"] != "offline":
    c["sync"] = {"server": "https://tenpoint.example:8443", "ca_file": "/etc/tenpoint/server-ca.pem",
                 "pinned_public_key": os.environ["TP_PIN"], "enrolment_code": "ABCD-EFGH-JK23", "kiosk_name": "venue-kiosk"}
json.dump(c, open(sys.argv[2], "w"), indent=2)
PY
  chmod 640 "$r/etc/tenpoint/kiosk.json"
  if [ "$mode" != offline ]; then
    printf '{"server":"https://tenpoint.example:8443","device_id":"kiosk-0123456789ab","token":"tp1.x","venue":"Central Library"}\n' \
      >"$r/var/lib/tenpoint/device.json"
  fi
}

# A server certificate as server-setup.sh makes it, and its pin.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 400 -subj "/CN=tenpoint.example" \
  -addext "subjectAltName=DNS:tenpoint.example" -keyout "$out/server-key.pem" -out "$out/server-cert.pem" 2>/dev/null
server_pin="sha256//$(openssl x509 -in "$out/server-cert.pem" -pubkey -noout | openssl pkey -pubin -outform der |
  openssl dgst -sha256 -binary | openssl enc -base64 -A)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 400 -subj "/CN=other" \
  -keyout "$out/other-key.pem" -out "$out/other-cert.pem" 2>/dev/null

echo "correct horse battery staple" >"$out/admin-password.txt"

# server_root DIR: a server as server-setup.sh leaves it (SQLite, an admin).
server_root() {
  local r="$1"
  base_root "$r" tenpoint-server tenpoint-server
  cp "$src/deploy/systemd/tenpoint-server.service" "$r/usr/lib/systemd/system/"
  systemctl --root="$r" enable tenpoint-server.service >/dev/null 2>&1
  mkdir -p "$r/etc/default" "$r/etc/tenpoint-server/tls" "$r/var/lib/tenpoint-server"
  chmod 700 "$r/etc/tenpoint-server/tls" "$r/var/lib/tenpoint-server"
  install -m 0600 "$out/server-cert.pem" "$r/etc/tenpoint-server/tls/cert.pem"
  install -m 0600 "$out/server-key.pem" "$r/etc/tenpoint-server/tls/key.pem"
  printf '# the admin'"'"'s own line\nTENPOINT_SERVER_OPTIONS=--handler-threads 8\nTENPOINT_STORE="--data=/var/lib/tenpoint-server"\n' >"$r/etc/default/tenpoint-server"
  chmod 644 "$r/etc/default/tenpoint-server"
  "$tenpoint_server" admin add admin --role admin --data "$r/var/lib/tenpoint-server" --password-file "$out/admin-password.txt" >/dev/null
}

# ---- pi-setup.sh ---------------------------------------------------------------
begin "pi-setup: --help documents the options and the exit codes"
expect 0 "$pi" --help
has "--staff-pin-file"; has "--offline"; has "Exit codes:"; has "3  not run as root"
end

begin "pi-setup: refuses conflicting and malformed options (exit 2 and 4)"
expect 2 "$pi" --dry-run --offline --server https://tenpoint.example:8443
has "--offline and --server conflict"
expect 2 "$pi" --dry-run --offline --code ABCD-EFGH-JK23
expect 2 "$pi" --root "$out" --offline
has "--root DIR works with --dry-run only"
expect 2 "$pi" --dry-run --reboot-now
has "unknown option --reboot-now"
expect 2 "$pi" --dry-run --server
has "--server needs a value"
expect 4 "$pi" --dry-run --server http://tenpoint.example --code ABCD-EFGH-JK23
has "the server address is https://"
expect 4 "$pi" --dry-run --server https://tenpoint.example --code ABCD-EFGH-JK2O
has "never contains 0, 1, I or O"
expect 4 "$pi" --dry-run --server https://tenpoint.example --code ABCD-EFGH
has "12 letters and digits"
expect 2 "$pi" --dry-run --offline --staff-pin-file "$out/good-pin.txt" --deb "$out/tenpoint-kiosk_0.1.0_$other_arch.deb"
has "is built for $other_arch, and this machine is"
end

begin "pi-setup: without --dry-run it needs root (exit 3)"
if [ "$(id -u)" -eq 0 ]; then
  expect 3 setpriv --reuid=65534 --regid=65534 --clear-groups "$pi" --offline
else
  expect 3 "$pi" --offline
fi
has "run as root"
end

begin "pi-setup: a fresh Pi, dry run: every action listed, nothing changed"
fresh="$out/pi-fresh"; mkdir -p "$fresh"; snapshot "$fresh" >"$out/before.txt"
input="$out/pin-twice.txt"; printf '135790\n135790\n' >"$input"
expect 0 "$pi" --dry-run --root "$fresh" --deb "$kiosk_deb" --server https://tenpoint.example:8443 --code abcd-efgh-jk23 \
  --server-ca "$out/server-cert.pem" --server-pin "$server_pin" --no-reboot
input=/dev/null
has "would: install tenpoint-kiosk 0.1.0 from $kiosk_deb"
has "would run: env DEBIAN_FRONTEND=noninteractive apt-get install -y -q"
has "would run: systemctl set-default graphical.target"
has "would run: systemctl enable tenpoint-kiosk.service"
has "would run: systemctl enable tenpoint-sync.service"
has "would run: tenpoint pin-hash (PIN on standard input"
has "would run: install -D -m 0644 -o root -g root $out/server-cert.pem /etc/tenpoint/server-ca.pem"
has "would: write /etc/tenpoint/kiosk.json"
has "with enrolment code ABCD-EFGH-JK23"
has "server-cert.pem matches the pin $server_pin"
has "Dry run:"; lacks "135790"
untouched "$fresh" "$out/before.txt"
end

begin "pi-setup: the answers on standard input, in the order asked (address, code, PIN twice)"
input="$out/answers.txt"; printf 'https://tenpoint.example:8443\nabcd efgh jk23\n135790\n135790\n' >"$input"
expect 0 "$pi" --dry-run --root "$fresh" --deb "$kiosk_deb"
has "ok: server https://tenpoint.example:8443"; has "with enrolment code ABCD-EFGH-JK23"; has "ok: a new staff PIN of 6 digits"
printf '\n135790\n135790\n' >"$input"
expect 0 "$pi" --dry-run --root "$fresh" --deb "$kiosk_deb"
has "ok: offline"
printf 'http://tenpoint.example\n' >"$input"
expect 4 "$pi" --dry-run --root "$fresh" --deb "$kiosk_deb"
has "the server address is https://"
input=/dev/null
untouched "$fresh" "$out/before.txt"
end

begin "pi-setup: dry run as an unprivileged user, offline, asks for nothing it was given"
if [ "$(id -u)" -eq 0 ]; then as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups); else as_nobody=(); fi
input="$out/pin-twice.txt"
expect 0 "${as_nobody[@]}" env PATH="$PATH" "$pi" --dry-run --root "$fresh" --deb "$kiosk_deb" --offline
input=/dev/null
has "ok: offline"; has "would run: tenpoint pin-hash"; lacks "enable tenpoint-sync"
end

begin "pi-setup: refuses the demo PIN 2468, typed or in a file (exit 4)"
printf '2468\n' >"$out/demo-pin.txt"
expect 4 "$pi" --dry-run --root "$fresh" --deb "$kiosk_deb" --offline --staff-pin-file "$out/demo-pin.txt"
has "2468 is the demo PIN"
input="$out/demo-twice.txt"; printf '2468\n2468\n' >"$input"
expect 4 "$pi" --dry-run --root "$fresh" --deb "$kiosk_deb" --offline
input=/dev/null
has "2468 is the demo PIN"
end

begin "pi-setup: refuses a PIN under 6 digits, too easy, not digits, or typed differently (exit 4)"
for bad in 12345 97531 111111 123456 876543 12ab56 123456789; do
  printf '%s\n' "$bad" >"$out/bad-pin.txt"
  expect 4 "$pi" --dry-run --root "$fresh" --deb "$kiosk_deb" --offline --staff-pin-file "$out/bad-pin.txt"
done
has "6 to 8 digits (this one has 5)"; has "one digit repeated"; has "a run of digits"; has "digits only"
input="$out/differ.txt"; printf '135790\n135791\n' >"$input"
expect 4 "$pi" --dry-run --root "$fresh" --deb "$kiosk_deb" --offline
input=/dev/null
has "the two PINs differ"
end

begin "pi-setup: the demo hash it refuses is the one in config/kiosk.example.json"
demo_hash=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["staff_pin_hash"])' "$src/config/kiosk.example.json")
grep -qF "DEMO_PIN_HASH='$demo_hash'" "$pi" || fail "pi-setup.sh's DEMO_PIN_HASH is not $demo_hash"
end

begin "pi-setup: a kiosk set up already (enrolled), dry run again: nothing needed doing"
done_root="$out/pi-done"; pi_root "$done_root" online; snapshot "$done_root" >"$out/before.txt"
expect 0 "$pi" --dry-run --root "$done_root"
has "Nothing needed doing"; has "ok: kept the staff PIN"; has "ok: enrolled with https://tenpoint.example:8443"
has "ok: /etc/tenpoint/kiosk.json unchanged"; lacks "would"
: >"$log"
expect 0 "$pi" --dry-run --root "$done_root" --deb "$kiosk_deb" --server https://tenpoint.example:8443 --code ABCD-EFGH-JK23 \
  --server-ca "$out/server-cert.pem" --server-pin "$server_pin" --name venue-kiosk
has "Nothing needed doing"; lacks "would"
untouched "$done_root" "$out/before.txt"
end

begin "pi-setup: an offline kiosk set up already, dry run again: nothing needed doing"
offline_root="$out/pi-offline"; pi_root "$offline_root" offline; snapshot "$offline_root" >"$out/before.txt"
expect 0 "$pi" --dry-run --root "$offline_root"
has "Nothing needed doing"; has "ok: offline"; has "tenpoint-sync.service is not enabled (offline)"
expect 0 "$pi" --dry-run --root "$offline_root" --offline
has "Nothing needed doing"
untouched "$offline_root" "$out/before.txt"
end

begin "pi-setup: a kiosk still holding the demo PIN's hash must be given a new PIN"
demo_root="$out/pi-demo"; pi_root "$demo_root" demo; snapshot "$demo_root" >"$out/before.txt"
expect 0 "$pi" --dry-run --root "$demo_root"
has "the config holds the demo PIN 2468"; has "would ask for a new staff PIN"; lacks "Nothing needed doing"
has "would: write /etc/tenpoint/kiosk.json"
: >"$log"
expect 0 "$pi" --dry-run --root "$demo_root" --staff-pin-file "$out/pin-twice.txt"
has "would run: tenpoint pin-hash"; has "a new staff_pin_hash"
expect 4 "$pi" --dry-run --root "$demo_root" --staff-pin-file "$out/demo-pin.txt"
untouched "$demo_root" "$out/before.txt"
end

begin "pi-setup: --new-pin on a set-up kiosk asks again; a wrong certificate or another server is refused"
expect 0 "$pi" --dry-run --root "$done_root" --new-pin --staff-pin-file "$out/pin-twice.txt"
has "A new staff PIN is needed: --new-pin"; has "would: write /etc/tenpoint/kiosk.json"
expect 4 "$pi" --dry-run --root "$done_root" --server-ca "$out/other-cert.pem"
has "is not the certificate of the pin $server_pin"
expect 2 "$pi" --dry-run --root "$done_root" --server https://other.example:8443 --code ABCD-EFGH-JK23
has "enrolled with https://tenpoint.example:8443, not https://other.example:8443"
end

# ---- server-setup.sh -------------------------------------------------------------
begin "server-setup: --help documents the options and the exit codes"
expect 0 "$server" --help
has "--admin-password-file"; has "--postgres"; has "Exit codes:"; has "3  not run as root"
end

begin "server-setup: refuses conflicting and malformed options (exit 2)"
expect 2 "$server" --dry-run --postgres --sqlite
has "--postgres and --sqlite conflict"
expect 2 "$server" --dry-run --cert "$out/server-cert.pem"
has "--cert needs --key"
expect 2 "$server" --dry-run --cert "$out/server-cert.pem" --key "$out/server-key.pem" --hostname tenpoint.example
has "conflicts with --cert"
expect 2 "$server" --root "$out" --no-start
expect 2 "$server" --dry-run --listen 8443
has "--listen takes ADDRESS:PORT"
expect 2 "$server" --dry-run --admin "bad name"
end

begin "server-setup: without --dry-run it needs root (exit 3)"
if [ "$(id -u)" -eq 0 ]; then
  expect 3 setpriv --reuid=65534 --regid=65534 --clear-groups "$server" --no-start
else
  expect 3 "$server" --no-start
fi
has "run as root"
end

begin "server-setup: a fresh server, dry run (SQLite, self-signed): every action listed, nothing changed"
sfresh="$out/server-fresh"; mkdir -p "$sfresh"; snapshot "$sfresh" >"$out/before.txt"
expect 0 "$server" --dry-run --root "$sfresh" --deb "$server_deb" --hostname tenpoint.example,192.0.2.10 \
  --admin-password-file "$out/admin-password.txt"
has "would: install tenpoint-server 0.1.0 from $server_deb"
has "would: make a self-signed certificate for DNS:tenpoint.example,IP:192.0.2.10"
has "would run: openssl req -x509 -newkey ec"
has "-keyout /etc/tenpoint-server/tls/key.pem -out /etc/tenpoint-server/tls/cert.pem"
has 'would: write /etc/default/tenpoint-server (the server unit'"'"'s settings: TENPOINT_STORE="--data=/var/lib/tenpoint-server"'
has "would run: runuser -u tenpoint-server -- tenpoint-server admin add admin --role admin --data /var/lib/tenpoint-server (password on standard input)"
has "would run: systemctl enable tenpoint-server.service"
has "https://tenpoint.example:8443"; has "Dry run:"; lacks "correct horse"
untouched "$sfresh" "$out/before.txt"
end

begin "server-setup: a fresh server, dry run with --postgres: postgresql, role and database"
expect 0 "$server" --dry-run --root "$sfresh" --deb "$server_deb" --postgres --hostname tenpoint.example
has "would: install postgresql"
has "would run: runuser -u postgres -- createuser --no-superuser --no-createdb --no-createrole tenpoint-server"
has "would run: runuser -u postgres -- createdb --owner=tenpoint-server tenpoint"
has 'TENPOINT_STORE="--database postgresql://tenpoint-server@/tenpoint --secrets /var/lib/tenpoint-server/secrets"'
has "tenpoint-server admin add admin --role admin --database postgresql://tenpoint-server@/tenpoint"
untouched "$sfresh" "$out/before.txt"
end

begin "server-setup: the two passwords must match (exit 4)"
input="$out/passwords.txt"; printf 'correct horse battery staple\ncorrect horse battery stapler\n' >"$input"
expect 4 "$server" --dry-run --root "$sfresh" --deb "$server_deb" --hostname tenpoint.example
input=/dev/null
has "the two passwords differ"
end

begin "server-setup: a server set up already, dry run again: nothing needed doing, the pin printed"
sdone="$out/server-done"; server_root "$sdone"; snapshot "$sdone" >"$out/before.txt"
expect 0 "$server" --dry-run --root "$sdone"
has "Nothing needed doing"; has "ok: kept the certificate /etc/tenpoint-server/tls/cert.pem"
has "admin accounts already: admin"; has "Server pin:      $server_pin"
has "ok: /etc/default/tenpoint-server unchanged"; lacks "would"
: >"$log"
expect 0 "$server" --dry-run --root "$sdone" --deb "$server_deb" --sqlite --cert "$out/server-cert.pem" --key "$out/server-key.pem"
has "Nothing needed doing"; lacks "would"
untouched "$sdone" "$out/before.txt"
end

begin "server-setup: keeps the store it has, and refuses a key that is not the certificate's"
expect 2 "$server" --dry-run --root "$sdone" --postgres
has "switching to postgres would leave that data behind"
expect 2 "$server" --dry-run --root "$sdone" --cert "$out/server-cert.pem" --key "$out/other-key.pem"
has "is not the private key of"
expect 0 "$server" --dry-run --root "$sdone" --cert "$out/other-cert.pem" --key "$out/other-key.pem"
has "would: replace the certificate and key"; has "would run: cp -p /etc/tenpoint-server/tls/cert.pem /etc/tenpoint-server/tls/cert.pem.old"
end

echo "setup scripts: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
