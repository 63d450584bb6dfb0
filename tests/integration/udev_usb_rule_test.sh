#!/usr/bin/env bash
# deploy/udev/90-tenpoint-usb.rules as udev itself reads and applies it
# (`udevadm test`, Debian 12's udev 252, which has no `udevadm verify`):
# the rule parses without a warning; a FAT or exFAT file system on USB is
# mounted with systemd-mount at /media/usb-KERNELNAME with nosuid, nodev,
# noexec and nosymfollow; other file systems on USB are not mounted (and
# udisks2 is told to ignore them); nothing happens for a disk not on USB or
# on removal.
#
# A device's properties (ID_BUS, ID_FS_TYPE...) come from probing real
# hardware, and there is no USB stick here: a rule file of the test's own,
# read first, gives an existing block device the properties of each case.
# udevadm test runs no RUN program; it lists them. It runs in a mount
# namespace of its own, with only these two rule files and empty /run and
# /dev, so this machine's udev state is not touched. Needs root (a mount
# namespace) and udevadm (package udev); exits 77 (skipped) without either.
# Usage: udev_usb_rule_test.sh SOURCE_DIR OUT_DIR
set -euo pipefail
src="$1"; out="$2/udev-test"
rule="$src/deploy/udev/90-tenpoint-usb.rules"

command -v udevadm >/dev/null || { echo "SKIPPED: no udevadm (Debian package udev)"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "SKIPPED: a mount namespace needs root"; exit 77; }
unshare -m true 2>/dev/null || { echo "SKIPPED: unable to make a mount namespace here"; exit 77; }
device=$(ls /sys/class/block | head -1)
[ -n "$device" ] || { echo "SKIPPED: no block device in /sys/class/block to stand in for a stick"; exit 77; }

rm -rf "$out"; mkdir -p "$out/rules"
cp "$rule" "$out/rules/"

failures=0
# run_case NAME ACTION PROPERTIES...: udevadm test's output for $device with these properties.
run_case() {
  local name="$1" action="$2"; shift 2
  local props=""
  for p in "$@"; do props+=", ENV{${p%%=*}}=\"${p#*=}\""; done
  echo "SUBSYSTEM==\"block\", KERNEL==\"$device\"$props" >"$out/rules/10-test-device.rules"
  unshare -m sh -c "mount --make-rprivate / && mount --bind '$out/rules' /etc/udev/rules.d &&
    mount -t tmpfs none /usr/lib/udev/rules.d && mount -t tmpfs none /run && mount -t tmpfs none /dev &&
    udevadm test --action='$action' '/sys/class/block/$device'" >"$out/$name.txt" 2>&1 || {
    echo "FAIL $name: udevadm test failed:"; cat "$out/$name.txt"; failures=$((failures + 1)); return 1; }
}
fail() { echo "FAIL $1"; failures=$((failures + 1)); }

options="nosuid,nodev,noexec,nosymfollow,uid=tenpoint-kiosk,gid=tenpoint-kiosk,fmask=0177,dmask=0077"
for fs in vfat exfat; do
  run_case "usb-$fs" add ID_BUS=usb ID_FS_USAGE=filesystem ID_FS_TYPE=$fs || continue
  want="run: '/usr/bin/systemd-mount --no-block --collect --fsck=no --type=$fs --options=$options /dev/$device /media/usb-$device'"
  grep -qxF "$want" "$out/usb-$fs.txt" || fail "$fs on USB: no \"$want\" in $out/usb-$fs.txt"
  [ "$(grep -c "^run: " "$out/usb-$fs.txt")" -eq 1 ] || fail "$fs on USB: more than one program run"
  grep -qx "UDISKS_IGNORE=1" "$out/usb-$fs.txt" || fail "$fs on USB: udisks2 not told to ignore it"
  # A warning starts with the file's path; "DEVICE: FILE:LINE KEY" lines only trace the rules applied.
  grep -q "^/.*90-tenpoint-usb.rules:[0-9]" "$out/usb-$fs.txt" && fail "$fs on USB: udev warns about the rule: $(grep '^/.*90-tenpoint-usb.rules:' "$out/usb-$fs.txt")"
done
for fs in ext4 ntfs iso9660 btrfs; do
  run_case "usb-$fs" add ID_BUS=usb ID_FS_USAGE=filesystem ID_FS_TYPE=$fs || continue
  grep -q "^run: .*systemd-mount" "$out/usb-$fs.txt" && fail "$fs on USB is mounted"
  grep -qx "UDISKS_IGNORE=1" "$out/usb-$fs.txt" || fail "$fs on USB: udisks2 not told to ignore it"
done
run_case usb-crypto add ID_BUS=usb ID_FS_USAGE=crypto ID_FS_TYPE=crypto_LUKS &&
  { grep -q "^run: .*systemd-mount" "$out/usb-crypto.txt" && fail "an encrypted USB volume is mounted"; }
run_case ata-vfat add ID_BUS=ata ID_FS_USAGE=filesystem ID_FS_TYPE=vfat &&
  { grep -q "^run: .*systemd-mount\|^UDISKS_IGNORE=" "$out/ata-vfat.txt" && fail "a FAT disk not on USB is touched"; }
run_case usb-vfat-remove remove ID_BUS=usb ID_FS_USAGE=filesystem ID_FS_TYPE=vfat &&
  { grep -q "^run: .*systemd-mount" "$out/usb-vfat-remove.txt" && fail "a removed stick is mounted"; }

# The test itself: a broken rule must be noticed, or the checks above prove nothing.
printf 'ACTION=="add", RUNN+="/bin/true"\n' >"$out/rules/95-broken.rules"
run_case broken add ID_BUS=usb ID_FS_USAGE=filesystem ID_FS_TYPE=vfat || true
grep -q "^/.*95-broken.rules:1 Invalid key 'RUNN'" "$out/broken.txt" || fail "udevadm test did not report a broken rule: the warning check is blind"

if [ "$failures" -eq 0 ]; then echo "ok: the USB rule mounts only FAT and exFAT on USB, with nosuid,nodev,noexec,nosymfollow"; fi
[ "$failures" -eq 0 ]
