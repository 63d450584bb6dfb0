#!/usr/bin/env bash
# server-setup.sh: makes a Debian 12 machine a Tenpoint server in one command.
#
#   sudo ./server-setup.sh [--deb tenpoint-server_VERSION_ARCH.deb]
#                          [--cert FULLCHAIN.pem --key KEY.pem | --hostname NAME[,NAME...]]
#                          [--postgres | --sqlite] [--listen ADDRESS:PORT]
#                          [--admin NAME] [--admin-password-file FILE]
#                          [--no-start] [--dry-run [--root DIR]]
#
# What it does, each step only when it is not done already:
#   1. installs the tenpoint-server package (from --deb FILE, else from apt's
#      sources) and the tools it needs (openssl), and checks the system user;
#   2. TLS: copies --cert/--key to /etc/tenpoint-server/tls/, or, when there is
#      no certificate yet, makes a self-signed one (EC P-256, 10 years) for
#      --hostname (default: this machine's name and addresses), and prints the
#      pin (sha256//...) and the file kiosks need;
#   3. the store: SQLite in /var/lib/tenpoint-server (the default), or
#      PostgreSQL on this machine (--postgres: installs postgresql, makes the
#      role tenpoint-server and the database tenpoint), written as
#      TENPOINT_STORE in /etc/default/tenpoint-server, which the unit reads;
#   4. the first admin account of the admin web (tenpoint-server admin add),
#      asking for its password twice (or --admin-password-file FILE);
#   5. enables the service and starts it (restarts it when its certificate or
#      settings changed).
# Running it again keeps what exists: the certificate and key, the database,
# the admin accounts, the settings you added to /etc/default/tenpoint-server.
# It says "Nothing needed doing" when there was nothing to do. It uses the
# network only through apt.
#
# --dry-run prints every command it would run and every file it would write,
# and changes nothing; it does not need root. --root DIR (with --dry-run only)
# looks at the system installed in DIR instead of / (an image, or a test).
#
# Exit codes:
#   0  done, or nothing needed doing (with --dry-run: the plan was printed)
#   1  a step failed (the message names it and what to do)
#   2  bad usage: an unknown option, a missing value, options that conflict
#   3  not run as root (needed without --dry-run)
#   4  input refused: passwords that differ, or one tenpoint-server refuses
#   5  this system cannot be set up: no apt, or the package is neither given
#      with --deb nor available from apt
set -euo pipefail

readonly EXIT_FAILED=1 EXIT_USAGE=2 EXIT_NOT_ROOT=3 EXIT_REFUSED=4 EXIT_UNSUPPORTED=5
readonly PACKAGE=tenpoint-server SERVICE=tenpoint-server.service USER_NAME=tenpoint-server
readonly DATA_DIR=/var/lib/tenpoint-server TLS_DIR=/etc/tenpoint-server/tls
readonly CERT=/etc/tenpoint-server/tls/cert.pem KEY=/etc/tenpoint-server/tls/key.pem
readonly DEFAULTS=/etc/default/tenpoint-server
readonly PG_ROLE=tenpoint-server PG_DATABASE=tenpoint
readonly PG_URL="postgresql://tenpoint-server@/tenpoint"
readonly SQLITE_STORE="--data=$DATA_DIR"
readonly PG_STORE="--database $PG_URL --secrets $DATA_DIR/secrets"
readonly CERT_DAYS=3650
readonly DEFAULT_PORT=8443

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
}

# ---- Options -----------------------------------------------------------------
deb="" cert_in="" key_in="" hostnames="" store_choice="" listen="" admin_name=admin
password_file="" no_start=0 dry=0 root=""

die() { # die CODE MESSAGE
  local code="$1"; shift
  printf 'server-setup: %s\n' "$*" >&2
  exit "$code"
}
need_value() { if [ $# -lt 2 ] || [ -z "$2" ]; then die $EXIT_USAGE "$1 needs a value (see --help)"; fi; }

while [ $# -gt 0 ]; do
  case "$1" in
    --deb) need_value "$@"; deb="$2"; shift 2 ;;
    --cert) need_value "$@"; cert_in="$2"; shift 2 ;;
    --key) need_value "$@"; key_in="$2"; shift 2 ;;
    --hostname) need_value "$@"; hostnames="${hostnames:+$hostnames,}$2"; shift 2 ;;
    --postgres) [ "$store_choice" != sqlite ] || die $EXIT_USAGE "--postgres and --sqlite conflict: choose one store"; store_choice=postgres; shift ;;
    --sqlite) [ "$store_choice" != postgres ] || die $EXIT_USAGE "--postgres and --sqlite conflict: choose one store"; store_choice=sqlite; shift ;;
    --listen) need_value "$@"; listen="$2"; shift 2 ;;
    --admin) need_value "$@"; admin_name="$2"; shift 2 ;;
    --admin-password-file) need_value "$@"; password_file="$2"; shift 2 ;;
    --no-start) no_start=1; shift ;;
    --dry-run) dry=1; shift ;;
    --root) need_value "$@"; root="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die $EXIT_USAGE "unknown option $1 (see --help)" ;;
  esac
done

if [ -n "$cert_in" ] && [ -z "$key_in" ]; then die $EXIT_USAGE "--cert needs --key (the certificate's private key)"; fi
if [ -n "$key_in" ] && [ -z "$cert_in" ]; then die $EXIT_USAGE "--key needs --cert"; fi
if [ -n "$cert_in" ] && [ -n "$hostnames" ]; then
  die $EXIT_USAGE "--hostname is for a self-signed certificate; it conflicts with --cert (the names are in your certificate)"
fi
if [ -n "$root" ] && [ "$dry" -eq 0 ]; then die $EXIT_USAGE "--root DIR works with --dry-run only"; fi
if [ -n "$listen" ] && ! [[ "$listen" =~ ^[^[:space:]]+:[0-9]{1,5}$ ]]; then
  die $EXIT_USAGE "--listen takes ADDRESS:PORT, such as 0.0.0.0:8443 (not \"$listen\")"
fi
if ! [[ "$admin_name" =~ ^[A-Za-z0-9.@_-]{1,64}$ ]]; then
  die $EXIT_USAGE "--admin: an admin name is 1 to 64 letters, digits, '.', '-', '_' or '@'"
fi
if [ -n "$hostnames" ] && ! [[ "$hostnames" =~ ^[A-Za-z0-9.:,*-]+$ ]]; then
  die $EXIT_USAGE "--hostname takes names or addresses separated by commas, such as tenpoint.council.example,192.0.2.10"
fi
for f in "$deb" "$cert_in" "$key_in" "$password_file"; do
  if [ -n "$f" ] && [ ! -r "$f" ]; then die $EXIT_USAGE "unable to read $f"; fi
done
# Absolute paths: apt-get takes a local .deb only as a path, and runuser
# commands run elsewhere.
[ -z "$deb" ] || deb=$(realpath "$deb")
[ -z "$cert_in" ] || cert_in=$(realpath "$cert_in")
[ -z "$key_in" ] || key_in=$(realpath "$key_in")
[ -z "$password_file" ] || password_file=$(realpath "$password_file")
if [ -n "$root" ]; then
  [ -d "$root" ] || die $EXIT_USAGE "--root $root is not a folder"
  root=$(realpath "$root")
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
# run_secret SECRET COMMAND...: the secret on standard input, never on a
# command line (where ps shows it) nor in the output.
run_secret() {
  local secret="$1"; shift
  if [ "$dry" -eq 1 ]; then printf '   would run: %s (password on standard input)\n' "$(quoted "$@")"; return 0; fi
  printf '   $ %s (password on standard input)\n' "$(quoted "$@")"
  printf '%s\n' "$secret" | "$@"
}
# Path P in the system being set up (under --root DIR when given).
R() { printf '%s%s' "$root" "$1"; }
systemd_running() { [ -z "$root" ] && [ -d /run/systemd/system ]; }
sysctl_() { if [ -n "$root" ]; then systemctl --root="$root" "$@"; else systemctl "$@"; fi; }
# write_file PATH MODE OWNER:GROUP PURPOSE, content on stdin: written (to a
# temporary file, then renamed) only when content, mode or owner differ.
write_file() {
  local path="$1" mode="$2" owner="$3" purpose="$4" content
  content="$(cat)"
  local target; target=$(R "$path")
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
user_exists() {
  if [ -n "$root" ]; then grep -q "^$1:" "$(R /etc/passwd)" 2>/dev/null; else getent passwd "$1" >/dev/null; fi
}
# installed_version PACKAGE: its version when installed, else nothing.
installed_version() {
  local status
  status=$(dpkg-query --admindir="$(R /var/lib/dpkg)" -W -f '${db:Status-Abbrev}|${Version}' "$1" 2>/dev/null || true)
  case "$status" in ii*) printf '%s' "${status#*|}" ;; esac
}
apt_updated=0
apt_install() { # apt_install WHAT... (package names or .deb paths)
  if [ "$apt_updated" -eq 0 ]; then run apt-get update -q; apt_updated=1; fi
  # A changed conffile keeps the local version: never a question mid-install.
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold "$@"
}
ask_secret() { # ask_secret PROMPT VAR: one line, not echoed; fails at end of input
  local line
  if [ -t 0 ]; then
    IFS= read -r -s -p "$1" line || return 1
    printf '\n' >&2
  else
    IFS= read -r line || return 1
  fi
  printf -v "$2" '%s' "$line"
}

# The service needs restarting when any of these changed.
restart_needed=0

if [ "$dry" -eq 1 ]; then
  echo "Tenpoint server setup: dry run, nothing will be changed${root:+ (system in $root)}"
else
  echo "Tenpoint server setup"
fi

# ---- 1. The package --------------------------------------------------------------
step "Package $PACKAGE"
codename=$(sed -n 's/^VERSION_CODENAME=//p' "$(R /etc/os-release)" 2>/dev/null || true)
if [ "$codename" != bookworm ]; then
  warn "written for Debian 12 (bookworm); this system says \"${codename:-unknown}\""
fi
command -v dpkg-query >/dev/null || die $EXIT_UNSUPPORTED "no dpkg here: this script is for Debian 12"
have=$(installed_version "$PACKAGE")
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
    restart_needed=1
  fi
elif [ -n "$have" ]; then
  ok "$PACKAGE $have is installed"
else
  command -v apt-get >/dev/null || die $EXIT_UNSUPPORTED "no apt-get here: this script is for Debian 12"
  candidate=$(apt-cache policy "$PACKAGE" 2>/dev/null | sed -n 's/^ *Candidate: *//p')
  if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
    die $EXIT_UNSUPPORTED "$PACKAGE is not in apt's sources: give the package file with --deb tenpoint-server_VERSION_ARCH.deb"
  fi
  act "install $PACKAGE $candidate from apt"
  apt_install "$PACKAGE"
fi
if command -v openssl >/dev/null; then
  ok "openssl is installed"
else
  act "install openssl (to make the certificate and its pin)"
  apt_install openssl
fi
if user_exists "$USER_NAME"; then
  ok "system user $USER_NAME exists"
elif [ "$dry" -eq 1 ] && [ -z "$have" ]; then
  ok "system user $USER_NAME: made by the package when it is installed"
else
  act "make the system user $USER_NAME (the package's sysusers file)"
  run systemd-sysusers tenpoint-server.conf
fi

# ---- 2. The store ------------------------------------------------------------------
step "Database"
# What /etc/default/tenpoint-server says now, if anything.
current_store=$({ sed -n 's/^TENPOINT_STORE=//p' "$(R "$DEFAULTS")" 2>/dev/null || true; } | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/')
case "$current_store" in
  "") current_kind="" ;;
  *--database*) current_kind=postgres ;;
  *) current_kind=sqlite ;;
esac
kind="${store_choice:-${current_kind:-sqlite}}"
if [ -n "$current_kind" ] && [ "$kind" != "$current_kind" ]; then
  die $EXIT_USAGE "this server keeps its data in $current_kind ($DEFAULTS: TENPOINT_STORE=$current_store); switching to $kind would leave that data behind. Move it by hand, or run without --$kind"
fi
if [ "$kind" = postgres ]; then
  store="$PG_STORE"
  if [ -n "$(installed_version postgresql)" ]; then
    ok "postgresql is installed"
  else
    act "install postgresql"
    apt_install postgresql
  fi
  if [ -n "$root" ]; then
    # No database server runs in an image: only say what would be made.
    act "make the PostgreSQL role $PG_ROLE and the database $PG_DATABASE, unless they exist"
    run runuser -u postgres -- createuser --no-superuser --no-createdb --no-createrole "$PG_ROLE"
    run runuser -u postgres -- createdb --owner="$PG_ROLE" "$PG_DATABASE"
  else
    if [ "$dry" -eq 0 ]; then
      if systemd_running; then
        if ! systemctl is-active --quiet postgresql.service; then
          act "start PostgreSQL"
          run systemctl enable --now postgresql.service
        fi
      else
        # No systemd running (a container or a chroot): start the clusters
        # that are down with Debian's own tool.
        while read -r version cluster _ state _; do
          if [ "$state" = down ]; then
            act "start the PostgreSQL cluster $version/$cluster"
            run pg_ctlcluster "$version" "$cluster" start
          fi
        done < <(pg_lsclusters -h 2>/dev/null || true)
      fi
    fi
    # psql_value SQL: one value from the database server, "" when it cannot be asked.
    psql_value() { runuser -u postgres -- psql -X -q -t -A -c "$1" 2>/dev/null || true; }
    can_ask=0
    if [ "$(id -u)" -eq 0 ] && command -v psql >/dev/null && [ "$(psql_value 'SELECT 1')" = 1 ]; then can_ask=1; fi
    if [ "$can_ask" -eq 1 ] && [ "$(psql_value "SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE'")" = 1 ]; then
      ok "PostgreSQL role $PG_ROLE exists"
    else
      act "make the PostgreSQL role $PG_ROLE (signs in as the system user of that name: peer authentication, no password)"
      run runuser -u postgres -- createuser --no-superuser --no-createdb --no-createrole "$PG_ROLE"
    fi
    if [ "$can_ask" -eq 1 ] && [ "$(psql_value "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")" = 1 ]; then
      ok "PostgreSQL database $PG_DATABASE exists (kept as it is)"
    else
      act "make the PostgreSQL database $PG_DATABASE, owned by $PG_ROLE"
      run runuser -u postgres -- createdb --owner="$PG_ROLE" "$PG_DATABASE"
    fi
  fi
else
  store="$SQLITE_STORE"
  if [ -f "$(R "$DATA_DIR/server.db")" ]; then
    ok "SQLite database $DATA_DIR/server.db exists (kept as it is)"
  else
    ok "SQLite database $DATA_DIR/server.db: made by the first tenpoint-server command below"
  fi
fi
data_dir=$(R "$DATA_DIR")
if [ -d "$data_dir" ] && [ "$(stat -c %a "$data_dir")" = 700 ] &&
  { [ -n "$root" ] || [ "$(stat -c %U "$data_dir")" = "$USER_NAME" ]; }; then
  ok "$DATA_DIR is the service's own (0700)"
else
  act "make $DATA_DIR, the service's own folder (0700, $USER_NAME)"
  run install -d -m 0700 -o "$USER_NAME" -g "$USER_NAME" "$DATA_DIR"
fi

# /etc/default/tenpoint-server: the store (and --listen) set, every other
# line kept as it is.
defaults_now=$(cat "$(R "$DEFAULTS")" 2>/dev/null || true)
if [ -z "$defaults_now" ]; then
  defaults_now="# Settings of tenpoint-server.service (deploy/README.md): TENPOINT_LISTEN,
# TENPOINT_STORE, TENPOINT_SERVER_OPTIONS. server-setup.sh sets TENPOINT_STORE
# (and TENPOINT_LISTEN with --listen); the lines you add are kept."
fi
set_line() { # set_line TEXT KEY VALUE: TEXT with KEY=VALUE replacing KEY's line, or added
  local text="$1" key="$2" value="$3" out="" line done=0
  while IFS= read -r line; do
    if [[ "$line" == "$key="* ]]; then
      [ "$done" -eq 0 ] && out+="$key=$value"$'\n'
      done=1
    else
      out+="$line"$'\n'
    fi
  done <<<"$text"
  [ "$done" -eq 1 ] || out+="$key=$value"$'\n'
  printf '%s' "${out%$'\n'}"
}
defaults_new=$(set_line "$defaults_now" TENPOINT_STORE "\"$store\"")
[ -z "$listen" ] || defaults_new=$(set_line "$defaults_new" TENPOINT_LISTEN "$listen")
before=$changes
write_file "$DEFAULTS" 644 root:root "the server unit's settings: TENPOINT_STORE=\"$store\"${listen:+, TENPOINT_LISTEN=$listen}" <<<"$defaults_new"
[ "$changes" -eq "$before" ] || restart_needed=1
listen_now=$(printf '%s\n' "$defaults_new" | sed -n 's/^TENPOINT_LISTEN=//p' | tail -n 1 | tr -d '"')
port="${listen_now##*:}"; port="${port:-$DEFAULT_PORT}"

# ---- 3. TLS --------------------------------------------------------------------------
step "TLS certificate"
# spki_pin CERT: the pin of its public key, as tenpoint-sync takes it
# (sync.pinned_public_key; curl's CURLOPT_PINNEDPUBLICKEY).
spki_pin() {
  printf 'sha256//%s' "$(openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | openssl enc -base64 -A)"
}
# key_matches CERT KEY: whether the key is the certificate's.
key_matches() {
  [ "$(openssl x509 -in "$1" -pubkey -noout 2>/dev/null)" = "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ] &&
    [ -n "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ]
}
cert_path=$(R "$CERT") key_path=$(R "$KEY")
if [ -d "$(R "$TLS_DIR")" ] && [ "$(stat -c %a "$(R "$TLS_DIR")")" = 700 ]; then
  ok "$TLS_DIR is root's only (0700)"
else
  act "make $TLS_DIR (0700, root's: systemd hands the service its own copy of each file)"
  run install -d -m 0700 -o root -g root "$TLS_DIR"
fi
can_read_key=1
if [ -e "$key_path" ] && [ ! -r "$key_path" ]; then can_read_key=0; fi
if [ -n "$cert_in" ]; then
  command -v openssl >/dev/null || die $EXIT_FAILED "openssl is needed to check $cert_in"
  openssl x509 -in "$cert_in" -noout 2>/dev/null || die $EXIT_USAGE "$cert_in is not a PEM certificate"
  key_matches "$cert_in" "$key_in" || die $EXIT_USAGE "$key_in is not the private key of $cert_in"
  if [ -f "$cert_path" ] && [ -f "$key_path" ] && cmp -s "$cert_in" "$cert_path" && { [ "$can_read_key" -eq 0 ] || cmp -s "$key_in" "$key_path"; }; then
    ok "$CERT and $KEY are already these files"
  else
    if [ -f "$cert_path" ]; then
      act "replace the certificate and key with $cert_in and $key_in (the old ones kept as *.pem.old)"
      run cp -p "$CERT" "$CERT.old"
      run cp -p "$KEY" "$KEY.old"
    else
      act "install $cert_in and $key_in as the server's certificate and key"
    fi
    run install -m 0600 -o root -g root "$cert_in" "$CERT"
    run install -m 0600 -o root -g root "$key_in" "$KEY"
    restart_needed=1
  fi
elif [ -f "$cert_path" ] && [ -f "$key_path" ]; then
  if [ "$can_read_key" -eq 1 ] && command -v openssl >/dev/null && ! key_matches "$cert_path" "$key_path"; then
    die $EXIT_FAILED "$KEY is not the private key of $CERT: put the right pair there (--cert FILE --key FILE), or move both aside to make a new self-signed one"
  fi
  ok "kept the certificate $CERT and its key"
elif [ -e "$cert_path" ] || [ -e "$key_path" ]; then
  die $EXIT_FAILED "only one of $CERT and $KEY exists: give both (--cert FILE --key FILE), or move the one there aside to make a new self-signed pair"
else
  if [ -z "$hostnames" ]; then
    # This machine's names and addresses: kiosks may use either in the URL.
    hostnames=$(
      {
        hostname -f 2>/dev/null || true
        hostname 2>/dev/null || true
        hostname -I 2>/dev/null | tr ' ' '\n' || true
      } | awk 'NF && $0 != "localhost" && !seen[$0]++' | paste -sd, -
    )
    [ -n "$hostnames" ] || die $EXIT_USAGE "unable to tell this machine's name: give --hostname NAME (the name kiosks use to reach it)"
  fi
  san=""
  IFS=, read -r -a names <<<"$hostnames"
  for n in "${names[@]}"; do
    [ -n "$n" ] || continue
    if [[ "$n" =~ ^[0-9.]+$ ]] || [[ "$n" == *:* ]]; then san+="${san:+,}IP:$n"; else san+="${san:+,}DNS:$n"; fi
  done
  cn="${names[0]}"
  act "make a self-signed certificate for $san (EC P-256, $CERT_DAYS days), key in $KEY"
  run openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$CERT_DAYS" -subj "/CN=$cn" \
    -addext "subjectAltName=$san" -addext "basicConstraints=critical,CA:FALSE" \
    -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=serverAuth" \
    -keyout "$KEY" -out "$CERT"
  run chmod 0600 "$KEY" "$CERT"
  restart_needed=1
fi
pin="" expires="" names_in_cert="" self_signed=0 cn="${cn:-}"
if [ -r "$cert_path" ] && command -v openssl >/dev/null; then
  pin=$(spki_pin "$cert_path")
  expires=$(openssl x509 -in "$cert_path" -noout -enddate | sed 's/^notAfter=//')
  names_in_cert=$({ openssl x509 -in "$cert_path" -noout -ext subjectAltName 2>/dev/null || true; } | sed -n '2,$p' | tr -d ' ')
  [ "$(openssl x509 -in "$cert_path" -noout -subject -nameopt RFC2253)" != \
    "subject=$(openssl x509 -in "$cert_path" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')" ] || self_signed=1
  openssl x509 -in "$cert_path" -noout -checkend $((30 * 86400)) >/dev/null ||
    warn "the certificate expires within 30 days ($expires): kiosks will refuse it then"
fi

# ---- 4. The first admin account ---------------------------------------------------------
step "Admin account"
if [ "$kind" = postgres ]; then store_args=(--database "$PG_URL"); else store_args=(--data "$DATA_DIR"); fi
# admins: the admin-role accounts there are now, one a line; fails when it
# cannot tell (no program, no database yet, no permission).
admins() {
  command -v tenpoint-server >/dev/null || return 1
  local listing db
  db=$(R "$DATA_DIR/server.db")
  if [ "$kind" = sqlite ] && [ "$dry" -eq 1 ]; then
    # Opening the database would touch its folder (SQLite's -wal and -shm
    # files): a dry run asks a copy instead.
    [ -r "$db" ] || return 1
    local copy; copy=$(mktemp -d)
    cp "$db" "$copy/server.db"
    if [ -r "$db-wal" ]; then cp "$db-wal" "$copy/server.db-wal"; fi
    listing=$(tenpoint-server admin list --data "$copy" 2>/dev/null) || { rm -rf "$copy"; return 1; }
    rm -rf "$copy"
  elif [ -n "$root" ]; then
    return 1  # PostgreSQL: no database server runs in an image
  else
    if [ "$(id -u)" -ne 0 ] || ! user_exists "$USER_NAME"; then return 1; fi
    if [ "$kind" = sqlite ] && [ ! -f "$db" ]; then return 1; fi
    listing=$(cd / && runuser -u "$USER_NAME" -- tenpoint-server admin list "${store_args[@]}" 2>/dev/null) || return 1
  fi
  printf '%s\n' "$listing" | awk 'NR > 1 && $2 == "admin" { print $1 }'
}
existing_admins=""
if existing_admins=$(admins); then :; else existing_admins=""; fi
if [ -n "$existing_admins" ]; then
  ok "the admin web has admin accounts already: $(printf '%s' "$existing_admins" | paste -sd, - | sed 's/,/, /g') (kept)"
else
  act "add the admin account $admin_name to the admin web (its password is asked for; only its hash is stored)"
  password="" again=""
  if [ -n "$password_file" ]; then
    IFS= read -r password <"$password_file" || true
    password="${password%$'\r'}"
    [ -n "$password" ] || die $EXIT_REFUSED "$password_file is empty: put the password on its first line"
  elif [ "$dry" -eq 1 ] && [ -t 0 ]; then
    printf '   would ask for the password of %s twice (not shown)\n' "$admin_name"
  else
    for attempt in 1 2 3; do
      if ! ask_secret "Password for $admin_name (at least 12 characters; a few words make a good one): " password; then
        [ "$dry" -eq 1 ] && { printf '   would ask for the password of %s twice (not shown)\n' "$admin_name"; break; }
        die $EXIT_USAGE "no password to read: give --admin-password-file FILE, or run from a terminal"
      fi
      ask_secret "The same password again: " again || die $EXIT_USAGE "no second password to read"
      [ "$password" = "$again" ] && break
      password=""
      if ! [ -t 0 ] || [ "$attempt" -eq 3 ]; then die $EXIT_REFUSED "the two passwords differ; nothing was added"; fi
      echo "The two passwords differ; again." >&2
    done
  fi
  if [ "$dry" -eq 0 ]; then
    if ! (cd / && run_secret "$password" runuser -u "$USER_NAME" -- tenpoint-server admin add "$admin_name" --role admin "${store_args[@]}"); then
      die $EXIT_REFUSED "tenpoint-server refused the password (it says why above): run again with another one"
    fi
  else
    run_secret "" runuser -u "$USER_NAME" -- tenpoint-server admin add "$admin_name" --role admin "${store_args[@]}"
  fi
fi

# ---- 5. The service ----------------------------------------------------------------------
step "Service $SERVICE"
if [ "$(sysctl_ is-enabled "$SERVICE" 2>/dev/null || true)" = enabled ]; then
  ok "$SERVICE is enabled (starts at boot)"
else
  act "enable $SERVICE (starts at boot)"
  run systemctl enable "$SERVICE"
fi
if [ "$no_start" -eq 1 ]; then
  ok "not started now (--no-start)"
elif [ -n "$root" ]; then
  ok "not started: the system in $root is not running"
elif ! systemd_running; then
  # A chroot or a container: nothing to start now; the unit is enabled.
  warn "systemd is not running here: $SERVICE starts at the next boot"
elif ! systemctl is-active --quiet "$SERVICE"; then
  act "start $SERVICE"
  run systemctl start "$SERVICE"
elif [ "$restart_needed" -eq 1 ]; then
  act "restart $SERVICE (its package, certificate or settings changed)"
  run systemctl restart "$SERVICE"
else
  ok "$SERVICE is running"
fi
if [ "$dry" -eq 0 ] && systemd_running && [ "$no_start" -eq 0 ]; then
  sleep 2
  if ! systemctl is-active --quiet "$SERVICE"; then
    journalctl -u "$SERVICE" -n 15 --no-pager >&2 || true
    die $EXIT_FAILED "$SERVICE did not stay up: its log is above (journalctl -u $SERVICE)"
  fi
fi

# ---- What kiosks need ----------------------------------------------------------------------
step "For the kiosks"
host=$(printf '%s' "$names_in_cert" | tr ',' '\n' | awk -F: '($1 == "DNS" || $1 == "IPAddress") && !done { sub(/^[^:]*:/, ""); print; done = 1 }')
host="${host:-${cn:-THIS-SERVER}}"
echo "   Server address:  https://$host:$port   (names in the certificate: ${names_in_cert:-not known yet})"
if [ -n "$pin" ]; then echo "   Server pin:      $pin"; fi
if [ -n "$expires" ]; then echo "   Certificate:     $CERT, valid until $expires"; fi
if [ "$self_signed" -eq 1 ] || { [ -z "$cert_in" ] && [ -z "$pin" ]; }; then
  echo "   The certificate is self-signed: every kiosk needs a copy of it (it is public) and the pin."
  echo "   Copy it to the USB stick you set the kiosks up with:  cp $CERT /media/STICK/server-cert.pem"
  echo "   On each kiosk:  sudo ./pi-setup.sh --deb tenpoint-kiosk_VERSION_arm64.deb --server https://$host:$port \\"
  echo "                     --server-ca server-cert.pem --server-pin ${pin:-sha256//...} --code CODE"
else
  echo "   Kiosks trust this certificate through the system's CA store: give them no --server-ca."
  echo "   The pin is optional; with it, a renewal with a new key locks the kiosks out until they get the new pin."
fi
if [ "$kind" = postgres ]; then code_store="--database $PG_URL --secrets $DATA_DIR/secrets"; else code_store="--data $DATA_DIR"; fi
echo "   A one-time enrolment code per kiosk (valid 7 days):"
echo "     runuser -u $USER_NAME -- tenpoint-server enrol-code $code_store --venue \"Central Library\""
echo "   Admin web:       https://$host:$port/admin/"

echo
if [ "$changes" -eq 0 ]; then
  echo "Nothing needed doing: this server is set up already."
elif [ "$dry" -eq 1 ]; then
  echo "Dry run: $changes change(s) would be made; nothing was changed."
else
  echo "Done: $changes change(s) made."
fi
