#!/usr/bin/env bash
# Database bytes per answer: the kiosk's schema (with its indexes) against the
# same rows copied into one plain table without indexes, in the same run.
set -euo pipefail
cli="$1"; dir="$2"; n="${3:-100000}"
rm -rf "$dir"; mkdir -p "$dir"
"$cli" simulate --db "$dir/kiosk.db" --answers "$n" --seed 1 >/dev/null
sqlite3 "$dir/kiosk.db" "PRAGMA wal_checkpoint(TRUNCATE); VACUUM;" >/dev/null
sqlite3 "$dir/plain.db" "ATTACH '$dir/kiosk.db' AS k; CREATE TABLE answers AS SELECT * FROM k.answers; DETACH k; VACUUM;"
kiosk=$(stat -c %s "$dir/kiosk.db"); plain=$(stat -c %s "$dir/plain.db")
awk -v k="$kiosk" -v p="$plain" -v n="$n" 'BEGIN {
  printf "database size, %d simulated answers\n", n
  printf "  kiosk schema (3 indexes): %6.1f bytes/answer\n", k / n
  printf "  same rows, no indexes:    %6.1f bytes/answer\n", p / n
  printf "  ratio:                    %6.2fx\n", k / p }'
