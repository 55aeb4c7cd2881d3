#!/bin/sh
# make test: run a build at the lowest CPU priority beside a test phase, so that
# the build uses the CPU the suites leave idle while they wait on their servers
# and databases, and the suites' timing is left alone.
#
# Usage: beside.sh LOG BUILD-COMMAND TEST-COMMAND
#   The build's output goes to LOG (shown when it fails). Exit 0 only when both
#   succeeded; the test phase's output and status come first.
set -u
log=${1:?usage: beside.sh LOG BUILD-COMMAND TEST-COMMAND}
build=${2:?}
tests=${3:?}
mkdir -p "$(dirname "$log")"
nice -n 19 sh -c "$build" >"$log" 2>&1 &
bpid=$!
sh -c "$tests"
trc=$?
wait "$bpid"
brc=$?
if [ "$brc" -ne 0 ]; then
    tail -n 40 "$log" >&2
    echo "beside: the build beside the tests failed ($build; the whole log: $log)" >&2
fi
[ "$trc" -eq 0 ] && [ "$brc" -eq 0 ]
