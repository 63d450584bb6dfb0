#!/usr/bin/env bash
# After the test suite: no process started from the build folder, no test
# Xvfb and no test PostgreSQL may still be running. Lists any it finds.
# Usage: check-leftovers.sh BUILD_DIR
set -uo pipefail
build="$(cd "$1" && pwd)"
find_left() {
  ps -eo pid=,args= | awk -v b="$build" -v me="$$" '
    $1 == me { next }
    index($0, "check-leftovers") { next }
    index($2, b "/") == 1 || index($2, b "-") == 1 { print; next }
    $2 ~ /(^|\/)Xvfb$/ && $3 == "-displayfd" { print; next }
    index($0, "tenpoint-test-pg") { print }'
}
left=$(find_left)
for _ in $(seq 20); do  # processes just told to stop get two seconds
  [ -z "$left" ] && break
  sleep 0.1
  left=$(find_left)
done
if [ -n "$left" ]; then
  echo "check-leftovers: the tests left these processes running:"
  echo "$left"
  exit 1
fi
echo "check-leftovers: no process left behind"
