#!/bin/sh
# The C sources' formatting against .clang-format, with the pinned
# clang-format of Debian 12 (clang-format-14; scripts/deps.sh installs it).
#   sh scripts/format-check.sh        list the files that differ, exit 1 if any
#   sh scripts/format-check.sh --fix  rewrite them in place
set -eu
cd "$(dirname "$0")/.."

cf=clang-format-14
if ! command -v "$cf" >/dev/null 2>&1; then
    echo "format-check: $cf not found (sh scripts/deps.sh installs it)" >&2
    exit 2
fi

files=$(git ls-files '*.c' '*.h')
if [ "${1:-}" = "--fix" ]; then
    # shellcheck disable=SC2086 # one word per file is wanted
    $cf -i $files
    echo "format-check: formatted $(echo "$files" | wc -l) files"
    exit 0
fi

bad=""
for f in $files; do
    $cf --dry-run -Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
done
if [ -n "$bad" ]; then
    echo "format-check: these files differ from .clang-format (make format fixes them):" >&2
    for f in $bad; do echo "  $f" >&2; done
    exit 1
fi
echo "format-check: ok ($(echo "$files" | wc -l) files)"
