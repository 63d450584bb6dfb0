#!/usr/bin/env bash
# Installs every Debian package that Tenpoint needs to build, run and test.
# Idempotent: packages already present are left alone, and apt-get is called
# only when something is missing. Uses sudo when not run as root.
#   install-deps.sh          build, run and test
#   install-deps.sh --run    build and run only (no test tools)
#   install-deps.sh --arm64  cross-building for arm64 (the Pi) on amd64: Debian's
#                            cross toolchain, the :arm64 -dev packages, qemu-user-static
set -euo pipefail

# install_arm64: for the arm64 cross build (deploy/arm64-toolchain.cmake), the
# packages below, and each library -dev package among them for arm64 too, beside the
# amd64 one (Debian's multiarch: Multi-Arch: same, both at the same version, so
# apt may upgrade the amd64 one to the mirror's), Debian's cross compiler, and
# qemu-user-static to run the arm64 test programs. Packages for any
# architecture (Multi-Arch: foreign or all: Catch2, CLI11, Boost's headers are
# not among them) are the build machine's. libpq-dev is Multi-Arch: no (it ships
# pg_config), so libpq-dev:arm64 would remove the amd64 one: the arm64 build
# links libpq5:arm64 and takes the headers of the amd64 package, whose client
# API is the same on both (deploy/arm64-pkgconfig/libpq.pc).
install_arm64() {  # install_arm64 PACKAGE...: the build and run list
  local wanted=("$@"
    # aarch64-linux-gnu-gcc, -g++; qemu-aarch64-static; dpkg-shlibdeps and file for the packages
    crossbuild-essential-arm64 qemu-user-static dpkg-dev file
    libpq5:arm64
  )
  local p name ma devs=()
  for p in "$@"; do
    case "$p" in *-dev) devs+=("$p") ;; esac
  done
  # One line per -dev package: its name and Multi-Arch (none when not set).
  while read -r name ma; do
    [ "$ma" = same ] && wanted+=("$name:arm64")
  done < <(apt-cache show --no-all-versions "${devs[@]}" |
             awk '/^Package:/ { if (n) print n, m; n = $2; m = "none" } /^Multi-Arch:/ { m = $2 } END { if (n) print n, m }')
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo for the arm64 packages" >&2; exit 1; }
    sudo="sudo"
  fi
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "install-deps: adding the arm64 architecture (dpkg --add-architecture arm64)"
    $sudo dpkg --add-architecture arm64
  fi
  local missing=()
  for p in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#wanted[@]} packages for the arm64 cross build are present"
    return 0
  fi
  echo "install-deps: installing ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${missing[@]}"
}

packages=(
  # build
  build-essential cmake pkg-config git
  libimgui-dev libstb-dev libsdl2-dev libsqlite3-dev libcurl4-openssl-dev
  libssl-dev libsodium-dev libxxhash-dev
  libicu-dev libcli11-dev libfreetype-dev libharfbuzz-dev libfribidi-dev libespeak-ng-dev libgl-dev libgles-dev catch2 zlib1g-dev libdeflate-dev
  libboost1.81-dev libpq-dev libsystemd-dev
  # run
  libgl1 libgles2 libegl1 fonts-noto-core fonts-dejavu-core openssl sqlite3 espeak-ng-data
)
if [ "${1:-}" = "--arm64" ]; then
  install_arm64 "${packages[@]}"
  exit 0
fi
if [ "${1:-}" != "--run" ]; then
  packages+=(
    # test: windows under Xvfb, processes, network namespaces
    xvfb xauth xdotool imagemagick x11-utils procps python3 curl iproute2
    # test: shaped text compared with HarfBuzz's own hb-shape
    libharfbuzz-bin
    # test: spoken prompts, their WAV files measured by sox against espeak-ng's own command
    sox espeak-ng
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
