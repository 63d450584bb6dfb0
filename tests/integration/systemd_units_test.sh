#!/usr/bin/env bash
# The systemd files in deploy/systemd, checked by systemd's own tools:
#   - `systemd-analyze verify` prints nothing for each unit, and for the kiosk
#     with the KMSDRM drop-in (any unknown key, bad value, missing program or
#     unit is printed). Copies are verified, with /usr/bin/tenpoint-* turned
#     into this build's programs, as the packages install them there;
#   - `systemd-analyze security --offline=yes` gives each unit the exposure
#     written in deploy/README.md, so the documented figure stays true;
#   - systemd-sysusers makes the two system users in an empty root;
#   - every key in the journald drop-in is one journald knows.
# Needs systemd-analyze and cage (the kiosk's ExecStart); exits 77 (skipped)
# without them.
# Usage: systemd_units_test.sh BUILD_DIR SOURCE_DIR OUT_DIR
set -euo pipefail
build="$1"; src="$2"; out="$3/systemd-units-test"
units="$src/deploy/systemd"

command -v systemd-analyze >/dev/null || { echo "SKIPPED: no systemd-analyze"; exit 77; }
[ -x /usr/bin/cage ] || { echo "SKIPPED: no /usr/bin/cage (Debian package cage), which the kiosk unit runs"; exit 77; }
rm -rf "$out"; mkdir -p "$out/units"

failures=0
fail() { echo "FAIL $1"; failures=$((failures + 1)); }

for unit in tenpoint-kiosk.service tenpoint-sync.service tenpoint-server.service; do
  sed "s|/usr/bin/tenpoint-|$build/tenpoint-|g" "$units/$unit" >"$out/units/$unit"
done
mkdir -p "$out/units/tenpoint-kiosk.service.d"
sed "s|/usr/bin/tenpoint-|$build/tenpoint-|g" "$units/kmsdrm.conf" >"$out/units/tenpoint-kiosk.service.d/kmsdrm.conf"

# verify_quiet NAME UNIT_FILE [UNIT_PATH]: systemd-analyze verify must print nothing.
verify_quiet() {
  local name="$1" file="$2" path="${3:-}"
  local log="$out/verify-$name.txt"
  if [ -n "$path" ]; then
    SYSTEMD_UNIT_PATH="$path:" systemd-analyze verify "$file" >"$log" 2>&1 || true
  else
    (cd "$(dirname "$file")" && systemd-analyze verify "./$(basename "$file")") >"$log" 2>&1 || true
  fi
  [ ! -s "$log" ]
}

for unit in tenpoint-kiosk.service tenpoint-sync.service tenpoint-server.service; do
  if verify_quiet "$unit" "$out/units/$unit"; then echo "ok   verify $unit"; else fail "verify $unit: $(cat "$out/verify-$unit.txt")"; fi
done
mkdir -p "$out/with-dropin"
cp -r "$out/units/tenpoint-kiosk.service" "$out/units/tenpoint-kiosk.service.d" "$out/with-dropin/"
if verify_quiet kmsdrm "$out/with-dropin/tenpoint-kiosk.service" "$out/with-dropin"; then
  echo "ok   verify tenpoint-kiosk.service with kmsdrm.conf"
else
  fail "verify tenpoint-kiosk.service with kmsdrm.conf: $(cat "$out/verify-kmsdrm.txt")"
fi
# The checks above are only worth something if verify speaks up: a typo must be reported.
sed 's/^ProtectSystem=/ProtectSytem=/' "$out/units/tenpoint-sync.service" >"$out/units/typo.service"
verify_quiet typo "$out/units/typo.service" && fail "systemd-analyze verify said nothing about an unknown key: the check is blind"
rm "$out/units/typo.service"
printf 'NotifyAcess=main\n' >>"$out/with-dropin/tenpoint-kiosk.service.d/kmsdrm.conf"
verify_quiet kmsdrm-typo "$out/with-dropin/tenpoint-kiosk.service" "$out/with-dropin" &&
  fail "systemd-analyze verify did not read the drop-in: the drop-in check is blind"

# Exposure, as documented: deploy/README.md has a row "| `UNIT` | N.N | ..." per unit.
for unit in tenpoint-kiosk.service tenpoint-sync.service tenpoint-server.service; do
  systemd-analyze security --offline=yes "$out/units/$unit" >"$out/security-$unit.txt" 2>&1 || true
  score=$(sed -n "s/.*Overall exposure level for $unit: \([0-9.]*\).*/\1/p" "$out/security-$unit.txt")
  documented=$(sed -n "s/^| \`$unit\` | \([0-9.]*\) .*/\1/p" "$src/deploy/README.md")
  if [ -z "$score" ]; then
    fail "security $unit: no score: $(tail -3 "$out/security-$unit.txt")"
  elif [ "$score" != "$documented" ]; then
    fail "security $unit: exposure $score, deploy/README.md says ${documented:-nothing}"
  else
    echo "ok   security $unit: exposure $score ($(sed -n 's/.*Overall exposure level for [^:]*: [0-9.]* \([A-Z]*\).*/\1/p' "$out/security-$unit.txt"))"
  fi
done

# The system users, made in an empty root.
mkdir -p "$out/sysroot/etc"
if systemd-sysusers --root="$out/sysroot" "$units/tenpoint-kiosk.sysusers" "$units/tenpoint-server.sysusers" >"$out/sysusers.txt" 2>&1 &&
   grep -q "^tenpoint-kiosk:x:[0-9]*:[0-9]*:.*:/var/lib/tenpoint:/usr/sbin/nologin$" "$out/sysroot/etc/passwd" &&
   grep -q "^tenpoint-server:x:[0-9]*:[0-9]*:.*:/var/lib/tenpoint-server:/usr/sbin/nologin$" "$out/sysroot/etc/passwd"; then
  echo "ok   systemd-sysusers makes tenpoint-kiosk and tenpoint-server"
else
  fail "systemd-sysusers: $(cat "$out/sysusers.txt" "$out/sysroot/etc/passwd" 2>/dev/null)"
fi

# journald's own table of keys (Journal.KEY in its configuration parser).
journald=/lib/systemd/systemd-journald
if [ -x "$journald" ]; then
  keys=$(sed -n 's/^#\{0,1\}\([A-Za-z]*\)=.*/\1/p' "$units/journald-tenpoint.conf")
  [ -n "$keys" ] || fail "journald-tenpoint.conf: no keys"
  for key in $keys; do
    grep -qa "Journal\.$key\b" "$journald" || fail "journald-tenpoint.conf: journald knows no key $key"
  done
  echo "ok   journald-tenpoint.conf: $(echo $keys | wc -w) keys journald knows"
else
  fail "no $journald to check the journald drop-in against"
fi

[ "$failures" -eq 0 ]
