#!/usr/bin/env bash
# Read aloud in a real window under Xvfb, with the real espeak-ng. The kiosk
# keeps what it would play as WAV files paced like a sound card
# (--speech-wav-dir), and sox measures them against espeak-ng's own command
# speaking the same words:
#   1. On the scale screen, Read aloud speaks the question and the scale's
#      ends: as long as espeak-ng's own rendering (within 10%), sound and
#      not silence, at the config's volume (speech_volume 50: half the level).
#   2. A second tap on Read aloud stops it.
#   3. Read again and a score chosen: the speech stops when the screen
#      changes. The text screen then reads its own question.
#   4. A visit in Arabic reads Arabic.
#   5. With speech_volume 0 there is no Read aloud button.
# Usage: kiosk_speech_test.sh KIOSK_BINARY SOURCE_DIR OUT_DIR
set -euo pipefail
kiosk="$1"; src="$(cd "$2" && pwd)"; out="$3"
. "$src/tests/integration/lib.sh"
for tool in Xvfb xdotool sox soxi espeak-ng; do
  command -v "$tool" >/dev/null || { echo "SKIPPED: $tool is not installed"; exit 77; }
done
work="$out/speech-test"
rm -rf "$work"; mkdir -p "$work" "$out/screens"
trap 'kill ${kpid:-} 2>/dev/null || true; kill ${XVFB_PID:-} 2>/dev/null || true' EXIT
failures=0
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }

# config FILE VOLUME: the example config with the demo set, no greeting turns, no time-outs while tested.
config() {
  python3 - "$src" "$1" "$2" <<'PY'
import json, sys
src, path, volume = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = json.load(open(src + "/config/kiosk.example.json"))
c["question_set"] = src + "/config/questions/library-demo.json"
c["greeting_every_s"] = 60
c["idle_timeout_s"] = 600
c["speech_volume"] = volume
json.dump(c, open(path, "w"), indent=2)
PY
}

# press ID: taps a target of the screen drawn last.
press() {
  wait_for_hit "$hits" "$1" 30 || return 1
  local xy; xy=$(centre_of "$hits" "$1")
  # shellcheck disable=SC2086
  tap "$win" $xy
}

# wait_log TEXT COUNT: until the kiosk's log holds TEXT COUNT times.
wait_log() {
  local deadline=$((SECONDS + 60))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(grep -c -- "$1" "$log" || true)" -ge "$2" ] && return 0
    sleep 0.1
  done
  echo "the kiosk's log did not say \"$1\" $2 times in 60 s"; tail -5 "$log"
  return 1
}

seconds_of() { soxi -D "$1"; }
# sound_of FILE: seconds from the first sound to the last, silence at both ends left out
# (espeak-ng's command ends its files with a pause the kiosk does not play).
sound_of() {
  sox "$1" "$work/trimmed.wav" silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse
  soxi -D "$work/trimmed.wav"
}
rms_of() { sox "$1" -n stat 2>&1 | awk '/RMS +amplitude/ { print $3 }'; }
# reference N: espeak-ng's own WAV of utterance N's words in its language.
reference() {
  local lang; lang=$(head -1 "$speech/speech-$1.txt")
  tail -n +2 "$speech/speech-$1.txt" > "$work/words-$1.txt"
  espeak-ng -v "$lang" -w "$work/reference-$1.wav" -f "$work/words-$1.txt"
  echo "$work/reference-$1.wav"
}
# wait_heard N SECONDS: until utterance N's file holds that much sound.
wait_heard() {
  local file="$speech/speech-$1.wav" deadline=$((SECONDS + 60))
  while [ $SECONDS -lt $deadline ]; do
    if [ -f "$file" ] && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)" "$(soxi -D "$file" 2>/dev/null || echo 0)" "$2"; then
      return 0
    fi
    sleep 0.05
  done
  echo "utterance $1 never held ${2}s of sound"; return 1
}
ratio() { python3 -c "import sys; print('%.3f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }
between() { python3 -c "import sys; sys.exit(0 if float(sys.argv[2]) <= float(sys.argv[1]) <= float(sys.argv[3]) else 1)" "$1" "$2" "$3"; }

start_xvfb 800x480x24
dir="$work/spoken"; mkdir -p "$dir"; hits="$dir/hits.json"; log="$dir/kiosk.log"; speech="$dir/speech"
config "$dir/kiosk.json" 50
"$kiosk" --config "$dir/kiosk.json" --db "$dir/kiosk.db" --hits-file "$hits" --speech-wav-dir "$speech" >"$log" 2>&1 &
kpid=$!
wait_for_screen "$hits" attract 30 || { cat "$log"; exit 1; }
win=$(xdotool search --sync --name '^Tenpoint$' | head -1)
tap "$win" 400 300  # away from the targets: a visit starts
wait_for_screen "$hits" scale 30

# 1. The whole of the scale screen, as long as espeak-ng's own and at half its level.
press read_aloud
wait_log "read aloud: silent" 1
import -window root "$out/screens/speech-800x480-scale.png"
ref=$(reference 1)
heard=$(seconds_of "$speech/speech-1.wav"); whole=$(sound_of "$ref"); heard_sound=$(sound_of "$speech/speech-1.wav")
echo "scale screen: $heard_sound s of sound, espeak-ng's own $whole s; words: $(tr '\n' ' ' < "$work/words-1.txt")"
between "$(ratio "$heard_sound" "$whole")" 0.9 1.1 || fail "the scale screen held $heard_sound s of sound, espeak-ng's own rendering $whole s"
grep -q "Not at all" "$speech/speech-1.txt" || fail "the scale's low end was not read: $(cat "$speech/speech-1.txt")"
level=$(ratio "$(rms_of "$speech/speech-1.wav")" "$(rms_of "$ref")")
echo "level against espeak-ng's own: $level (speech_volume 50)"
between "$level" 0.4 0.6 || fail "at speech_volume 50 the level was $level of espeak-ng's own"

# stopped_short N WHAT LOG_LINE: utterance N stopped (the log says so) short
# of the whole scale screen by a margin no slower machine would eat up (the
# whole is several seconds), and no sound follows.
stopped_short() {
  wait_log "$3" 1
  sleep 0.5
  local cut; cut=$(seconds_of "$speech/speech-$1.wav")
  echo "$2: $cut s of $heard s"
  between "$(ratio "$cut" "$heard")" 0 0.9 || fail "$2: $cut s of $heard s were heard"
  sleep 0.5
  [ "$(seconds_of "$speech/speech-$1.wav")" = "$cut" ] || fail "$2: sound went on afterwards"
}

# 2. Read again and tapped a second time: it stops there.
press read_aloud
wait_heard 2 0.3
press read_aloud
stopped_short 2 "stopped by a second tap" "read aloud: stopped by a second tap"

# 3. Read again, then a score: the screen changes and the speech stops.
press read_aloud
wait_heard 3 0.3
press scale.7
wait_for_screen "$hits" text 30
stopped_short 3 "cut by the next screen" "read aloud: stopped, the screen changed"

# The text screen reads its own question, whole.
silent=$(grep -c "read aloud: silent" "$log")
press read_aloud
wait_log "read aloud: silent" $((silent + 1))
text=$(sound_of "$speech/speech-4.wav"); text_ref=$(sound_of "$(reference 4)")
echo "text screen: $text s, espeak-ng's own $text_ref s; words: $(tr '\n' ' ' < "$work/words-4.txt")"
between "$(ratio "$text" "$text_ref")" 0.9 1.1 || fail "the text screen was $text s long, espeak-ng's own rendering $text_ref s"
grep -q "What makes it a 7" "$speech/speech-4.txt" || fail "the text screen read $(cat "$speech/speech-4.txt")"
import -window root "$out/screens/speech-800x480-text.png"

# 4. A visit in Arabic reads Arabic. Back to the attract screen first.
press back; wait_for_screen "$hits" scale 30
press back; wait_for_screen "$hits" attract 30
press lang.ar
tap "$win" 400 300
wait_for_screen "$hits" scale 30
silent=$(grep -c "read aloud: silent" "$log")
press read_aloud
wait_log "read aloud: silent" $((silent + 1))
n=$(ls "$speech"/speech-*.wav | wc -l)
head -1 "$speech/speech-$n.txt" | grep -qx ar || fail "the Arabic visit was read in $(head -1 "$speech/speech-$n.txt")"
arabic=$(sound_of "$speech/speech-$n.wav"); arabic_ref=$(sound_of "$(reference "$n")")
echo "Arabic scale screen: $arabic s, espeak-ng's own $arabic_ref s"
between "$(ratio "$arabic" "$arabic_ref")" 0.9 1.1 || fail "Arabic: $arabic s against espeak-ng's own $arabic_ref s"
import -window root "$out/screens/speech-800x480-ar-scale.png"
kill -TERM $kpid; wait $kpid || fail "the kiosk exited with $? on SIGTERM"; kpid=""

# 5. speech_volume 0: no button.
dir="$work/silent"; mkdir -p "$dir"; hits="$dir/hits.json"; log="$dir/kiosk.log"
config "$dir/kiosk.json" 0
"$kiosk" --config "$dir/kiosk.json" --db "$dir/kiosk.db" --hits-file "$hits" --speech-wav-dir "$dir/speech" >"$log" 2>&1 &
kpid=$!
wait_for_screen "$hits" attract 30 || { cat "$log"; exit 1; }
win=$(xdotool search --sync --name '^Tenpoint$' | head -1)
tap "$win" 400 300
wait_for_screen "$hits" scale 30
wait_for_hit "$hits" large_text 30
grep -q '"read_aloud"' "$hits" && fail "speech_volume 0 still shows Read aloud"
grep -q "read aloud is off (speech_volume is 0)" "$log" || fail "the log does not say why Read aloud is off"
kill -TERM $kpid; wait $kpid || true; kpid=""

[ $failures -eq 0 ] || { echo "$failures failures"; exit 1; }
echo "ok: read aloud measured against espeak-ng's own, stopped by a screen change and by a second tap"
