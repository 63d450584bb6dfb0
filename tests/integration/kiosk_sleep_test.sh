#!/usr/bin/env bash
# The kiosk full screen under Xvfb with "opening_hours" that exclude the time
# the test starts: it opens one to two minutes later, every day, for an hour.
# Asleep: the screen is black (Xvfb's root is white, so black is the kiosk's
# own frame); a tap shows the closed notice and stores nothing, then the
# screen is black again; the five-second press in the top-left corner and the
# PIN open the staff menu, and closing it goes back to black. At opening time
# the kiosk wakes by itself to the attract screen and takes answers again.
# The CPU it used asleep and awake on the attract screen is measured and
# printed (20 s each); asleep and untouched it draws no more than its first
# few frames and stays under a quarter of a core, which a frame loop that
# kept drawing would not. Screenshots go to OUT/screens/sleep-*.
# Usage: kiosk_sleep_test.sh KIOSK_BINARY SOURCE_DIR OUT_DIR
set -euo pipefail
kiosk="$1"; src="$2"; out="$3"
. "$src/tests/integration/lib.sh"
dir="$out/sleep-test"
shots="$out/screens/sleep"
rm -rf "$dir"; mkdir -p "$dir" "$out/screens"
readonly kMeasureSeconds=20
readonly kMostCpuAsleepPercent=25

start_xvfb 800x480x24 -wr
trap 'kill $XVFB_PID 2>/dev/null || true; [ -n "${kpid:-}" ] && kill $kpid 2>/dev/null || true' EXIT

# The example config with every day open for an hour from the first whole
# minute at least 75 s away; prints that moment (seconds since 1970).
opens_at=$(python3 - "$src" "$dir/kiosk.json" <<'EOF'
import json, sys, time
src, path = sys.argv[1], sys.argv[2]
opens = (int(time.time()) + 75 + 59) // 60 * 60
start = time.localtime(opens)
begin = start.tm_hour * 60 + start.tm_min
end = (begin + 60) % 1440
hours = "%02d:%02d-%02d:%02d" % (begin // 60, begin % 60, end // 60, end % 60)  # past midnight when end < begin
c = json.load(open(src + "/config/kiosk.example.json"))
c["question_set"] = src + "/config/questions/library-demo.json"
c["opening_hours"] = {day: hours for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
json.dump(c, open(path, "w"), indent=2)
print(opens)
EOF
)
echo "opening hours $(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['opening_hours']['mon'])" "$dir/kiosk.json") every day; now $(date +%H:%M:%S)"

# black FILE: a screenshot of the whole screen; true when every pixel is black.
black() {
  import -window root "$1"
  [ "$(convert "$1" -format '%[max]' info:)" = 0 ]
}
# until_black FILE SECONDS / until_lit FILE SECONDS: waits for the screen to become all black / not all black.
until_black() {
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do black "$1" && return 0; sleep 0.2; done
  return 1
}
until_lit() {
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do black "$1" || return 0; sleep 0.2; done
  return 1
}
# cpu_percent PID SECONDS: the share of one core the process used over that time.
cpu_percent() {
  local before after
  before=$(awk '{print $14 + $15}' "/proc/$1/stat")
  sleep "$2"
  after=$(awk '{print $14 + $15}' "/proc/$1/stat")
  python3 -c "import sys; print('%.2f' % ((int(sys.argv[2]) - int(sys.argv[1])) * 100.0 / int(sys.argv[3]) / int(sys.argv[4])))" \
    "$before" "$after" "$(getconf CLK_TCK)" "$2"
}
answers() { sqlite3 "$dir/kiosk.db" "SELECT count(*) FROM answers" 2>/dev/null || echo "?"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

failures=0
hits="$dir/hits.json"
# start_kiosk LOG: full screen, asleep; sets kpid and win.
start_kiosk() {
  rm -f "$hits"
  "$kiosk" --config "$dir/kiosk.json" --db "$dir/kiosk.db" --hits-file "$hits" >"$1" 2>&1 &
  kpid=$!
  wait_for_screen "$hits" closed 30 || { cat "$1"; exit 1; }
  win=$(xdotool search --sync --name '^Tenpoint$' | head -1)
}
stop_kiosk() {
  kill -TERM $kpid
  wait $kpid || fail "the kiosk exited with $? on SIGTERM"
  kpid=""
}

# Asleep and left alone: black, cheap, and (after the first frames) not drawing at all.
start_kiosk "$dir/kiosk-asleep.log"
until_black "$shots-asleep.png" 10 || fail "the screen is not black outside opening hours ($shots-asleep.png)"
asleep_cpu=$(cpu_percent $kpid $kMeasureSeconds)
black "$shots-asleep.png" || fail "the screen did not stay black while asleep"
stop_kiosk
asleep_frames=$(grep -o 'drew [0-9]* frames in [0-9]* s' "$dir/kiosk-asleep.log" || echo "no frame count")
frames=$(echo "$asleep_frames" | awk '{print $2}')
[ -n "$frames" ] && [ "$frames" -le 10 ] || fail "asleep and untouched the kiosk $asleep_frames (at most 10: the first frames)"

# Touched while asleep.
start_kiosk "$dir/kiosk.log"

# A tap: the closed notice, nothing stored, then black again.
tap "$win" 400 240
until_lit "$shots-closed-notice.png" 5 || fail "a tap while asleep showed nothing"
grep -q '"screen":"closed"' "$hits" || fail "a tap while asleep left the closed screen: $(head -c 60 "$hits")"
[ "$(answers)" = 0 ] || fail "a tap while asleep stored an answer"
until_black "$shots-after-notice.png" 15 || fail "the notice did not go away"

# Staff: the corner press and the PIN still open the menu; closing it goes back to sleep.
xdotool mousemove --window "$win" 5 5 mousedown 1
sleep 5.6
xdotool mouseup 1
if wait_for_screen "$hits" staff_pin 5; then
  for key in pin.2 pin.4 pin.6 pin.8 pin.ok; do
    read -r x y < <(centre_of "$hits" "$key")
    tap "$win" "$x" "$y"
    sleep 0.1
  done
  if wait_for_screen "$hits" staff_menu 10; then
    sleep 0.3
    import -window root "$shots-staff-menu.png"
    read -r x y < <(centre_of "$hits" staff.close)
    tap "$win" "$x" "$y"
    wait_for_screen "$hits" closed 5 || fail "closing the staff menu did not go back to the closed screen"
    until_black "$shots-after-staff.png" 5 || fail "the screen is not black again after the staff menu"
  else
    fail "the staff PIN did not open the staff menu while asleep"
  fi
else
  fail "the corner press did not open the staff PIN pad while asleep"
fi
[ "$(date +%s)" -lt "$opens_at" ] || fail "the checks above ran past opening time, so they did not test a sleeping kiosk"

# Opening time: awake by itself, taking answers again.
wait_for_screen "$hits" attract $((opens_at - $(date +%s) + 30)) || fail "the kiosk did not wake at opening time"
woke_late=$(($(date +%s) - opens_at))
until_lit "$shots-awake.png" 5 || fail "awake, the screen is still black"
awake_cpu=$(cpu_percent $kpid $kMeasureSeconds)
tap "$win" 400 360
if wait_for_screen "$hits" scale 10; then
  read -r x y < <(centre_of "$hits" scale.7)
  tap "$win" "$x" "$y"
  wait_for_screen "$hits" text 10 || fail "the score was not taken after waking"
else
  fail "a tap after waking did not start a visit"
fi
stored=$(sqlite3 "$dir/kiosk.db" "SELECT question_id || '=' || score FROM answers WHERE score IS NOT NULL" 2>/dev/null || true)
[ "$stored" = "library=7" ] || fail "stored '$stored' after waking, expected library=7"

stop_kiosk
grep -q "screen closed -> attract" "$dir/kiosk.log" || fail "no closed -> attract in the log"

echo "CPU asleep: ${asleep_cpu}% of a core over ${kMeasureSeconds} s (untouched, it $asleep_frames); awake on the attract screen: ${awake_cpu}%"
echo "woke ${woke_late} s after opening time; in all it $(grep -o 'drew [0-9]* frames in [0-9]* s' "$dir/kiosk.log")"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$asleep_cpu" "$kMostCpuAsleepPercent" ||
  fail "asleep the kiosk used ${asleep_cpu}% of a core (at most $kMostCpuAsleepPercent%)"
echo "screenshots in $out/screens/sleep-*"
[ $failures -eq 0 ] || { echo "$failures failures"; cat "$dir/kiosk.log"; exit 1; }
