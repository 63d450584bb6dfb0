#!/usr/bin/env bash
# When the display goes, the kiosk goes: it exits non-zero within seconds,
# so that its service restarts it with the display, rather than running on
# at 100% of a core with nothing on screen.
#   x11      the kiosk in a window under Xvfb; Xvfb is killed.
#   wayland  the kiosk under cage, as deployed (deploy/systemd), with
#            wlroots' headless backend (no GPU, no screen); cage is killed
#            with SIGKILL, so it cannot end its client itself.
# cage refuses to run as root, so as root it runs as nobody. The wayland
# case needs cage and Xwayland (cage 0.1.4 will not start without it) and
# exits 77 (skipped) without them.
# Usage: kiosk_display_lost_test.sh x11|wayland KIOSK_BINARY SOURCE_DIR OUT_DIR
set -euo pipefail
mode="$1"; kiosk="$2"; src="$3"; out="$4/display-lost-$mode"
. "$src/tests/integration/lib.sh"
rm -rf "$out"; mkdir -p "$out"
readonly kGraceSeconds=10  # the frame loop looks at least once a second

# exits_within PID SECONDS: waits for this shell's child PID to end; sets
# result to its exit code, or "running".
exits_within() {
  local pid="$1" deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then result=running; return; fi
  result=0
  wait "$pid" 2>/dev/null || result=$?
}

case "$mode" in
  x11)
    start_xvfb 1280x800x24
    trap 'kill $XVFB_PID 2>/dev/null || true; [ -n "${kpid:-}" ] && kill -9 $kpid 2>/dev/null || true' EXIT
    "$kiosk" --config "$src/config/kiosk.example.json" --db "$out/kiosk.db" --windowed 800x480 --hits-file "$out/hits.json" >"$out/kiosk.log" 2>&1 &
    kpid=$!
    wait_for_screen "$out/hits.json" attract 30 || { cat "$out/kiosk.log"; exit 1; }
    kill -9 "$XVFB_PID"
    exits_within "$kpid" $kGraceSeconds
    ;;
  wayland)
    command -v cage >/dev/null || { echo "SKIPPED: no cage"; exit 77; }
    command -v Xwayland >/dev/null || { echo "SKIPPED: no Xwayland (cage 0.1.4 needs it to start)"; exit 77; }
    as_user=()
    if [ "$(id -u)" -eq 0 ]; then
      as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
      chown nobody:nogroup "$out"
    fi
    mkdir -m 0700 "$out/runtime"
    [ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$out/runtime"
    env -u DISPLAY -u WAYLAND_DISPLAY HOME="$out" XDG_RUNTIME_DIR="$out/runtime" WLR_BACKENDS=headless WLR_RENDERER=pixman \
      WLR_LIBINPUT_NO_DEVICES=1 LIBGL_ALWAYS_SOFTWARE=1 "${as_user[@]}" \
      cage -- env SDL_VIDEODRIVER=wayland "$kiosk" --config "$src/config/kiosk.example.json" --db "$out/kiosk.db" \
      --hits-file "$out/hits.json" >"$out/kiosk.log" 2>&1 &
    cage_pid=$!
    trap 'kill -9 $cage_pid 2>/dev/null || true; [ -n "${kpid:-}" ] && kill -9 $kpid 2>/dev/null || true' EXIT
    wait_for_screen "$out/hits.json" attract 30 || { cat "$out/kiosk.log"; exit 1; }
    # as_user and env exec, so cage's one child is the kiosk itself.
    kpid=$(pgrep -P "$(pgrep -P $cage_pid -x cage || echo $cage_pid)" -x tenpoint-kiosk | head -1)
    [ -n "$kpid" ] || { echo "FAIL: no tenpoint-kiosk under cage"; ps -ef --forest | grep -A2 cage; exit 1; }
    kill -9 "$(pgrep -x cage -P $cage_pid || echo $cage_pid)" "$cage_pid" 2>/dev/null || true
    # The kiosk is not this shell's child: its exit code is not ours to read, only that it ended and why.
    deadline=$((SECONDS + kGraceSeconds))
    while [ $SECONDS -lt $deadline ] && kill -0 "$kpid" 2>/dev/null; do sleep 0.1; done
    if kill -0 "$kpid" 2>/dev/null; then result=running
    elif grep -q "the Wayland compositor went away" "$out/kiosk.log"; then result=1
    else result="gone without saying why"; fi
    ;;
  *)
    echo "usage: $0 x11|wayland KIOSK_BINARY SOURCE_DIR OUT_DIR" >&2; exit 2 ;;
esac

case "$result" in
  running) echo "FAIL $mode: the kiosk still runs ${kGraceSeconds} s after its display went away"
           ps -o pid,pcpu,stat,cmd -p "$kpid" || true; tail -5 "$out/kiosk.log"; exit 1 ;;
  0) echo "FAIL $mode: the kiosk exited 0 when its display went away; its service would not restart it"; tail -5 "$out/kiosk.log"; exit 1 ;;
  [1-9]*) echo "ok   $mode: the kiosk exited ($result) when its display went away: $(tail -1 "$out/kiosk.log")" ;;
  *) echo "FAIL $mode: $result"; tail -5 "$out/kiosk.log"; exit 1 ;;
esac
