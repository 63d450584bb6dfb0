#!/usr/bin/env bash
# Read-back cards in a real window under Xvfb, at 800x480 and 1080x1920,
# with the six-language demo set: a card file signed here with OpenSSL's
# Ed25519 (an implementation apart from the kiosk's libsodium) is shown on
# the attract screen in its turn, in English, Arabic (shaped, right to left)
# and Bengali, its long quote shortened; the card holds ink where its words
# are. Then, at 800x480, an older signed file put in its place is refused
# and the accepted copy stays, and a newer file without cards takes the
# card off the screen. Screenshots go to OUT/screens/readback-*.
# Usage: kiosk_readback_test.sh KIOSK_BINARY SOURCE_DIR OUT_DIR
set -euo pipefail
kiosk="$1"; src="$(cd "$2" && pwd)"; out="$3"
. "$src/tests/integration/lib.sh"
for tool in openssl xdotool import convert; do
  command -v "$tool" >/dev/null || { echo "SKIPPED: $tool is not installed"; exit 77; }
done
work="$out/readback-test"
rm -rf "$work"; mkdir -p "$work" "$out/screens"
trap 'kill ${XVFB_PID:-} 2>/dev/null || true; [ -n "${kpid:-}" ] && kill $kpid 2>/dev/null || true' EXIT
readonly kLeastInkPixels=400  # inside the card: a quote and an answer in glyphs, not an empty box

openssl genpkey -algorithm ed25519 -out "$work/key.pem" 2>/dev/null
public_key=$(readback_public_key "$work/key.pem")

# sign_cards SERIAL OUT_FILE [cards|old|empty]: the venue's document, then the signed file.
sign_cards() {
  local serial="$1" file="$2" kind="${3:-cards}"
  python3 - "$work/doc.json" "$kind" <<'PY'
import datetime, json, sys
path, kind = sys.argv[1], sys.argv[2]
today = datetime.date.today()
doc = {"format": "tenpoint-readback/1", "venue": "Central Library", "cards": []}
if kind == "cards":
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    doc["count"] = {"month": last_month.strftime("%Y-%m"), "people": 143}
    doc["cards"].append({"id": "7", "language": "en", "from": (today - datetime.timedelta(days=1)).isoformat(),
                         "until": (today + datetime.timedelta(days=30)).isoformat(), "texts": {
        "en": {"said": ["The children's corner is the best thing here, my two come every Saturday and they love the story hour, "
                        "the staff are patient and kind, and the new beanbags are always full, but the heating in winter is not "
                        "enough and the windows let the cold in, so we wear our coats while we read, which is a shame because "
                        "everything else about this place is lovely. Please think about opening on Sunday mornings too."],
               "we": "did", "answer": "We added two radiators and sealed the windows in the reading room before the first frost."},
        "ar": {"said": ["ركن الأطفال هو أفضل شيء هنا، يأتي طفلاي كل يوم سبت ويحبان ساعة القصص، لكن التدفئة في الشتاء لا تكفي."],
               "we": "did", "answer": "أضفنا مدفأتين وأغلقنا النوافذ في قاعة القراءة قبل أول صقيع."},
        "bn": {"said": ["শিশুদের কোণটা এখানে সবচেয়ে ভালো, কিন্তু শীতে ঘর যথেষ্ট গরম থাকে না।"],
               "we": "did", "answer": "প্রথম তুষারপাতের আগে আমরা পড়ার ঘরে দুটি হিটার বসিয়েছি।"}}})
elif kind == "old":
    doc["cards"].append({"id": "3", "language": "en", "from": today.isoformat(), "until": today.isoformat(),
                         "texts": {"en": {"said": ["An older card that must not come back."]}}})
json.dump(doc, open(path, "w"), ensure_ascii=False)
PY
  sign_readback "$work/key.pem" "$serial" "$work/doc.json" "$file"
}

# ink_in PNG HITS ID: dark pixels inside target ID, its border left out.
ink_in() {
  local rect
  rect=$(python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))['hits'][sys.argv[2]]
inset = 8
print('%dx%d+%d+%d' % (r[2] - r[0] - 2 * inset, r[3] - r[1] - 2 * inset, r[0] + inset, r[1] + inset))" "$2" "$3")
  convert "$1" -crop "$rect" +repage -colorspace Gray -threshold 45% -negate -format '%[fx:round(mean*w*h)]' info:
}

# shoot_card HITS PNG: a screenshot taken while the card's turn lasts (the
# hits file is the same before and after it), tried over three turns; the
# targets it shows are kept beside it as PNG.hits.json.
shoot_card() {
  local hits="$1" png="$2" before
  for _ in 1 2 3; do
    wait_for_hit "$hits" readback.card 40 || return 1
    sleep 0.4
    before=$(cat "$hits")
    shoot "$png" || return 1
    if [ "$(cat "$hits")" = "$before" ] && grep -q '"readback.card"' <<<"$before"; then
      printf '%s' "$before" >"$png.hits.json"  # where the card was when the picture was taken
      return 0
    fi
    sleep 1
  done
  echo "the card's turn never lasted a screenshot"
  return 1
}

failures=0
fail() { echo "$1"; failures=$((failures + 1)); }
for size in 800x480 1080x1920; do
  dir="$work/$size"; mkdir -p "$dir"
  python3 - "$src" "$dir/kiosk.json" "$public_key" <<'PY'
import json, sys
src, path, key = sys.argv[1], sys.argv[2], sys.argv[3]
c = json.load(open(src + "/config/kiosk.example.json"))
c["question_set"] = src + "/config/questions/library-demo.json"
c["greeting_every_s"] = 60
c["trusted_set_key"] = key
json.dump(c, open(path, "w"), indent=2)
PY
  sign_cards 5 "$dir/readback.tpcards"
  start_xvfb "${size}x24"
  "$kiosk" --config "$dir/kiosk.json" --db "$dir/kiosk.db" --hits-file "$dir/hits.json" >"$dir/kiosk.log" 2>&1 &
  kpid=$!
  if ! wait_for_screen "$dir/hits.json" attract 30; then
    cat "$dir/kiosk.log"; failures=$((failures + 1)); kill $kpid 2>/dev/null || true; kpid=""; kill $XVFB_PID; continue
  fi
  win=$(xdotool search --sync --name '^Tenpoint$' | head -1)
  shots="$out/screens/readback-$size"
  for lang in en ar bn; do
    if [ "$lang" != en ]; then
      read -r x y < <(centre_of "$dir/hits.json" "lang.$lang")
      tap "$win" "$x" "$y"
      sleep 0.5
    fi
    if shoot_card "$dir/hits.json" "$shots-$lang.png"; then
      ink=$(ink_in "$shots-$lang.png" "$shots-$lang.png.hits.json" readback.card)
      echo "$size $lang: the card holds $ink pixels of ink"
      [ "$ink" -ge $kLeastInkPixels ] || fail "$size $lang: the card holds $ink dark pixels (at least $kLeastInkPixels)"
    else
      fail "$size $lang: the card did not show"
    fi
  done
  grep -q "read-back cards: 1 (serial 5)" "$dir/kiosk.log" || fail "$size: the kiosk did not take the card file"
  cmp -s "$dir/readback.tpcards" "$dir/readback.accepted.tpcards" || fail "$size: no accepted copy of the card file"

  if [ "$size" = 800x480 ]; then
    # An older signed file in its place: refused, the copy of serial 5 stays.
    sign_cards 3 "$dir/readback.tpcards" old
    for _ in $(seq 150); do grep -q "refusing the read-back cards" "$dir/kiosk.log" && break; sleep 0.1; done
    grep -q "refusing the read-back cards .*(not_newer)" "$dir/kiosk.log" || fail "an older card file was not refused"
    grep -q '"serial": 5' "$dir/readback.accepted.tpcards" || fail "the accepted copy is no longer serial 5"
    # A newer file with no cards (all withdrawn): the card leaves the screen.
    sign_cards 6 "$dir/readback.tpcards" empty
    for _ in $(seq 150); do grep -q "read-back cards: 0 (serial 6)" "$dir/kiosk.log" && break; sleep 0.1; done
    grep -q "read-back cards: 0 (serial 6)" "$dir/kiosk.log" || fail "the newer file without cards was not taken"
    grep -q "read-back cards showing today: 0" "$dir/kiosk.log" || fail "the withdrawn card is still counted as showing"
  fi
  kill $kpid; wait $kpid 2>/dev/null || true; kpid=""
  kill $XVFB_PID; wait $XVFB_PID 2>/dev/null || true
done
if [ $failures -ne 0 ]; then
  echo "read-back cards under Xvfb: $failures failures"
  exit 1
fi
echo "read-back cards under Xvfb: shown in English, Arabic and Bengali at 800x480 and 1080x1920, older file refused, withdrawal taken"
