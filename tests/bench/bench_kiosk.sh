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

start_ms() {  # median of 7 starts to the first frame, in ms
  local db="$1" times=()
  for _ in 1 2 3 4 5 6 7; do
    local t0 t1
    t0=$(date +%s%N)
    "$kiosk" --config "$src/config/kiosk.example.json" --db "$db" --windowed 1280x800 --exit-after-frames 1 2>/dev/null
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 4p
}
# Interleave the two so that machine noise falls on both.
e1=$(start_ms "$dir/empty/kiosk.db"); m1=$(start_ms "$dir/million/kiosk.db")
e2=$(start_ms "$dir/empty/kiosk.db"); m2=$(start_ms "$dir/million/kiosk.db")
empty=$(( (e1 + e2) / 2 )); million=$(( (m1 + m2) / 2 ))
echo "kiosk start to first frame (median of 14 runs each, 1280x800, llvmpipe)"
echo "  empty database:      ${empty} ms"
echo "  1,000,000 answers:   ${million} ms"
awk -v a="$million" -v b="$empty" 'BEGIN { printf "  ratio:               %.2fx   (target: within 1.2x)\n", a / b }'

# Idle: the attract screen only changes its greeting every few seconds.
"$kiosk" --config "$src/config/kiosk.example.json" --db "$dir/empty/kiosk.db" --windowed 1280x800 2>"$dir/idle.log" &
pid=$!
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
awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$ticks" -v ns=$((t1 - t0)) -v secs="$idle_s" 'BEGIN {
  cpu = (u + s) / hz; wall = ns / 1e9
  printf "idle on the attract screen for %d s\n", secs
  printf "  CPU: %.2f s of %.1f s = %.2f%% of one core   (target: under 1%%)\n", cpu, wall, 100 * cpu / wall }'
grep -o "drew [0-9]* frames.*" "$dir/idle.log" | sed 's/^/  /' || true
echo "resident memory on the attract screen: $((rss / 1024)) MB now, $((hwm / 1024)) MB peak (llvmpipe included)"
