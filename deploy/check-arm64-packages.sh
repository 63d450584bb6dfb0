#!/usr/bin/env bash
# The arm64 Debian packages of a cross build (deploy/arm64-toolchain.cmake),
# read back: Architecture arm64, the Depends name Debian's arm64 libraries
# (and nothing of the cross toolchain), every program is an aarch64 ELF, and
# each one's --version, run under qemu-user, names the project's version.
# Usage: check-arm64-packages.sh DEB_DIR SOURCE_DIR
set -euo pipefail
dir="$1"; src="$2"
version=$(sed -n 's/^project(tenpoint VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
kiosk="$dir/tenpoint-kiosk_${version}_arm64.deb"
server="$dir/tenpoint-server_${version}_arm64.deb"
failures=0
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
for deb in "$kiosk" "$server"; do
  [ -f "$deb" ] || { echo "FAIL: no $deb (made: $(ls "$dir" 2>/dev/null | tr '\n' ' '))"; exit 1; }
done
# has_depends DEB NAME...: each NAME appears as a package in Depends.
has_depends() {
  local deb="$1"; shift
  local depends; depends=$(dpkg-deb -f "$deb" Depends | tr ',|' '\n\n' | sed 's/^ *//; s/ .*//')
  for name in "$@"; do
    grep -qx "$name" <<<"$depends" || fail "$(basename "$deb"): Depends has no $name: $(dpkg-deb -f "$deb" Depends)"
  done
  if grep -q -- "-cross$" <<<"$depends"; then fail "$(basename "$deb"): Depends names the cross toolchain: $(dpkg-deb -f "$deb" Depends)"; fi
}
has_depends "$kiosk" libc6 libstdc++6 libsdl2-2.0-0 libsqlite3-0 libcurl4 libsodium23 libsystemd0 \
  cage systemd udev libgl1 libegl1 libgles2 libgl1-mesa-dri fonts-noto-core
has_depends "$server" libc6 libstdc++6 libpq5 libssl3 libsqlite3-0 libsodium23 systemd

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for deb in "$kiosk" "$server"; do
  [ "$(dpkg-deb -f "$deb" Architecture)" = arm64 ] || fail "$(basename "$deb"): Architecture $(dpkg-deb -f "$deb" Architecture)"
  dpkg-deb -x "$deb" "$out"
done
for program in tenpoint tenpoint-kiosk tenpoint-sync tenpoint-server; do
  path="$out/usr/bin/$program"
  [ -f "$path" ] || { fail "no /usr/bin/$program"; continue; }
  kind=$(file -b "$path")
  case "$kind" in
    "ELF 64-bit LSB"*"ARM aarch64"*) ;;
    *) fail "$program is $kind" ;;
  esac
  said=$(qemu-aarch64-static "$path" --version 2>&1) || fail "$program --version under qemu: $said"
  case "$said" in
    "$program $version "*) ;;
    *) fail "$program --version under qemu said: $said" ;;
  esac
done
for deb in "$kiosk" "$server"; do
  echo "$(basename "$deb"): $(du -k "$deb" | cut -f1) KiB; Depends: $(dpkg-deb -f "$deb" Depends)"
done
[ "$failures" -eq 0 ]
