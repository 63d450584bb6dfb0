#!/usr/bin/env bash
# The Debian packages, made by CPack from this build (deploy/packaging.cmake)
# and read back with dpkg-deb: each holds its programs and files and nothing
# of the other's, the Depends name the Debian libraries the programs link
# (dpkg-shlibdeps) and the packages listed by hand, the default config is a
# conffile, and the maintainer scripts are in place.
# Needs cpack, dpkg-deb and dpkg-shlibdeps (dpkg-dev); exits 77 (skipped)
# without them.
# Usage: packages_test.sh BUILD_DIR SOURCE_DIR OUT_DIR CPACK_COMMAND
set -euo pipefail
build="$1"; src="$2"; out="$3/packages-test"; cpack="$4"

for tool in dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { echo "SKIPPED: no $tool (Debian package dpkg-dev)"; exit 77; }
done
rm -rf "$out"; mkdir -p "$out"
if ! "$cpack" -G DEB -B "$out" --config "$build/CPackConfig.cmake" >"$out/cpack.log" 2>&1; then
  echo "FAIL cpack:"; cat "$out/cpack.log"; exit 1
fi
kiosk=$(ls "$out"/tenpoint-kiosk_*.deb 2>/dev/null | head -1)
server=$(ls "$out"/tenpoint-server_*.deb 2>/dev/null | head -1)
[ -n "$kiosk" ] && [ -n "$server" ] || { echo "FAIL: cpack made $(ls "$out"/*.deb 2>/dev/null | xargs -n1 basename)"; exit 1; }

failures=0
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
field() { dpkg-deb -f "$1" "$2"; }
# has_depends DEB NAME...: each NAME appears as a package in Depends.
has_depends() {
  local deb="$1"; shift
  local depends; depends=$(field "$deb" Depends | tr ',|' '\n\n' | sed 's/^ *//; s/ .*//')
  for name in "$@"; do
    grep -qx "$name" <<<"$depends" || fail "$(basename "$deb"): Depends has no $name: $(field "$deb" Depends)"
  done
}
# has_files DEB PATH...: each PATH is in the package.
has_files() {
  local deb="$1"; shift
  local files; files=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
  for path in "$@"; do
    grep -qx "$path" <<<"$files" || fail "$(basename "$deb"): no $path"
  done
}
lacks_files() {
  local deb="$1"; shift
  local files; files=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
  for path in "$@"; do
    if grep -qx "$path" <<<"$files"; then fail "$(basename "$deb"): holds $path, which belongs to the other package"; fi
  done
}

[ "$(field "$kiosk" Package)" = tenpoint-kiosk ] || fail "kiosk package is named $(field "$kiosk" Package)"
[ "$(field "$server" Package)" = tenpoint-server ] || fail "server package is named $(field "$server" Package)"
version=$(sed -n 's/^project(tenpoint VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ "$(field "$kiosk" Version)" = "$version" ] || fail "kiosk package version $(field "$kiosk" Version), project $version"
[ "$(field "$kiosk" Architecture)" = "$(dpkg --print-architecture)" ] || fail "kiosk package architecture $(field "$kiosk" Architecture)"

has_files "$kiosk" /usr/bin/tenpoint-kiosk /usr/bin/tenpoint-sync /usr/bin/tenpoint \
  /usr/lib/systemd/system/tenpoint-kiosk.service /usr/lib/systemd/system/tenpoint-sync.service \
  /usr/lib/sysusers.d/tenpoint-kiosk.conf /usr/lib/systemd/journald.conf.d/tenpoint.conf \
  /usr/lib/udev/rules.d/90-tenpoint-usb.rules /etc/tenpoint/kiosk.json \
  /usr/share/tenpoint/translations/en.json /usr/share/tenpoint/questions/library-demo.json \
  /usr/share/doc/tenpoint-kiosk/deploy/kmsdrm.conf /usr/share/doc/tenpoint-kiosk/deploy/README.md
lacks_files "$kiosk" /usr/bin/tenpoint-server /usr/lib/systemd/system/tenpoint-server.service
has_depends "$kiosk" libsdl2-2.0-0 libsqlite3-0 libcurl4 libsodium23 libsystemd0 cage systemd udev libgl1 libegl1 libgles2 libgl1-mesa-dri fonts-noto-core
dpkg-deb --ctrl-tarfile "$kiosk" | tar -t | grep -qx "./conffiles" || fail "tenpoint-kiosk: no conffiles"
[ "$(dpkg-deb -I "$kiosk" conffiles)" = "/etc/tenpoint/kiosk.json" ] || fail "tenpoint-kiosk conffiles: $(dpkg-deb -I "$kiosk" conffiles)"
for script in postinst prerm; do
  dpkg-deb -I "$kiosk" "$script" | grep -q "systemd" || fail "tenpoint-kiosk: no $script"
  dpkg-deb -I "$server" "$script" | grep -q "systemd" || fail "tenpoint-server: no $script"
done

has_files "$server" /usr/bin/tenpoint-server /usr/lib/systemd/system/tenpoint-server.service /usr/lib/sysusers.d/tenpoint-server.conf
lacks_files "$server" /usr/bin/tenpoint-kiosk /usr/bin/tenpoint-sync /usr/bin/tenpoint /etc/tenpoint/kiosk.json
has_depends "$server" libpq5 libssl3 libsqlite3-0 libsodium23 systemd
field "$server" Depends | grep -q "libsdl2" && fail "tenpoint-server depends on SDL: $(field "$server" Depends)"

# Stripped: no debug sections in the programs.
mkdir -p "$out/kiosk-files"
dpkg-deb -x "$kiosk" "$out/kiosk-files"
if command -v readelf >/dev/null && readelf -S "$out/kiosk-files/usr/bin/tenpoint-kiosk" | grep -q "\.debug_info"; then
  fail "tenpoint-kiosk is not stripped"
fi
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$out/kiosk-files/etc/tenpoint/kiosk.json" || fail "the default config is not JSON"

for deb in "$kiosk" "$server"; do
  echo "$(basename "$deb"): $(du -k "$deb" | cut -f1) KiB; Depends: $(field "$deb" Depends)"
done
[ "$failures" -eq 0 ]
