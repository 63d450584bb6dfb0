#!/usr/bin/env bash
# Checks that every C++ file git tracks follows the root .clang-format.
# Prints the files that do not, and how to fix them.
# Usage: check-format.sh [SOURCE_DIR]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
command -v clang-format >/dev/null || { echo "check-format: clang-format is not installed (deploy/install-deps.sh installs it)"; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' '*.h')
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  printf 'check-format: %d of %d files differ from .clang-format:\n' "${#bad[@]}" "${#files[@]}"
  printf '  %s\n' "${bad[@]}"
  echo "fix with: clang-format -i ${bad[*]}"
  exit 1
fi
echo "check-format: all ${#files[@]} C++ files follow .clang-format"
