#!/usr/bin/env bash
# Every program's --version: one line, "PROGRAM VERSION (commit COMMIT)",
# exit 0, where VERSION is the project's (CMakeLists.txt) and COMMIT the
# checkout's `git rev-parse --short=12 HEAD`, or "unknown" when the source
# folder is not a git checkout.
# Usage: version_test.sh SOURCE_DIR PROJECT_VERSION PROGRAM...
set -euo pipefail
src="$1"; version="$2"; shift 2

expected_commit=unknown
if command -v git >/dev/null && top=$(git -C "$src" rev-parse --show-toplevel 2>/dev/null) &&
   [ "$(realpath "$top")" = "$(realpath "$src")" ]; then
  expected_commit=$(git -C "$src" rev-parse --short=12 --verify -q HEAD || echo unknown)
fi

failures=0
for program in "$@"; do
  name=$(basename "$program")
  if ! out=$("$program" --version 2>&1); then
    echo "FAIL $name --version exited non-zero: $out"; failures=$((failures + 1)); continue
  fi
  want="$name $version (commit $expected_commit)"
  if [ "$out" != "$want" ]; then
    echo "FAIL $name --version printed '$out', expected '$want'"; failures=$((failures + 1)); continue
  fi
  echo "ok   $out"
done
[ "$failures" -eq 0 ]
