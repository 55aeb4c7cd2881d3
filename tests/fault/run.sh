#!/bin/sh
# Faults under load (issue 12, ADR 0016): what xuejid does when it is killed, when
# PostgreSQL goes away and when the database is slow, with clients writing all along.
#
# Usage: tests/fault/run.sh OUTDIR [small|full]
#   OUTDIR holds a xuejid, xuejictl and tests/fault/load (make builds them).
#   small (make test): short phases, PG_FAST cluster; full (make bench): longer phases,
#   normal cluster settings.
#
#   (a) kill -9 xuejid while FAULT_CLIENTS clients (32) register students and approve the
#       registrations; start it again. Every write a client saw acknowledged (a 201 with
#       its student and request ids, a 200 approval) is in the database; no request is
#       decided with its student unchanged or the reverse (SQL over request, student,
#       request_action); the audit rows get sealed and `xuejictl audit verify` passes.
#   (b) stop PostgreSQL for 10 s under the same load: every answer meanwhile is 503
#       problem+json (never another 5xx, never no answer within the deadline); after the
#       restart service resumes by itself; the checks of (a) again.
#   (c) a slow database: a psql session holds an ACCESS EXCLUSIVE lock on `student` for
#       a few seconds, (c1) with lock_timeout and (c2) with statement_timeout alone:
#       requests that need the table answer 503 database_timeout (or server_busy when
#       they waited for a worker past the request deadline) within the deadline, and the
#       next requests after the lock succeed.
#
# Everything it starts (a throwaway cluster, xuejid, the load, psql) is stopped and
# removed on every exit (FAULT_KEEP=DIR keeps the answers, acknowledgements and
# xuejid's log there). Exit 0 only when every check passed.
set -eu
cd "$(dirname "$0")/../.."
root=$PWD
out=$(cd "${1:?usage: tests/fault/run.sh OUTDIR [small|full]}" && pwd)
scale=${2:-small}
PGBIN=/usr/lib/postgresql/15/bin
for f in xuejid xuejictl tests/fault/load; do
    [ -x "$out/$f" ] || { echo "fault: no $out/$f" >&2; exit 2; }
done
case "$scale" in
    small) KILL_SECS=12 OUTAGE_LOAD=28 SLOW_HOLD=5 STUDENTS=200 fast=1 ;;
    full) KILL_SECS=60 OUTAGE_LOAD=40 SLOW_HOLD=10 STUDENTS=2000 fast=0 ;;
    *) echo "fault: scale must be small or full" >&2; exit 2 ;;
esac
CLIENTS=${FAULT_CLIENTS:-32}
OUTAGE=${FAULT_OUTAGE_SECS:-10}

say() { printf 'fault: %s\n' "$*" >&2; }
# the sanitizer build (make BUILD=debug) reports to xuejid's log, checked at the end
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ms() { date +%s%3N; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xueji-fault.XXXXXX")
chmod 755 "$tmp" # as root the cluster runs as `postgres`, which must reach it
srv_pid="" load_pid="" hold_pid="" failed=0
cleanup() {
    rc=$?
    trap - EXIT INT TERM
    for p in $load_pid $hold_pid $srv_pid; do kill -9 "$p" 2>/dev/null || true; done
    for p in $load_pid $hold_pid $srv_pid; do wait "$p" 2>/dev/null || true; done
    if [ -n "${FAULT_KEEP:-}" ]; then # the answers, acknowledgements and xuejid's log
        mkdir -p "$FAULT_KEEP"
        cp -r "$tmp"/a "$tmp"/b "$tmp"/c1 "$tmp"/c2 "$tmp"/xuejid.log "$FAULT_KEEP"/ 2>/dev/null || true
    fi
    sh "$root/scripts/pg.sh" destroy "$tmp" >/dev/null 2>&1 || true
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


# ------------------------------------------------------------ PostgreSQL, xuejid
pgport=$((52000 + $$ % 4000))
PG_FAST=$fast sh scripts/pg.sh init "$tmp" "$pgport" 2>/dev/null
sh scripts/pg.sh start "$tmp"
XUEJI_DATABASE_URL=$(sh scripts/pg.sh url "$tmp")
base=$tmp
[ -f "$tmp/pg.location" ] && base=$(cat "$tmp/pg.location")
pgsock=$base/run
psql_x() { "$PGBIN/psql" -h "$pgsock" -p "$pgport" -U xueji -X -q -At -v ON_ERROR_STOP=1 "$@" xueji; }
. "$root/tests/fault/lib.sh"

export XUEJI_DATABASE_URL XUEJI_ENV=development XUEJI_LOG_LEVEL=warn
XUEJI_JWT_SECRET="xueji-dev-$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n')"
XUEJI_DATA_KEY=$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
XUEJI_AUDIT_SIGNING_KEY=$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
export XUEJI_JWT_SECRET XUEJI_DATA_KEY XUEJI_AUDIT_SIGNING_KEY XUEJI_AUDIT_SEAL_INTERVAL_MS=200
export XUEJI_RATE_LIMIT_IP=0 XUEJI_RATE_LIMIT_ACCOUNT=0
export XUEJI_THREADS="${XUEJI_THREADS:-1}" XUEJI_DB_POOL="${XUEJI_DB_POOL:-2}"
export XUEJI_ADMIN_PASSWORD='Xueji-Fault-2026!'
"$out/xuejid" migrate >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; exit 1; }
"$out/xuejictl" demo --students "$STUDENTS" >"$tmp/demo.log" 2>&1 || { tail "$tmp/demo.log" >&2; exit 1; }

srv_log=$tmp/xuejid.log
listen=127.0.0.1:0
# start_server [VAR=VALUE...]: xuejid on the same port as before (the first time a free
# one), with extra settings; waits until it answers /healthz.
start_server() {
    rm -f "$tmp/port"
    env XUEJI_LISTEN="$listen" XUEJI_PORT_FILE="$tmp/port" "$@" "$out/xuejid" serve >>"$srv_log" 2>&1 &
    srv_pid=$!
    i=0
    while ! [ -s "$tmp/port" ] || ! curl -sf -o /dev/null "http://127.0.0.1:$(cat "$tmp/port")/healthz"; do
        kill -0 "$srv_pid" 2>/dev/null || { tail -n 20 "$srv_log" >&2; say "xuejid did not start"; exit 1; }
        i=$((i + 1))
        [ "$i" -lt 300 ] || { say "xuejid did not answer within 30 s"; exit 1; }
        sleep 0.1
    done
    listen=127.0.0.1:$(cat "$tmp/port")
    url=http://$listen
}
stop_server() {
    kill "$srv_pid" 2>/dev/null || true
    wait "$srv_pid" 2>/dev/null || true
    srv_pid=""
}
start_server

login() {
    curl -s "$url/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"Xueji-Demo-2026!\"}" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
FAULT_REGISTRAR_TOKEN=$(login jianshe.registrar)
FAULT_APPROVER_TOKEN=$(login zhongyuan)
[ -n "$FAULT_REGISTRAR_TOKEN" ] && [ -n "$FAULT_APPROVER_TOKEN" ] || { say "demo logins failed"; exit 1; }
export FAULT_REGISTRAR_TOKEN FAULT_APPROVER_TOKEN FAULT_CLIENTS="$CLIENTS"
school=$(sql "SELECT org FROM app_user WHERE username = 'jianshe.registrar'")
# registrations go to classes 13-91..98 without a size limit (the demo's have one)
for n in 91 92 93 94 95 96 97 98; do
    code=$(curl -s -o "$tmp/class.out" -w '%{http_code}' "$url/api/v1/schools/$school/classes" \
        -H "Authorization: Bearer $FAULT_REGISTRAR_TOKEN" -H 'Content-Type: application/json' \
        -d "{\"grade\":13,\"number\":$n}" || true)
    case "$code" in 201 | 409) ;; *) say "class 13-$n: $code"; cat "$tmp/class.out" >&2; exit 1 ;; esac
done

# load SEED SECONDS DIR [CLIENTS]: the load client in the background (load_pid).
load() {
    mkdir -p "$3"
    FAULT_SEED=$1 FAULT_CLIENTS=${4:-$CLIENTS} "$out/tests/fault/load" "$url" "$2" "$3" &
    load_pid=$!
}
wait_load() {
    wait "$load_pid" || { say "the load client failed"; exit 1; }
    load_pid=""
}

summary=$tmp/summary
: >"$summary"
note() { echo "$*" | tee -a "$summary" >&2; }

# ------------------------------------------------------------------ (a) kill -9
say "(a) kill -9 xuejid under $CLIENTS clients for ${KILL_SECS} s"
d=$tmp/a
load 1 "$KILL_SECS" "$d"
sleep $((KILL_SECS / 3))
t_kill=$(ms)
kill -9 "$srv_pid"
wait "$srv_pid" 2>/dev/null || true
srv_pid=""
sleep 1
start_server
t_back=$(ms)
wait_load
set -- $(window "$d/answers" "$t_back" 99999999999999)
after_ok=$7
set -- $(window "$d/answers" 0 99999999999999)
note "(a) kill -9: $1 answers, $7 2xx ($after_ok after the restart), $5 without an answer," \
    "down $((t_back - t_kill)) ms; errors: $9"
check "no 5xx but 503 and no hang (other 5xx $3, hangs $4)" "$([ "$3" = 0 ] && [ "$4" = 0 ] && echo 0 || echo 1)"
check "writes acknowledged after the restart ($after_ok)" "$([ "$after_ok" -gt 0 ] && echo 0 || echo 1)"
consistent "$d"

# -------------------------------------------------------- (b) PostgreSQL stopped
say "(b) PostgreSQL stopped for $OUTAGE s under $CLIENTS clients"
d=$tmp/b
load 2 "$OUTAGE_LOAD" "$d"
sleep 5
t_stop=$(ms)
sh scripts/pg.sh stop "$tmp"
t_down=$(ms)
sleep "$OUTAGE"
t_up0=$(ms)
sh scripts/pg.sh start "$tmp"
t_up=$(ms)
wait_load
set -- $(window "$d/answers" "$t_down" "$t_up0")
note "(b) outage: $1 answers while PostgreSQL was down ($((t_up0 - t_down)) ms): $2 503, $3 other 5xx," \
    "$4 hangs, $6 not problem+json, $7 2xx, slowest $8 ms; $9"
check "answers while down are all 503 problem+json" \
    "$([ "$1" -gt 0 ] && [ "$1" = "$2" ] && [ "$6" = 0 ] && echo 0 || echo 1)"
set -- $(window "$d/answers" 0 99999999999999)
check "no 5xx but 503, no hang in the whole run (other 5xx $3, hangs $4, slowest $8 ms)" \
    "$([ "$3" = 0 ] && [ "$4" = 0 ] && echo 0 || echo 1)"
# service resumed by itself: from 2 s after the restart every answer is a success
set -- $(window "$d/answers" $((t_up + 2000)) 99999999999999)
note "(b) after the restart (+2 s): $1 answers, $7 2xx; $9"
check "service resumed by itself (all answers 2xx from 2 s after PostgreSQL was back)" \
    "$([ "$1" -gt 0 ] && [ "$1" = "$7" ] && echo 0 || echo 1)"
consistent "$d"

# ------------------------------------------------------------ (c) slow database
# slow PHASE SEED [VAR=VALUE...]: xuejid restarted with those settings, light load,
# a lock held on `student` for SLOW_HOLD seconds in the middle.
slow() {
    phase=$1 seed=$2
    shift 2
    stop_server
    start_server "$@"
    d=$tmp/$phase
    load "$seed" $((SLOW_HOLD + 8)) "$d" 8
    sleep 3
    "$PGBIN/psql" -h "$pgsock" -p "$pgport" -U xueji -X -q -c \
        "BEGIN; LOCK TABLE student IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep($SLOW_HOLD); COMMIT" \
        xueji >/dev/null &
    hold_pid=$!
    # the hold starts when PostgreSQL has granted the lock, not when psql was started
    until [ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = 'student'::regclass
                    AND mode = 'AccessExclusiveLock' AND granted")" = 1 ]; do
        kill -0 "$hold_pid" 2>/dev/null || break
        sleep 0.05
    done
    t_hold=$(ms)
    wait "$hold_pid" || { say "the psql holding the lock failed"; exit 1; }
    hold_pid=""
    t_free=$(ms)
    wait_load
}
deadline_ms() { # the longest an answer may take: the wait for a worker, then one statement
    echo $(($1 + $2 + 1000))
}
judge_slow() { # judge_slow LABEL (DL: the deadline in ms)
    label=$1
    set -- $(window "$d/answers" $((t_hold + 500)) "$t_free")
    note "(c) $label: $1 answers began while the lock was held: $2 503, $7 2xx; $9"
    set -- $(window "$d/answers" 0 99999999999999)
    note "(c) $label, the whole run: $1 answers, $2 503, $3 other 5xx, $4 hangs, slowest $8 ms" \
        "(deadline $DL ms)"
    check "$label: timeouts answered 503 problem+json, every answer within the deadline" \
        "$([ "$2" -gt 0 ] && [ "$3" = 0 ] && [ "$4" = 0 ] && [ "$6" = 0 ] && [ "$8" -le "$DL" ] &&
            echo 0 || echo 1)"
    set -- $(window "$d/answers" $((t_free + DL)) 99999999999999)
    check "$label: the pool recovered ($7 of $1 answers 2xx after the lock and the deadline; $9)" \
        "$([ "$1" -gt 0 ] && [ "$1" = "$7" ] && echo 0 || echo 1)"
}
say "(c1) lock_timeout: a lock on student held for $SLOW_HOLD s"
slow c1 3 XUEJI_DB_LOCK_TIMEOUT_MS=1000 XUEJI_DB_STATEMENT_TIMEOUT_MS=3000 XUEJI_REQUEST_TIMEOUT_MS=2000
DL=$(deadline_ms 2000 1000)
judge_slow "lock_timeout 1 s"
say "(c2) statement_timeout: the same lock, lock_timeout off"
slow c2 4 XUEJI_DB_LOCK_TIMEOUT_MS=0 XUEJI_DB_STATEMENT_TIMEOUT_MS=1500 XUEJI_REQUEST_TIMEOUT_MS=2000
DL=$(deadline_ms 2000 1500)
judge_slow "statement_timeout 1.5 s"
check "database_timeout answers seen" \
    "$(cat "$tmp/c1/answers" "$tmp/c2/answers" | grep -q ' 503 [0-9]* database_timeout ' && echo 0 || echo 1)"
consistent "$tmp/c2"

stop_server
sanitizer=$(grep -c 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$srv_log" || true)
check "no sanitizer reports in xuejid's log ($sanitizer)" "$([ "$sanitizer" = 0 ] && echo 0 || echo 1)"
if grep -q '"level":"error"' "$srv_log"; then
    say "xuejid logged errors (last 5):"
    grep '"level":"error"' "$srv_log" | tail -n 5 >&2
fi
echo
cat "$summary"
if [ "$failed" -ne 0 ]; then
    say "FAILED ($scale)"
    exit 1
fi
say "all checks passed ($scale)"
