#!/bin/sh
# make fuzz / make test: libFuzzer on every parser of outside input
# (tests/fuzz/*_fuzz.c).
#
#   sh tests/fuzz/run.sh check CC              is CC a clang with libFuzzer? (else: how to get it)
#   sh tests/fuzz/run.sh run OUTDIR SECONDS    run each target in OUTDIR for SECONDS (make fuzz)
#   sh tests/fuzz/run.sh short OUTDIR SECONDS  the same from the committed seeds only, keeping
#                                              nothing (make test)
# FUZZ_TARGETS="api jwt" limits a run to those targets; FUZZ_RUNS=N ends a
# target after N executions if that comes before SECONDS; FUZZ_JOBS=N runs N
# targets at a time.
#
# Each target starts from its seeds (tests/fuzz/corpus/NAME, committed) and, in
# a run, the inputs earlier runs found (OUTDIR/corpus/NAME, kept between runs,
# not committed). A crash, a sanitizer report, a broken promise of the parser
# (FUZZ_CHECK), a slow input (-timeout) or memory over -rss_limit_mb fails the
# run; the input is saved as OUTDIR/crash-NAME-*, OUTDIR/timeout-NAME-*, ...
# and the run says how to replay it. Per target it prints the executions,
# executions/s and the edges covered.
set -eu
cd "$(dirname "$0")/../.."

say() { printf 'fuzz: %s\n' "$*" >&2; }

install_hint() {
    say "  sudo apt-get install -y --no-install-recommends clang libclang-rt-14-dev"
    say "(Debian's clang; libclang-rt-14-dev holds libFuzzer and the sanitizer runtimes)"
}

case "${1:-}" in
check)
    cc=${2:-clang}
    if ! command -v "$cc" >/dev/null 2>&1; then
        say "$cc not found: make fuzz needs clang with libFuzzer; install it with:"
        install_hint
        exit 1
    fi
    t=$(mktemp -d /tmp/xueji-fuzzcheck.XXXXXX)
    trap 'rm -rf "$t"' EXIT
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
        >"$t/t.c"
    if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$t/t" "$t/t.c" >"$t/log" 2>&1; then
        cat "$t/log" >&2
        say "$cc cannot link a libFuzzer target (-fsanitize=fuzzer); install:"
        install_hint
        exit 1
    fi
    exit 0
    ;;
run | short) ;;
*)
    echo "usage: $0 check CC | run|short OUTDIR SECONDS" >&2
    exit 2
    ;;
esac

mode=$1
out=${2:?usage: $0 run|short OUTDIR SECONDS}
secs=${3:-120}
case "$secs" in '' | *[!0-9]* | 0)
    say "FUZZ_SECONDS must be a whole number of seconds > 0"
    exit 2
    ;;
esac

# The xlsx seeds are whole workbooks (the stored ones up to ~20 KB); photos
# are judged by their headers; tokens are at most 4 KB.
# NAME max_len dictionary (or -)
targets="api 8192 tests/fuzz/api.dict
record 8192 tests/fuzz/api.dict
route 2048 tests/fuzz/route.dict
jwt 4096 tests/fuzz/jwt.dict
idnum 64 -
stuno 64 -
image 4096 -
xlsx 65536 tests/fuzz/xlsx.dict
csv 16384 tests/fuzz/csv.dict"
if [ -n "${FUZZ_TARGETS:-}" ]; then
    targets=$(printf '%s\n' "$targets" | while read -r n rest; do
        case " $FUZZ_TARGETS " in *" $n "*) echo "$n $rest" ;; esac
    done)
fi

# FUZZ_JOBS=N (N > 1): the targets in N runs of this script side by side, each
# with every Nth target (make test: one a core)
jobs=${FUZZ_JOBS:-1}
case "$jobs" in '' | *[!0-9]* | 0) jobs=1 ;; esac
if [ "$jobs" -gt 1 ]; then
    names=$(printf '%s\n' "$targets" | awk '{ print $1 }')
    pids=""
    i=0
    while [ "$i" -lt "$jobs" ]; do
        part=$(printf '%s\n' "$names" | awk -v j="$jobs" -v i="$i" '(NR - 1) % j == i' | tr '\n' ' ')
        if [ -n "$part" ]; then
            FUZZ_JOBS=1 FUZZ_TARGETS="$part" sh "$0" "$mode" "$out" "$secs" &
            pids="$pids $!"
        fi
        i=$((i + 1))
    done
    status=0
    for p in $pids; do wait "$p" || status=1; done
    exit "$status"
fi

# a smaller quarantine than ASan's 256 MB: fewer fresh pages per input, the
# same reports
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=32}"

status=0
summary=""
child=""
trap '[ -z "$child" ] || kill "$child" 2>/dev/null; exit 130' INT
trap '[ -z "$child" ] || kill "$child" 2>/dev/null; exit 143' TERM
while read -r name maxlen dict; do
    bin=$out/${name}_fuzz
    [ -x "$bin" ] || { say "no $bin (make fuzz-build)"; exit 1; }
    log=$out/$name-$mode.log
    if [ "$mode" = short ]; then
        # new inputs go to a scratch directory: the committed seeds stay as they are
        kept=$(mktemp -d "${TMPDIR:-/tmp}/xueji-fuzz-$name.XXXXXX")
        say "$name: $bin for ${secs}s from $(ls tests/fuzz/corpus/$name | wc -l) seeds (log $log)"
    else
        kept=$out/corpus/$name
        mkdir -p "$kept"
        say "$name: $bin for ${secs}s ($(ls tests/fuzz/corpus/$name | wc -l) seeds," \
            "$(ls "$kept" | wc -l) inputs kept from earlier runs; log $log)"
    fi
    # -timeout: one input over 10 s is a hang; -rss_limit_mb: the readers are
    # meant to stay far below this even on a bomb
    dictopt=""
    [ "$dict" = - ] || dictopt=-dict=$dict
    [ -z "${FUZZ_RUNS:-}" ] || dictopt="$dictopt -runs=$FUZZ_RUNS"
    # shellcheck disable=SC2086 # $dictopt is one or two words or none
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -max_len="$maxlen" $dictopt \
        -print_final_stats=1 -artifact_prefix="$out/$name-" \
        "$kept" "tests/fuzz/corpus/$name" >"$log" 2>&1 &
    child=$!
    wait "$child" && rc=0 || rc=$?
    child=""
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    [ -n "$took" ] || took=$secs
    rate=$(awk -v r="${runs:-0}" -v t="$took" 'BEGIN { printf "%.0f", (t > 0 ? r / t : 0) }')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
    corp=$(ls "$kept" | wc -l)
    [ "$mode" = run ] || rm -rf "$kept"
    if [ "$rc" -ne 0 ]; then
        status=1
        grep -E 'ERROR: |runtime error|broken promise|SUMMARY' "$log" | head -n 5 >&2 || true
        art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        say "$name: FAILED (exit $rc) after ${runs:-?} executions; input: ${art:-see $log}"
        [ -z "$art" ] || say "  replay: $bin $art"
        summary="$summary$name: FAILED after ${runs:-?} executions in ${took}s
"
    else
        summary="$summary$name: ${runs:-?} executions in ${took}s, $rate/s, coverage ${cov:-?} edges, corpus $corp inputs
"
    fi
done <<EOF
$targets
EOF
printf '%s' "$summary" | sed 's/^/fuzz: /' >&2
[ "$status" -eq 0 ] && say "no crash" || say "crashes found: see above"
exit "$status"
