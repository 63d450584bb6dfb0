#!/usr/bin/env bash
# pi-setup.sh: makes a fresh Raspberry Pi OS Lite 64-bit (bookworm, Debian 12)
# a Tenpoint kiosk in one command.
#
#   sudo ./pi-setup.sh [--deb tenpoint-kiosk_VERSION_arm64.deb]
#                      [--server https://HOST:8443 --code XXXX-XXXX-XXXX
#                         [--server-ca server-cert.pem] [--server-pin sha256//...]
#                         [--name KIOSK-NAME]
#                       | --offline]
#                      [--staff-pin-file FILE] [--new-pin]
#                      [--no-reboot] [--dry-run [--root DIR]]
#
# What it does, each step only when it is not done already:
#   1. installs the tenpoint-kiosk package (from --deb FILE, else from apt's
#      sources) and python3 (to edit the JSON config), and makes sure the
#      system user tenpoint-kiosk exists (the package's sysusers file);
#   2. boots to the kiosk, with no desktop and no auto-login: the default
#      target becomes graphical.target, tenpoint-kiosk.service is enabled
#      (it takes tty1 from getty), a console auto-login (raspi-config's
#      getty@tty1 drop-in) is removed, and a desktop's display manager
#      (lightdm) is disabled and its auto-login turned off;
#   3. checks the USB rule the package installs, and reloads udev when the
#      package changed; enables systemd-timesyncd (answers stay
#      "clock untrusted" until the clock is synchronised);
#   4. the server: asks for its address and a one-time enrolment code (from
#      `tenpoint-server enrol-code`), or runs offline; writes the "sync"
#      section of /etc/tenpoint/kiosk.json, and enables tenpoint-sync, which
#      enrols with the code at its first round after the reboot (and keeps
#      the kiosk's token in /var/lib/tenpoint/device.json);
#   5. the staff PIN: asked for twice, not shown (or --staff-pin-file FILE,
#      the PIN on its first line), 6 to 8 digits, not the demo PIN 2468, not
#      one digit repeated nor a run like 123456; hashed with
#      `tenpoint pin-hash` into staff_pin_hash. A kiosk whose config still
#      holds the demo PIN's hash is always asked for a new one;
#   6. reboots into the kiosk when anything changed (not with --no-reboot).
# Running it again keeps what is there (the PIN, the server, the enrolment)
# and says "Nothing needed doing" when there was nothing to do; --new-pin
# asks for a new staff PIN. It uses the network only through apt.
#
# Without --server, --code or --offline it asks, when run from a terminal;
# a re-run keeps what the config says. The PIN can also come on standard
# input, twice, one a line.
#
# --dry-run prints every command it would run and every file it would write,
# and changes nothing; it does not need root. --root DIR (with --dry-run only)
# looks at the system installed in DIR instead of / (an image, or a test).
#
# Exit codes:
#   0  done, or nothing needed doing (with --dry-run: the plan was printed)
#   1  a step failed (the message names it and what to do)
#   2  bad usage: an unknown option, a missing value, options that conflict,
#      no answer to a question that had to be asked
#   3  not run as root (needed without --dry-run)
#   4  input refused: a staff PIN (too short, the demo PIN, too easy, the two
#      differ), an enrolment code or server address that cannot be right, a
#      certificate that does not match its pin
#   5  this system cannot be set up: no apt, or the package is neither given
#      with --deb nor available from apt
set -euo pipefail

readonly EXIT_FAILED=1 EXIT_USAGE=2 EXIT_NOT_ROOT=3 EXIT_REFUSED=4 EXIT_UNSUPPORTED=5
readonly PACKAGE=tenpoint-kiosk USER_NAME=tenpoint-kiosk
readonly KIOSK_UNIT=tenpoint-kiosk.service SYNC_UNIT=tenpoint-sync.service
readonly CONFIG=/etc/tenpoint/kiosk.json SERVER_CA=/etc/tenpoint/server-ca.pem
readonly STATE_DIR=/var/lib/tenpoint
readonly USB_RULE=/usr/lib/udev/rules.d/90-tenpoint-usb.rules
readonly AUTOLOGIN_DROPIN_DIR=/etc/systemd/system/getty@tty1.service.d
readonly DEMO_PIN=2468
# The hash of the demo PIN in config/kiosk.example.json (README: the demo
# PIN is 2468). A config holding it is treated as having no PIN at all.
# shellcheck disable=SC2016 # the $ signs are the hash's own
readonly DEMO_PIN_HASH='$argon2id$v=19$m=65536,t=2,p=1$5TKgY7QcVom/GETqGIjbsA$cMIWEo4m5Qaw94yGBL7IOxuglmUMpSF223f0JetqHm0'
readonly MIN_PIN_DIGITS=6 MAX_PIN_DIGITS=8
# What the package ships, for a config that was deleted (dpkg does not bring
# a deleted conffile back).
readonly FALLBACK_CONFIG='{"question_set": "/usr/share/tenpoint/questions/library-demo.json", "database": "/var/lib/tenpoint/kiosk.db", "time_granularity_min": 15, "pin_attempts_before_lock": 5, "pin_lock_s": 60, "theme": "standard", "usb_media_dirs": ["/media"]}'
readonly CONFIG_COMMENT="Tenpoint kiosk settings (README.md, 'Configuration'), set up by pi-setup.sh. Run it again with --new-pin for a new staff PIN, or with --server URL --code CODE to connect to a server."

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
}

die() { # die CODE MESSAGE
  local code="$1"; shift
  printf 'pi-setup: %s\n' "$*" >&2
  exit "$code"
}
need_value() { if [ $# -lt 2 ] || [ -z "$2" ]; then die $EXIT_USAGE "$1 needs a value (see --help)"; fi; }

# ---- Options -----------------------------------------------------------------
deb="" server_opt="" code_opt="" ca_opt="" server_pin_opt="" name_opt="" offline=0
pin_file="" new_pin=0 no_reboot=0 dry=0 root=""
while [ $# -gt 0 ]; do
  case "$1" in
    --deb) need_value "$@"; deb="$2"; shift 2 ;;
    --server) need_value "$@"; server_opt="$2"; shift 2 ;;
    --code) need_value "$@"; code_opt="$2"; shift 2 ;;
    --server-ca) need_value "$@"; ca_opt="$2"; shift 2 ;;
    --server-pin) need_value "$@"; server_pin_opt="$2"; shift 2 ;;
    --name) need_value "$@"; name_opt="$2"; shift 2 ;;
    --offline) offline=1; shift ;;
    --staff-pin-file) need_value "$@"; pin_file="$2"; shift 2 ;;
    --new-pin) new_pin=1; shift ;;
    --no-reboot) no_reboot=1; shift ;;
    --dry-run) dry=1; shift ;;
    --root) need_value "$@"; root="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die $EXIT_USAGE "unknown option $1 (see --help)" ;;
  esac
done

if [ "$offline" -eq 1 ]; then
  for pair in "--server:$server_opt" "--code:$code_opt" "--server-ca:$ca_opt" "--server-pin:$server_pin_opt" "--name:$name_opt"; do
    if [ -n "${pair#*:}" ]; then die $EXIT_USAGE "--offline and ${pair%%:*} conflict: a kiosk offline has no server"; fi
  done
fi
if [ -n "$root" ] && [ "$dry" -eq 0 ]; then die $EXIT_USAGE "--root DIR works with --dry-run only"; fi
for f in "$deb" "$ca_opt" "$pin_file"; do
  if [ -n "$f" ] && [ ! -r "$f" ]; then die $EXIT_USAGE "unable to read $f"; fi
done
[ -z "$deb" ] || deb=$(realpath "$deb")
[ -z "$ca_opt" ] || ca_opt=$(realpath "$ca_opt")
if [ -n "$root" ]; then
  [ -d "$root" ] || die $EXIT_USAGE "--root $root is not a folder"
  root=$(realpath "$root")
fi

# The server's address: https only (the kiosk refuses plain http but for
# development on one machine), no path.
check_server() {
  local url="${1%/}"
  if ! [[ "$url" =~ ^https://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$ ]]; then
    die $EXIT_REFUSED "the server address is https://NAME or https://NAME:PORT (such as https://tenpoint.council.example:8443), not \"$1\""
  fi
  printf '%s' "$url"
}
# An enrolment code as `tenpoint-server enrol-code` prints it: 12 characters
# in groups of 4; case, spaces and dashes do not matter. The alphabet has no
# 0, 1, I or O, so a misread one is caught here rather than by the server.
check_code() {
  local plain
  plain=$(printf '%s' "$1" | tr -d ' -' | tr '[:lower:]' '[:upper:]')
  if [[ "$plain" =~ [01IO] ]]; then
    die $EXIT_REFUSED "an enrolment code never contains 0, 1, I or O: check \"$1\" (an O may be a Q or a D, a 1 an L or a 7)"
  fi
  if ! [[ "$plain" =~ ^[A-HJ-NP-Z2-9]{12}$ ]]; then
    die $EXIT_REFUSED "an enrolment code is 12 letters and digits, such as ABCD-EFGH-JK23, not \"$1\""
  fi
  printf '%s-%s-%s' "${plain:0:4}" "${plain:4:4}" "${plain:8:4}"
}
[ -z "$server_opt" ] || server_opt=$(check_server "$server_opt")
[ -z "$code_opt" ] || code_opt=$(check_code "$code_opt")
if [ -n "$server_pin_opt" ] && ! [[ "$server_pin_opt" =~ ^sha256//[A-Za-z0-9+/]{43}=$ ]]; then
  die $EXIT_REFUSED "--server-pin looks like sha256// and 44 characters of base64, as server-setup.sh prints it, not \"$server_pin_opt\""
fi
if [ -n "$name_opt" ] && { [ "${#name_opt}" -gt 64 ] || [[ "$name_opt" =~ [[:cntrl:]] ]]; }; then
  die $EXIT_USAGE "--name is at most 64 characters, with no control characters"
fi
if [ "$dry" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
  die $EXIT_NOT_ROOT "run as root (sudo $0 ...), or try --dry-run first"
fi

# ---- Output and actions --------------------------------------------------------
# Every change goes through act/run/write_file, which count it and, in a dry
# run, only say what they would do.
changes=0
step() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
warn() { printf '   warning: %s\n' "$*"; }
act() {
  changes=$((changes + 1))
  if [ "$dry" -eq 1 ]; then printf '   would: %s\n' "$*"; else printf '   doing: %s\n' "$*"; fi
}
# quoted ARG...: the command as one would type it (single quotes where needed).
quoted() {
  local out="" a
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then out+="$a "; else out+="'${a//\'/\'\\\'\'}' "; fi
  done
  printf '%s' "${out% }"
}
run() {
  if [ "$dry" -eq 1 ]; then printf '   would run: %s\n' "$(quoted "$@")"; return 0; fi
  printf '   $ %s\n' "$(quoted "$@")"
  "$@" || die $EXIT_FAILED "this failed: $(quoted "$@")"
}
# Path P in the system being set up (under --root DIR when given).
R() { printf '%s%s' "$root" "$1"; }
systemd_running() { [ -z "$root" ] && [ -d /run/systemd/system ]; }
sysctl_() { if [ -n "$root" ]; then systemctl --root="$root" "$@"; else systemctl "$@"; fi; }
unit_state() { sysctl_ is-enabled "$1" 2>/dev/null || true; }
user_exists() {
  if [ -n "$root" ]; then grep -q "^$1:" "$(R /etc/passwd)" 2>/dev/null; else getent passwd "$1" >/dev/null; fi
}
group_exists() {
  if [ -n "$root" ]; then grep -q "^$1:" "$(R /etc/group)" 2>/dev/null; else getent group "$1" >/dev/null; fi
}
# write_file PATH MODE OWNER:GROUP PURPOSE, content on stdin: written (to a
# temporary file, then renamed) only when content, mode or owner differ.
write_file() {
  local path="$1" mode="$2" owner="$3" purpose="$4" content target
  content="$(cat)"
  target=$(R "$path")
  if [ -f "$target" ] && [ "$(cat "$target")" = "$content" ] && [ "$(stat -c %a "$target")" = "$mode" ] &&
    { [ -n "$root" ] || [ "$(stat -c %U:%G "$target")" = "$owner" ]; }; then
    ok "$path unchanged ($purpose)"
    return 0
  fi
  act "write $path ($purpose; mode $mode, owner $owner)"
  [ "$dry" -eq 1 ] && return 0
  install -d -m 0755 "$(dirname "$target")"
  local tmp; tmp=$(mktemp "$target.XXXXXX")
  printf '%s\n' "$content" >"$tmp"
  chmod "$mode" "$tmp"; chown "$owner" "$tmp"
  mv -f "$tmp" "$target"
}
installed_version() {
  local status
  status=$(dpkg-query --admindir="$(R /var/lib/dpkg)" -W -f '${db:Status-Abbrev}|${Version}' "$1" 2>/dev/null || true)
  case "$status" in ii*) printf '%s' "${status#*|}" ;; esac
}
apt_updated=0
apt_install() { # apt_install WHAT... (package names or .deb paths)
  if [ "$apt_updated" -eq 0 ]; then run apt-get update -q; apt_updated=1; fi
  # A changed conffile keeps the local version (kiosk.json holds this
  # kiosk's PIN and server): never a question mid-install.
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold "$@"
}
can_ask() { [ -t 0 ] && [ -t 2 ]; }
# ask PROMPT VAR [secret]: one line from the terminal or standard input
# (secret: not echoed); fails at the end of input.
ask() {
  local line
  if [ -t 0 ]; then
    if [ "${3:-}" = secret ]; then IFS= read -r -s -p "$1" line || return 1; printf '\n' >&2; else IFS= read -r -p "$1" line || return 1; fi
  else
    IFS= read -r line || return 1
  fi
  printf -v "$2" '%s' "${line%$'\r'}"
}
# ask_valid PROMPT CHECK VAR: asks until CHECK (a function printing the
# value as it is to be kept, or failing with the reason) accepts the answer;
# three tries at a terminal, one otherwise. Fails at the end of input.
ask_valid() {
  # Local names that no caller passes as VAR (printf -v would set the local).
  local _typed _kept _tries=0
  while ask "$1" _typed; do
    if _kept=$("$2" "$_typed"); then
      printf -v "$3" '%s' "$_kept"
      return 0
    fi
    _tries=$((_tries + 1))
    if ! can_ask || [ "$_tries" -ge 3 ]; then exit $EXIT_REFUSED; fi
  done
  return 1
}
server_or_nothing() { if [ -z "$1" ]; then return 0; fi; check_server "$1"; }

if [ "$dry" -eq 1 ]; then
  echo "Tenpoint kiosk setup: dry run, nothing will be changed${root:+ (system in $root)}"
else
  echo "Tenpoint kiosk setup"
fi

# ---- What there is now -------------------------------------------------------------
# The config as the last run (or the package) left it, read with python3
# (only what this script sets is looked at).
cfg_exists=0 cfg_readable=0
cfg_pin_hash="" cfg_server="" cfg_code="" cfg_ca="" cfg_server_pin="" cfg_name=""
read_config() {
  [ -f "$(R "$CONFIG")" ] || return 0
  cfg_exists=1
  if [ -r "$(R "$CONFIG")" ] && command -v python3 >/dev/null; then
    local values
    values=$(python3 - "$(R "$CONFIG")" <<'PY'
import json, shlex, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        c = json.load(f)
except ValueError as e:
    sys.exit(f"{sys.argv[1]} is not valid JSON ({e})")
if not isinstance(c, dict):
    sys.exit(f"{sys.argv[1]} is not a JSON object")
s = c.get("sync") if isinstance(c.get("sync"), dict) else None
values = {
    "cfg_pin_hash": c.get("staff_pin_hash", ""),
    "cfg_server": (s or {}).get("server", ""),
    "cfg_code": (s or {}).get("enrolment_code", ""),
    "cfg_ca": (s or {}).get("ca_file", ""),
    "cfg_server_pin": (s or {}).get("pinned_public_key", ""),
    "cfg_name": (s or {}).get("kiosk_name", ""),
}
for k, v in values.items():
    print(f"{k}={shlex.quote(str(v))}")
PY
    ) || die $EXIT_FAILED "unable to read $CONFIG: fix it, or move it aside to start from the package's settings"
    eval "$values"
    cfg_readable=1
  elif [ ! -r "$(R "$CONFIG")" ]; then
    warn "unable to read $CONFIG as $(id -un): the plan below assumes it needs writing (run the dry run as root for an exact one)"
  fi
}
read_config
# device.json: written by tenpoint-sync once it has enrolled.
enrolled_server=""
if [ -r "$(R "$STATE_DIR/device.json")" ]; then
  enrolled_server=$(sed -n 's/.*"server":"\([^"]*\)".*/\1/p' "$(R "$STATE_DIR/device.json")" | head -n 1)
  enrolled_server="${enrolled_server:-(by USB stick)}"
fi

# ---- The questions first, so the rest can run unattended ------------------------------
step "Server"
mode="" server="" code="" ask_later=""
if [ "$offline" -eq 1 ]; then
  mode=offline
elif [ -n "$server_opt" ]; then
  mode=online server="$server_opt"
elif [ -n "$cfg_server" ]; then
  mode=online server="$cfg_server"
elif [ "$cfg_readable" -eq 1 ] && [ -n "$cfg_pin_hash" ] && [ "$cfg_pin_hash" != "$DEMO_PIN_HASH" ]; then
  # Set up before, without a server: stays offline until told otherwise.
  mode=offline
elif ask_valid "Server address (https://NAME:PORT), or Enter to run offline: " server_or_nothing answer; then
  if [ -z "$answer" ]; then mode=offline; else mode=online server="$answer"; fi
elif [ "$dry" -eq 1 ]; then
  mode=unknown
  printf '   would ask for the server address and the enrolment code (or --server URL --code CODE, or --offline)\n'
else
  die $EXIT_USAGE "no server given: run with --server https://NAME:PORT --code CODE, or --offline (or from a terminal, to be asked)"
fi
if [ "$mode" = online ]; then
  if [ -n "$enrolled_server" ] && [ "$enrolled_server" != "$server" ] && [ "$enrolled_server" != "(by USB stick)" ]; then
    die $EXIT_USAGE "this kiosk is enrolled with $enrolled_server, not $server. To move it, keep its answers sent first, then move $STATE_DIR/device.json aside and run again with --server $server --code CODE"
  fi
  if [ -n "$enrolled_server" ]; then
    ok "enrolled with $enrolled_server ($STATE_DIR/device.json)"
    code="$cfg_code"
  elif [ -n "$code_opt" ]; then
    code="$code_opt"
  elif [ -n "$cfg_code" ] && [ "$cfg_server" = "$server" ]; then
    code="$cfg_code"
    ok "the enrolment code in $CONFIG is kept; tenpoint-sync enrols with it at its next start"
  elif ask_valid "Enrolment code (tenpoint-server enrol-code prints it, XXXX-XXXX-XXXX): " check_code code; then
    :
  elif [ "$dry" -eq 1 ]; then
    ask_later="the enrolment code"
    printf '   would ask for the enrolment code (or --code CODE)\n'
  else
    die $EXIT_USAGE "no enrolment code: give --code CODE (from tenpoint-server enrol-code on the server)"
  fi
  ok "server $server"
elif [ "$mode" = offline ]; then
  ok "offline: answers stay on this kiosk, and leave by USB stick (the staff menu's export)"
fi
if [ -n "$ca_opt" ] || [ -n "$server_pin_opt" ]; then
  [ "$mode" != unknown ] || die $EXIT_USAGE "--server-ca and --server-pin go with --server URL"
fi
if [ -n "$ca_opt" ]; then
  command -v openssl >/dev/null || die $EXIT_FAILED "openssl is needed to check $ca_opt"
  openssl x509 -in "$ca_opt" -noout 2>/dev/null || die $EXIT_REFUSED "$ca_opt is not a PEM certificate"
  expected_pin="${server_pin_opt:-$cfg_server_pin}"
  if [ -n "$expected_pin" ]; then
    ca_pin="sha256//$(openssl x509 -in "$ca_opt" -pubkey -noout | openssl pkey -pubin -outform der |
      openssl dgst -sha256 -binary | openssl enc -base64 -A)"
    if [ "$ca_pin" != "$expected_pin" ]; then
      die $EXIT_REFUSED "$ca_opt is not the certificate of the pin $expected_pin (its pin is $ca_pin): copy the server's certificate again"
    fi
    ok "$(basename "$ca_opt") matches the pin $expected_pin"
  fi
fi

step "Staff PIN"
pin_reason=""
if [ "$cfg_exists" -eq 1 ] && [ "$cfg_readable" -eq 0 ]; then
  pin_reason="new"  # cannot tell from here (not root, or no python3 yet)
elif [ -z "$cfg_pin_hash" ]; then
  pin_reason="this kiosk has no staff PIN yet"
elif [ "$cfg_pin_hash" = "$DEMO_PIN_HASH" ]; then
  pin_reason="the config holds the demo PIN $DEMO_PIN, which must not stay on a kiosk in a public place"
elif [ "$new_pin" -eq 1 ]; then
  pin_reason="--new-pin"
fi
# pin_problem PIN: why it cannot be a staff PIN, or nothing.
pin_problem() {
  local p="$1"
  if [ "$p" = "$DEMO_PIN" ]; then echo "$DEMO_PIN is the demo PIN, printed in the README: choose your own"; return; fi
  if ! [[ "$p" =~ ^[0-9]+$ ]]; then echo "a staff PIN is digits only"; return; fi
  if [ "${#p}" -lt $MIN_PIN_DIGITS ] || [ "${#p}" -gt $MAX_PIN_DIGITS ]; then
    echo "a staff PIN is $MIN_PIN_DIGITS to $MAX_PIN_DIGITS digits (this one has ${#p})"; return
  fi
  if [[ "$p" =~ ^(.)\1*$ ]]; then echo "one digit repeated is the first thing anyone tries"; return; fi
  if [[ "0123456789012345" == *"$p"* ]] || [[ "9876543210987654" == *"$p"* ]]; then
    echo "a run of digits (such as 123456) is the first thing anyone tries"; return
  fi
}
pin=""
if [ -z "$pin_reason" ]; then
  ok "kept the staff PIN in $CONFIG (--new-pin to change it)"
else
  [ "$pin_reason" = new ] || printf '   A new staff PIN is needed: %s.\n' "$pin_reason"
  if [ -n "$pin_file" ]; then
    IFS= read -r pin <"$pin_file" || true
    pin="${pin%$'\r'}"
    problem=$(pin_problem "$pin")
    [ -z "$problem" ] || die $EXIT_REFUSED "the PIN in $pin_file is refused: $problem"
    ok "a new staff PIN of ${#pin} digits from $pin_file"
  elif [ "$dry" -eq 1 ] && can_ask; then
    printf '   would ask for a new staff PIN twice (not shown)\n'
  else
    for attempt in 1 2 3; do
      if ! ask "New staff PIN ($MIN_PIN_DIGITS to $MAX_PIN_DIGITS digits, not shown): " pin secret; then
        if [ "$dry" -eq 1 ]; then printf '   would ask for a new staff PIN twice (not shown)\n'; pin=""; break; fi
        die $EXIT_USAGE "no staff PIN to read: give --staff-pin-file FILE, or run from a terminal"
      fi
      problem=$(pin_problem "$pin")
      again=""
      if [ -z "$problem" ]; then
        ask "The same PIN again: " again secret || die $EXIT_USAGE "no second PIN to read"
        [ "$pin" = "$again" ] || problem="the two PINs differ"
      fi
      if [ -z "$problem" ]; then ok "a new staff PIN of ${#pin} digits"; break; fi
      pin=""
      if ! can_ask || [ "$attempt" -eq 3 ]; then die $EXIT_REFUSED "staff PIN refused: $problem"; fi
      printf 'Refused: %s. Again.\n' "$problem" >&2
    done
  fi
fi

# ---- 1. The package ----------------------------------------------------------------
step "Package $PACKAGE"
codename=$(sed -n 's/^VERSION_CODENAME=//p' "$(R /etc/os-release)" 2>/dev/null || true)
if [ "$codename" != bookworm ]; then
  warn "written for Raspberry Pi OS 12 / Debian 12 (bookworm); this system says \"${codename:-unknown}\""
fi
command -v dpkg-query >/dev/null || die $EXIT_UNSUPPORTED "no dpkg here: this script is for Raspberry Pi OS (Debian 12)"
have=$(installed_version "$PACKAGE")
package_changed=0
if [ -n "$deb" ]; then
  [ "$(dpkg-deb -f "$deb" Package 2>/dev/null)" = "$PACKAGE" ] || die $EXIT_USAGE "$deb is not a $PACKAGE package"
  want=$(dpkg-deb -f "$deb" Version)
  deb_arch=$(dpkg-deb -f "$deb" Architecture)
  if [ -z "$root" ] && [ "$deb_arch" != all ] && [ "$deb_arch" != "$(dpkg --print-architecture)" ]; then
    die $EXIT_USAGE "$deb is built for $deb_arch, and this machine is $(dpkg --print-architecture): use the package built for it"
  fi
  if [ "$have" = "$want" ]; then
    ok "$PACKAGE $have is installed (the version of $(basename "$deb"))"
  else
    act "install $PACKAGE $want from $deb${have:+ (replacing $have)}"
    apt_install "$deb"
    package_changed=1
  fi
elif [ -n "$have" ]; then
  ok "$PACKAGE $have is installed"
else
  command -v apt-get >/dev/null || die $EXIT_UNSUPPORTED "no apt-get here: this script is for Raspberry Pi OS (Debian 12)"
  candidate=$(apt-cache policy "$PACKAGE" 2>/dev/null | sed -n 's/^ *Candidate: *//p')
  if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
    die $EXIT_UNSUPPORTED "$PACKAGE is not in apt's sources: give the package file with --deb tenpoint-kiosk_VERSION_arm64.deb"
  fi
  act "install $PACKAGE $candidate from apt"
  apt_install "$PACKAGE"
  package_changed=1
fi
if [ -n "$(installed_version python3)" ] || { [ -n "$root" ] && command -v python3 >/dev/null; }; then
  ok "python3 is installed (it edits the JSON config)"
else
  act "install python3 (it edits the JSON config)"
  apt_install python3
fi
if user_exists "$USER_NAME"; then
  ok "system user $USER_NAME exists"
elif [ "$dry" -eq 1 ] && [ -z "$have" ]; then
  ok "system user $USER_NAME: made by the package when it is installed"
else
  act "make the system user $USER_NAME (the package's sysusers file)"
  run systemd-sysusers tenpoint-kiosk.conf
fi
for g in video render input audio; do
  group_exists "$g" || warn "there is no group $g: the kiosk unit needs it (SupplementaryGroups=) for the screen, the touch panel and the sound card"
done
# The config as it is after installing: read it now if it came with the
# package, or python3 did.
if [ "$cfg_readable" -eq 0 ]; then read_config; fi

# ---- 2. Boot to the kiosk -------------------------------------------------------------
step "Boot to the kiosk"
default_target=$(sysctl_ get-default 2>/dev/null || true)
if [ "$default_target" = graphical.target ]; then
  ok "the default target is graphical.target (the kiosk unit is wanted by it)"
else
  act "make graphical.target the default target (was ${default_target:-unknown}; the kiosk unit is wanted by it)"
  run systemctl set-default graphical.target
fi
if [ "$(unit_state "$KIOSK_UNIT")" = enabled ]; then
  ok "$KIOSK_UNIT is enabled"
else
  act "enable $KIOSK_UNIT (cage on tty1, in place of the login prompt there)"
  run systemctl enable "$KIOSK_UNIT"
fi
# raspi-config's console auto-login is a getty@tty1 drop-in running
# agetty --autologin; a shell on the kiosk's screen is exactly what must not be.
autologin_found=0
for f in "$(R "$AUTOLOGIN_DROPIN_DIR")"/*.conf; do
  [ -f "$f" ] || continue
  if grep -q -- '--autologin' "$f"; then
    autologin_found=1
    act "remove the console auto-login ${f#"$root"}"
    run rm -f "${f#"$root"}"
  fi
done
[ "$autologin_found" -eq 1 ] || ok "no console auto-login on tty1"
# A desktop image: its display manager would fight the kiosk for the screen.
lightdm_state=$(unit_state lightdm.service)
case "$lightdm_state" in
  enabled)
    act "disable lightdm (the desktop's login screen; the kiosk owns the display)"
    run systemctl disable lightdm.service
    ;;
  "" | not-found) ok "no desktop display manager (lightdm) to disable" ;;
  *) ok "lightdm is $lightdm_state" ;;
esac
lightdm_conf=$(R /etc/lightdm/lightdm.conf)
if [ -f "$lightdm_conf" ] && grep -Eq '^[[:space:]]*autologin-user[[:space:]]*=' "$lightdm_conf"; then
  act "turn off the desktop auto-login in /etc/lightdm/lightdm.conf (autologin-user commented out)"
  run sed -i -E 's/^([[:space:]]*autologin-user[[:space:]]*=)/#\1/' /etc/lightdm/lightdm.conf
fi
firmware_config=$(R /boot/firmware/config.txt)
if [ -f "$firmware_config" ] && ! grep -Eq '^[[:space:]]*dtoverlay=vc4-(f)?kms-v3d' "$firmware_config"; then
  warn "/boot/firmware/config.txt has no dtoverlay=vc4-kms-v3d: cage needs the KMS display driver (Raspberry Pi OS 12 has it by default)"
fi

# ---- 3. USB sticks and the clock ---------------------------------------------------------
step "USB sticks and the clock"
if [ -f "$(R "$USB_RULE")" ]; then
  ok "the USB rule $USB_RULE is installed (FAT and exFAT sticks mounted under /media for the kiosk)"
elif [ "$package_changed" -eq 1 ] && [ "$dry" -eq 1 ]; then
  ok "the USB rule $USB_RULE comes with the package"
else
  die $EXIT_FAILED "$USB_RULE is missing although $PACKAGE is installed: reinstall it (apt-get install --reinstall $PACKAGE)"
fi
if [ "$package_changed" -eq 1 ]; then
  if [ -z "$root" ] && { [ -S /run/udev/control ] || [ "$dry" -eq 1 ]; }; then
    act "reload udev's rules (the package's USB rule)"
    run udevadm control --reload
  else
    ok "udev is not running here: it reads the USB rule when it starts"
  fi
fi
timesync_state=$(unit_state systemd-timesyncd.service)
case "$timesync_state" in
  enabled) ok "systemd-timesyncd is enabled (answers are stamped 'clock trusted' once it has synchronised)" ;;
  "" | not-found)
    warn "no systemd-timesyncd: answers stay 'clock untrusted' unless another NTP client synchronises the clock"
    ;;
  *)
    act "enable systemd-timesyncd (network time: a Pi has no real-time clock)"
    run systemctl enable systemd-timesyncd.service
    ;;
esac

# ---- 4 and 5. The config ------------------------------------------------------------------
step "Config $CONFIG"
ca_file="$cfg_ca" server_pin="$cfg_server_pin"
if [ -n "$ca_opt" ]; then
  if [ -f "$(R "$SERVER_CA")" ] && cmp -s "$ca_opt" "$(R "$SERVER_CA")"; then
    ok "$SERVER_CA is the server's certificate already"
  else
    act "install the server's certificate as $SERVER_CA (trusted for this server only: sync.ca_file)"
    run install -D -m 0644 -o root -g root "$ca_opt" "$SERVER_CA"
  fi
  ca_file="$SERVER_CA"
fi
[ -z "$server_pin_opt" ] || server_pin="$server_pin_opt"
name="${name_opt:-$cfg_name}"
if [ -z "$name" ]; then
  if [ -n "$root" ]; then name=$(cat "$(R /etc/hostname)" 2>/dev/null || true); else name=$(hostname 2>/dev/null || true); fi
fi

pin_hash=""
if [ -n "$pin" ]; then
  if [ "$dry" -eq 1 ]; then
    printf '   would run: tenpoint pin-hash (PIN on standard input; only its Argon2id hash is kept)\n'
    pin_hash='(the new hash)'
  else
    printf '   $ tenpoint pin-hash (PIN on standard input)\n'
    pin_hash=$(printf '%s\n' "$pin" | tenpoint pin-hash 2>/dev/null) || die $EXIT_FAILED "tenpoint pin-hash failed: run it by hand to see why"
    [[ "$pin_hash" == "\$argon2id\$"* ]] || die $EXIT_FAILED "tenpoint pin-hash printed no hash"
  fi
elif [ -n "$pin_reason" ]; then
  pin_hash='(the new hash)'  # a dry run that could not ask: the hash would change
fi

describe=""
[ -z "$pin_hash" ] || describe+=", a new staff_pin_hash"
case "$mode" in
  online) describe+=", sync to $server${code:+ with enrolment code $code}${ca_file:+, ca_file $ca_file}${server_pin:+, pinned_public_key}" ;;
  offline) describe+=", no sync section (offline)" ;;
esac
if [ "$dry" -eq 1 ] && { [ "$mode" = unknown ] || [ -n "$ask_later" ] || ! command -v python3 >/dev/null ||
  { [ "$cfg_exists" -eq 1 ] && [ "$cfg_readable" -eq 0 ]; }; }; then
  # A dry run that could not ask, or read the config: it would be written.
  act "write $CONFIG (the kiosk's and tenpoint-sync's settings${describe}; mode 640, owner root:$USER_NAME)"
else
  [ "$cfg_exists" -eq 0 ] || [ "$cfg_readable" -eq 1 ] || die $EXIT_FAILED "unable to read $CONFIG"
  new_config=$(TP_PIN_HASH="$pin_hash" TP_MODE="$mode" TP_SERVER="$server" TP_CODE="$code" TP_CA_FILE="$ca_file" \
    TP_SERVER_PIN="$server_pin" TP_NAME="$name" TP_COMMENT="$CONFIG_COMMENT" TP_FALLBACK="$FALLBACK_CONFIG" \
    python3 - "$(R "$CONFIG")" <<'PY'
import copy, json, os, sys
e = os.environ
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    old = json.loads(text)
except FileNotFoundError:
    text, old = None, json.loads(e["TP_FALLBACK"])
c = copy.deepcopy(old)
if e["TP_PIN_HASH"]:
    c["staff_pin_hash"] = e["TP_PIN_HASH"]
if e["TP_MODE"] == "offline":
    c.pop("sync", None)
else:
    s = c.get("sync") if isinstance(c.get("sync"), dict) else {}
    s["server"] = e["TP_SERVER"]
    for key, var in (("ca_file", "TP_CA_FILE"), ("pinned_public_key", "TP_SERVER_PIN"),
                     ("enrolment_code", "TP_CODE"), ("kiosk_name", "TP_NAME")):
        if e[var]:
            s[key] = e[var]
    c["sync"] = s
if text is not None and c == old:
    # The same settings: the file stays as it is, layout and comment too.
    print(text.rstrip("\n"))
else:
    c["comment"] = e["TP_COMMENT"]
    print(json.dumps(c, indent=2, ensure_ascii=False))
PY
  ) || die $EXIT_FAILED "unable to make the new $CONFIG"
  write_file "$CONFIG" 640 "root:$USER_NAME" "the kiosk's and tenpoint-sync's settings${describe}" <<<"$new_config"
fi

step "Sync $SYNC_UNIT"
sync_state=$(unit_state "$SYNC_UNIT")
if [ "$mode" = offline ]; then
  if [ "$sync_state" = enabled ]; then
    act "disable $SYNC_UNIT (offline: no server to send to)"
    run systemctl disable "$SYNC_UNIT"
  else
    ok "$SYNC_UNIT is not enabled (offline)"
  fi
elif [ "$sync_state" = enabled ]; then
  ok "$SYNC_UNIT is enabled${enrolled_server:+ (enrolled)}"
else
  act "enable $SYNC_UNIT (it enrols with the code at its first round, then sends the answers)"
  run systemctl enable "$SYNC_UNIT"
fi

# ---- 6. Reboot -------------------------------------------------------------------------------
step "Reboot"
if [ "$changes" -eq 0 ]; then
  ok "nothing changed: no reboot needed"
elif [ "$no_reboot" -eq 1 ]; then
  ok "not rebooting (--no-reboot): the kiosk starts at the next boot"
elif [ -n "$root" ]; then
  ok "not rebooting: the system in $root is not running"
elif [ "$dry" -eq 1 ]; then
  printf '   would run: systemctl reboot (into the kiosk; --no-reboot to skip)\n'
elif ! systemd_running; then
  warn "systemd is not running here: not rebooting; the kiosk starts at the next boot"
fi

echo
if [ "$changes" -eq 0 ]; then
  echo "Nothing needed doing: this kiosk is set up already."
elif [ "$dry" -eq 1 ]; then
  echo "Dry run: $changes change(s) would be made; nothing was changed."
else
  echo "Done: $changes change(s) made."
  if [ "$mode" = online ] && [ -z "$enrolled_server" ]; then
    echo "After the reboot tenpoint-sync enrols with $server; the staff menu (5-second press top left, then the PIN)"
    echo "shows whether answers are sent, and so does: journalctl -u $SYNC_UNIT"
  fi
  if [ "$no_reboot" -eq 0 ] && systemd_running; then
    echo "Rebooting into the kiosk in 10 seconds (Ctrl+C to stay; then reboot later)."
    sleep 10
    systemctl reboot
  fi
fi
