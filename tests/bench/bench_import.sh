#!/usr/bin/env bash
# A kiosk's USB bundle imported on the server (tenpoint-server import),
# against a bulk insert of the same rows into an empty database with the
# server's schema (bulk_insert_baseline: one transaction, one prepared
# statement, no JSON, no signature), in the same run. Also the second
# import of the same bundle, which stores nothing.
# The kiosk: N answers from `tenpoint simulate`, enrolled offline
# (enrol-code --file, enrol-offline, import of the reply), exported with
# `tenpoint export`.
# Usage: bench_import.sh BUILD_DIR SOURCE_DIR OUT_DIR [N]
set -euo pipefail
build="$1"; src="$2"; dir="$3"; n="${4:-1000000}"
rm -rf "$dir"; mkdir -p "$dir/server" "$dir/kiosk" "$dir/stick"
server() { "$build/tenpoint-server" "$@" --data "$dir/server"; }
seconds() { python3 -c "print(f'{($2 - $1) / 1e9:.2f}')"; }

server enrol-code --venue "Bench" --file "$dir/stick/enrol.json" >/dev/null
"$build/tenpoint" simulate --db "$dir/kiosk/kiosk.db" --answers "$n" --seed 5 --days 365 >/dev/null
"$build/tenpoint" enrol-offline --file "$dir/stick/enrol.json" --db "$dir/kiosk/kiosk.db" >/dev/null
server import "$dir/stick/enrol-reply.json" >/dev/null
"$build/tenpoint" export --db "$dir/kiosk/kiosk.db" --to "$dir/stick" >/dev/null 2>&1
folder=$(find "$dir/stick" -mindepth 1 -maxdepth 1 -type d | head -1)
in_bundle=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["answers"])' "$folder/server-bundle/manifest.json")
bytes=$(du -sb "$folder/server-bundle" | cut -f1)

t0=$(date +%s%N); server import "$folder" >"$dir/import-1.txt"; t1=$(date +%s%N)
t2=$(date +%s%N); server import "$folder" >"$dir/import-2.txt"; t3=$(date +%s%N)
grep -q " $in_bundle new, 0 already here" "$dir/import-1.txt" || { echo "the first import did not store every answer: $(cat "$dir/import-1.txt")"; exit 1; }
grep -q " 0 new, $in_bundle already here" "$dir/import-2.txt" || { echo "the second import stored something: $(cat "$dir/import-2.txt")"; exit 1; }
first=$(seconds "$t0" "$t1"); again=$(seconds "$t2" "$t3")

read -r _ bulk_rows _ bulk_s < <("$build/tests/bulk_insert_baseline" "$dir/server/server.db" "$dir/kiosk/kiosk.db" kiosk "$dir/limit.db")
[ "$bulk_rows" = "$in_bundle" ] || echo "(the bulk insert wrote $bulk_rows rows, the bundle holds $in_bundle: answers of open visits stay out of bundles)"
ratio=$(python3 -c "print(f'{$first / $bulk_s:.1f}')")
ratio2=$(python3 -c "print(f'{$again / $bulk_s:.1f}')")
echo "Import of a USB bundle of $in_bundle answers ($((bytes / 1048576)) MiB, signature and SHA-256 checked, a copy made aside):"
echo "  first import $first s, again (all already held) $again s; bulk insert of the same rows $bulk_s s"
echo "  import: ratio ${ratio}x against the bulk insert (second import ${ratio2}x)"
