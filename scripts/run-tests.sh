#!/bin/sh
# Runs test binaries and summarises.
# Usage: run-tests.sh unit|integration|http|all BIN...
#   all: each binary's kind from its directory (tests/unit/, tests/integration/,
#   tests/http/); make test runs the unit and integration suites together.
#
# integration and http suites get a throwaway PostgreSQL cluster (removed on exit):
#   XUEJI_TEST_DATABASE_URL  libpq URL of database xueji in it
#   XUEJI_TEST_PGDIR         its directory (for scripts/pg.sh)
# http also gets XUEJID_BIN, the xuejid built next to the tests
# (build/<BUILD>/tests/http/x_test -> build/<BUILD>/xuejid).
# Each binary gets TEST_TIMEOUT seconds (default 900). Suites run in
# TEST_LANES lanes (default 2), each with a cluster of its own (below).
set -eu

kind=${1:-}
case "$kind" in
    unit | integration | http | all) shift ;;
    *) echo "usage: run-tests.sh unit|integration|http|all BIN..." >&2; exit 2 ;;
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

# The kind of one binary: unit, integration or http.
kind_of() {
    case "$1" in
        */tests/unit/*) echo unit ;;
        */tests/integration/*) echo integration ;;
        */tests/http/*) echo http ;;
        *) [ "$kind" = all ] && echo unit || echo "$kind" ;;
    esac
}

# Each suite's seconds in earlier runs of this build (build/<BUILD>/tests/suite-seconds,
# a "KIND/NAME SECONDS" line a run, the last one counting), else in tests/suite-seconds
# (committed: the seconds of a make test on a machine of 2 cores), else 10.
times_file=${1%%/tests/*}/tests/suite-seconds
[ "$times_file" != "$1" ] || times_file=""

# The binaries, longest first.
by_length() {
    list=$(mktemp "${TMPDIR:-/tmp}/xueji-suites.XXXXXX")
    for bin in "$@"; do echo "$bin"; done >"$list"
    seconds=$root/tests/suite-seconds
    [ -z "$times_file" ] || [ ! -s "$times_file" ] || seconds="$seconds $times_file"
    # shellcheck disable=SC2086 # one word a file name
    awk -v list="$list" '
        FILENAME != list { t[$1] = $2; next }
        { n = $0; sub(/.*\/tests\//, "", n); printf "%d %s\n", (n in t) ? t[n] : 10, $0 }
    ' $seconds "$list" | sort -k1,1nr -s | cut -d' ' -f2-
    rm -f "$list"
}

# Lanes side by side (TEST_LANES, default 2), each with its own PostgreSQL
# cluster (started when its first database suite comes), taking the next suite
# from one queue, longest first, until none is left: most of a suite's time is
# spent waiting on the server and the database, so two lanes keep the machine's
# cores busy, and the longest-first queue ends the lanes close together.
# TEST_LANES=1: one lane.
lanes=${TEST_LANES:-2}
case "$lanes" in '' | *[!0-9]* | 0) echo "run-tests: TEST_LANES must be >= 1" >&2; exit 2 ;; esac
if [ -z "${RUN_TESTS_QUEUE:-}" ] && [ "$lanes" -gt 1 ] && [ $# -gt 1 ]; then
    logdir=$(mktemp -d "${TMPDIR:-/tmp}/xueji-lanes.XXXXXX")
    trap 'rm -rf "$logdir"' EXIT
    by_length "$@" >"$logdir/queue"
    i=0
    while [ "$i" -lt "$lanes" ]; do
        RUN_TESTS_QUEUE="$logdir/queue" sh "$0" "$kind" "$@" >"$logdir/lane$i.log" 2>&1 &
        i=$((i + 1))
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
    left=$(wc -l <"$logdir/queue")
    if [ "$left" -ne 0 ]; then # a lane that died leaves its suites unrun
        failed=$((failed + left))
        failures="$failures $(tr '\n' ' ' <"$logdir/queue")(not run)"
    fi
    [ -z "$failures" ] || echo "failed:$failures"
    echo "tests($kind): $passed passed, $failed failed (in $lanes lanes)"
    [ "$failed" -eq 0 ]
    exit
fi

# One lane: the next suite from the queue (RUN_TESTS_QUEUE), or else from the
# arguments in their order.
if [ -z "${RUN_TESTS_QUEUE:-}" ]; then
    RUN_TESTS_QUEUE=$(mktemp "${TMPDIR:-/tmp}/xueji-queue.XXXXXX")
    for bin in "$@"; do echo "$bin"; done >"$RUN_TESTS_QUEUE"
    own_queue=$RUN_TESTS_QUEUE
else
    own_queue=""
fi
next_suite() {
    # shellcheck disable=SC2016 # $1 belongs to the inner shell
    flock "$RUN_TESTS_QUEUE.lock" sh -c 'head -n 1 "$1"; sed -i 1d "$1"' _ "$RUN_TESTS_QUEUE"
}

pgdir=""
cleanup() {
    if [ -n "$pgdir" ]; then
        sh "$root/scripts/pg.sh" destroy "$pgdir" || true
        rm -rf "$pgdir"
    fi
    [ -z "$own_queue" ] || rm -f "$own_queue" "$own_queue.lock"
}
# Always take the cluster down, whatever happens to the tests.
trap cleanup EXIT
trap 'exit 130' INT TERM

start_cluster() {
    pgdir=$(mktemp -d "${TMPDIR:-/tmp}/xueji-test.XXXXXX")
    chmod 755 "$pgdir" # mktemp makes it 700: the postgres user must get in
    PG_FAST=1 sh "$root/scripts/pg.sh" init "$pgdir"
    sh "$root/scripts/pg.sh" start "$pgdir"
    XUEJI_TEST_DATABASE_URL=$(sh "$root/scripts/pg.sh" url "$pgdir")
    export XUEJI_TEST_DATABASE_URL
    export XUEJI_TEST_PGDIR="$pgdir"
}

XUEJID_BIN=$(cd "${1%%/tests/*}" 2>/dev/null && pwd)/xuejid
export XUEJID_BIN
# Unit tests are pure: one process per suite, not a fork per test (a fork
# under ASan costs ~0.2 s; route_test alone has 124 checks). A crash still
# fails the run. Servers and databases keep check's fork per test.
unit_fork=${CK_FORK:-no}

passed=0
failed=0
failures=""
while bin=$(next_suite) && [ -n "$bin" ]; do
    k=$(kind_of "$bin")
    if [ "$k" != unit ] && [ -z "$pgdir" ]; then
        start_cluster
    fi
    if [ "$k" = http ] && [ ! -x "$XUEJID_BIN" ]; then
        echo "run-tests: warning: $XUEJID_BIN not found" >&2
    fi
    echo "==> tests($k): $bin"
    t0=$(date +%s)
    if [ "$k" = unit ]; then
        set -- env CK_FORK="$unit_fork"
    else
        set --
    fi
    if timeout -k 10 "${TEST_TIMEOUT:-900}" "$@" "$bin"; then
        passed=$((passed + 1))
        secs=$(($(date +%s) - t0))
        echo "==> ok in $secs s: $bin"
        [ -z "$times_file" ] || echo "${bin##*/tests/} $secs" >>"$times_file" || true
    else
        echo "==> FAILED (exit $?): $bin"
        failed=$((failed + 1))
        failures="$failures $bin"
    fi
done

[ -z "$failures" ] || echo "failed:$failures"
echo "tests($kind): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
