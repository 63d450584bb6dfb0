#!/usr/bin/env bash
# The Debian packages installed with apt into a clean Debian 12 root
# (debootstrap --variant=minbase bookworm), as on a new machine: apt finds
# every dependency, the maintainer scripts make the system users, and the
# installed programs run there: --version, a question set checked, the
# kiosk drawing three frames from the packaged config with SDL's offscreen
# driver (its fonts, translations and GL found on the installed system),
# and the server migrating a new database. Then deploy/server-setup.sh and
# deploy/pi-setup.sh run there for real, twice each, and tenpoint-sync enrols
# with the server they set up (setup_scripts_in_root.sh).
#
# Uses the packages the packages test made (ctest fixture "debs"). The root
# is made under OUT_DIR, and the minbase root is kept there as a tarball so
# that a second run skips debootstrap; nothing is cached outside the build
# folder. Needs root, debootstrap and the Debian mirror (apt's sources);
# exits 77 (skipped) without them. About 40 s with a near mirror, and about
# 20 s more for the setup scripts (apt installs openssl and python3 there).
# Usage: packages_install_test.sh OUT_DIR
set -euo pipefail
top="$1"; out="$top/install-test"; debs="$top/packages-test"

[ "$(id -u)" -eq 0 ] || { echo "SKIPPED: debootstrap and chroot need root"; exit 77; }
command -v debootstrap >/dev/null || { echo "SKIPPED: no debootstrap"; exit 77; }
unshare -m true 2>/dev/null || { echo "SKIPPED: unable to make a mount namespace here"; exit 77; }
kiosk=$(ls "$debs"/tenpoint-kiosk_*.deb 2>/dev/null | head -1)
server=$(ls "$debs"/tenpoint-server_*.deb 2>/dev/null | head -1)
[ -n "$kiosk" ] && [ -n "$server" ] || { echo "FAIL: no packages in $debs (the packages test makes them)"; exit 1; }
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb \(http[^ ]*debian\) bookworm .*/\1/p' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | head -1 || true)
mirror="${mirror:-http://deb.debian.org/debian}"

root="$out/root"
base="$out/bookworm-minbase.tar"
rm -rf "$root"; mkdir -p "$out"
start=$(date +%s)
if [ ! -f "$base" ]; then
  echo "debootstrap --variant=minbase bookworm from $mirror"
  if ! debootstrap --variant=minbase bookworm "$out/base-root" "$mirror" >"$out/debootstrap.log" 2>&1; then
    tail -20 "$out/debootstrap.log"
    rm -rf "$out/base-root"
    if grep -qiE "resolve|connect|Failed getting release file" "$out/debootstrap.log"; then echo "SKIPPED: the Debian mirror $mirror cannot be reached"; exit 77; fi
    echo "FAIL: debootstrap"; exit 1
  fi
  tar -C "$out/base-root" -cf "$base.part" . && mv "$base.part" "$base"
  rm -rf "$out/base-root"
  echo "debootstrap: $(( $(date +%s) - start )) s"
fi
mkdir -p "$root"
tar -C "$root" -xf "$base"
cp "$kiosk" "$server" "$root/tmp/"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

# in_root COMMAND: runs in the root, with /proc, /sys and /dev mounted in a
# mount namespace of its own (gone when it ends).
in_root() {
  unshare -m sh -c "mount --make-rprivate / && mount -t proc proc '$root/proc' && mount --rbind /sys '$root/sys' &&
    mount --rbind /dev '$root/dev' && chroot '$root' /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 sh -c \"\$0\"" "$1"
}

step=$(date +%s)
if ! in_root "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/$(basename "$kiosk") /tmp/$(basename "$server")" >"$out/apt.log" 2>&1; then
  tail -30 "$out/apt.log"; echo "FAIL: apt-get install of the packages"; exit 1
fi
echo "apt-get install: $(( $(date +%s) - step )) s"

failures=0
# check NAME COMMAND: runs COMMAND in the root, which must succeed.
check() {
  if in_root "$2" >"$out/check.log" 2>&1; then echo "ok   $1: $(tail -1 "$out/check.log")"; else echo "FAIL $1:"; cat "$out/check.log"; failures=$((failures + 1)); fi
}
check "tenpoint-kiosk --version" "tenpoint-kiosk --version | grep -E '^tenpoint-kiosk [0-9.]+ \\(commit ([0-9a-f]+|unknown)\\)\$'"
check "tenpoint-server --version" "tenpoint-server --version | grep -E '^tenpoint-server [0-9.]+ '"
check "tenpoint and tenpoint-sync --version" "tenpoint --version && tenpoint-sync --version"
check "system users made by the packages" "id tenpoint-kiosk && id tenpoint-server"
check "the demo question set" "tenpoint questions validate /usr/share/tenpoint/questions/library-demo.json"
check "the kiosk draws from the packaged config (SDL offscreen)" \
  "SDL_VIDEODRIVER=offscreen tenpoint-kiosk --config /etc/tenpoint/kiosk.json --db /tmp/kiosk.db --windowed 800x480 --exit-after-frames 3 2>&1 | tee /tmp/kiosk.log >&2 && grep -q 'screen attract' /tmp/kiosk.log && grep -q 'no staff_pin_hash' /tmp/kiosk.log"
check "the server makes its database" "tenpoint-server migrate --data /tmp/server && test -f /tmp/server/server.db"
check "the units are in place" "test -f /usr/lib/systemd/system/tenpoint-kiosk.service && test -f /usr/lib/systemd/system/tenpoint-server.service && test -f /usr/lib/udev/rules.d/90-tenpoint-usb.rules"

# deploy/server-setup.sh and deploy/pi-setup.sh for real in the same root,
# each twice (setup_scripts_in_root.sh says what each step checks); the
# scripts install openssl and python3 there with apt.
here=$(cd "$(dirname "$0")" && pwd); src=$(cd "$here/../.." && pwd)
cp "$src/deploy/server-setup.sh" "$src/deploy/pi-setup.sh" "$here/setup_scripts_in_root.sh" "$root/tmp/"
echo $((20000 + RANDOM % 20000)) >"$root/tmp/setup-port"
step=$(date +%s)
check "server-setup.sh: SQLite, a self-signed certificate, the first admin" "/tmp/setup_scripts_in_root.sh server-first"
check "server-setup.sh run again changes nothing" "/tmp/setup_scripts_in_root.sh server-again"
check "pi-setup.sh: the staff PIN, the server, boot to the kiosk" "/tmp/setup_scripts_in_root.sh pi-first"
check "pi-setup.sh run again changes nothing" "/tmp/setup_scripts_in_root.sh pi-again"
check "tenpoint-sync enrols with what the two scripts set up" "/tmp/setup_scripts_in_root.sh enrol"
echo "setup scripts: $(( $(date +%s) - step )) s"
echo "install test: $(( $(date +%s) - start )) s in all"
[ "$failures" -eq 0 ]
