#!/bin/sh
# Throughput of the whole stack against its own lower bounds (see bench/README.md).
#
# Usage: bench/run.sh OUTDIR        (OUTDIR holds a release xuejid; `make bench` builds it)
#
#   H  wrk on GET /healthz                 the HTTP layer alone (no database)
#   P  pgbench -S -M prepared              PostgreSQL alone (point look-ups, database `bench`)
#   A  wrk on GET /api/v1/regions/410102   a real database read through the whole stack
#   L  1/(1/H + 1/P)                       A if the HTTP and the database costs simply added up
#   Pp, Lp: P with as many clients as xuejid's DB pool, and L from it (for reference only)
#
# With students (BENCH_STUDENTS > 0; `xuejictl demo --students N` loads them first):
#   S  wrk on GET /api/v1/students/{id}    random ids, province account; S/L against the same L
#   list, list_deep  GET /api/v1/students?school=..&limit=50, first page and a deep cursor
#   R  wrk on POST /api/v1/students        registrations, each with a new valid ID number
#   AP wrk on POST /api/v1/requests/{id}/actions   approvals of open 其他离校 requests, each
#                                          once, as the county account zhongyuan; AP/PN
#   PN pgbench -N -M prepared              PostgreSQL's simple-update TPS; R/PN, AP/PN
#   with BENCH_STUDENTS_BIG: the demo topped up to that many, then S and the lists again
#
# Imports (BENCH_IMPORT_ROWS > 0; issue 6):
#   I_csv, I_xlsx  POST /api/v1/imports?mode=create of BENCH_IMPORT_ROWS new valid students
#                  (xuejictl gen-import) as the school's registrar, polled until done: rows/s
#   C    psql \copy of the same CSV into a plain table of as many text columns: rows/s
#   I/C, and xuejid's peak RSS during each import (VmHWM, reset before it; target < 256 MB)
#   I_invalid      BENCH_IMPORT_INVALID_ROWS rows that hold only a name (every one
#                  rejected, ~22 errors each, issue 12): time, errors and peak RSS (< 256 MB)
#
# The claim race (BENCH_CLAIMS graduates, default 200; 0 = none; bench/claims.sh):
#   four schools claim the same graduates at once, four counties approve at once:
#   exactly one enrolment each, the others superseded; counts and seconds
# Promotion (BENCH_STUDENTS > 0; issue 15): POST /regions/410000/promotion of the school
#   year the demo ends, polled until done: pupils promoted or graduated per second
#
# Environment (all optional):
#   BENCH_CONNS      connections for wrk and clients for pgbench (default 32)
#   BENCH_SECONDS    seconds per measured run (default 10)
#   BENCH_WARMUP     seconds of warm-up before each measured run (default 2)
#   BENCH_THREADS    XUEJI_THREADS of the server under test (default 1; XUEJI_THREADS works too)
#   BENCH_DB_POOL    XUEJI_DB_POOL of the server under test (default 2; XUEJI_DB_POOL works too)
#   BENCH_RESULTS    where the JSON goes (default bench/results/latest.json)
#   BENCH_STUDENTS   demo students to load before the runs (default 1000000; 0 = none, no S/R)
#   BENCH_STUDENTS_BIG  a second pass at this many students (e.g. 5000000; default: none)
#   BENCH_R_CLASSES  classes (no size limit) the registrations go into (default 8)
#   BENCH_AP_REQUESTS  open requests prepared for AP (default 2,000/s over the warm-up and
#                    the measured run, plus a quarter; at most the county's free students)
#   BENCH_LIST_CONNS wrk connections of the list rows (default 4: their p99 is the query's,
#                    not a 32-deep queue's)
#   BENCH_IMPORT_ROWS  rows of each import file (default 100000; 0 = no import rows)
#   BENCH_IMPORT_INVALID_ROWS  rows of the all-invalid import (default 100000; 0 = none)
#   BENCH_IMPORT_FORMATS  the import rows' formats (default "csv xlsx"; C always uses a CSV)
#   BENCH_ONLY       "imports": only the import rows and C (no H, P, A, students), for
#                    profiling an import quickly
#   BENCH_PG_STATS   1: load pg_stat_statements and print the statements that took the
#                    most time in each import (a profile; the figures are then not comparable)
#   BENCH_PROMOTION  0: no promotion row (default 1; it runs last, as it moves every pupil)
#   BENCH_MAX_UPLOAD   XUEJI_MAX_UPLOAD of the server (default 134217728: 100,000 full
#                    rows are a 65 MB CSV, over the 50 MiB default)
#
# Everything it starts (a throwaway PostgreSQL cluster in a mktemp dir, xuejid on a
# free port) is stopped and removed on any exit, Ctrl-C included.
set -eu
cd "$(dirname "$0")/.."
root=$PWD

out=${1:?usage: bench/run.sh OUTDIR}
out=$(cd "$out" && pwd)
[ -x "$out/xuejid" ] || { echo "bench: no $out/xuejid (run make bench)" >&2; exit 1; }

CONNS=${BENCH_CONNS:-32}
SECS=${BENCH_SECONDS:-10}
WARM=${BENCH_WARMUP:-2}
# The defaults were measured by hand on the 2-core box (bench/README.md, "Server settings").
THREADS=${BENCH_THREADS:-${XUEJI_THREADS:-1}}
# one pool size, or a list ("1 4"): R and AP run once per size, everything else at the first
POOLS=$(echo ${BENCH_DB_POOL:-${XUEJI_DB_POOL:-2}})
POOL=${POOLS%% *}
RESULTS=${BENCH_RESULTS:-$root/bench/results/latest.json}
STUDENTS=${BENCH_STUDENTS:-1000000}
BIG=${BENCH_STUDENTS_BIG:-0}
R_CLASSES=${BENCH_R_CLASSES:-8}
LIST_CONNS=${BENCH_LIST_CONNS:-4}
IMPORT_ROWS=${BENCH_IMPORT_ROWS:-100000}
INVALID_ROWS=${BENCH_IMPORT_INVALID_ROWS:-100000}
IMPORT_FORMATS=${BENCH_IMPORT_FORMATS:-csv xlsx}
ONLY=${BENCH_ONLY:-}
REVIEW=${BENCH_REVIEW:-500}
case "$ONLY" in
'') ;;
imports) STUDENTS=0 BIG=0 REVIEW=0 ;;
*) echo "bench: BENCH_ONLY must be empty or imports" >&2; exit 2 ;;
esac
MAX_UPLOAD=${BENCH_MAX_UPLOAD:-134217728}
WRK_THREADS=2
PGBIN=/usr/lib/postgresql/15/bin
PGBENCH=$PGBIN/pgbench
[ -x "$PGBENCH" ] || PGBENCH=$(command -v pgbench) ||
    { echo "bench: pgbench missing (apt-get install -y postgresql-contrib)" >&2; exit 1; }
command -v wrk >/dev/null 2>&1 || { echo "bench: wrk missing (apt-get install -y wrk)" >&2; exit 1; }
command -v curl >/dev/null 2>&1 || { echo "bench: curl missing" >&2; exit 1; }
for v in "$CONNS" "$SECS" "$WARM" "$THREADS" "$POOL" "$STUDENTS" "$BIG" "$R_CLASSES" "$LIST_CONNS" \
    "$IMPORT_ROWS" "$MAX_UPLOAD" "$REVIEW" $POOLS; do
    case "$v" in '' | *[!0-9]*) echo "bench: BENCH_* values must be whole numbers" >&2; exit 2 ;; esac
done
for v in $POOLS; do
    [ "$v" -ge 1 ] || { echo "bench: BENCH_DB_POOL sizes must be >= 1" >&2; exit 2; }
done
if [ "$REVIEW" -gt 500 ]; then
    echo "bench: BENCH_REVIEW must be at most 500 (the items of one call)" >&2
    exit 2
fi
if [ "$CONNS" -lt 2 ] || [ "$SECS" -lt 1 ]; then
    echo "bench: BENCH_CONNS must be >= 2 and BENCH_SECONDS >= 1" >&2
    exit 2
fi
if [ "$LIST_CONNS" -lt 2 ]; then
    echo "bench: BENCH_LIST_CONNS must be >= 2" >&2
    exit 2
fi
if [ "$R_CLASSES" -lt 1 ] || [ "$R_CLASSES" -gt 9 ]; then
    echo "bench: BENCH_R_CLASSES must be 1..9" >&2
    exit 2
fi
if [ "$BIG" -gt 0 ] && [ "$BIG" -le "$STUDENTS" ]; then
    echo "bench: BENCH_STUDENTS_BIG must exceed BENCH_STUDENTS" >&2
    exit 2
fi
if [ "$IMPORT_ROWS" -gt 1048575 ]; then
    echo "bench: BENCH_IMPORT_ROWS must be at most 1048575 (a sheet's rows, less the header)" >&2
    exit 2
fi
[ "$STUDENTS" -eq 0 ] && [ "$IMPORT_ROWS" -eq 0 ] || [ -x "$out/xuejictl" ] ||
    { echo "bench: no $out/xuejictl (run make bench)" >&2; exit 1; }

say() { printf 'bench: %s\n' "$*" >&2; }

# ------------------------------------------------------------------ clean-up
tmp=$(mktemp -d /tmp/xueji-bench.XXXXXX)
chmod 755 "$tmp" # as root the cluster runs as `postgres`, which must reach it
srv_pid=""
pm_pid=""
child=""
cleanup() {
    rc=$?
    trap - EXIT INT TERM
    [ -z "$child" ] || kill "$child" 2>/dev/null || true
    if [ -n "$srv_pid" ]; then
        kill "$srv_pid" 2>/dev/null || true
        wait "$srv_pid" 2>/dev/null || true
    fi
    sh "$root/scripts/pg.sh" destroy "$tmp" >/dev/null 2>&1 || true
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command in the background and waits for it, so that a signal stops the run
# at once (a trap runs only after a foreground command ends) and cleanup can kill it.
run() {
    "$@" &
    child=$!
    wait "$child" && rc=0 || rc=$?
    child=""
    return "$rc"
}

# ------------------------------------------------------- CPU bookkeeping
# The box may be shared. cpu_snap prints "total busy ours" in clock ticks: all CPUs
# (/proc/stat), the busy part, and what our own processes used (this shell and its
# children: xuejid, wrk, pgbench; the postmaster and its children: our PostgreSQL).
# Two snapshots give the share of the box that other people's work took meanwhile.
cpu_snap() {
    {
        head -n 1 /proc/stat
        cat /proc/[0-9]*/stat 2>/dev/null
    } | awk -v self=$$ -v pm="${pm_pid:-none}" '
        NR == 1 { for (i = 2; i <= NF; i++) total += $i; busy = total - $5 - $6; next }
        {
            pid = $1; s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
            # f[2] ppid, f[12] utime, f[13] stime, f[14] cutime, f[15] cstime
            if (pid == self || pid == pm) ours += f[12] + f[13] + f[14] + f[15]
            else if (f[2] == self || f[2] == pm) ours += f[12] + f[13]
        }
        END { printf "%d %d %d\n", total, busy, ours }'
}

# ours_cpu "SNAP1" "SNAP2": CPU seconds our own processes used in between (xuejid, its
# PostgreSQL, the clients): a measure of work that others' load on the box inflates
# far less than wall time.
TICKS=$(getconf CLK_TCK)
ours_cpu() { echo "$1 $2" | awk -v hz="$TICKS" '{ printf "%.1f", ($6 - $3) / hz }'; }

# other_pct "SNAP1" "SNAP2": % of the whole box (all cores) used by others in between.
other_pct() {
    echo "$1 $2" | awk '{
        t = $4 - $1; o = ($5 - $2) - ($6 - $3)
        printf "%.0f", (t > 0 && o > 0) ? 100 * o / t : 0 }'
}

# --------------------------------------------------------------- PostgreSQL
s1=$(cpu_snap)
sleep 1
idle_other=$(other_pct "$s1" "$(cpu_snap)")
if [ "$idle_other" -gt 10 ]; then
    say "WARNING: the machine is ${idle_other}% busy before the benchmark starts;"
    say "         other work competes for the cores and the figures will be low and noisy"
fi

# Normal settings (no PG_FAST): the cluster is thrown away, but it should behave like a real one,
# and a real one gives shared_buffers a quarter of the memory (BENCH_SHARED_BUFFERS overrides),
# so that a million students' rows are read from PostgreSQL's cache, not the kernel's.
pgport=$((56000 + $$ % 4000))
mem_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo)
SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-$((mem_mb / 4))MB}
say "PostgreSQL cluster in $tmp (port $pgport, shared_buffers $SHARED_BUFFERS)"
PG_SHARED_BUFFERS=$SHARED_BUFFERS sh scripts/pg.sh init "$tmp" "$pgport" 2>/dev/null
base=$tmp
[ -f "$tmp/pg.location" ] && base=$(cat "$tmp/pg.location")
if [ "${BENCH_PG_STATS:-0}" = 1 ]; then
    # profiling: statement times of each import (printed after it), not for the figures
    echo "shared_preload_libraries = 'pg_stat_statements'" >> "$base/pg/postgresql.conf"
fi
sh scripts/pg.sh start "$tmp"
pgsock=$base/run
pm_pid=$(head -n 1 "$base/pg/postmaster.pid")

XUEJI_DATABASE_URL=$(sh scripts/pg.sh url "$tmp")
export XUEJI_DATABASE_URL
export XUEJI_ENV=development
XUEJI_JWT_SECRET="bench-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
XUEJI_DATA_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
XUEJI_AUDIT_SIGNING_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
XUEJI_ADMIN_PASSWORD="Bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export XUEJI_JWT_SECRET XUEJI_DATA_KEY XUEJI_AUDIT_SIGNING_KEY XUEJI_ADMIN_PASSWORD
unset XUEJI_JWT_SECRET_FILE XUEJI_DATA_KEY_FILE XUEJI_AUDIT_SIGNING_KEY_FILE XUEJI_AUDIT_PUBLIC_KEY XUEJI_CORS_ORIGINS XUEJI_MAX_JSON
export XUEJI_MAX_UPLOAD="$MAX_UPLOAD"
# one import worker (the default), polling for jobs every 500 ms (the default)
unset XUEJI_IMPORT_WORKERS XUEJI_IMPORT_POLL_MS XUEJI_IMPORT_STALE
export XUEJI_THREADS="$THREADS" XUEJI_DB_POOL="$POOL"
export XUEJI_RATE_LIMIT_IP=0 XUEJI_RATE_LIMIT_ACCOUNT=0
# The access log is part of the real stack: it stays on, written to a file.
export XUEJI_LOG_LEVEL=info
export XUEJI_SHUTDOWN_TIMEOUT=2
export XUEJI_LISTEN=127.0.0.1:0 XUEJI_PORT_FILE="$tmp/xuejid.port"

say "migrating"
"$out/xuejid" migrate 2>"$tmp/migrate.log" || { cat "$tmp/migrate.log" >&2; exit 1; }

# pgbench gets its own database so the application's is untouched.
say "pgbench -i -s 10 (database bench)"
"$PGBIN/createdb" -h "$pgsock" -p "$pgport" -U xueji bench
"$PGBENCH" -h "$pgsock" -p "$pgport" -U xueji -i -s 10 -q bench >"$tmp/pgbench-init.log" 2>&1 ||
    { cat "$tmp/pgbench-init.log" >&2; exit 1; }

# psql on the application's database: one value per line.
sql() { "$PGBIN/psql" -h "$pgsock" -p "$pgport" -U xueji -X -q -At -c "$1" xueji; }

# load_students N TAG: the demo province topped up to N students (xuejictl demo
# --students tops up, so a second call adds only the difference), then VACUUM
# ANALYZE so the runs see a settled table. Sets load_rate (rows/s of the COPY
# load, from xuejictl's summary), load_secs (including VACUUM) and load_added.
load_students() {
    say "xuejictl demo --students $1 (the demo province, then generated students)"
    t0=$(date +%s)
    run "$out/xuejictl" demo --students "$1" >"$tmp/demo-$2.log" 2>"$tmp/demo-$2.err" ||
        { tail -n 20 "$tmp/demo-$2.err" >&2; say "xuejictl demo failed"; exit 1; }
    line=$(grep '^demo: .* students added' "$tmp/demo-$2.log" || true)
    [ -n "$line" ] || { cat "$tmp/demo-$2.log" "$tmp/demo-$2.err" >&2; exit 1; }
    say "${line#demo: }"
    load_rate=$(echo "$line" | sed -n 's/.*(\([0-9]*\) rows\/s.*/\1/p')
    load_added=$(echo "$line" | sed -n 's/^demo: \([0-9]*\) students added.*/\1/p')
    say "VACUUM ANALYZE student"
    sql "VACUUM ANALYZE student" >/dev/null
    load_secs=$(($(date +%s) - t0))
    # COPY and VACUUM go through a small ring of buffers, so the freshly loaded
    # table is in the kernel's cache, not PostgreSQL's. A server that has run for
    # a while holds its working set in shared_buffers: load it there as well
    # (pg_prewarm, shipped with PostgreSQL), as pgbench's far smaller table is
    # after its warm-up.
    say "pg_prewarm student and its indexes"
    sql "CREATE EXTENSION IF NOT EXISTS pg_prewarm" >/dev/null
    sql "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c WHERE c.relname IN
         ('student', 'student_pkey', 'student_school_idx', 'student_class_idx', 'school',
          'school_pkey', 'student_photo_pkey')" >/dev/null
}
if [ "$STUDENTS" -gt 0 ]; then
    load_students "$STUDENTS" main
    main_rate=$load_rate main_secs=$load_secs main_added=$load_added
elif [ "$IMPORT_ROWS" -gt 0 ] || [ "$INVALID_ROWS" -gt 0 ] || [ "$REVIEW" -gt 0 ]; then
    # the imports need the demo school and its registrar, not its students
    say "xuejictl demo (the demo province, no students: for the import rows)"
    run "$out/xuejictl" demo >"$tmp/demo-import.log" 2>&1 ||
        { tail -n 20 "$tmp/demo-import.log" >&2; say "xuejictl demo failed"; exit 1; }
fi

# -------------------------------------------------------------------- xuejid
srv_log=$tmp/xuejid.log
# start_xuejid POOLSIZE: xuejid with that many DB connections (the log appended to);
# sets srv_pid and url. stop_xuejid: the running one stopped.
start_xuejid() {
    rm -f "$XUEJI_PORT_FILE"
    XUEJI_DB_POOL=$1 "$out/xuejid" serve 2>>"$srv_log" &
    srv_pid=$!
    i=0
    while [ ! -s "$XUEJI_PORT_FILE" ]; do
        i=$((i + 1))
        if [ $i -gt 300 ] || ! kill -0 "$srv_pid" 2>/dev/null; then
            say "xuejid did not start:"
            tail -n 20 "$srv_log" >&2
            exit 1
        fi
        sleep 0.1
    done
    url="http://127.0.0.1:$(cat "$XUEJI_PORT_FILE")"
    say "xuejid pid $srv_pid on $url ($THREADS loop threads, $1 DB connections)"
}
stop_xuejid() {
    kill "$srv_pid" 2>/dev/null || true
    wait "$srv_pid" 2>/dev/null || true
    srv_pid=""
}
start_xuejid "$POOL"

server_alive() {
    kill -0 "$srv_pid" 2>/dev/null && return 0
    wait "$srv_pid" && rc=0 || rc=$?
    srv_pid=""
    say "xuejid exited (status $rc) during the run; the last lines of its log:"
    grep -v '"msg":"request"' "$srv_log" | tail -n 10 >&2
    exit 1
}

# ------------------------------------------------------------ measurements
# One line per HTTP run: name|path|script|rps|p50_ms|p99_ms|non2xx|socket_errors|other_pct|conns
rows=$tmp/rows
: >"$rows"

# wrk's latency figures ("812.00us", "1.23ms", "2.00s") in milliseconds.
wrk_ms() {
    awk -v pct="$1" '
        $1 == pct && in_dist {
            v = $2; unit = v; sub(/^[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
            if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
            printf "%.3f", v; exit
        }
        /Latency Distribution/ { in_dist = 1 }' "$2"
}

# wrk_run SECONDS PATH [LUA]: wrk with the shared settings, output on stdout.
# HTTP_CONNS, when set, replaces BENCH_CONNS for the row.
wrk_run() {
    if [ -n "${3:-}" ]; then
        run wrk -t"$WRK_THREADS" -c"${HTTP_CONNS:-$CONNS}" -d"$1"s --latency -s "$3" "$url$2"
    else
        run wrk -t"$WRK_THREADS" -c"${HTTP_CONNS:-$CONNS}" -d"$1"s --latency "$url$2"
    fi
}

# bench_http NAME PATH [LUA]: warm up, then measure one endpoint with wrk.
# LUA (a file in bench/, or an absolute path) may set wrk.method, wrk.body and
# wrk.headers; it can read values prepared by this script with os.getenv.
# Without LUA, PATH must answer 200 to a plain GET.
bench_http() {
    name=$1 path=$2 lua=""
    if [ -n "${3:-}" ]; then
        case "$3" in /*) lua=$3 ;; *) lua=$root/bench/$3 ;; esac
        [ -f "$lua" ] || { say "$name: no wrk script $lua"; exit 1; }
    else
        code=$(curl -s -o /dev/null -w '%{http_code}' "$url$path" || true)
        [ "$code" = 200 ] || { say "$name: GET $path answered $code, expected 200"; exit 1; }
    fi
    # a PATH with a placeholder ("/students/{1..9}") only names the row: the script builds the paths
    wpath=$path
    case "$path" in *"{"*) wpath=/ ;; esac
    [ "$WARM" -eq 0 ] || wrk_run "$WARM" "$wpath" "$lua" >/dev/null
    say "$name: wrk -t$WRK_THREADS -c${HTTP_CONNS:-$CONNS} -d${SECS}s --latency $path${lua:+ -s ${lua#"$root"/}}"
    f=$tmp/wrk-$name.txt
    c1=$(cpu_snap)
    wrk_run "$SECS" "$wpath" "$lua" >"$f"
    other=$(other_pct "$c1" "$(cpu_snap)")
    server_alive
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$f")
    [ -n "$rps" ] || { cat "$f" >&2; say "$name: cannot read wrk's output"; exit 1; }
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$f")
    errors=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$f")
    # A script that judges the answers itself prints "script: ok answers N other K"
    # (bench/approve.lua: only a 200 is an approval): then the rate counts the N alone
    # over wrk's measured time, and K replaces wrk's non-2xx count.
    ok=$(awk '/^script: ok answers / { print $4 }' "$f")
    if [ -n "$ok" ]; then
        non2xx=$(awk '/^script: ok answers / { print $6 }' "$f")
        rps=$(awk -v ok="$ok" '/ requests in / {
                t = $4; sub(/,$/, "", t); u = t; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", t)
                if (u == "m") t *= 60; else if (u == "ms") t /= 1000
                printf "%.2f", ok / t; exit }' "$f")
        grep '^script: ' "$f" | sed 's/^script: /  /' >&2
    fi
    [ "${non2xx:-0}" = 0 ] || say "$name: WARNING: ${non2xx} answers were not $([ -n "$ok" ] && echo 200 || echo 2xx/3xx)"
    [ "${errors:-0}" = 0 ] || say "$name: WARNING: ${errors} socket errors"
    echo "$name|$path|${lua#"$root"/}|$rps|$(wrk_ms 50% "$f")|$(wrk_ms 99% "$f")|${non2xx:-0}|${errors:-0}|$other|${HTTP_CONNS:-$CONNS}" >>"$rows"
    sleep 1
}

# bench_pgbench CLIENTS: PostgreSQL alone for the same duration; sets pg_tps, pg_lat, pg_other.
# pgb CLIENTS SECONDS [MODE]: MODE -S (select-only, the default) or -N (simple update).
pgb() {
    run "$PGBENCH" -h "$pgsock" -p "$pgport" -U xueji -n "${3:--S}" -M prepared -c "$1" \
        -j "$([ "$1" -ge 2 ] && echo 2 || echo 1)" -T "$2" bench
}
# bench_pgbench CLIENTS [MODE]
bench_pgbench() {
    mode=${2:--S}
    [ "$WARM" -eq 0 ] || pgb "$1" "$WARM" "$mode" >/dev/null 2>&1
    say "pgbench: $mode -M prepared -c $1 -T $SECS"
    f=$tmp/pgbench$mode-$1.txt
    c1=$(cpu_snap)
    pgb "$1" "$SECS" "$mode" >"$f" 2>&1 || { cat "$f" >&2; exit 1; }
    pg_other=$(other_pct "$c1" "$(cpu_snap)")
    pg_tps=$(awk '/^tps = / { print $3; exit }' "$f")
    [ -n "$pg_tps" ] || { cat "$f" >&2; say "cannot read pgbench's output"; exit 1; }
    pg_lat=$(awk '/^latency average = / { print $4; exit }' "$f")
    sleep 1
}

# H, P and A: the figures the target is about (not with BENCH_ONLY=imports).
if [ "$ONLY" != imports ]; then
bench_http healthz /healthz
bench_pgbench "$CONNS"
P=$pg_tps P_lat=$pg_lat P_other=$pg_other
bench_http region /api/v1/regions/410102
# For reference only: PostgreSQL with as many clients as xuejid has connections. C backends
# on few cores cost PostgreSQL a lot of context switching, which xuejid's pool avoids.
bench_pgbench "$POOL"
Pp=$pg_tps Pp_other=$pg_other
# More endpoints: one line each, after any set-up they need.
# Token verification and the account check on top of one read (issue 3):
BENCH_TOKEN=$(curl -s "$url/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$XUEJI_ADMIN_PASSWORD\"}" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$BENCH_TOKEN" ] || { say "cannot log in as admin"; exit 1; }
export BENCH_TOKEN
bench_http me /api/v1/me me.lua
fi

# --------------------------------------------------------------- students
# login USER: an access token of a demo account (`xuejictl demo` made them).
login() {
    curl -s "$url/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"Xueji-Demo-2026!\"}" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
# expect_200 PATH TOKEN: one GET through curl before wrk hammers it.
expect_200() {
    code=$(curl -s -o "$tmp/expect.out" -w '%{http_code}' -H "Authorization: Bearer $2" "$url$1" || true)
    [ "$code" = 200 ] || { say "GET $1 answered $code, expected 200:"; head -c 600 "$tmp/expect.out" >&2; exit 1; }
}
list_school=2141010201 # 建设路第一小学
# bench_reads SUFFIX: S and the two list rows at the table's current size.
bench_reads() {
    BENCH_ID_MIN=$(sql "SELECT min(id) FROM student")
    BENCH_ID_MAX=$(sql "SELECT max(id) FROM student")
    export BENCH_ID_MIN BENCH_ID_MAX
    expect_200 "/api/v1/students/$BENCH_ID_MAX" "$BENCH_PROVINCE_TOKEN"
    bench_http "student$1" "/api/v1/students/{$BENCH_ID_MIN..$BENCH_ID_MAX}" student.lua
    # a deep cursor: the id after which one more full page of the school remains
    deep=$(sql "SELECT id FROM student WHERE school = '$list_school' ORDER BY id DESC OFFSET 100 LIMIT 1")
    first="/api/v1/students?school=$list_school&limit=50"
    expect_200 "$first" "$BENCH_PROVINCE_TOKEN"
    expect_200 "$first&cursor=$deep" "$BENCH_PROVINCE_TOKEN"
    HTTP_CONNS=$LIST_CONNS
    bench_http "list$1" "$first" province.lua
    bench_http "list_deep$1" "$first&cursor=$deep" province.lua
    unset HTTP_CONNS
}
# db_sizes: "students|student heap MB|student indexes MB|database MB" (MB = 2^20 bytes)
db_sizes() {
    sql "SELECT (SELECT count(*) FROM student) || '|' ||
                pg_table_size('student') / 1048576 || '|' ||
                pg_indexes_size('student') / 1048576 || '|' ||
                pg_database_size(current_database()) / 1048576"
}
# ap_prepare: ap_m open requests for the AP row (bench/README.md, "AP: approvals").
# One goes through POST /requests as the template: the engine works out its step
# (the county, the due date from the working days and holidays, the escalation to
# the city) and writes its rows. The others are written with SQL in one transaction,
# row for row as wf_request_start writes them: request (request_member by its
# trigger), request_step copied from the template's, request_action `start`,
# student_history `request`, audit `request.start` (hashed by its trigger, sealed later by xuejid) and
# the event `request.started`. Through the API the requests would take too long:
# POST /requests ran at about 430 a second here, so 30,000 would take over a minute,
# and the SQL takes a few seconds. Sets BENCH_AP_IDS (the ids, one a line),
# BENCH_AP_STATE, BENCH_COUNTY_TOKEN, ap_m and ap_prep_secs.
AP_COUNTY=410102 AP_COUNTY_USER=zhongyuan AP_TYPE=leave_other
ap_prepare() {
    t0=$(date +%s)
    BENCH_COUNTY_TOKEN=$(login "$AP_COUNTY_USER")
    [ -n "$BENCH_COUNTY_TOKEN" ] || { say "cannot log in as the demo account $AP_COUNTY_USER"; exit 1; }
    export BENCH_COUNTY_TOKEN
    # A registrar for every school of the county (the demo has one, at 建设路第一小学),
    # made by the county as a county would, so that every request has a real starter.
    for code in $(sql "SELECT code FROM school s WHERE authority = '$AP_COUNTY' AND NOT closed
                       AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.org = s.code
                                       AND u.staff_role = 'registrar') ORDER BY code"); do
        st=$(curl -s -o "$tmp/user.out" -w '%{http_code}' "$url/api/v1/users" \
            -H "Authorization: Bearer $BENCH_COUNTY_TOKEN" -H 'Content-Type: application/json' \
            -d "{\"username\":\"bench.registrar.$code\",\"display_name\":\"$code 学籍管理员\",
                 \"role\":\"school\",\"org\":\"$code\"}" || true)
        [ "$st" = 201 ] || { say "creating a registrar of $code: $st"; cat "$tmp/user.out" >&2; exit 1; }
    done
    # what wf_request_start checks: enrolled, no open request, no open problem
    free="s.state = 'enrolled'
          AND NOT EXISTS (SELECT 1 FROM request_member m WHERE m.student_id = s.id AND m.open)
          AND NOT EXISTS (SELECT 1 FROM problem p WHERE (p.student_id = s.id
                          OR p.other_student_id = s.id) AND p.state = 'open')"
    avail=$(sql "SELECT count(*) FROM student s JOIN school sc ON sc.code = s.school
                 WHERE sc.authority = '$AP_COUNTY' AND NOT sc.closed AND $free")
    # the warm-up and the measured run at 2,000 approvals a second, and a quarter more
    want=${BENCH_AP_REQUESTS:-$((2000 * (SECS + WARM) * 5 / 4))}
    ap_m=$want
    [ "$ap_m" -le "$avail" ] || ap_m=$avail
    [ "$ap_m" -ge 2 ] || { say "approve: only $avail free students under $AP_COUNTY"; exit 1; }
    [ "$ap_m" -eq "$want" ] ||
        say "approve: WARNING: $avail free students under $AP_COUNTY, so $ap_m requests, not $want"
    # the template, through the API, on a student of 建设路第一小学
    sid=$(sql "SELECT min(s.id) FROM student s WHERE s.school = '$list_school' AND $free")
    st=$(curl -s -o "$tmp/template.out" -w '%{http_code}' "$url/api/v1/requests" \
        -H "Authorization: Bearer $BENCH_REGISTRAR_TOKEN" -H 'Content-Type: application/json' \
        -d "{\"type\":\"$AP_TYPE\",\"student\":$sid,
             \"payload\":{\"reason\":\"bench\",\"date\":\"$(date +%Y-%m-%d)\"}}" || true)
    [ "$st" = 201 ] || { say "approve: POST /requests answered $st"; cat "$tmp/template.out" >&2; exit 1; }
    tpl=$(sed -n 's/^{"id":\([0-9]*\),.*/\1/p' "$tmp/template.out")
    holder=$(sql "SELECT string_agg(org, ',') FROM request_step WHERE request_id = $tpl")
    [ "$holder" = "$AP_COUNTY" ] ||
        { say "approve: the template request $tpl is held by '$holder', not $AP_COUNTY"; exit 1; }
    say "approve: $((ap_m - 1)) more open $AP_TYPE requests like request $tpl, with SQL"
    "$PGBIN/psql" -h "$pgsock" -p "$pgport" -U xueji -X -q -At -v ON_ERROR_STOP=1 -1 \
        -v tpl="$tpl" -v m="$((ap_m - 1))" -v county="$AP_COUNTY" xueji >"$tmp/ap-prepare.log" 2>&1 <<SQL ||
CREATE TEMP TABLE ap_pick ON COMMIT DROP AS
    SELECT s.id AS student_id, s.school, sc.province,
           (SELECT min(u.id) FROM app_user u
             WHERE u.org = s.school AND u.staff_role = 'registrar') AS registrar
      FROM student s JOIN school sc ON sc.code = s.school
     WHERE sc.authority = :'county' AND NOT sc.closed AND $free
     ORDER BY random() LIMIT :m;
CREATE TEMP TABLE ap_req (id bigint, student_id bigint, school char(10), province char(6),
                          registrar bigint) ON COMMIT DROP;
WITH r AS (
    INSERT INTO request (type, state, student_id, school, province, payload, comment,
                         current_step, started_by, started_org, other_school, evidence)
    SELECT t.type, 'open', p.student_id, p.school, p.province, t.payload, NULL, 1,
           p.registrar, p.school, NULL, '{}'
      FROM ap_pick p, request t WHERE t.id = :tpl
    RETURNING id, student_id, school, province, started_by)
INSERT INTO ap_req SELECT * FROM r;
INSERT INTO request_step (request_id, number, level, org, state, due_at, escalate_to)
    SELECT r.id, t.number, t.level, t.org, t.state, t.due_at, t.escalate_to
      FROM ap_req r, request_step t WHERE t.request_id = :tpl ORDER BY r.id, t.number;
INSERT INTO request_action (request_id, step, action, actor_id, actor_org, comment)
    SELECT id, NULL, 'start', registrar, school, NULL FROM ap_req ORDER BY id;
INSERT INTO student_history (student_id, kind, actor_id, actor_org, school, request_id, changes)
    SELECT student_id, 'request', registrar, school, school, id, '[]' FROM ap_req ORDER BY id;
INSERT INTO audit (actor_id, actor_org, action, target_type, target_id, ip, user_agent,
                   request_id, detail)
    SELECT r.registrar, r.school, 'request.start', 'request', r.id::text, NULL, 'bench/run.sh',
           NULL, jsonb_build_object('type', t.type, 'student', r.student_id)
      FROM ap_req r, request t WHERE t.id = :tpl ORDER BY r.id;
INSERT INTO events (type, student_id, school, authority, province, request_id, data)
    SELECT 'request.started', r.student_id, r.school, :'county', r.province, r.id,
           jsonb_build_object('type', t.type, 'state', 'open')
      FROM ap_req r, request t WHERE t.id = :tpl ORDER BY r.id;
SQL
        { cat "$tmp/ap-prepare.log" >&2; say "approve: preparing the requests failed"; exit 1; }
    sql "VACUUM ANALYZE request, request_step, request_member, request_action, student_history,
         audit, events" >/dev/null
    # the rows' own hashes (the audit_hash trigger's) must verify; the seals come later
    "$out/xuejictl" audit verify >"$tmp/audit-verify.txt" 2>&1 ||
        { cat "$tmp/audit-verify.txt" >&2; say "approve: the audit trail does not verify"; exit 1; }
    BENCH_AP_IDS=$tmp/ap.ids BENCH_AP_STATE=$tmp/ap.state
    export BENCH_AP_IDS BENCH_AP_STATE
    rm -f "$BENCH_AP_STATE" # a fresh set of requests (an earlier pool size's are left open)
    sql "SELECT id FROM request WHERE type = '$AP_TYPE' AND state = 'open' AND id >= $tpl
         ORDER BY id" >"$BENCH_AP_IDS"
    n=$(wc -l <"$BENCH_AP_IDS")
    [ "$n" -eq "$ap_m" ] || { say "approve: $n open requests, expected $ap_m"; exit 1; }
    ap_prep_secs=$(($(date +%s) - t0))
    say "approve: $ap_m requests ready in $ap_prep_secs s ($(cat "$tmp/audit-verify.txt"))"
}
if [ "$STUDENTS" -gt 0 ]; then
    BENCH_PROVINCE_TOKEN=$(login henan)
    BENCH_REGISTRAR_TOKEN=$(login jianshe.registrar)
    [ -n "$BENCH_PROVINCE_TOKEN" ] && [ -n "$BENCH_REGISTRAR_TOKEN" ] ||
        { say "cannot log in as the demo accounts henan and jianshe.registrar"; exit 1; }
    export BENCH_PROVINCE_TOKEN BENCH_REGISTRAR_TOKEN
    bench_reads ""

    # R: registrations into grade 13 classes 91.. of 建设路第一小学, made here without
    # a size limit (the demo classes have limits, which R would soon hit)
    export BENCH_R_CLASSES="$R_CLASSES" BENCH_R_CLASS_FIRST=91 BENCH_R_STATE="$tmp/register.state"
    export BENCH_WRK_THREADS="$WRK_THREADS"
    n=0
    while [ "$n" -lt "$R_CLASSES" ]; do
        code=$(curl -s -o "$tmp/class.out" -w '%{http_code}' "$url/api/v1/schools/$list_school/classes" \
            -H "Authorization: Bearer $BENCH_REGISTRAR_TOKEN" -H 'Content-Type: application/json' \
            -d "{\"grade\":13,\"number\":$((91 + n))}" || true)
        case "$code" in 201 | 409) ;; *) say "creating class 13-$((91 + n)): $code"; cat "$tmp/class.out" >&2; exit 1 ;; esac
        n=$((n + 1))
    done
    # R, AP and PNp once per pool size: the first with the server as started, each
    # other with xuejid restarted with that many DB connections (rows register_pN,
    # approve_pN), then back to the first for what follows
    for p in $POOLS; do
        sfx=""
        if [ "$p" != "$POOL" ]; then
            sfx=_p$p
            stop_xuejid
            start_xuejid "$p"
        fi
        before=$(sql "SELECT count(*) FROM student")
        bench_http "register$sfx" /api/v1/students register.lua
        eval "registered$sfx=$(($(sql "SELECT count(*) FROM student") - before))"

        # AP: approvals. ap_m open requests of a one-step type decided by the competent
        # authority (其他离校), each on its own enrolled student of a school under 中原区,
        # then POST /requests/{id}/actions as that county's account, each id once.
        ap_prepare
        bench_http "approve$sfx" "/api/v1/requests/{id}/actions" approve.lua
        ap_approved=$(sql "SELECT count(*) FROM request WHERE type = '$AP_TYPE' AND state = 'approved'")
        ap_open=$(sql "SELECT count(*) FROM request WHERE type = '$AP_TYPE' AND state = 'open'")
        say "approve: $ap_approved requests approved so far (warm-ups included), $ap_open still open"
        [ -n "$sfx" ] || ap_first="$ap_m $ap_prep_secs $ap_approved"

        bench_pgbench "$p" -N
        eval "PNp$sfx=\$pg_tps PNp_other$sfx=\$pg_other"
    done
    set -- $ap_first # the AP line of the table is the first size's
    ap_m=$1 ap_prep_secs=$2 ap_approved=$3
    if [ "$POOLS" != "$POOL" ]; then
        stop_xuejid
        start_xuejid "$POOL"
    fi
    bench_pgbench "$CONNS" -N
    PN=$pg_tps PN_other=$pg_other

    if [ "$BIG" -gt 0 ]; then
        sizes_main=$(db_sizes)
        load_students "$BIG" big
        big_rate=$load_rate big_secs=$load_secs big_added=$load_added
        # the load outlasts the access tokens (15 minutes): sign in again
        BENCH_PROVINCE_TOKEN=$(login henan)
        BENCH_REGISTRAR_TOKEN=$(login jianshe.registrar)
        [ -n "$BENCH_PROVINCE_TOKEN" ] && [ -n "$BENCH_REGISTRAR_TOKEN" ] ||
            { say "cannot log in again after the load"; exit 1; }
        bench_reads _big
        bench_http register_big /api/v1/students register.lua
        sizes_big=$(db_sizes)
    fi
fi

# ---------------------------------------------------------------- imports
# make_classes GRADE FIRST N TOKEN: classes GRADE-FIRST.. of 建设路第一小学 without a size
# limit (201, or 409 when an earlier pass made them).
make_classes() {
    n=0
    while [ "$n" -lt "$3" ]; do
        code=$(curl -s -o "$tmp/class.out" -w '%{http_code}' "$url/api/v1/schools/$list_school/classes" \
            -H "Authorization: Bearer $4" -H 'Content-Type: application/json' \
            -d "{\"grade\":$1,\"number\":$(($2 + n))}" || true)
        case "$code" in 201 | 409) ;; *) say "creating class $1-$(($2 + n)): $code"; cat "$tmp/class.out" >&2; exit 1 ;; esac
        n=$((n + 1))
    done
}

# vm KEY: xuejid's /proc status value KEY (VmRSS, VmHWM) in kB.
vm() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$srv_pid/status" 2>/dev/null || true; }

# json_num FILE KEY: a top-level number of a one-line JSON answer.
json_num() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$1"; }

# bench_import FMT FILE TOKEN [invalid]: upload FILE (mode=create), poll until the job ends
# (with "invalid", every row is expected to be rejected); sets
# imp_id imp_state imp_total imp_created imp_rejected imp_wall imp_server imp_rate
# imp_hwm_mb (VmHWM after a reset to the RSS before the upload) imp_rss_mb (peak of the
# VmRSS samples) imp_other.
bench_import() {
    # the peak RSS counts from now (clear_refs 5 resets VmHWM to the current RSS)
    if echo 5 >"/proc/$srv_pid/clear_refs" 2>/dev/null; then hwm_reset=yes; else hwm_reset=no; fi
    rss_before=$(vm VmRSS)
    say "import $1: POST /api/v1/imports?mode=create ($(wc -c <"$2") bytes; xuejid RSS $((rss_before / 1024)) MB)"
    [ "${BENCH_PG_STATS:-0}" = 1 ] &&
        sql "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()" >/dev/null
    c1=$(cpu_snap)
    t0=$(date +%s.%N)
    code=$(curl -s -o "$tmp/import-$1.post" -w '%{http_code}' "$url/api/v1/imports?mode=create" \
        -H "Authorization: Bearer $3" -H 'Content-Type: application/octet-stream' \
        --data-binary @"$2" || true)
    [ "$code" = 202 ] || { say "import $1: POST answered $code:"; head -c 600 "$tmp/import-$1.post" >&2; exit 1; }
    imp_id=$(json_num "$tmp/import-$1.post" id)
    peak=$rss_before
    last_print=$(date +%s)
    while :; do
        sleep 0.5
        server_alive
        r=$(vm VmRSS)
        [ -z "$r" ] || [ "$r" -le "$peak" ] || peak=$r
        curl -s -o "$tmp/import-$1.get" "$url/api/v1/imports/$imp_id" -H "Authorization: Bearer $3" || true
        imp_state=$(sed -n 's/.*"state":"\([a-z]*\)".*/\1/p' "$tmp/import-$1.get")
        case "$imp_state" in done | failed) break ;; esac
        now=$(date +%s)
        if [ $((now - last_print)) -ge 30 ]; then
            last_print=$now
            say "import $1: $(json_num "$tmp/import-$1.get" processed) rows," \
                "RSS $((r / 1024)) MB"
        fi
    done
    t1=$(date +%s.%N)
    c2=$(cpu_snap)
    imp_other=$(other_pct "$c1" "$c2")
    imp_cpu=$(ours_cpu "$c1" "$c2")
    hwm=$(vm VmHWM)
    imp_total=$(json_num "$tmp/import-$1.get" total)
    imp_created=$(json_num "$tmp/import-$1.get" created)
    imp_rejected=$(json_num "$tmp/import-$1.get" rejected)
    imp_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    imp_server=$(sql "SELECT round(extract(epoch FROM finished_at - started_at)::numeric, 1)
                      FROM import_job WHERE id = $imp_id")
    imp_rate=$(awk -v n="${imp_created:-0}" -v t="$imp_wall" 'BEGIN { printf "%.1f", (t > 0 ? n / t : 0) }')
    imp_hwm_mb=$((hwm / 1024))
    [ "$hwm_reset" = yes ] || imp_hwm_mb="$imp_hwm_mb (not reset: since start)"
    imp_rss_mb=$((peak / 1024))
    say "import $1: $imp_state, $imp_created created, $imp_rejected rejected of $imp_total in" \
        "${imp_wall}s (${imp_server}s started to finished): $imp_rate rows/s;" \
        "peak RSS $imp_rss_mb MB sampled, VmHWM $imp_hwm_mb MB; CPU $imp_cpu s (xuejid, PostgreSQL, curl)"
    if [ "${4:-}" = invalid ]; then
        [ "$imp_state" = done ] && [ "${imp_created:-1}" = 0 ] ||
            { head -c 1500 "$tmp/import-$1.get" >&2; echo >&2; say "import $1: WARNING: not done, or rows created"; }
    else
        [ "$imp_state" = done ] && [ "${imp_rejected:-1}" = 0 ] ||
            { head -c 1500 "$tmp/import-$1.get" >&2; echo >&2; say "import $1: WARNING: not every row was created"; }
    fi
    if [ "${BENCH_PG_STATS:-0}" = 1 ]; then
        say "import $1: statements by total time (pg_stat_statements)"
        sql "SELECT round(total_exec_time::numeric) || ' ms  ' || calls || ' calls  ' ||
                    rows || ' rows  ' || left(regexp_replace(query, '\s+', ' ', 'g'), 110)
             FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15" >&2
    fi
    sleep 1
}

if [ "$IMPORT_ROWS" -gt 0 ]; then
    BENCH_IMPORT_TOKEN=$(login jianshe.registrar)
    [ -n "$BENCH_IMPORT_TOKEN" ] || { say "cannot log in as jianshe.registrar"; exit 1; }
    # CSV into grade 14 (四年级), xlsx into grade 15, classes 91-98 without a size limit:
    # two sets of new students (a second upload of the same ones would be all duplicates)
    for fmt in $IMPORT_FORMATS; do
        case "$fmt" in csv) grade=14 ;; xlsx) grade=15 ;; *) say "BENCH_IMPORT_FORMATS: csv, xlsx"; exit 2 ;; esac
        make_classes "$grade" 91 8 "$BENCH_IMPORT_TOKEN"
        say "xuejictl gen-import --rows $IMPORT_ROWS --format $fmt --grade $grade"
        run "$out/xuejictl" gen-import --rows "$IMPORT_ROWS" --school "$list_school" --format "$fmt" \
            --grade "$grade" --classes 91-98 --out "$tmp/import.$fmt" 2>"$tmp/gen-$fmt.log" ||
            { cat "$tmp/gen-$fmt.log" >&2; exit 1; }
        bench_import "$fmt" "$tmp/import.$fmt" "$BENCH_IMPORT_TOKEN"
        eval "I_$fmt=\$imp_rate I_${fmt}_wall=\$imp_wall I_${fmt}_server=\$imp_server" \
            "I_${fmt}_created=\$imp_created I_${fmt}_rejected=\$imp_rejected I_${fmt}_state=\$imp_state" \
            "I_${fmt}_hwm=\$imp_hwm_mb I_${fmt}_rss=\$imp_rss_mb I_${fmt}_other=\$imp_other" \
            "I_${fmt}_bytes=$(wc -c <"$tmp/import.$fmt") I_${fmt}_cpu=\$imp_cpu"
    done

    if [ ! -f "$tmp/import.csv" ]; then
        run "$out/xuejictl" gen-import --rows "$IMPORT_ROWS" --school "$list_school" --format csv \
            --grade 14 --classes 91-98 --out "$tmp/import.csv" 2>"$tmp/gen-csv.log" ||
            { cat "$tmp/gen-csv.log" >&2; exit 1; }
    fi
    # C: the same CSV (BOM, header, CRLF) with psql's \copy into a plain table with one
    # text column per template column, no index, no constraint; three runs, the median
    ncols=$(head -n 1 "$tmp/import.csv" | tr ',' '\n' | wc -l)
    cols=$(awk -v n="$ncols" 'BEGIN { for (i = 1; i <= n; i++) printf "%sc%d text", (i > 1 ? ", " : ""), i }')
    sql "CREATE TABLE bench_import_copy ($cols)" >/dev/null
    copy_secs=""
    c1=$(cpu_snap)
    for i in 1 2 3; do
        sql "TRUNCATE bench_import_copy" >/dev/null
        t0=$(date +%s.%N)
        "$PGBIN/psql" -h "$pgsock" -p "$pgport" -U xueji -X -q -c \
            "\\copy bench_import_copy FROM '$tmp/import.csv' WITH (FORMAT csv, HEADER true)" xueji
        t1=$(date +%s.%N)
        copy_secs="$copy_secs $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
    done
    c2=$(cpu_snap)
    C_other=$(other_pct "$c1" "$c2")
    C_cpu=$(ours_cpu "$c1" "$c2" | awk '{ printf "%.2f", $1 / 3 }') # one run's
    copied=$(sql "SELECT count(*) FROM bench_import_copy")
    sql "DROP TABLE bench_import_copy" >/dev/null
    C_secs=$(echo $copy_secs | tr ' ' '\n' | sort -n | sed -n 2p)
    C=$(awk -v n="$copied" -v t="$C_secs" 'BEGIN { printf "%.0f", n / t }')
    say "psql \\copy of the CSV ($copied rows, $ncols text columns): runs of$copy_secs s, median $C rows/s"
fi

# ----------------------------------------------------------- batch review
# REVIEW open registration requests of 中原区 (an import of as many new students into
# grade 16, classes 91-98 of 建设路第一小学: one step each, at the county), then one
# POST /api/v1/requests/actions approving them all as the county account. Sets
# review_secs, review_rate, review_ok, review_failed, review_approved, review_other,
# or review_skip (why there is no figure).
bench_review() {
    rtok=$(login jianshe.registrar) ctok=$(login "$AP_COUNTY_USER")
    [ -n "$rtok" ] && [ -n "$ctok" ] || { say "cannot log in as jianshe.registrar and $AP_COUNTY_USER"; exit 1; }
    make_classes 16 91 8 "$rtok"
    run "$out/xuejictl" gen-import --rows "$REVIEW" --school "$list_school" --format csv --grade 16 \
        --classes 91-98 --out "$tmp/review.csv" 2>"$tmp/gen-review.log" ||
        { cat "$tmp/gen-review.log" >&2; exit 1; }
    bench_import review "$tmp/review.csv" "$rtok"
    sql "SELECT r.id FROM request r JOIN student s ON s.id = r.student_id
         JOIN class c ON c.id = s.class_id WHERE c.school = '$list_school' AND c.grade = 16
         AND r.type = 'registration' AND r.state = 'open' ORDER BY r.id" >"$tmp/review.ids"
    n=$(wc -l <"$tmp/review.ids")
    [ "$n" -eq "$REVIEW" ] || { say "review: $n open registration requests, expected $REVIEW"; exit 1; }
    awk 'BEGIN { printf "{\"items\":[" }
         { printf "%s{\"request\":%s,\"step\":1,\"action\":\"approve\"}", (NR > 1 ? "," : ""), $1 }
         END { printf "]}" }' "$tmp/review.ids" >"$tmp/review.json"
    say "review: POST /api/v1/requests/actions with $n approvals as $AP_COUNTY_USER"
    c1=$(cpu_snap)
    t0=$(date +%s.%N)
    code=$(curl -s -o "$tmp/review.out" -w '%{http_code}' "$url/api/v1/requests/actions" \
        -H "Authorization: Bearer $ctok" -H 'Content-Type: application/json' \
        --data-binary @"$tmp/review.json" || true)
    t1=$(date +%s.%N)
    review_other=$(other_pct "$c1" "$(cpu_snap)")
    server_alive
    if [ "$code" = 404 ] || [ "$code" = 405 ]; then
        # no such route: 404, or 405 where /requests/{id} takes "actions" for an id
        review_skip="POST /api/v1/requests/actions answered $code: batch review is not in this build"
        say "review: skipped: $review_skip"
        return 0
    fi
    if [ "$code" != 200 ]; then
        review_skip="POST /api/v1/requests/actions answered $code"
        say "review: WARNING: $review_skip:"
        head -c 600 "$tmp/review.out" >&2
        echo >&2
        return 0
    fi
    review_ok=$(grep -o '"status":200[,}]' "$tmp/review.out" | wc -l)
    review_failed=$((n - review_ok))
    review_approved=$(sql "SELECT count(*) FROM request WHERE id IN ($(paste -sd, "$tmp/review.ids"))
                           AND state = 'approved'")
    review_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    review_rate=$(awk -v n="$review_ok" -v t="$review_secs" 'BEGIN { printf "%.1f", (t > 0 ? n / t : 0) }')
    say "review: $review_ok of $n items 200 in $review_secs s ($review_rate approvals/s);" \
        "$review_approved requests approved in the database"
    [ "$review_failed" -eq 0 ] && [ "$review_approved" -eq "$n" ] ||
        say "review: WARNING: $review_failed items failed (first: $(grep -o '"code":"[a-z_]*"' "$tmp/review.out" | head -n 1))"
}
review_skip=""
if [ "$REVIEW" -gt 0 ]; then
    bench_review
fi

# The claim race of the graduate pool (issue 15, bench/claims.sh): BENCH_CLAIMS graduates
# (default 200) claimed by four schools at once, then approved by their four counties at
# once: exactly one enrolment each, the other claims superseded. Its own line and JSON
# (bench/results/claims.json next to RESULTS).
CLAIMS=${BENCH_CLAIMS:-200}
case "$CLAIMS" in '' | *[!0-9]*) echo "bench: BENCH_CLAIMS must be a whole number" >&2; exit 2 ;; esac
if [ "$STUDENTS" -gt 0 ] && [ "$CLAIMS" -gt 0 ]; then
    . "$root/bench/claims.sh"
    say "claims: $CLAIMS graduates of $list_school claimed by four junior schools at once"
    bench_claims "$url" "postgresql://xueji@/xueji?host=$pgsock&port=$pgport" "$CLAIMS" "$tmp"
    say "$claims_line"
    mkdir -p "$(dirname "$RESULTS")"
    printf '{"when": "%s", "claims": %s}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$claims_json" \
        >"$(dirname "$RESULTS")/claims.json"
fi

# The all-invalid import: the template's header (a one-row gen-import file's), then rows
# holding only a name (issue 12: such a file took xuejid to 23 GB).
if [ "$INVALID_ROWS" -gt 0 ]; then
    [ -n "${BENCH_IMPORT_TOKEN:-}" ] || BENCH_IMPORT_TOKEN=$(login jianshe.registrar)
    [ -n "$BENCH_IMPORT_TOKEN" ] || { say "cannot log in as jianshe.registrar"; exit 1; }
    run "$out/xuejictl" gen-import --rows 1 --school "$list_school" --format csv --grade 14 \
        --classes 91-98 --out "$tmp/header.csv" 2>"$tmp/gen-header.log" ||
        { cat "$tmp/gen-header.log" >&2; exit 1; }
    head -n 1 "$tmp/header.csv" | tr -d '\r' | awk -F',' -v n="$INVALID_ROWS" '
        NR == 1 { print $0 "\r"; at = 0
                  for (i = 1; i <= NF; i++) if (!at && $i ~ /姓名/) at = i
                  for (r = 1; r <= n; r++) { line = ""
                      for (i = 1; i <= NF; i++) line = line (i > 1 ? "," : "") (i == at ? "无效行" r : "")
                      print line "\r" } }' >"$tmp/invalid.csv"
    bench_import invalid "$tmp/invalid.csv" "$BENCH_IMPORT_TOKEN" invalid
    I_invalid_errors=$(json_num "$tmp/import-invalid.get" errors_total)
    I_invalid_wall=$imp_wall I_invalid_server=$imp_server I_invalid_state=$imp_state
    I_invalid_rejected=$imp_rejected I_invalid_hwm=$imp_hwm_mb I_invalid_rss=$imp_rss_mb
    I_invalid_other=$imp_other I_invalid_bytes=$(wc -c <"$tmp/invalid.csv")
    t0=$(date +%s.%N)
    code=$(curl -s -o "$tmp/invalid-errors.xlsx" -w '%{http_code}' \
        "$url/api/v1/imports/$imp_id/errors.xlsx" -H "Authorization: Bearer $BENCH_IMPORT_TOKEN" || true)
    I_invalid_xlsx_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    I_invalid_xlsx_hwm=$(($(vm VmHWM) / 1024))
    say "import invalid: errors.xlsx $code, $(wc -c <"$tmp/invalid-errors.xlsx") bytes in" \
        "${I_invalid_xlsx_s}s; VmHWM since the import's start $I_invalid_xlsx_hwm MB"
fi

# ---------------------------------------------------------------- promotion
# Promotion (issue 15, docs/decisions/0026): the province's region job over every demo
# school for the school year the demo stands at the end of (ctl/demo_students.c: the last
# one whose second term has begun), polled until done: pupils promoted or graduated per
# second of wall time. Last, as it moves every pupil up (BENCH_PROMOTION=0: skip it).
promotion_json=null
if [ "$STUDENTS" -gt 0 ] && [ "${BENCH_PROMOTION:-1}" = 1 ]; then
    prom_year=$(TZ=Asia/Shanghai date +'%Y %m%d' | awk '{ print ($2 + 0 < 301 ? $1 - 2 : $1 - 1) }')
    prom_tok=$(login henan)
    t0=$(date +%s.%N)
    code=$(curl -s -o "$tmp/prom.post" -w '%{http_code}' "$url/api/v1/regions/410000/promotion" \
        -H "Authorization: Bearer $prom_tok" -H 'Content-Type: application/json' \
        -d "{\"year\":$prom_year}" || true)
    [ "$code" = 202 ] || { say "POST /regions/410000/promotion: $code"; cat "$tmp/prom.post" >&2; exit 1; }
    prom_job=$(json_num "$tmp/prom.post" id)
    prom_state=queued
    while [ "$prom_state" = queued ] || [ "$prom_state" = running ]; do
        sleep 0.2
        curl -s -o "$tmp/prom.get" "$url/api/v1/promotion-jobs/$prom_job" -H "Authorization: Bearer $prom_tok"
        prom_state=$(sed -n 's/.*"state":"\([a-z]*\)".*/\1/p' "$tmp/prom.get")
    done
    prom_secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    prom_up=$(json_num "$tmp/prom.get" promoted)
    prom_grad=$(json_num "$tmp/prom.get" graduated)
    prom_schools=$(json_num "$tmp/prom.get" applied)
    PROM=$(awk -v n="$((prom_up + prom_grad))" -v t="$prom_secs" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
    say "promotion of $prom_year: $prom_state, $prom_schools schools, $prom_up promoted," \
        "$prom_grad graduated in $prom_secs s = $PROM pupils/s"
    promotion_json="{\"year\": $prom_year, \"state\": \"$prom_state\", \"schools\": ${prom_schools:-null},"
    promotion_json="$promotion_json \"promoted\": ${prom_up:-null}, \"graduated\": ${prom_grad:-null},"
    promotion_json="$promotion_json \"seconds\": $prom_secs, \"pupils_per_s\": $PROM}"
fi

# ------------------------------------------------------------------ report
# print_imports, print_invalid: the import lines of the table.
print_imports() {
    if [ "$IMPORT_ROWS" -gt 0 ]; then
        echo
        printf '%s\n' "imports of $IMPORT_ROWS new students (mode=create, 1 worker) against psql \\copy" \
            "  of the CSV into a plain table (C = $C rows/s, median of 3, other% ${C_other}):"
        for fmt in $IMPORT_FORMATS; do
            eval "r=\$I_$fmt w=\$I_${fmt}_wall sv=\$I_${fmt}_server cr=\$I_${fmt}_created" \
                "rj=\$I_${fmt}_rejected st=\$I_${fmt}_state hw=\$I_${fmt}_hwm rs=\$I_${fmt}_rss" \
                "ot=\$I_${fmt}_other by=\$I_${fmt}_bytes cu=\$I_${fmt}_cpu"
            printf '  I_%-4s %7.1f rows/s  I/C = %-6s %s, %s created, %s rejected, %s s (server %s s),' \
                "$fmt" "$r" "$(awk -v a="$r" -v b="$C" 'BEGIN { printf "%.4f", a / b }')" "$st" \
                "$cr" "$rj" "$w" "$sv"
            printf ' %s MB file; RSS peak %s MB, VmHWM %s MB; other%% %s\n' \
                "$(awk -v b="$by" 'BEGIN { printf "%.1f", b / 1048576 }')" "$rs" "$hw" "$ot"
            printf '         CPU %s s of xuejid, PostgreSQL and the clients; C %s s: by CPU time I/C = %s\n' \
                "$cu" "$C_cpu" "$(awk -v a="$cu" -v b="$C_cpu" -v n="$IMPORT_ROWS" -v cr="$cr" \
                    'BEGIN { printf "%.4f", (a > 0 ? (cr / a) / (n / b) : 0) }')"
        done
        echo "  targets: I/C >= 0.5, RSS < 256 MB"
    fi
}
print_invalid() {
    if [ "$INVALID_ROWS" -gt 0 ]; then
        echo
        printf '%s\n' "import of $INVALID_ROWS rows holding only a name (every row rejected):" \
            "  $I_invalid_state, $I_invalid_rejected rejected, $I_invalid_errors errors in $I_invalid_wall s" \
            "  (server $I_invalid_server s), $(awk -v b="$I_invalid_bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MB file;" \
            "  RSS peak $I_invalid_rss MB, VmHWM $I_invalid_hwm MB; errors.xlsx in $I_invalid_xlsx_s s," \
            "  VmHWM after it $I_invalid_xlsx_hwm MB; other% $I_invalid_other (target RSS < 256 MB)"
    fi
}
num() { [ -n "$1" ] && echo "$1" || echo null; }
imports_json=null
if [ "$IMPORT_ROWS" -gt 0 ]; then
    imports_json="{\"rows\": $IMPORT_ROWS, \"C_rows_per_s\": $C, \"C_seconds\": [$(echo $copy_secs | tr ' ' ',')],"
    imports_json="$imports_json \"C_other_load_pct\": $C_other, \"C_cpu_s\": $C_cpu, \"target\": \"I/C >= 0.5 and RSS < 256 MB\""
    for fmt in $IMPORT_FORMATS; do
        eval "r=\$I_$fmt w=\$I_${fmt}_wall sv=\$I_${fmt}_server cr=\$I_${fmt}_created" \
            "rj=\$I_${fmt}_rejected st=\$I_${fmt}_state hw=\$I_${fmt}_hwm rs=\$I_${fmt}_rss" \
            "ot=\$I_${fmt}_other by=\$I_${fmt}_bytes cu=\$I_${fmt}_cpu"
        imports_json="$imports_json, \"$fmt\": {\"rows_per_s\": $r, \"over_C\": $(awk -v a="$r" -v b="$C" 'BEGIN { printf "%.4f", a / b }'),"
        imports_json="$imports_json \"state\": \"$st\", \"created\": $(num "$cr"), \"rejected\": $(num "$rj"),"
        imports_json="$imports_json \"wall_s\": $w, \"server_s\": $(num "$sv"), \"bytes\": $by,"
        imports_json="$imports_json \"rss_peak_mb\": $rs, \"vmhwm_mb\": ${hw%% *}, \"other_load_pct\": $ot,"
        imports_json="$imports_json \"cpu_s\": $cu}"
    done
    imports_json="$imports_json}"
fi
invalid_json=null
if [ "$INVALID_ROWS" -gt 0 ]; then
    invalid_json="{\"rows\": $INVALID_ROWS, \"state\": \"$I_invalid_state\", \"rejected\": $(num "$I_invalid_rejected"),"
    invalid_json="$invalid_json \"errors\": $(num "$I_invalid_errors"), \"wall_s\": $I_invalid_wall,"
    invalid_json="$invalid_json \"server_s\": $(num "$I_invalid_server"), \"bytes\": $I_invalid_bytes,"
    invalid_json="$invalid_json \"rss_peak_mb\": $I_invalid_rss, \"vmhwm_mb\": ${I_invalid_hwm%% *},"
    invalid_json="$invalid_json \"errors_xlsx_s\": $I_invalid_xlsx_s, \"vmhwm_after_xlsx_mb\": $I_invalid_xlsx_hwm,"
    invalid_json="$invalid_json \"other_load_pct\": $I_invalid_other, \"target\": \"RSS < 256 MB\"}"
fi
if [ "$ONLY" = imports ]; then
    when=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    {
        echo "xueji bench $when (BENCH_ONLY=imports): $(nproc) cores; xuejid: $THREADS loop threads," \
            "$POOL DB connections, access log on (to a file); other% before it ${idle_other}%"
        print_imports
        print_invalid
    } | tee "$tmp/report.txt"
    mkdir -p "$(dirname "$RESULTS")"
    printf '{\n  "when": "%s",\n  "only": "imports",\n  "imports": %s,\n  "import_invalid": %s\n}\n' \
        "$when" "$imports_json" "$invalid_json" >"$RESULTS"
    say "wrote ${RESULTS#"$root"/}"
    exit 0
fi
field() { awk -F'|' -v n="$1" -v c="$2" '$1 == n { print $c }' "$rows"; }
# print_pools: R and AP at each DB pool size against PN (C clients) and PNp (as many
# clients as the pool); pools_json: the same as a JSON array.
print_pools() {
    echo "by xuejid DB pool size (BENCH_DB_POOL=\"$POOLS\"; PN = $(printf %.0f "$PN") tps with $CONNS clients," \
        "PNp = pgbench -N with as many clients as the pool):"
    printf '  %4s %9s %9s %9s %6s %6s %6s %7s %s\n' pool "R/s" "AP/s" "PNp tps" "R/PN" "AP/PN" "R/PNp" "AP/PNp" "other% (R, AP, PNp)"
    for p in $POOLS; do
        sfx=$([ "$p" = "$POOL" ] || echo "_p$p")
        r=$(field "register$sfx" 4) ap=$(field "approve$sfx" 4)
        eval "pnp=\${PNp$sfx:-} pno=\${PNp_other$sfx:-}"
        printf '  %4s %9.0f %9.0f %9.0f %6s %6s %6s %7s %s, %s, %s\n' "$p" "$r" "$ap" "$pnp" \
            "$(ratio "$r" "$PN")" "$(ratio "$ap" "$PN")" "$(ratio "$r" "$pnp")" "$(ratio "$ap" "$pnp")" \
            "$(field "register$sfx" 9)" "$(field "approve$sfx" 9)" "$pno"
    done
}
pools_json() {
    sep=""
    printf '['
    for p in $POOLS; do
        sfx=$([ "$p" = "$POOL" ] || echo "_p$p")
        r=$(field "register$sfx" 4) ap=$(field "approve$sfx" 4)
        eval "pnp=\${PNp$sfx:-} reg=\${registered$sfx:-}"
        printf '%s{"db_pool": %s, "R": %s, "AP": %s, "PN_pool": %s, "R_over_PN": %s, "AP_over_PN": %s,' \
            "$sep" "$p" "$(num "$r")" "$(num "$ap")" "$(num "$pnp")" "$(num "$(ratio "$r" "$PN")")" \
            "$(num "$(ratio "$ap" "$PN")")"
        printf ' "R_over_PN_pool": %s, "AP_over_PN_pool": %s, "registered": %s}' \
            "$(num "$(ratio "$r" "$pnp")")" "$(num "$(ratio "$ap" "$pnp")")" "$(num "$reg")"
        sep=", "
    done
    printf ']'
}
# print_review: the batch review line; review_json: the same as JSON.
print_review() {
    [ "$REVIEW" -gt 0 ] || return 0
    echo
    if [ -n "$review_skip" ]; then
        echo "batch review of $REVIEW registrations: skipped ($review_skip)"
        return 0
    fi
    echo "batch review: $REVIEW registrations approved in one POST /api/v1/requests/actions as" \
        "$AP_COUNTY_USER: $review_secs s, $review_rate approvals/s ($review_ok items 200," \
        "$review_failed failed; $review_approved approved in the database); other% $review_other"
}
review_json=null
if [ "$REVIEW" -gt 0 ]; then
    if [ -n "$review_skip" ]; then
        review_json="{\"items\": $REVIEW, \"skipped\": \"$review_skip\"}"
    else
        review_json="{\"items\": $REVIEW, \"seconds\": $review_secs, \"approvals_per_s\": $review_rate,"
        review_json="$review_json \"ok\": $review_ok, \"failed\": $review_failed, \"approved\": $review_approved,"
        review_json="$review_json \"county\": \"$AP_COUNTY\", \"other_load_pct\": $review_other}"
    fi
fi
H=$(field healthz 4)
A=$(field region 4)
L=$(awk -v h="$H" -v p="$P" 'BEGIN { printf "%.2f", 1 / (1 / h + 1 / p) }')
AL=$(awk -v a="$A" -v l="$L" 'BEGIN { printf "%.2f", a / l }')
Lp=$(awk -v h="$H" -v p="$Pp" 'BEGIN { printf "%.2f", 1 / (1 / h + 1 / p) }')
ALp=$(awk -v a="$A" -v l="$Lp" 'BEGIN { printf "%.2f", a / l }')
met=$(awk -v r="$AL" 'BEGIN { print (r >= 0.8 ? "true" : "false") }')
max_other=$(awk -F'|' -v m="$(( P_other > Pp_other ? P_other : Pp_other ))" '$9 > m { m = $9 } END { print m + 0 }' "$rows")
# The student rows (empty when BENCH_STUDENTS=0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print ""; else printf "%.2f", a / b }'; }
S=$(field student 4) S_p99=$(field student 6)
SL=$(ratio "$S" "$L")
S_met=$(awk -v r="$SL" -v p="$S_p99" 'BEGIN { print (r != "" && r >= 0.8 && p < 10 ? "true" : "false") }')
R=$(field register 4)
RPN=$(ratio "$R" "${PN:-}")
RPNp=$(ratio "$R" "${PNp:-}")
AP=$(field approve 4) AP_p50=$(field approve 5) AP_p99=$(field approve 6) AP_bad=$(field approve 7)
AP_sockerr=$(field approve 8)
APPN=$(ratio "$AP" "${PN:-}")
# a run with any answer but 200 (or a socket error) is not a clean figure
AP_clean=$([ "${AP_bad:-0}" = 0 ] && [ "${AP_sockerr:-0}" = 0 ] && echo true || echo false)
AP_met=$(awk -v r="$APPN" -v c="$AP_clean" 'BEGIN { print (r != "" && r >= 0.5 && c == "true" ? "true" : "false") }')
APPNp=$(ratio "$AP" "${PNp:-}")
S_big=$(field student_big 4) S_big_p99=$(field student_big 6)
SL_big=$(ratio "$S_big" "$L")
loglines=$(wc -l <"$srv_log")
logwarn=$(grep -c '"level":"\(warn\|error\)"' "$srv_log" || true)
when=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cores=$(nproc)

{
    echo "xueji bench $when: $cores cores, $CONNS connections, ${SECS}s per run;" \
        "xuejid: $THREADS loop threads, $POOL DB connections, access log on (to a file)"
    echo
    printf '%-2s %-11s %-46s %9s %8s %8s %6s %7s\n' "" name what "per sec" "p50 ms" "p99 ms" "x/L" "other%"
    awk -F'|' -v l="$L" -v p="$P" -v pother="$P_other" -v c="$CONNS" '
        function row(tag, ratio) {
            printf "%-2s %-11s %-46s %9.0f %8.2f %8.2f %6s %7d\n", tag, $1,
                ($3 != "" ? $2 " -s " $3 : "GET " $2), $4, $5, $6, ratio, $9
        }
        $1 == "healthz" { row("H", "-") }
        END {
            printf "%-2s %-11s %-46s %9.0f %8s %8s %6s %7d\n", "P", "pgbench",
                "pgbench -S -M prepared -c " c, p, "-", "-", "-", pother
        }' "$rows"
    awk -F'|' -v l="$L" -v c="$CONNS" '
        BEGIN { tag["region"] = "A"; tag["student"] = "S"; tag["register"] = "R"; tag["approve"] = "AP"; tag["student_big"] = "Sb" }
        $1 != "healthz" {
            printf "%-2s %-11s %-46s %9.0f %8.2f %8.2f %6.2f %7d\n", tag[$1], $1,
                ($3 != "" ? $2 " -s " $3 : "GET " $2) ($10 != c ? " (-c " $10 ")" : ""),
                $4, $5, $6, $4 / l, $9
        }' "$rows"
    printf '%-2s %-11s %-46s %9.0f\n' L "" "1/(1/H + 1/P)" "$L"
    printf '%-2s %-11s %-46s %9.0f %8s %8s %6s %7d\n' Pp pgbench "pgbench -S -M prepared -c $POOL (= pool)" \
        "$Pp" "-" "-" "-" "$Pp_other"
    printf '%-2s %-11s %-46s %9.0f\n' Lp "" "1/(1/H + 1/Pp)" "$Lp"
    if [ -n "${PN:-}" ]; then
        printf '%-2s %-11s %-46s %9.0f %8s %8s %6s %7d\n' PN pgbench \
            "pgbench -N -M prepared -c $CONNS" "$PN" "-" "-" "-" "$PN_other"
        printf '%-2s %-11s %-46s %9.0f %8s %8s %6s %7d\n' PNp pgbench \
            "pgbench -N -M prepared -c $POOL (= pool)" "$PNp" "-" "-" "-" "$PNp_other"
    fi
    echo
    echo "A/L = $AL"
    echo "target: A/L >= 0.8 ($([ "$met" = true ] && echo reached || echo NOT reached))"
    echo "for reference: A/Lp = $ALp (PostgreSQL measured with $POOL clients, as many as xuejid's pool)"
    if [ -n "$S" ]; then
        echo
        echo "students: $STUDENTS loaded by xuejictl demo at ${main_rate:-?} rows/s" \
            "(${main_added:-?} rows, ${main_secs:-?} s with VACUUM ANALYZE)"
        echo "S/L = $SL, S p99 = $S_p99 ms" \
            "(target S/L >= 0.8 and p99 < 10 ms: $([ "$S_met" = true ] && echo reached || echo NOT reached))"
        echo "list p99 (-c $LIST_CONNS): first page $(field list 6) ms, deep cursor $(field list_deep 6) ms"
        echo "R = $(printf %.0f "$R") registrations/s ($registered rows added, classes 13-91..$((90 + R_CLASSES)))," \
            "PN = $(printf %.0f "$PN") tps, R/PN = $RPN (for reference: R/PNp = $RPNp)"
        echo "AP = $(printf %.0f "$AP") approvals/s (200 answers only), p50 $AP_p50 ms, p99 $AP_p99 ms," \
            "AP/PN = $APPN (target AP/PN >= 0.5: $([ "$AP_met" = true ] && echo reached || echo NOT reached);" \
            "for reference: AP/PNp = $APPNp)"
        echo "   $ap_m open $AP_TYPE requests prepared in $ap_prep_secs s (SQL, after a template" \
            "request through the API), $ap_approved approved with the warm-up's"
        [ "$AP_clean" = true ] ||
            echo "WARNING: AP saw $AP_bad answers other than 200 and $AP_sockerr socket errors: not a clean figure"
        print_pools
    fi
    print_imports
    print_review
    print_invalid
    if [ -n "${PROM:-}" ]; then
        echo
        echo "promotion of school year $prom_year (POST /regions/410000/promotion, every demo school):" \
            "$prom_up promoted, $prom_grad graduated in $prom_secs s = $PROM pupils/s"
    fi
    if [ -n "$S_big" ]; then
        echo "at $BIG students (loaded at ${big_rate:-?} rows/s, ${big_secs:-?} s):" \
            "S/L = $SL_big, S p99 = $S_big_p99 ms;" \
            "list p99 (-c $LIST_CONNS): first page $(field list_big 6) ms, deep cursor $(field list_deep_big 6) ms"
        echo
        echo "p99 from $STUDENTS to $BIG students (target: at most 2x):"
        printf '  %-10s %12s %12s %8s   %10s %10s\n' row "p99 small" "p99 big" ratio "req/s small" "req/s big"
        for r in student list list_deep register; do
            printf '  %-10s %12s %12s %8s   %10s %10s\n' "$r" "$(field "$r" 6) ms" "$(field "${r}_big" 6) ms" \
                "$(ratio "$(field "${r}_big" 6)" "$(field "$r" 6)")" "$(field "$r" 4)" "$(field "${r}_big" 4)"
        done
        echo "sizes (students | student heap MB | student indexes MB | database MB), shared_buffers $SHARED_BUFFERS:"
        echo "  before: $sizes_main"
        echo "  after:  $sizes_big"
    fi
    echo "(pgbench latency average ${P_lat:-?} ms; xuejid log: $loglines lines, $logwarn warnings/errors;"
    echo " other%: share of the ${cores} cores used by processes not ours during the run," \
        "${idle_other}% before it)"
    if [ "$max_other" -gt 10 ] || [ "$idle_other" -gt 10 ]; then
        echo "WARNING: other work took up to ${max_other}% of the machine: these figures are not comparable"
    fi
} | tee "$tmp/report.txt"
if [ "$logwarn" -gt 0 ]; then
    say "xuejid warnings and errors:"
    grep '"level":"\(warn\|error\)"' "$srv_log" | tail -n 10 >&2
fi

# The same as one JSON object; "endpoints" is an array so later work can add rows.
students_json=null
if [ -n "$S" ]; then
    big_json=null
    if [ -n "$S_big" ]; then
        big_json="{\"count\": $BIG, \"load_rows_per_s\": $(num "${big_rate:-}"), \"load_seconds\": $(num "${big_secs:-}"),"
        big_json="$big_json \"S\": $S_big, \"S_over_L\": $(num "$SL_big"), \"S_p99_ms\": $(num "$S_big_p99"),"
        big_json="$big_json \"list_p99_ms\": {\"first\": $(num "$(field list_big 6)"), \"deep\": $(num "$(field list_deep_big 6)")},"
        big_json="$big_json \"R\": $(num "$(field register_big 4)"), \"R_p99_ms\": $(num "$(field register_big 6)"),"
        big_json="$big_json \"sizes_mb\": {\"before\": \"$sizes_main\", \"after\": \"$sizes_big\"}}"
    fi
    students_json="{\"count\": $STUDENTS, \"load_rows_per_s\": $(num "${main_rate:-}"), \"load_seconds\": $(num "${main_secs:-}"),"
    students_json="$students_json \"S\": $S, \"S_over_L\": $(num "$SL"), \"S_p99_ms\": $(num "$S_p99"),"
    students_json="$students_json \"target\": \"S/L >= 0.8 and p99 < 10 ms\", \"target_met\": $S_met,"
    students_json="$students_json \"list_connections\": $LIST_CONNS,"
    students_json="$students_json \"list_p99_ms\": {\"first\": $(num "$(field list 6)"), \"deep\": $(num "$(field list_deep 6)")},"
    students_json="$students_json \"R\": $(num "$R"), \"PN\": $(num "${PN:-}"), \"R_over_PN\": $(num "$RPN"),"
    students_json="$students_json \"PN_pool\": $(num "${PNp:-}"), \"R_over_PN_pool\": $(num "$RPNp"),"
    students_json="$students_json \"registered\": $(num "${registered:-}"), \"R_classes\": $R_CLASSES,"
    students_json="$students_json \"AP\": $(num "$AP"), \"AP_over_PN\": $(num "$APPN"),"
    students_json="$students_json \"AP_over_PN_pool\": $(num "$APPNp"), \"AP_target\": \"AP/PN >= 0.5\","
    students_json="$students_json \"AP_target_met\": $AP_met, \"AP_clean\": $AP_clean,"
    students_json="$students_json \"AP_p50_ms\": $(num "$AP_p50"), \"AP_p99_ms\": $(num "$AP_p99"),"
    students_json="$students_json \"AP_non_200\": $(num "$AP_bad"), \"AP_prepared\": $(num "${ap_m:-}"),"
    students_json="$students_json \"AP_prepare_seconds\": $(num "${ap_prep_secs:-}"),"
    students_json="$students_json \"AP_approved\": $(num "${ap_approved:-}"), \"AP_type\": \"$AP_TYPE\","
    students_json="$students_json \"AP_county\": \"$AP_COUNTY\", \"pools\": $(pools_json), \"big\": $big_json}"
fi
mkdir -p "$(dirname "$RESULTS")"
awk -F'|' -v when="$when" -v cores="$cores" -v conns="$CONNS" -v secs="$SECS" \
    -v threads="$THREADS" -v pool="$POOL" -v H="$H" -v P="$P" -v A="$A" -v L="$L" -v AL="$AL" \
    -v met="$met" -v plat="${P_lat:-null}" -v pother="$P_other" -v idle="$idle_other" \
    -v Pp="$Pp" -v Lp="$Lp" -v ALp="$ALp" -v ppother="$Pp_other" -v students="$students_json" \
    -v imports="$imports_json" -v invalid="$invalid_json" -v review="$review_json" \
    -v promotion="$promotion_json" '
    function js(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
    { n++; name[n] = $1; path[n] = $2; lua[n] = $3; rps[n] = $4; p50[n] = $5; p99[n] = $6
      bad[n] = $7; err[n] = $8; other[n] = $9; cn[n] = $10; idx[$1] = n }
    END {
        printf "{\n  \"when\": %s,\n  \"cores\": %d,\n  \"connections\": %d,\n  \"seconds\": %d,\n",
            js(when), cores, conns, secs
        printf "  \"xuejid\": {\"threads\": %d, \"db_pool\": %d, \"log_level\": \"info\"},\n", threads, pool
        printf "  \"H\": %.0f,\n  \"P\": %.0f,\n  \"A\": %.0f,\n  \"L\": %.0f,\n  \"A_over_L\": %.2f,\n",
            H, P, A, L, AL
        printf "  \"target\": \"A/L >= 0.8\",\n  \"target_met\": %s,\n", met
        printf "  \"P_pool\": %.0f,\n  \"L_pool\": %.0f,\n  \"A_over_L_pool\": %.2f,\n", Pp, Lp, ALp
        h = idx["healthz"]; a = idx["region"]
        printf "  \"latency_ms\": {\"H\": {\"p50\": %.3f, \"p99\": %.3f}, \"A\": {\"p50\": %.3f, \"p99\": %.3f}, \"P_avg\": %s},\n",
            p50[h], p99[h], p50[a], p99[a], plat
        printf "  \"other_load_pct\": {\"before\": %d, \"H\": %d, \"P\": %d, \"A\": %d, \"P_pool\": %d},\n",
            idle, other[h], pother, other[a], ppother
        printf "  \"students\": %s,\n", students
        printf "  \"imports\": %s,\n", imports
        printf "  \"import_invalid\": %s,\n", invalid
        printf "  \"review\": %s,\n", review
        printf "  \"promotion\": %s,\n", promotion
        printf "  \"endpoints\": [\n"
        for (i = 1; i <= n; i++)
            printf "    {\"name\": %s, \"path\": %s, \"script\": %s, \"connections\": %d, \"rps\": %.0f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"non_2xx\": %d, \"socket_errors\": %d, \"over_L\": %.2f, \"other_load_pct\": %d}%s\n",
                js(name[i]), js(path[i]), (lua[i] == "" ? "null" : js(lua[i])), cn[i], rps[i], p50[i], p99[i],
                bad[i], err[i], rps[i] / L, other[i], (i < n ? "," : "")
        printf "  ]\n}\n"
    }' "$rows" >"$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
say "wrote ${RESULTS#"$root"/}"
