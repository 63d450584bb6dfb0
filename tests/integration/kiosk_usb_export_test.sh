#!/usr/bin/env bash
# Staff export results to a USB stick through a real tenpoint-kiosk window
# under Xvfb: a tmpfs mounted as the stick, the PIN, Export, "Safe to
# remove", the three files on the stick, screenshots along the way. Then a
# server's enrolment file on the stick: "Enrol from USB stick" writes the
# kiosk's signed reply back, and the server imports it.
# Needs root to mount the stick; exits 77 (skipped) otherwise.
# Usage: kiosk_usb_export_test.sh KIOSK_BINARY CLI_BINARY SERVER_BINARY SOURCE_DIR OUT_DIR
set -euo pipefail
kiosk="$1"; cli="$2"; server="$3"; src="$4"; out="$5"
. "$src/tests/integration/lib.sh"
work="$out/usb-export-test"
stick="$work/media/STICK"
umount -l "$stick" 2>/dev/null || true
rm -rf "$work"; mkdir -p "$stick" "$out/screens"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=16m tmpfs "$stick" 2>/dev/null; then
  echo "SKIPPED: needs root to mount a tmpfs as the USB stick"
  exit 77
fi
kpid=""
cleanup() {
  [ -n "$kpid" ] && kill "$kpid" 2>/dev/null || true
  umount -l "$stick" 2>/dev/null || true
  [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null || true
}
trap cleanup EXIT
fail() { echo "FAILED: $*"; [ -f "$work/kiosk.log" ] && tail -20 "$work/kiosk.log"; exit 1; }
start_xvfb 1920x1920x24

"$cli" simulate --db "$work/kiosk.db" --answers 2000 --seed 11 --days 30 >/dev/null
sed "s#questions/library-demo.json#$src/config/questions/library-demo.json#; s#\"theme\": \"standard\"#\"theme\": \"standard\", \"usb_media_dirs\": [\"$work/media\"]#" \
  "$src/config/kiosk.example.json" >"$work/kiosk.json"
"$kiosk" --config "$work/kiosk.json" --db "$work/kiosk.db" --windowed 1024x600 --hits-file "$work/hits.json" >"$work/kiosk.log" 2>&1 &
kpid=$!
window() { xdotool search --sync --name '^Tenpoint$' | head -1; }
tap_target() { local x y; read -r x y < <(centre_of "$work/hits.json" "$1"); tap "$(window)" "$x" "$y"; }
has_target() { grep -q "\"$1\"" "$work/hits.json"; }

wait_for_screen "$work/hits.json" attract 20 || fail "kiosk did not start"
win=$(window)
xdotool mousemove --window "$win" 6 6 mousedown 1
sleep 5.6
xdotool mouseup 1
wait_for_screen "$work/hits.json" staff_pin 5 || fail "the corner press did not open the PIN pad"
for t in pin.2 pin.4 pin.6 pin.8 pin.ok; do tap_target $t; sleep 0.15; done
wait_for_screen "$work/hits.json" staff_menu 10 || fail "PIN 2468 did not open the staff menu"
for _ in $(seq 50); do has_target staff.export_usb && break; sleep 0.1; done
has_target staff.export_usb || fail "the staff menu does not offer Export with a stick mounted"
import -window "$win" "$out/screens/1024x600-staff-export-offered.png"
tap_target staff.export_usb
for _ in $(seq 300); do grep -q "Safe to remove the USB stick" "$work/kiosk.log" && break; sleep 0.1; done
grep -q "Safe to remove the USB stick: 2,000 answers in $stick/" "$work/kiosk.log" || fail "the export did not finish with Safe to remove"
sleep 0.5
import -window "$win" "$out/screens/1024x600-staff-export-safe.png"
folder=$(find "$stick" -mindepth 1 -maxdepth 1 -type d | head -1)
for f in answers.csv report.html codebook.txt; do [ -s "$folder/$f" ] || fail "$f is missing on the stick"; done
[ "$(find "$stick" -name '.*part*' | wc -l)" -eq 0 ] || fail "a temporary file was left on the stick"
has_target staff.close || fail "the way back to residents did not return after the export"

# A venue without network: the server's enrolment file on the stick.
"$server" enrol-code --data "$work/server" --venue "Hill Top" --file "$stick/enrol.json" >/dev/null
for _ in $(seq 50); do has_target staff.enrol_usb && break; sleep 0.1; done
has_target staff.enrol_usb || fail "the staff menu does not offer Enrol with enrol.json on the stick"
import -window "$win" "$out/screens/1024x600-staff-enrol-offered.png"
tap_target staff.enrol_usb
for _ in $(seq 100); do grep -q "Enrolled for Hill Top" "$work/kiosk.log" && break; sleep 0.1; done
grep -q "Enrolled for Hill Top" "$work/kiosk.log" || fail "Enrol from USB stick did not enrol"
sleep 0.3
import -window "$win" "$out/screens/1024x600-staff-enrolled.png"
[ -s "$stick/enrol-reply.json" ] || fail "no enrol-reply.json on the stick"
"$server" import --data "$work/server" "$stick/enrol-reply.json" | grep -q "Enrolled kiosk" || fail "the server did not take the reply"
tap_target staff.close
wait_for_screen "$work/hits.json" attract 10 || fail "the staff menu did not close after the export"
echo "usb export through the staff menu: ok ($folder)"
