#!/usr/bin/env bash
# A screenshot tour of every resident screen, in every language of the demo
# question set (config/kiosk.example.json's set), at 800x480 (landscape) and
# 1080x1920 (portrait), each size under its own Xvfb. For each language: the
# language chosen on the attract screen, then one whole visit with a score of
# 7 (the scale, each text follow-up with its keyboard, the choice question,
# each left with Skip) and the thanks screen, tapped through back to attract.
# On every screen: the hits file names the screen expected and the targets it
# must have; every target lies inside the display, is large enough to touch
# (48 px wide and 44 px high, a keyboard key 48 px both ways, as
# tests/ui/test_screens.cpp and the keyboard tests ask) and is at least 8 px
# from every other one (none overlapping); the screenshot holds both dark and
# light pixels (drawn, not blank). Then the same tour with Larger text
# switched on from the attract screen, in English, Arabic and Bengali.
# Screenshots go to OUT/screens/tour-<size>[-large-text]-<lang>-<nn>-<screen>.png.
# Usage: kiosk_tour_test.sh KIOSK_BINARY SOURCE_DIR OUT_DIR
set -euo pipefail
kiosk="$1"; src="$(cd "$2" && pwd)"; out="$3"
. "$src/tests/integration/lib.sh"
for tool in Xvfb xdotool import convert; do
  command -v "$tool" >/dev/null || { echo "SKIPPED: $tool is not installed"; exit 77; }
done
work="$out/tour-test"
rm -rf "$work"; mkdir -p "$work" "$out/screens"
rm -f "$out"/screens/tour-*.png
# The interpreter itself, not a version manager's wrapper round it: it runs
# several times on every screen.
py=$(python3 -c 'import sys; print(sys.executable)')
trap 'kill ${kpid:-} 2>/dev/null || true; kill ${XVFB_PID:-} 2>/dev/null || true' EXIT

readonly kSizes="800x480 1080x1920"
# Each variant is a whole tour, on a kiosk of its own; see enter_variant.
readonly kVariants="standard large-text"
# Large text is toured in one language of each script direction and shaping
# (tests/ui/test_screens.cpp checks every language in it without a window).
readonly kLargeTextLanguages="en ar bn"
readonly kScore=7        # a middle score: the longest path through the demo set
readonly kWait=30        # seconds any one step may take before it counts as failed
readonly kLeastPixels=200  # of dark and of light pixels in a screenshot that is not blank

# The demo set: the one config/kiosk.example.json names.
set_file=$("$py" -S -c "
import json, os, sys
c = json.load(open(sys.argv[1]))
print(os.path.normpath(os.path.join(os.path.dirname(sys.argv[1]), c['question_set'])))" "$src/config/kiosk.example.json")

# The set's languages, its default one, and the screens a visit with kScore
# passes through, one a line: SCREEN QUESTION_ID TARGETS_IT_MUST_HAVE (comma-separated).
languages=$("$py" -S -c "import json,sys; print(' '.join(l['code'] for l in json.load(open(sys.argv[1]))['languages']))" "$set_file")
default_language=$("$py" -S -c "import json,sys; print(json.load(open(sys.argv[1]))['default_language'])" "$set_file")
path=$("$py" -S - "$set_file" "$kScore" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
score = int(sys.argv[2])
questions = {q["id"]: q for q in s["questions"]}
print("attract - " + ",".join("lang." + l["code"] for l in s["languages"]))
q = questions[s["start"]]
while q is not None:
    kind = q["type"]
    if kind == "scale":
        need = ["scale.%d" % n for n in range(q["min"], q["max"] + 1)] + ["back"]
    elif kind == "text":
        need = ["done", "skip", "back", "key.space", "key.backspace"]
    else:
        need = ["option." + o["id"] for o in q["options"]] + ["skip", "back"]
    print(kind, q["id"], ",".join(need))
    go = "end"
    for rule in q.get("next", []):
        lo, hi = rule.get("when_score", [score, score])
        if lo <= score <= hi:
            go = rule["go"]
            break
    q = None if go == "end" else questions[go]
print("thanks - -")
PY
)

failures=0
# fail MESSAGE: one failure, said plainly.
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# enter_variant VARIANT: switches the kiosk, on the attract screen before a
# visit's language is chosen, into the variant's mode, and returns once the
# attract screen shows it. It runs before every visit of the tour, as a visit
# ends with the kiosk back in its defaults (as the language is).
enter_variant() {
  case "$1" in
    standard) ;;  # the kiosk as it starts
    # Larger text for this visit, switched on from the attract screen.
    large-text) press large_text && settle changed >/dev/null ;;
    *) echo "no such variant: $1" >&2; return 1 ;;
  esac
}

# A digest of a screen capture (raw RGB, $width wide) with a rectangle left
# out: a tapped target and a margin round it for its pressed look and shadow.
readonly kMaskedHash='
def masked_hash(path, w, x0, y0, x1, y1):
    import hashlib
    data = bytearray(open(path, "rb").read())
    h = len(data) // (3 * w)
    margin = 8
    x0, x1 = max(0, int(x0) - margin), min(w, int(x1) + margin + 1)
    y0, y1 = max(0, int(y0) - margin), min(h, int(y1) + margin + 1)
    blank = bytes(3 * (x1 - x0))
    for y in range(y0, y1):
        data[3 * (y * w + x0):3 * (y * w + x1)] = blank
    return hashlib.md5(data).hexdigest()
'

# press [ID]: taps target ID of the screen drawn last, or with no ID a spot on
# no target and away from the staff corner (a tap that starts a visit or ends
# the thanks screen: the middle of the lower half when it is free, else the
# first free point of a grid). Notes first how the screen looks away from the
# spot tapped (before_hash, before_rect), for settle to see the tap's effect.
press() {
  local plan x y x0 y0 x1 y1
  plan=$("$py" -S - "$hits" "$work/last.rgb" "$width" "$height" "${1:-}" <<PY
import json, sys
$kMaskedHash
hits = json.load(open(sys.argv[1]))["hits"]
raw, w, h, target = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
if target:
    if target not in hits:
        sys.exit("no target %s on the screen" % target)
    r = hits[target]
    x, y = int((r[0] + r[2]) / 2), int((r[1] + r[3]) / 2)
else:
    def free(x, y):
        return all(not (r[0] - 12 <= x <= r[2] + 12 and r[1] - 12 <= y <= r[3] + 12) for r in hits.values())
    points = [(w // 2, h * 3 // 4)] + [(w * i // 8, h * j // 8) for j in range(7, 0, -1) for i in range(1, 8)]
    x, y = next(((x, y) for x, y in points if free(x, y)), points[0])
    r = [x, y, x, y]
print(x, y, masked_hash(raw, w, *r), *r)
PY
  ) || return 1
  read -r x y before_hash x0 y0 x1 y1 <<<"$plan"
  before_rect=("$x0" "$y0" "$x1" "$y1")
  before_full=$last_full
  tap "$win" "$x" "$y"
}

# settle [same|changed]: waits until the picture stops changing (two
# captures in a row alike) and, with "same", is the picture before the last
# press again (a tap on what was already chosen, let go), or, with
# "changed", differs from it away from the spot tapped (the tap has had its
# effect). Keeps its pixels in $work/last.rgb and their digest in last_full.
settle() {
  local mode="${1:-}" deadline=$((SECONDS + kWait)) previous="" now settled=""
  while [ $SECONDS -lt $deadline ]; do
    import -silent -window root -depth 8 "rgb:$work/now.rgb"
    now=$(md5sum <"$work/now.rgb")
    now=${now%% *}
    if [ "$now" = "$previous" ]; then
      case "$mode" in
        same) [ "$now" = "$before_full" ] && { settled=yes; break; } ;;
        changed)
          "$py" -S -c "$kMaskedHash
import sys
sys.exit(masked_hash(sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:7])) == sys.argv[7])" \
            "$work/now.rgb" "$width" "${before_rect[@]}" "$before_hash" && { settled=yes; break; } ;;
        *) settled=yes; break ;;
      esac
    fi
    previous=$now
    sleep 0.1
  done
  if [ -z "$settled" ]; then
    echo "the screen did not settle${mode:+ ($mode)} within ${kWait}s"
    return 1
  fi
  mv "$work/now.rgb" "$work/last.rgb"
  last_full=$now
}

# save_shot NAME LABEL: the picture settle kept, to OUT/screens/NAME.png, and
# a count of its pixels darker than 30% and lighter than 70% in
# $dir/NAME.ink; both made in the background while the tour goes on, and
# looked at by check_ink.
save_shot() {
  local raw="$dir/$1.rgb"
  cp "$work/last.rgb" "$raw"
  convert -size "${width}x${height}" -depth 8 "rgb:$raw" -write "$out/screens/$1.png" -colorspace Gray -precision 12 \
    \( +clone -threshold 30% -negate -format '%[fx:round(mean*w*h)] ' -write info: +delete \) \
    -threshold 70% -format '%[fx:round(mean*w*h)]' info: >"$dir/$1.ink" 2>&1 &
  pending_pids+=($!)
  pending_names+=("$1")
  pending_labels+=("$2")
}

# check_ink: each screenshot saved since the last call holds both dark and
# light pixels (drawn, not blank).
check_ink() {
  local i dark light
  for i in "${!pending_pids[@]}"; do
    wait "${pending_pids[$i]}" || true
    rm -f "$dir/${pending_names[$i]}.rgb"
    read -r dark light <"$dir/${pending_names[$i]}.ink" || true
    if ! [[ "${dark:-}" =~ ^[0-9]+$ && "${light:-}" =~ ^[0-9]+$ ]]; then
      fail "${pending_labels[$i]}: unable to save the screenshot ${pending_names[$i]}.png: $(head -c 300 "$dir/${pending_names[$i]}.ink")"
    elif [ "$dark" -lt $kLeastPixels ] || [ "$light" -lt $kLeastPixels ]; then
      fail "${pending_labels[$i]}: the screenshot ${pending_names[$i]}.png looks blank ($dark dark and $light light pixels, at least $kLeastPixels of each)"
    fi
  done
  pending_pids=(); pending_names=(); pending_labels=()
}
pending_pids=(); pending_names=(); pending_labels=()

# check_hits LABEL SCREEN HITS_COPY NEEDED_IDS: the checks on one screen's targets.
check_hits() {
  local label="$1" screen="$2" copy="$3" needed="$4" problems
  problems=$("$py" -S - "$copy" "$screen" "$width" "$height" "$needed" <<'PY'
import itertools, json, sys
d = json.load(open(sys.argv[1]))
screen, w, h = sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
needed = [] if sys.argv[5] == "-" else sys.argv[5].split(",")
out = []
if d["screen"] != screen:
    out.append("the hits file names the screen %s, expected %s" % (d["screen"], screen))
if [float(v) for v in d["display"]] != [w, h]:
    out.append("the display is %gx%g, expected %gx%g" % (*d["display"], w, h))
hits = d["hits"]
for i in needed:
    if i not in hits:
        out.append("target %s is missing" % i)
for i, (x0, y0, x1, y1) in sorted(hits.items()):
    if x0 < 0 or y0 < 0 or x1 > w + 0.5 or y1 > h + 0.5:
        out.append("target %s [%g,%g,%g,%g] is not inside the %gx%g display" % (i, x0, y0, x1, y1, w, h))
    tw, th = x1 - x0, y1 - y0
    # Keys: kMinKeyPx (48) both ways; other targets 48 wide, 44 high (tests/ui).
    least_w, least_h = (47.5, 47.5) if i.startswith("key.") else (48.0, 44.0)
    if tw < least_w or th < least_h:
        out.append("target %s is %.1fx%.1f px, smaller than %gx%g" % (i, tw, th, round(least_w), round(least_h)))
for (a, p), (b, q) in itertools.combinations(sorted(hits.items()), 2):
    dx = max(q[0] - p[2], p[0] - q[2])
    dy = max(q[1] - p[3], p[1] - q[3])
    if max(dx, dy) < 0:
        out.append("targets %s and %s overlap" % (a, b))
    elif max(dx, dy) < 7.9:
        out.append("targets %s and %s are %.1f px apart (at least 8)" % (a, b, max(dx, dy)))
print("\n".join(out))
PY
  ) || problems="unable to read the hits file $copy"
  if [ -n "$problems" ]; then
    while IFS= read -r line; do fail "$label: $line"; done <<<"$problems"
  fi
}

# shot LANG NN SCREEN QUESTION MODE NEEDED: the screen reached after a press:
# waits for the hits file to name it and for the picture to settle, saves the
# screenshot and checks it.
shot() {
  local lang="$1" nn="$2" screen="$3" question="$4" mode="$5" needed="$6" name label
  name="$prefix-$lang-$(printf '%02d' "$nn")-$screen"
  label="$size $variant $lang screen $nn ($screen)"
  [ "$question" = - ] || label="$size $variant $lang screen $nn ($screen, question $question)"
  if ! wait_for_screen "$hits" "$screen" $kWait >/dev/null 2>&1; then
    fail "$label: the kiosk did not reach the $screen screen within ${kWait}s; it shows $(grep -o '"screen":"[a-z_]*"' "$hits")"
    return 1
  fi
  settle "$mode" >"$work/settle.txt" || { fail "$label: $(cat "$work/settle.txt")"; return 1; }
  cp "$hits" "$dir/$name.json"
  save_shot "$name" "$label"
  check_hits "$label" "$screen" "$dir/$name.json" "$needed"
  grep -q "\"screen\":\"$screen\"" "$dir/$name.json"
}

start_kiosk() {
  rm -f "$hits"
  # Spoken prompts into files: the Read aloud button is there without a sound card.
  "$kiosk" --config "$dir/kiosk.json" --db "$dir/kiosk.db" --hits-file "$hits" --speech-wav-dir "$dir/speech" >>"$dir/kiosk.log" 2>&1 &
  kpid=$!
  if ! wait_for_screen "$hits" attract $kWait; then
    cat "$dir/kiosk.log"
    return 1
  fi
  win=$(xdotool search --sync --name '^Tenpoint$' | head -1)
}

stop_kiosk() {
  [ -n "${kpid:-}" ] || return 0
  kill -TERM "$kpid" 2>/dev/null || true
  wait "$kpid" || fail "$size $variant: the kiosk exited with $? on SIGTERM"
  kpid=""
}

# tour_visit LANG: one visit in LANG, from the attract screen back to it.
tour_visit() {
  local lang="$1" nn=0 kind qid needed
  settle >"$work/settle.txt" || { fail "$size $variant $lang: $(cat "$work/settle.txt")"; return 1; }
  enter_variant "$variant" || { fail "$size $variant $lang: unable to enter the variant"; return 1; }
  while read -r -u 3 kind qid needed; do
    nn=$((nn + 1))
    if [ "$kind" = attract ]; then
      press "lang.$lang" || { fail "$size $variant $lang: no lang.$lang target on the attract screen"; return 1; }
      if [ "$lang" = "$default_language" ]; then
        shot "$lang" $nn attract - same "$needed" || return 1
      else
        shot "$lang" $nn attract - changed "$needed" || return 1
      fi
      # A tap away from the targets starts the visit.
      press
      continue
    fi
    shot "$lang" $nn "$kind" "$qid" changed "$needed" || return 1
    case "$kind" in
      scale) press "scale.$kScore" ;;
      text | choice) press skip ;;
      thanks) press ;;
    esac || { fail "$size $variant $lang screen $nn ($kind): unable to tap on to the next screen"; return 1; }
  done 3<<<"$path"
  # Back on the attract screen for the next visit.
  wait_for_screen "$hits" attract $kWait >/dev/null 2>&1 || { fail "$size $variant $lang: not back on the attract screen after thanks"; return 1; }
}

started=$SECONDS
for size in $kSizes; do
  width=${size%x*}; height=${size#*x}
  start_xvfb "${size}x24"
  for variant in $kVariants; do
    dir="$work/$size-$variant"; mkdir -p "$dir"
    hits="$dir/hits.json"
    prefix="tour-$size"
    [ "$variant" = standard ] || prefix="tour-$size-$variant"
    "$py" -S - "$src" "$set_file" "$dir/kiosk.json" <<'PY'
import json, sys
src, set_file, path = sys.argv[1:4]
c = json.load(open(src + "/config/kiosk.example.json"))
c["question_set"] = set_file
# No screen changes by itself while it is photographed: the greeting holds
# still, and no visit times out.
c["greeting_every_s"] = 60
c["idle_timeout_s"] = 600
c["thanks_s"] = 60
json.dump(c, open(path, "w"), indent=2)
PY
    if ! start_kiosk; then
      fail "$size $variant: the kiosk did not start"; stop_kiosk; continue
    fi
    if grep -q "shaped text is off" "$dir/kiosk.log"; then
      fail "$size $variant: $(grep "shaped text is off" "$dir/kiosk.log")"
    fi
    tongues=$languages
    [ "$variant" != large-text ] || tongues=$kLargeTextLanguages
    for lang in $tongues; do
      tour_visit "$lang" && visited=yes || visited=""
      check_ink
      if [ -z "$visited" ]; then
        # A visit left part-way: a fresh kiosk for the next language.
        stop_kiosk
        start_kiosk || { fail "$size $variant: the kiosk did not start again"; break; }
      fi
    done
    stop_kiosk
  done
  kill "$XVFB_PID" 2>/dev/null || true; wait "$XVFB_PID" 2>/dev/null || true
  XVFB_PID=""
done

shots=$(find "$out/screens" -name 'tour-*.png' | wc -l)
echo "$shots screenshots in $out/screens/tour-*.png ($((SECONDS - started)) s)"
if [ $failures -ne 0 ]; then
  echo "$failures failures"
  exit 1
fi
echo "ok: sizes $kSizes; languages $languages; variants $kVariants"
