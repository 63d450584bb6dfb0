#!/usr/bin/env python3
"""The kiosk's messages to systemd, received on a socket of our own as
systemd would: READY=1 once the first frame is drawn, then WATCHDOG=1 from
the frame loop, never more than once a second, and STOPPING=1 on SIGTERM,
after which it exits 0. The kiosk draws with SDL's offscreen driver (no
display needed).

Usage: kiosk_notify_test.py KIOSK_BINARY SOURCE_DIR OUT_DIR
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

kiosk, src, out = sys.argv[1:4]
work = os.path.join(out, "notify-test")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
sock_path = os.path.join(work, "notify.sock")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sock_path)

env = dict(os.environ, SDL_VIDEODRIVER="offscreen", NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="4000000",
           ASAN_OPTIONS="detect_leaks=0")
env.pop("WATCHDOG_PID", None)
log_path = os.path.join(work, "kiosk.log")
with open(log_path, "w") as log:
    proc = subprocess.Popen([kiosk, "--config", os.path.join(src, "config/kiosk.example.json"), "--db",
                             os.path.join(work, "kiosk.db"), "--windowed", "800x480"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)

failures = []
messages = []  # (monotonic time, text)
deadline = time.monotonic() + 60
try:
    while time.monotonic() < deadline:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            data = sock.recv(4096)
        except socket.timeout:
            break
        messages.append((time.monotonic(), data.decode()))
        if sum(1 for _, m in messages if m == "WATCHDOG=1") >= 4:
            break
        if proc.poll() is not None:
            break
    texts = [m for _, m in messages]
    if "READY=1" not in texts:
        failures.append("no READY=1")
    pings = [t for t, m in messages if m == "WATCHDOG=1"]
    if len(pings) < 4:
        failures.append("only %d WATCHDOG=1 in 60 s" % len(pings))
    if texts and texts[0] != "READY=1":
        failures.append("READY=1 is not the first message: %s" % texts[:6])
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    if any(g < 0.9 for g in gaps):
        failures.append("WATCHDOG=1 more than once a second: gaps %s" % ["%.2f" % g for g in gaps])

    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=30)
    sock.settimeout(1)
    try:
        while True:
            texts.append(sock.recv(4096).decode())
    except socket.timeout:
        pass
    if "STOPPING=1" not in texts:
        failures.append("no STOPPING=1 after SIGTERM")
    if code != 0:
        failures.append("exit code %d after SIGTERM" % code)
finally:
    if proc.poll() is None:
        proc.kill()
        proc.wait()

print("messages:", [m for _, m in messages])
if failures:
    print("FAIL: " + "; ".join(failures))
    print(open(log_path).read())
    sys.exit(1)
print("ok: READY=1, %d WATCHDOG=1 at least a second apart, STOPPING=1, exit 0" % len(pings))
