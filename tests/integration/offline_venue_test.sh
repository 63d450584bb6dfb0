#!/usr/bin/env bash
# A venue without network, start to finish, with the real programs:
#   tenpoint-server enrol-code --file (enrol.json on the "stick")
#   tenpoint enrol-offline (the kiosk's key, enrol-reply.json back on the stick)
#   tenpoint-server import enrol-reply.json (the kiosk enrolled, its key kept)
#   tenpoint export (answers.csv, report.html, and the signed server bundle)
#   tenpoint-server import, twice: every answer stored once
# and a bundle changed on the stick is refused with nothing stored.
# Usage: offline_venue_test.sh BUILD_DIR OUT_DIR
set -euo pipefail
build="$1"; out="$2"
work="$out/offline-venue"; rm -rf "$work"; mkdir -p "$work/server" "$work/kiosk" "$work/stick"
fail() { echo "FAILED: $*"; exit 1; }
server() { "$build/tenpoint-server" "$@" --data "$work/server"; }
held() { server stats --json | python3 -c 'import json,sys; print(sum(r["answers"] for r in json.load(sys.stdin)["rows"]))'; }

server enrol-code --venue "Hill Top" --file "$work/stick/enrol.json" >"$work/enrol-code.txt"
[ "$(stat -c %a "$work/stick/enrol.json")" = 600 ] || fail "enrol.json is readable by others"

"$build/tenpoint" simulate --db "$work/kiosk/kiosk.db" --answers 3000 --seed 7 >/dev/null
"$build/tenpoint" enrol-offline --file "$work/stick/enrol.json" --db "$work/kiosk/kiosk.db" --name "desk" | tee "$work/enrol.txt"
[ -f "$work/stick/enrol-reply.json" ] || fail "no enrol-reply.json on the stick"
[ -f "$work/kiosk/device.key" ] || fail "the kiosk made no key"

server import "$work/stick/enrol-reply.json" | tee "$work/import-reply.txt"
grep -q "Enrolled kiosk" "$work/import-reply.txt" || fail "the reply did not enrol the kiosk"
server status >"$work/status.txt"
grep -q "Hill Top" "$work/status.txt" || fail "the kiosk is not listed at its venue"

"$build/tenpoint" export --db "$work/kiosk/kiosk.db" --to "$work/stick" | tee "$work/export.txt"
folder=$(find "$work/stick" -mindepth 1 -maxdepth 1 -type d -name 'Hill Top *' | head -1)
[ -n "$folder" ] || fail "no export folder named for the venue"
[ -f "$folder/server-bundle/manifest.json" ] || fail "the export carries no server bundle"
in_bundle=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["answers"])' "$folder/server-bundle/manifest.json")
[ "$in_bundle" -gt 0 ] || fail "the bundle holds no answers"

# A copy changed on the stick: refused, nothing stored.
cp -r "$folder" "$work/changed"
sed -i '1s/"score":3/"score":4/' "$work/changed/server-bundle/answers.jsonl"
if server import "$work/changed" >"$work/import-changed.txt" 2>&1; then fail "a changed bundle was imported"; fi
grep -q "changed or damaged" "$work/import-changed.txt" || fail "no clear message for a changed bundle: $(cat "$work/import-changed.txt")"
[ "$(held)" = 0 ] || fail "a refused bundle stored answers"

server import "$folder" | tee "$work/import-1.txt"
[ "$(held)" = "$in_bundle" ] || fail "the server holds $(held) answers, the bundle $in_bundle"
server import "$folder" | tee "$work/import-2.txt"
grep -q " 0 new, $in_bundle already here" "$work/import-2.txt" || fail "the second import was not a no-op"
[ "$(held)" = "$in_bundle" ] || fail "the second import changed the count"
echo "offline venue: enrolled from the stick, $in_bundle answers imported once"
