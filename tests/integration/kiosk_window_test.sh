#!/usr/bin/env bash
# A real kiosk window under Xvfb at each supported size, landscape and
# portrait: it starts, draws the attract and scale screens, a tap sent with
# xdotool reaches the scale, the chosen score lands in the database, a phone
# number typed on the on-screen keyboard is stored as [phone] and its digits
# nowhere (database, WAL, log), and Escape does not close it. Screenshots go
# to OUT/screens/.
# Usage: kiosk_window_test.sh KIOSK_BINARY SOURCE_DIR OUT_DIR   (SIZES="800x480 ..." to pick sizes)
set -euo pipefail
kiosk="$1"; src="$2"; out="$3"
. "$src/tests/integration/lib.sh"

rm -rf "$out/window-test${SHOT_SUFFIX:-}"; mkdir -p "$out/window-test${SHOT_SUFFIX:-}" "$out/screens"
start_xvfb 1920x1920x24
trap 'kill $XVFB_PID 2>/dev/null || true; [ -n "${kpid:-}" ] && kill $kpid 2>/dev/null || true' EXIT

failures=0
for size in ${SIZES:-800x480 1024x600 1280x800 1920x1080 480x800 600x1024 800x1280 1080x1920}; do
  dir="$out/window-test${SHOT_SUFFIX:-}/$size"; mkdir -p "$dir"
  hits="$dir/hits.json"
  "$kiosk" --config "$src/config/kiosk.example.json" --db "$dir/kiosk.db" --windowed "$size" --hits-file "$hits" >"$dir/kiosk.log" 2>&1 &
  kpid=$!
  if ! wait_for_screen "$hits" attract 20; then cat "$dir/kiosk.log"; failures=$((failures + 1)); kill $kpid || true; continue; fi
  win=$(xdotool search --sync --name '^Tenpoint$' | head -1)
  geometry=$(xdotool getwindowgeometry "$win" | awk '/Geometry/ {print $2}')
  [ "$geometry" = "$size" ] || { echo "$size: window is $geometry"; failures=$((failures + 1)); }
  import -window "$win" "$out/screens/$size${SHOT_SUFFIX:-}-attract.png"

  # Escape and Ctrl+Q are ignored on resident screens.
  xdotool key --window "$win" Escape ctrl+q
  sleep 0.3
  kill -0 $kpid 2>/dev/null || { echo "$size: Escape closed the kiosk"; failures=$((failures + 1)); continue; }

  w=${size%x*}; h=${size#*x}
  tap "$win" $((w / 2)) $((h * 3 / 4))
  if ! wait_for_screen "$hits" scale 10; then failures=$((failures + 1)); kill $kpid; continue; fi
  sleep 0.2
  import -window "$win" "$out/screens/$size${SHOT_SUFFIX:-}-scale.png"
  read -r x y < <(centre_of "$hits" scale.7)
  tap "$win" "$x" "$y"
  if ! wait_for_screen "$hits" text 10; then failures=$((failures + 1)); kill $kpid; continue; fi
  sleep 0.2
  import -window "$win" "$out/screens/$size${SHOT_SUFFIX:-}-text.png"

  # Type "07700 900123" on the keyboard's symbols layer and tap Done: the
  # kiosk scrubs the note before it commits it.
  read -r x y < <(centre_of "$hits" key.symbols)
  tap "$win" "$x" "$y"
  for _ in $(seq 50); do grep -q '"key.0"' "$hits" && break; sleep 0.1; done
  typed_ok=yes
  for key in 0 7 7 0 0 space 9 0 0 1 2 3; do
    read -r x y < <(centre_of "$hits" "key.$key") || { typed_ok=no; break; }
    tap "$win" "$x" "$y"
    sleep 0.05
  done
  [ $typed_ok = yes ] || { echo "$size: no key to type on"; failures=$((failures + 1)); }
  sleep 0.2
  import -window "$win" "$out/screens/$size${SHOT_SUFFIX:-}-text-typed.png"
  read -r x y < <(centre_of "$hits" done)
  tap "$win" "$x" "$y"
  note=""
  for _ in $(seq 50); do
    note=$(sqlite3 "$dir/kiosk.db" "SELECT text FROM answers WHERE question_id = 'not_lower'" 2>/dev/null || true)
    [ -n "$note" ] && break
    sleep 0.1
  done
  [ "$note" = "[phone]" ] || { echo "$size: stored the note '$note', expected [phone]"; failures=$((failures + 1)); }

  kill -TERM $kpid
  wait $kpid || { echo "$size: the kiosk exited with $? on SIGTERM"; failures=$((failures + 1)); }
  kpid=""
  stored=$(sqlite3 "$dir/kiosk.db" "SELECT question_id || '=' || score FROM answers WHERE score IS NOT NULL")
  [ "$stored" = "library=7" ] || { echo "$size: stored '$stored', expected library=7"; failures=$((failures + 1)); }
  grep -q "screen attract -> scale" "$dir/kiosk.log" || { echo "$size: no attract -> scale in the log"; failures=$((failures + 1)); }
  if grep -rlaE '07700 ?900123' "$dir" >/dev/null; then
    echo "$size: the typed phone number was written to $(grep -rlaE '07700 ?900123' "$dir" | tr '\n' ' ')"; failures=$((failures + 1))
  fi
  echo "$size: ok ($(grep -o 'font atlas [0-9x]*' "$dir/kiosk.log"))"
done

echo "screenshots in $out/screens"
sizes=(${SIZES:-800x480 1024x600 1280x800 1920x1080 480x800 600x1024 800x1280 1080x1920})
[ $failures -eq 0 ] || { echo "$failures failures over ${#sizes[@]} sizes"; exit 1; }
