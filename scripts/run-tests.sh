#!/bin/sh
# Runs test binaries of one kind and summarises.
# Usage: run-tests.sh unit|integration|http BIN...
#
# integration and http get a throwaway PostgreSQL cluster (removed on exit):
#   XUEJI_TEST_DATABASE_URL  libpq URL of database xueji in it
#   XUEJI_TEST_PGDIR         its directory (for scripts/pg.sh)
# http also gets XUEJID_BIN, the xuejid built next to the tests
# (build/<BUILD>/tests/http/x_test -> build/<BUILD>/xuejid).
# Each binary gets TEST_TIMEOUT seconds (default 900). Database suites run in
# TEST_LANES lanes (default 2), each with a cluster of its own (below).
set -eu

kind=${1:-}
case "$kind" in
    unit | integration | http) shift ;;
    *) echo "usage: run-tests.sh unit|integration|http BIN..." >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)

if [ $# -eq 0 ]; then
    echo "tests($kind): 0 passed, 0 failed"
    exit 0
fi

# Sanitizer settings for the debug build (ignored by the release build).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# Unit tests are pure: one process per suite, not a fork per test (a fork
# under ASan costs ~0.2 s; route_test alone has 124 checks). A crash still
# fails the run. Servers and databases keep check's fork per test.
if [ "$kind" = unit ]; then
    export CK_FORK="${CK_FORK:-no}"
fi

# Suites with a database run in TEST_LANES lanes side by side (default 2),
# each lane with its own PostgreSQL cluster and its suites one after another:
# most of a suite's time is spent waiting on the server and the database, so
# two lanes keep the machine's cores busy. TEST_LANES=1: one lane.
lanes=${TEST_LANES:-2}
case "$lanes" in '' | *[!0-9]* | 0) echo "run-tests: TEST_LANES must be >= 1" >&2; exit 2 ;; esac
if [ "$kind" != unit ] && [ "$lanes" -gt 1 ] && [ $# -gt 1 ]; then
    logdir=$(mktemp -d "${TMPDIR:-/tmp}/xueji-lanes.XXXXXX")
    trap 'rm -rf "$logdir"' EXIT
    i=0
    for bin in "$@"; do # round robin, in the order given
        echo "$bin" >>"$logdir/lane$((i % lanes))"
        i=$((i + 1))
    done
    for f in "$logdir"/lane*; do
        # shellcheck disable=SC2046 # one word a binary path
        TEST_LANES=1 sh "$0" "$kind" $(cat "$f") >"$f.log" 2>&1 &
    done
    wait
    passed=0
    failed=0
    failures=""
    for f in "$logdir"/lane*.log; do
        echo "==> lane ${f##*/}"
        cat "$f"
        line=$(grep "^tests($kind): " "$f" | tail -n 1)
        p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed/\1/p')
        q=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed/\2/p')
        [ -n "$p" ] || { p=0; q=1; failures="$failures ${f##*/}(no summary)"; }
        passed=$((passed + p))
        failed=$((failed + q))
        failures="$failures$(grep '^failed:' "$f" | sed 's/^failed://')"
    done
    [ -z "$failures" ] || echo "failed:$failures"
    echo "tests($kind): $passed passed, $failed failed (in $lanes lanes)"
    [ "$failed" -eq 0 ]
    exit
fi

if [ "$kind" != unit ]; then
    pgdir=$(mktemp -d "${TMPDIR:-/tmp}/xueji-test.XXXXXX")
    chmod 755 "$pgdir" # mktemp makes it 700: the postgres user must get in
    # Always take the cluster down, whatever happens to the tests.
    trap 'sh "$root/scripts/pg.sh" destroy "$pgdir" || true; rm -rf "$pgdir"' EXIT
    trap 'exit 130' INT TERM
    PG_FAST=1 sh "$root/scripts/pg.sh" init "$pgdir"
    sh "$root/scripts/pg.sh" start "$pgdir"
    XUEJI_TEST_DATABASE_URL=$(sh "$root/scripts/pg.sh" url "$pgdir")
    export XUEJI_TEST_DATABASE_URL
    export XUEJI_TEST_PGDIR="$pgdir"
fi
if [ "$kind" = http ]; then
    XUEJID_BIN=$(cd "${1%%/tests/*}" && pwd)/xuejid
    [ -x "$XUEJID_BIN" ] || echo "run-tests: warning: $XUEJID_BIN not found" >&2
    export XUEJID_BIN
fi

passed=0
failed=0
failures=""
for bin in "$@"; do
    echo "==> tests($kind): $bin"
    t0=$(date +%s)
    if timeout -k 10 "${TEST_TIMEOUT:-900}" "$bin"; then
        passed=$((passed + 1))
        echo "==> ok in $(($(date +%s) - t0)) s: $bin"
    else
        echo "==> FAILED (exit $?): $bin"
        failed=$((failed + 1))
        failures="$failures $bin"
    fi
done

[ -z "$failures" ] || echo "failed:$failures"
echo "tests($kind): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
