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

# One clang-format process per batch of files, two batches at a time (one
# process per file cost a minute of make test): each file that differs gets
# "FILE:LINE:COL: error: code should be clang-formatted" lines on stderr.
rc=0
# shellcheck disable=SC2016 # $0 and $@ belong to the inner shell
out=$(echo "$files" | xargs -n 64 -P 2 sh -c '"$0" --dry-run -Werror "$@" 2>&1 >/dev/null' "$cf") ||
    rc=$?
bad=$(printf '%s\n' "$out" |
    sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' |
    sort -u | tr '\n' ' ')
if [ "$rc" -ne 0 ] && [ -z "$bad" ]; then
    printf '%s\n' "$out" | tail -n 20 >&2
    echo "format-check: $cf failed (exit $rc)" >&2
    exit 2
fi
if [ -n "$bad" ]; then
    echo "format-check: these files differ from .clang-format (make format fixes them):" >&2
    for f in $bad; do echo "  $f" >&2; done
    exit 1
fi
echo "format-check: ok ($(echo "$files" | wc -l) files)"
