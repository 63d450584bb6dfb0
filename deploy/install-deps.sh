#!/usr/bin/env bash
# Installs every Debian package that Tenpoint needs to build, run and test.
# Idempotent: packages already present are left alone, and apt-get is called
# only when something is missing. Uses sudo when not run as root.
#   install-deps.sh          build, run and test
#   install-deps.sh --run    build and run only (no test tools)
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config git
  libimgui-dev libstb-dev libsdl2-dev libsqlite3-dev libcurl4-openssl-dev
  libssl-dev libsodium-dev libxxhash-dev
  libicu-dev libcli11-dev libfreetype-dev libgl-dev libgles-dev catch2 zlib1g-dev
  libboost1.81-dev libpq-dev libsystemd-dev
  # run
  libgl1 libgles2 libegl1 fonts-noto-core fonts-dejavu-core openssl sqlite3
)
if [ "${1:-}" != "--run" ]; then
  packages+=(
    # test: windows under Xvfb, processes, network namespaces
    xvfb xauth xdotool imagemagick x11-utils procps python3 curl iproute2
    # test: format check, fuzzers (clang's libFuzzer) and sanitizers
    clang-format clang-15 libfuzzer-15-dev libclang-common-15-dev
    # test: a real PostgreSQL for the server's second backend (started by the tests themselves)
    postgresql-15
    # test: the report's HTML and SVG are well-formed XML (xmllint), and its page renders (headless Chromium)
    libxml2-utils chromium
    # test: the USB export onto a real FAT image (mkfs.vfat), loop-mounted where the kernel allows
    dosfstools
    # test: the systemd units (systemd-analyze, and cage, which the kiosk's unit runs), the USB rule
    # (udevadm), and the kiosk losing its compositor (cage 0.1.4 starts only with Xwayland)
    systemd cage udev xwayland
    # test: the packages (dpkg-deb, dpkg-shlibdeps) installed into a clean Debian 12 root
    dpkg-dev debootstrap
  )
fi

# test: the admin web in that Chromium, driven by playwright-core (npm ci in
# tests/browser). Debian's nodejs and npm, unless a Node.js with its npm is
# here already (NodeSource's nodejs package carries its own npm, and
# Debian's npm conflicts with it).
if [ "${1:-}" != "--run" ] && ! { command -v node >/dev/null && command -v npm >/dev/null; }; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages are present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
if printf '%s\n' "${missing[@]}" | grep -qx postgresql-15 && [ ! -d /etc/postgresql/15/main ]; then
  # The tests start their own throw-away PostgreSQL; Debian's package would
  # otherwise create and start a system-wide cluster that nothing uses.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql-common
  $SUDO sed -i 's/^#\? *create_main_cluster *=.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
fi
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
