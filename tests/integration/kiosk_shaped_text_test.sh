#!/usr/bin/env bash
# Shaped text in a real window under Xvfb, at 800x480 and 1080x1920: a set in
# English, Arabic and Bengali (tests/data/shaped-set.json). The language
# buttons name Arabic and Bengali in their own scripts, drawn through the
# kiosk's shaped path (HarfBuzz, FriBidi, FreeType and its own glyph atlas):
# each button holds ink where its name is, which a glyph atlas that never
# reached the GPU would leave blank. Then a whole visit in Arabic: the prompt
# on the attract and scale screens, the scale mirrored (0 at the right), a
# score of 7 stored with the language "ar", "مكتبة" typed on the Arabic
# keyboard and stored byte for byte in the order typed, and the kiosk's log
# names the glyphs its atlas holds. Screenshots go to
# OUT/screens/shaped-*.
# Usage: kiosk_shaped_text_test.sh KIOSK_BINARY SOURCE_DIR OUT_DIR
set -euo pipefail
kiosk="$1"; src="$2"; out="$3"
. "$src/tests/integration/lib.sh"
work="$out/shaped-text-test"
rm -rf "$work"; mkdir -p "$work" "$out/screens"
trap 'kill ${XVFB_PID:-} 2>/dev/null || true; [ -n "${kpid:-}" ] && kill $kpid 2>/dev/null || true' EXIT
readonly kLeastInkPixels=40  # in a language button: a name in glyphs, not an empty button

# ink_in PNG HITS ID: how many dark pixels (the text's ink) lie inside the target ID, its border left out.
ink_in() {
  local rect
  rect=$(python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))['hits'][sys.argv[2]]
inset = 6
print('%dx%d+%d+%d' % (r[2] - r[0] - 2 * inset, r[3] - r[1] - 2 * inset, r[0] + inset, r[1] + inset))" "$2" "$3")
  convert "$1" -crop "$rect" +repage -colorspace Gray -threshold 45% -negate -format '%[fx:round(mean*w*h)]' info:
}

failures=0
for size in 800x480 1080x1920; do
  dir="$work/$size"; mkdir -p "$dir"
  python3 - "$src" "$dir/kiosk.json" <<'PY'
import json, sys
src, path = sys.argv[1], sys.argv[2]
c = json.load(open(src + "/config/kiosk.example.json"))
c["question_set"] = src + "/tests/data/shaped-set.json"
c["greeting_every_s"] = 60
json.dump(c, open(path, "w"), indent=2)
PY
  start_xvfb "${size}x24"
  "$kiosk" --config "$dir/kiosk.json" --db "$dir/kiosk.db" --hits-file "$dir/hits.json" >"$dir/kiosk.log" 2>&1 &
  kpid=$!
  if ! wait_for_screen "$dir/hits.json" attract 30; then
    cat "$dir/kiosk.log"; failures=$((failures + 1)); kill $kpid; kpid=""; kill $XVFB_PID; continue
  fi
  win=$(xdotool search --sync --name '^Tenpoint$' | head -1)
  if grep -q "shaped text is off" "$dir/kiosk.log"; then
    echo "$size: $(grep "shaped text is off" "$dir/kiosk.log")"; failures=$((failures + 1))
  fi
  sleep 0.3
  shots="$out/screens/shaped-$size"
  shoot "$shots-attract-en.png" || failures=$((failures + 1))
  for lang in ar bn; do
    ink=$(ink_in "$shots-attract-en.png" "$dir/hits.json" "lang.$lang")
    if [ "$ink" -lt $kLeastInkPixels ]; then
      echo "$size: the $lang button holds $ink dark pixels (at least $kLeastInkPixels where its name is drawn)"; failures=$((failures + 1))
    fi
    echo "$size: lang.$lang button: $ink pixels of ink"
  done

  read -r x y < <(centre_of "$dir/hits.json" lang.ar)
  tap "$win" "$x" "$y"
  sleep 0.5
  shoot "$shots-attract-ar.png" || failures=$((failures + 1))
  read -r w h < <(python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['display']; print(int(d[0]), int(d[1]))" "$dir/hits.json")
  tap "$win" $((w / 2)) $((h * 3 / 4))
  if wait_for_screen "$dir/hits.json" scale 10; then
    sleep 0.3
    shoot "$shots-scale-ar.png" || failures=$((failures + 1))
    # Mirrored: the 0 key right of the 10 key.
    read -r x0 _ < <(centre_of "$dir/hits.json" scale.0)
    read -r x10 _ < <(centre_of "$dir/hits.json" scale.10)
    [ "$x0" -gt "$x10" ] || { echo "$size: in Arabic the 0 key (x $x0) is not right of the 10 key (x $x10)"; failures=$((failures + 1)); }
    read -r x y < <(centre_of "$dir/hits.json" scale.7)
    tap "$win" "$x" "$y"
    if wait_for_screen "$dir/hits.json" text 10; then
      # "مكتبة" (library) on the Arabic keyboard: ة is behind the accents key.
      for key in key.م key.ك key.ت key.ب key.accents key.ة; do
        for _ in $(seq 30); do grep -q "\"$key\"" "$dir/hits.json" && break; sleep 0.1; done
        read -r x y < <(centre_of "$dir/hits.json" "$key")
        tap "$win" "$x" "$y"
        sleep 0.15
      done
      sleep 0.3
      shoot "$shots-text-ar.png" || failures=$((failures + 1))
      read -r x y < <(centre_of "$dir/hits.json" done)
      tap "$win" "$x" "$y"
      wait_for_screen "$dir/hits.json" thanks 10 || failures=$((failures + 1))
    else
      failures=$((failures + 1))
    fi
  else
    failures=$((failures + 1))
  fi
  kill -TERM $kpid
  wait $kpid || { echo "$size: the kiosk exited with $? on SIGTERM"; failures=$((failures + 1)); }
  kpid=""
  kill $XVFB_PID; wait $XVFB_PID 2>/dev/null || true
  stored=$(sqlite3 "$dir/kiosk.db" "SELECT language || ':' || question_id || '=' || score FROM answers WHERE score IS NOT NULL" 2>/dev/null || true)
  [ "$stored" = "ar:library=7" ] || { echo "$size: stored '$stored', expected ar:library=7"; failures=$((failures + 1)); }
  # Byte for byte, in the order typed: the UTF-8 of م ك ت ب ة.
  note=$(sqlite3 "$dir/kiosk.db" "SELECT hex(text) FROM answers WHERE text <> ''" 2>/dev/null || true)
  [ "$note" = "D985D983D8AAD8A8D8A9" ] || { echo "$size: stored the note as '$note', expected D985D983D8AAD8A8D8A9 (مكتبة)"; failures=$((failures + 1)); }
  glyphs=$(sed -n 's/.*shaped text: \([0-9]*\) glyphs.*/\1/p' "$dir/kiosk.log" | tail -1)
  if [ -z "$glyphs" ] || [ "$glyphs" -lt 20 ]; then
    echo "$size: the kiosk's glyph atlas holds '${glyphs}' glyphs after an Arabic visit (at least 20)"; failures=$((failures + 1))
  else
    echo "$size: ok ($(grep -o 'shaped text: .*' "$dir/kiosk.log" | tail -1))"
  fi
done

echo "screenshots in $out/screens/shaped-*"
[ $failures -eq 0 ] || { echo "$failures failures"; exit 1; }
