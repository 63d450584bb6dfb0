#!/usr/bin/env bash
# The kiosk as a process under Xvfb: start to first frame (empty database and
# one with 1 million answers, same run), idle CPU on the attract screen over
# 30 s, and resident memory.
set -euo pipefail
kiosk="$1"; cli="$2"; src="$3"; dir="$4"; idle_s="${5:-30}"
. "$src/tests/integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir/empty" "$dir/million"
start_xvfb 1280x800x24
trap 'kill $XVFB_PID 2>/dev/null || true' EXIT

"$cli" simulate --db "$dir/million/kiosk.db" --answers 1000000 --seed 1 >/dev/null
"$kiosk" --config "$src/config/kiosk.example.json" --db "$dir/empty/kiosk.db" --windowed 1280x800 --exit-after-frames 1 2>/dev/null

start_ms() {  # CONFIG DB: median of 7 starts to the first frame, in ms
  local config="$1" db="$2" times=()
  for _ in 1 2 3 4 5 6 7; do
    local t0 t1
    t0=$(date +%s%N)
    "$kiosk" --config "$config" --db "$db" --windowed 1280x800 --exit-after-frames 1 2>/dev/null
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 4p
}
example="$src/config/kiosk.example.json"
# Interleave the two so that machine noise falls on both.
e1=$(start_ms "$example" "$dir/empty/kiosk.db"); m1=$(start_ms "$example" "$dir/million/kiosk.db")
e2=$(start_ms "$example" "$dir/empty/kiosk.db"); m2=$(start_ms "$example" "$dir/million/kiosk.db")
empty=$(( (e1 + e2) / 2 )); million=$(( (m1 + m2) / 2 ))
echo "kiosk start to first frame (median of 14 runs each, 1280x800, llvmpipe)"
echo "  empty database:      ${empty} ms"
echo "  1,000,000 answers:   ${million} ms"
awk -v a="$million" -v b="$empty" 'BEGIN { printf "  ratio:               %.2fx   (target: within 1.2x)\n", a / b }'

# The demo set in its six languages (English, Welsh, Polish, Ukrainian,
# Arabic, Bengali) against the same set in English only.
mkdir -p "$dir/english"
python3 - "$example" "$dir/english" <<'PY'
import json, os, sys
example, out = sys.argv[1], sys.argv[2]
config = json.load(open(example))
path = os.path.abspath(os.path.join(os.path.dirname(example), config["question_set"]))
qs = json.load(open(path))
qs["languages"] = [l for l in qs["languages"] if l["code"] == "en"]
def keep_english(v):
    if isinstance(v, dict):
        if "en" in v and all(isinstance(x, str) for x in v.values()) and all(len(k) <= 3 for k in v):
            return {"en": v["en"]}
        return {k: keep_english(x) for k, x in v.items()}
    if isinstance(v, list):
        return [keep_english(x) for x in v]
    return v
qs = keep_english(qs)
json.dump(qs, open(out + "/english.json", "w"), ensure_ascii=False, indent=1)
config["question_set"] = out + "/english.json"
json.dump(config, open(out + "/kiosk.json", "w"))
PY
"$cli" questions validate "$dir/english/english.json" >/dev/null
s1=$(start_ms "$example" "$dir/empty/kiosk.db"); n1=$(start_ms "$dir/english/kiosk.json" "$dir/english/kiosk.db")
s2=$(start_ms "$example" "$dir/empty/kiosk.db"); n2=$(start_ms "$dir/english/kiosk.json" "$dir/english/kiosk.db")
six=$(( (s1 + s2) / 2 )); english=$(( (n1 + n2) / 2 ))
echo "kiosk start to first frame with six languages against English only (median of 14 runs each)"
echo "  English only:        ${english} ms"
echo "  six languages:       ${six} ms"
awk -v a="$six" -v b="$english" 'BEGIN { printf "  ratio:               %.2fx   (target: within 1.2x)\n", a / b }'

# Idle: the attract screen only changes its greeting every few seconds;
# with a read-back card it also takes turns with the card (a frame at each
# turn). The same kiosk without and with a signed card file, one after the other.
openssl genpkey -algorithm ed25519 -out "$dir/cards.pem" 2>/dev/null
python3 - "$src/config/kiosk.example.json" "$dir/cards/kiosk.json" "$(readback_public_key "$dir/cards.pem")" "$dir/cards/doc.json" <<'PY'
import datetime, json, os, sys
example, config, key, doc = sys.argv[1:]
os.makedirs(os.path.dirname(config), exist_ok=True)
c = json.load(open(example))
c["trusted_set_key"] = key
c["question_set"] = os.path.abspath(os.path.join(os.path.dirname(example), c["question_set"]))
json.dump(c, open(config, "w"))
today = datetime.date.today()
last_month = today.replace(day=1) - datetime.timedelta(days=1)
json.dump({"format": "tenpoint-readback/1", "venue": "Central Library", "count": {"month": last_month.strftime("%Y-%m"), "people": 143},
           "cards": [{"id": "1", "language": "en", "from": today.isoformat(), "until": (today + datetime.timedelta(days=1)).isoformat(),
                      "texts": {"en": {"said": ["More seats near the window, please."], "we": "did",
                                       "answer": "We moved six armchairs to the window side."}}}]}, open(doc, "w"))
PY
sign_readback "$dir/cards.pem" 1 "$dir/cards/doc.json" "$dir/cards/readback.tpcards"

idle_cpu() {  # CONFIG DB LOG: prints "CPU_SECONDS WALL_SECONDS RSS_KB HWM_KB"
  "$kiosk" --config "$1" --db "$2" --windowed 1280x800 2>"$3" &
  local pid=$! ticks u0 s0 u1 s1 t0 t1 rss hwm
  sleep 5
  ticks=$(getconf CLK_TCK)
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  t0=$(date +%s%N)
  sleep "$idle_s"
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  t1=$(date +%s%N)
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill -TERM $pid; wait $pid || true
  awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$ticks" -v ns=$((t1 - t0)) -v r="$rss" -v h="$hwm" \
    'BEGIN { printf "%.2f %.1f %d %d\n", (u + s) / hz, ns / 1e9, r, h }'
}
read -r cpu wall rss hwm < <(idle_cpu "$src/config/kiosk.example.json" "$dir/empty/kiosk.db" "$dir/idle.log")
read -r card_cpu card_wall _ _ < <(idle_cpu "$dir/cards/kiosk.json" "$dir/cards/kiosk.db" "$dir/idle-cards.log")
echo "idle on the attract screen for $idle_s s"
awk -v c="$cpu" -v w="$wall" 'BEGIN { printf "  CPU: %.2f s of %.1f s = %.2f%% of one core   (target: under 1%%)\n", c, w, 100 * c / w }'
grep -o "drew [0-9]* frames.*" "$dir/idle.log" | sed 's/^/  /' || true
awk -v c="$card_cpu" -v w="$card_wall" -v base="$cpu" 'BEGIN {
  printf "  with a read-back card in turn: CPU %.2f s of %.1f s = %.2f%% of one core (%.1fx without; target: under 1%%)\n", c, w, 100 * c / w, (base > 0 ? c / base : 0) }'
grep -o "drew [0-9]* frames.*" "$dir/idle-cards.log" | sed 's/^/  with the card: /' || true
grep -q "read-back cards showing today: 1" "$dir/idle-cards.log" || echo "  (the card did not show: see $dir/idle-cards.log)"
echo "resident memory on the attract screen (six languages): $((rss / 1024)) MB now, $((hwm / 1024)) MB peak (llvmpipe included)"
read -r en_cpu _ en_rss en_hwm < <(idle_cpu "$dir/english/kiosk.json" "$dir/english/kiosk.db" "$dir/idle-english.log")
echo "  English only: $((en_rss / 1024)) MB now, $((en_hwm / 1024)) MB peak"
echo "font atlases (six languages, then English only):"
for log in "$dir/idle.log" "$dir/idle-english.log"; do
  echo "  $(grep -o "font atlas [0-9x]*" "$log" | tail -1); $(grep -o "shaped text: .*" "$log" | tail -1)"
done
