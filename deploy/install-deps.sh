#!/usr/bin/env bash
# Installs every Debian package that Tenpoint needs to build, run and test.
# Idempotent: packages already present are left alone, and apt-get is called
# only when something is missing. Uses sudo when not run as root.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config git
  libimgui-dev libstb-dev libsdl2-dev libsqlite3-dev libcurl4-openssl-dev
  nlohmann-json3-dev libcpp-httplib-dev libssl-dev libsodium-dev
  libicu-dev libcli11-dev libfreetype-dev libgl-dev libgles-dev catch2 zlib1g-dev
  # run
  libgl1 libgles2 libegl1 fonts-noto-core fonts-dejavu-core openssl sqlite3
  # test
  xvfb xauth xdotool imagemagick x11-utils procps python3 curl
)

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
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
