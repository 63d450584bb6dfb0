#!/usr/bin/env bash
# The kiosk full screen under Xvfb with "display_rotation": a landscape panel
# mounted in portrait (90 on 800x480, 270 on 1024x600) or upside down (180 on
# 800x480). For each: the screens lay out for the turned size (the hits file's
# "display"); the screenshot, turned back, matches an unturned kiosk on a
# screen of that size pixel for pixel but for a few edge pixels (so the text
# is upright and nothing is cut off); and taps at the panel positions where
# the attract screen and the score 7 show reach them: 7 lands in the
# database. Screenshots, as the panel shows them and turned upright, go to
# OUT/screens/rotation-*.
# Usage: kiosk_rotation_test.sh KIOSK_BINARY SOURCE_DIR OUT_DIR   (CASES="90:800x480 ..." to pick cases)
set -euo pipefail
kiosk="$1"; src="$2"; out="$3"
. "$src/tests/integration/lib.sh"
work="$out/rotation-test"
rm -rf "$work"; mkdir -p "$work" "$out/screens"
trap 'kill ${XVFB_PID:-} 2>/dev/null || true; [ -n "${kpid:-}" ] && kill $kpid 2>/dev/null || true' EXIT
readonly kMostDifferentPixels=0.01  # of the screen: antialiased edges may round the other way when turned

# to_panel DEGREES PANEL_W PANEL_H X Y: where a point of the upright picture shows
# on the panel (the mapping of kiosk/platform/rotation.h, written out again).
to_panel() {
  python3 -c '
import sys
d, W, H, x, y = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
p = {0: (x, y), 90: (W - y, x), 180: (W - x, H - y), 270: (y, H - x)}[d]
print(int(p[0]), int(p[1]))' "$@"
}

# config FILE DEGREES: the example config with this rotation and a greeting that holds still for the screenshots.
config() {
  python3 - "$src" "$1" "$2" <<'EOF'
import json, sys
src, path, degrees = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = json.load(open(src + "/config/kiosk.example.json"))
c["question_set"] = src + "/config/questions/library-demo.json"
c["display_rotation"] = degrees
c["greeting_every_s"] = 60
json.dump(c, open(path, "w"), indent=2)
EOF
}

# start_kiosk DIR CONFIG: full screen on the Xvfb of the moment; sets kpid and win.
start_kiosk() {
  "$kiosk" --config "$2" --db "$1/kiosk.db" --hits-file "$1/hits.json" >"$1/kiosk.log" 2>&1 &
  kpid=$!
  wait_for_screen "$1/hits.json" attract 30 || { cat "$1/kiosk.log"; return 1; }
  win=$(xdotool search --sync --name '^Tenpoint$' | head -1)
}

stop_kiosk() {
  [ -n "${kpid:-}" ] || return 0
  kill -TERM $kpid
  wait $kpid || { echo "the kiosk exited with $? on SIGTERM"; kpid=""; return 1; }
  kpid=""
}

failures=0
for case in ${CASES:-90:800x480 270:1024x600 180:800x480}; do
  degrees=${case%%:*}; size=${case#*:}
  failures_before=$failures
  w=${size%x*}; h=${size#*x}
  if [ "$degrees" = 90 ] || [ "$degrees" = 270 ]; then lw=$h; lh=$w; else lw=$w; lh=$h; fi
  dir="$work/$degrees-$size"; mkdir -p "$dir/turned" "$dir/upright"
  shots="$out/screens/rotation-$degrees-$size"
  config "$dir/turned.json" "$degrees"
  config "$dir/upright.json" 0

  # The turned kiosk on the panel.
  start_xvfb "${size}x24"
  if ! start_kiosk "$dir/turned" "$dir/turned.json"; then failures=$((failures + 1)); kill $XVFB_PID; continue; fi
  laid_out=$(python3 -c "import json,sys; h=json.load(open(sys.argv[1])); print(int(h['display'][0]), int(h['display'][1]), h['rotation'])" "$dir/turned/hits.json")
  [ "$laid_out" = "$lw $lh $degrees" ] || { echo "$case: laid out for '$laid_out', expected '$lw $lh $degrees'"; failures=$((failures + 1)); }
  geometry=$(xdotool getwindowgeometry "$win" | awk '/Geometry/ {print $2}')
  [ "$geometry" = "$size" ] || { echo "$case: the window is $geometry, not the screen's $size"; failures=$((failures + 1)); }
  shoot "$shots-attract.png" || failures=$((failures + 1))
  convert "$shots-attract.png" -rotate "-$degrees" "$shots-attract-upright.png"

  read -r x y < <(to_panel "$degrees" "$w" "$h" $((lw / 2)) $((lh * 3 / 4)))
  tap "$win" "$x" "$y"
  if ! wait_for_screen "$dir/turned/hits.json" scale 10; then failures=$((failures + 1)); stop_kiosk || true; kill $XVFB_PID; continue; fi
  sleep 0.3
  shoot "$shots-scale.png" && convert "$shots-scale.png" -rotate "-$degrees" "$shots-scale-upright.png"
  read -r lx ly < <(centre_of "$dir/turned/hits.json" scale.7)
  read -r x y < <(to_panel "$degrees" "$w" "$h" "$lx" "$ly")
  tap "$win" "$x" "$y"
  if wait_for_screen "$dir/turned/hits.json" text 10; then
    sleep 0.3
    shoot "$shots-text.png" && convert "$shots-text.png" -rotate "-$degrees" "$shots-text-upright.png"
  else
    failures=$((failures + 1))
  fi
  stored=$(sqlite3 "$dir/turned/kiosk.db" "SELECT question_id || '=' || score FROM answers WHERE score IS NOT NULL" 2>/dev/null || true)
  [ "$stored" = "library=7" ] || { echo "$case: stored '$stored', expected library=7 (a tap at $x,$y on the panel)"; failures=$((failures + 1)); }
  # SIGHUP with the rotation taken out: the screens lay out for the panel's own size at once.
  config "$dir/turned.json" 0
  kill -HUP $kpid
  for _ in $(seq 50); do grep -q "\"display\":\[$w,$h\],\"rotation\":0" "$dir/turned/hits.json" && break; sleep 0.1; done
  grep -q "\"display\":\[$w,$h\],\"rotation\":0" "$dir/turned/hits.json" ||
    { echo "$case: after SIGHUP without a rotation the kiosk still lays out as $(head -c 60 "$dir/turned/hits.json")"; failures=$((failures + 1)); }
  stop_kiosk || failures=$((failures + 1))
  kill $XVFB_PID; wait $XVFB_PID 2>/dev/null || true

  # The same kiosk unturned, on a screen of the turned size: the picture to match.
  start_xvfb "${lw}x${lh}x24"
  if start_kiosk "$dir/upright" "$dir/upright.json" && shoot "$dir/unturned-attract.png"; then
    differing=$(compare -metric AE -fuzz 10% "$shots-attract-upright.png" "$dir/unturned-attract.png" null: 2>&1 || true)
    python3 -c "import sys; n, total = float(sys.argv[1]), int(sys.argv[2]) * int(sys.argv[3]); sys.exit(0 if n <= total * float(sys.argv[4]) else 1)" \
      "${differing%% *}" "$lw" "$lh" "$kMostDifferentPixels" ||
      { echo "$case: turned upright, $differing pixels differ from the unturned kiosk's (at most $kMostDifferentPixels of the screen)"; failures=$((failures + 1)); }
    [ $failures -eq $failures_before ] &&
      echo "$case: ok ($differing of $((lw * lh)) pixels differ from the unturned kiosk's; $(grep -o 'the picture turned [0-9]* degrees clockwise' "$dir/turned/kiosk.log"))"
  else
    failures=$((failures + 1))
  fi
  stop_kiosk || failures=$((failures + 1))
  kill $XVFB_PID; wait $XVFB_PID 2>/dev/null || true
done

echo "screenshots in $out/screens/rotation-*"
[ $failures -eq 0 ] || { echo "$failures failures"; exit 1; }
