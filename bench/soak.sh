#!/bin/sh
# The soak (issue 12): SOAK_SECONDS (600) of mixed reads and writes (bench/soak.lua) at
# SOAK_CONNS (64) connections against xuejid, sampling every SOAK_SAMPLE seconds (10)
# xuejid's RSS, its open file descriptors and PostgreSQL's client connections.
#
# Usage: bench/soak.sh OUTDIR      (`make soak` builds the release binaries and runs it)
#
# Prints RSS at start, end and peak, fds and connections at start and end, and the
# answers by class. Fails when any answer is a 5xx, on any socket error (wrk waits 30 s
# for an answer: more is a hang), or when fds or connections at the
# end exceed those at the start ("start" is the first sample, once wrk has been
# running SOAK_SAMPLE seconds). Everything it starts (a throwaway cluster in a mktemp
# dir, xuejid, wrk) is stopped and removed on any exit.
#   SOAK_STUDENTS  demo students loaded first (default 100000)
#   BENCH_THREADS, BENCH_DB_POOL  as in bench/run.sh (default 1 and 2)
set -eu
cd "$(dirname "$0")/.."
root=$PWD
out=$(cd "${1:?usage: bench/soak.sh OUTDIR}" && pwd)
SECS=${SOAK_SECONDS:-600}
CONNS=${SOAK_CONNS:-64}
SAMPLE=${SOAK_SAMPLE:-10}
STUDENTS=${SOAK_STUDENTS:-100000}
PGBIN=/usr/lib/postgresql/15/bin
command -v wrk >/dev/null 2>&1 || { echo "soak: wrk missing (apt-get install -y wrk)" >&2; exit 1; }
say() { printf 'soak: %s\n' "$*" >&2; }

tmp=$(mktemp -d /tmp/xueji-soak.XXXXXX)
chmod 755 "$tmp"
srv_pid="" wrk_pid=""
cleanup() {
    rc=$?
    trap - EXIT INT TERM
    for p in $wrk_pid $srv_pid; do kill "$p" 2>/dev/null || true; done
    for p in $wrk_pid $srv_pid; do wait "$p" 2>/dev/null || true; done
    sh "$root/scripts/pg.sh" destroy "$tmp" >/dev/null 2>&1 || true
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pgport=$((60000 + $$ % 4000))
sh scripts/pg.sh init "$tmp" "$pgport" 2>/dev/null
sh scripts/pg.sh start "$tmp"
XUEJI_DATABASE_URL=$(sh scripts/pg.sh url "$tmp")
base=$tmp
[ -f "$tmp/pg.location" ] && base=$(cat "$tmp/pg.location")
sql() { "$PGBIN/psql" -h "$base/run" -p "$pgport" -U xueji -X -q -At -c "$1" xueji; }
export XUEJI_DATABASE_URL XUEJI_ENV=development XUEJI_LOG_LEVEL=warn
XUEJI_JWT_SECRET="xueji-dev-$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n')"
XUEJI_DATA_KEY=$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
export XUEJI_JWT_SECRET XUEJI_DATA_KEY XUEJI_RATE_LIMIT_IP=0 XUEJI_RATE_LIMIT_ACCOUNT=0
export XUEJI_THREADS="${BENCH_THREADS:-1}" XUEJI_DB_POOL="${BENCH_DB_POOL:-2}"
export XUEJI_ADMIN_PASSWORD='Xueji-Soak-2026!' XUEJI_LISTEN=127.0.0.1:0 XUEJI_PORT_FILE=$tmp/port
"$out/xuejid" migrate >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; exit 1; }
say "loading $STUDENTS demo students"
"$out/xuejictl" demo --students "$STUDENTS" >"$tmp/demo.log" 2>&1 || { tail "$tmp/demo.log" >&2; exit 1; }
sql "VACUUM ANALYZE" >/dev/null

"$out/xuejid" serve >"$tmp/xuejid.log" 2>&1 &
srv_pid=$!
while ! [ -s "$tmp/port" ]; do
    kill -0 "$srv_pid" 2>/dev/null || { tail "$tmp/xuejid.log" >&2; exit 1; }
    sleep 0.1
done
url=http://127.0.0.1:$(cat "$tmp/port")
login() {
    curl -s "$url/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"Xueji-Demo-2026!\"}" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
BENCH_PROVINCE_TOKEN=$(login henan)
BENCH_REGISTRAR_TOKEN=$(login jianshe.registrar)
[ -n "$BENCH_PROVINCE_TOKEN" ] && [ -n "$BENCH_REGISTRAR_TOKEN" ] || { say "demo logins failed"; exit 1; }
BENCH_LIST_SCHOOL=$(sql "SELECT org FROM app_user WHERE username = 'jianshe.registrar'")
BENCH_ID_MIN=$(sql "SELECT min(id) FROM student")
BENCH_ID_MAX=$(sql "SELECT max(id) FROM student")
export BENCH_PROVINCE_TOKEN BENCH_REGISTRAR_TOKEN BENCH_LIST_SCHOOL BENCH_ID_MIN BENCH_ID_MAX
for n in 91 92 93 94 95 96 97 98; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/schools/$BENCH_LIST_SCHOOL/classes" \
        -H "Authorization: Bearer $BENCH_REGISTRAR_TOKEN" -H 'Content-Type: application/json' \
        -d "{\"grade\":13,\"number\":$n}" || true)
    [ "$code" = 201 ] || { say "class 13-$n: $code"; exit 1; }
done

# sample: "seconds rss_kb fds pg_connections" of xuejid now
sample() {
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$srv_pid/status")
    fds=$(ls "/proc/$srv_pid/fd" | wc -l)
    conns=$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = 'xueji'
                 AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
    echo "$(($(date +%s) - t0)) $rss $fds $conns"
}
t0=$(date +%s)
samples=$tmp/samples
say "wrk -t2 -c$CONNS -d${SECS}s --timeout 30s -s bench/soak.lua ($STUDENTS students, pool $XUEJI_DB_POOL)"
wrk -t2 -c"$CONNS" -d"$SECS"s --timeout 30s --latency -s "$root/bench/soak.lua" "$url/" >"$tmp/wrk.txt" 2>&1 &
wrk_pid=$!
: >"$samples"
while kill -0 "$wrk_pid" 2>/dev/null; do
    sleep "$SAMPLE"
    kill -0 "$wrk_pid" 2>/dev/null || break
    kill -0 "$srv_pid" 2>/dev/null || { say "xuejid died"; tail "$tmp/xuejid.log" >&2; exit 1; }
    sample >>"$samples"
done
wait "$wrk_pid" || true
wrk_pid=""
cat "$tmp/wrk.txt"
peak_hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$srv_pid/status")
set -- $(head -n 1 "$samples")
s_rss=$2 s_fds=$3 s_conns=$4
set -- $(tail -n 1 "$samples")
e_t=$1 e_rss=$2 e_fds=$3 e_conns=$4
p_rss=$(awk '$2 > m { m = $2 } END { print m }' "$samples")
n5=$(sed -n 's/^soak: answers .* 5xx \([0-9]*\)$/\1/p' "$tmp/wrk.txt")
answers=$(sed -n 's/^soak: answers \([0-9]*\) .*/\1/p' "$tmp/wrk.txt")
rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$tmp/wrk.txt")
# wrk's socket errors: connect, read, write, timeout (no answer within 30 s: a hang)
sockerr=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$tmp/wrk.txt")
sockerr=${sockerr:-0}
registered=$(sql "SELECT count(*) FROM student") 
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo "soak: $SECS s at $CONNS connections, $rps requests/s, $answers answers, 5xx: ${n5:-?}," \
    "socket errors: $sockerr"
echo "soak: xuejid RSS start $(mb "$s_rss") MB, end $(mb "$e_rss") MB (at ${e_t} s)," \
    "peak sampled $(mb "$p_rss") MB, VmHWM $(mb "$peak_hwm") MB"
echo "soak: open fds start $s_fds end $e_fds; PostgreSQL connections start $s_conns end $e_conns;" \
    "students now $((registered - BENCH_ID_MAX + BENCH_ID_MIN - 1)) more than loaded"
warn=$(grep -c '"level":"\(warn\|error\)"' "$tmp/xuejid.log" || true)
[ "$warn" = 0 ] || { say "xuejid logged $warn warnings/errors, the last:"; grep '"level"' "$tmp/xuejid.log" | tail -n 3 >&2; }
bad=0
[ "${n5:-x}" = 0 ] || { say "FAILED: ${n5:-unknown} 5xx answers"; bad=1; }
[ "$sockerr" = 0 ] || { say "FAILED: $sockerr socket errors (timeouts are answers slower than 30 s)"; bad=1; }
[ "$e_fds" -le "$s_fds" ] || { say "FAILED: open fds grew ($s_fds -> $e_fds)"; bad=1; }
[ "$e_conns" -le "$s_conns" ] || { say "FAILED: PostgreSQL connections grew ($s_conns -> $e_conns)"; bad=1; }
[ "$bad" = 0 ] && say "passed" || exit 1
