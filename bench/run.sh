#!/bin/sh
# Throughput of the whole stack against its own lower bounds (see bench/README.md).
#
# Usage: bench/run.sh OUTDIR        (OUTDIR holds a release xuejid; `make bench` builds it)
#
#   H  wrk on GET /healthz                 the HTTP layer alone (no database)
#   P  pgbench -S -M prepared              PostgreSQL alone (point look-ups, database `bench`)
#   A  wrk on GET /api/v1/regions/410102   a real database read through the whole stack
#   L  1/(1/H + 1/P)                       what A could reach if HTTP and DB cost simply added up
#
# Environment (all optional):
#   BENCH_CONNS      connections for wrk and clients for pgbench (default 32)
#   BENCH_SECONDS    seconds per measured run (default 10)
#   BENCH_WARMUP     seconds of warm-up before each measured run (default 2)
#   BENCH_THREADS    XUEJI_THREADS for the server under test (default 1; XUEJI_THREADS also works)
#   BENCH_DB_POOL    XUEJI_DB_POOL for the server under test (default 2; XUEJI_DB_POOL also works)
#   BENCH_RESULTS    where the JSON goes (default bench/results/latest.json)
#
# Everything it starts (a throwaway PostgreSQL cluster in a mktemp dir, xuejid on a
# free port) is stopped and removed on exit, including Ctrl-C.
set -eu
cd "$(dirname "$0")/.."
root=$PWD

out=${1:?usage: bench/run.sh OUTDIR}
out=$(cd "$out" && pwd)
[ -x "$out/xuejid" ] || { echo "bench: no $out/xuejid (run make bench)" >&2; exit 1; }

CONNS=${BENCH_CONNS:-32}
SECS=${BENCH_SECONDS:-10}
WARM=${BENCH_WARMUP:-2}
# Measured on the 2-core box (bench/README.md): 1 loop thread + 2 DB connections gave the
# best A; every extra thread competes with PostgreSQL, wrk and pgbench for the two cores.
THREADS=${BENCH_THREADS:-${XUEJI_THREADS:-1}}
POOL=${BENCH_DB_POOL:-${XUEJI_DB_POOL:-2}}
RESULTS=${BENCH_RESULTS:-$root/bench/results/latest.json}
WRK_THREADS=2
PGBIN=/usr/lib/postgresql/15/bin
PGBENCH=$PGBIN/pgbench
[ -x "$PGBENCH" ] || PGBENCH=$(command -v pgbench) ||
    { echo "bench: pgbench missing (apt-get install -y postgresql-contrib)" >&2; exit 1; }
command -v wrk >/dev/null 2>&1 || { echo "bench: wrk missing (apt-get install -y wrk)" >&2; exit 1; }
for v in "$CONNS" "$SECS" "$WARM" "$THREADS" "$POOL"; do
    case "$v" in '' | *[!0-9]*) echo "bench: BENCH_* values must be whole numbers" >&2; exit 2 ;; esac
done

say() { printf 'bench: %s\n' "$*" >&2; }

# ------------------------------------------------------------------ clean-up
tmp=$(mktemp -d /tmp/xueji-bench.XXXXXX)
chmod 755 "$tmp" # as root the cluster runs as `postgres`, which must reach it
srv_pid=""
cleanup() {
    rc=$?
    trap - EXIT INT TERM
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

# --------------------------------------------------------------- PostgreSQL
# Normal settings (no PG_FAST): the cluster is thrown away, but it should behave like a real one.
pgport=$((56000 + $$ % 4000))
say "PostgreSQL cluster in $tmp (port $pgport)"
sh scripts/pg.sh init "$tmp" "$pgport" 2>/dev/null
sh scripts/pg.sh start "$tmp"
base=$tmp
[ -f "$tmp/pg.location" ] && base=$(cat "$tmp/pg.location")
pgsock=$base/run

XUEJI_DATABASE_URL=$(sh scripts/pg.sh url "$tmp")
export XUEJI_DATABASE_URL
export XUEJI_ENV=development
XUEJI_JWT_SECRET="bench-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
XUEJI_DATA_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
export XUEJI_JWT_SECRET XUEJI_DATA_KEY
unset XUEJI_JWT_SECRET_FILE XUEJI_DATA_KEY_FILE XUEJI_CORS_ORIGINS 2>/dev/null || true
export XUEJI_THREADS=$THREADS XUEJI_DB_POOL=$POOL
export XUEJI_RATE_LIMIT_IP=0 XUEJI_RATE_LIMIT_ACCOUNT=0
# The access log is part of the real stack: keep it on, but in a file, not on the terminal.
export XUEJI_LOG_LEVEL=info
export XUEJI_SHUTDOWN_TIMEOUT=2
export XUEJI_LISTEN=127.0.0.1:0 XUEJI_PORT_FILE=$tmp/xuejid.port
export XUEJI_ADMIN_PASSWORD="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

say "migrating"
"$out/xuejid" migrate 2>"$tmp/migrate.log" || { cat "$tmp/migrate.log" >&2; exit 1; }

# pgbench gets its own database so the application's is untouched.
say "pgbench -i -s 10 (database bench)"
"$PGBIN/createdb" -h "$pgsock" -p "$pgport" -U xueji bench
"$PGBENCH" -h "$pgsock" -p "$pgport" -U xueji -i -s 10 -q bench >"$tmp/pgbench-init.log" 2>&1 ||
    { cat "$tmp/pgbench-init.log" >&2; exit 1; }

# -------------------------------------------------------------------- xuejid
srv_log=$tmp/xuejid.log
"$out/xuejid" serve 2>"$srv_log" &
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
port=$(cat "$XUEJI_PORT_FILE")
url="http://127.0.0.1:$port"
say "xuejid pid $srv_pid on $url ($THREADS loop threads, $POOL DB connections)"

# ------------------------------------------------------------ measurements
# Each HTTP row: name|path|script|rps|p50_ms|p99_ms|non2xx|errors
rows=$tmp/rows
: >"$rows"

# wrk's latency figures ("812.00us", "1.23ms", "2.00s") in milliseconds.
wrk_ms() {
    awk -v pct="$1" '
        $1 == pct && in_dist {
            v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
            if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
            printf "%.3f", v; exit
        }
        /Latency Distribution/ { in_dist = 1 }' "$2"
}

# Runs wrk with the shared settings: wrk_run SECONDS PATH [LUA] > output
wrk_run() {
    if [ -n "${3:-}" ]; then
        wrk -t"$WRK_THREADS" -c"$CONNS" -d"$1"s --latency -s "$3" "$url$2"
    else
        wrk -t"$WRK_THREADS" -c"$CONNS" -d"$1"s --latency "$url$2"
    fi
}

# bench_http NAME PATH [LUA]: warm up, then measure one endpoint with wrk.
# LUA (relative to bench/ or absolute) can set wrk.method, wrk.body and wrk.headers;
# wrk scripts can read settings with os.getenv (e.g. a token made before the call).
bench_http() {
    name=$1 path=$2 lua=""
    if [ -n "${3:-}" ]; then
        case "$3" in /*) lua=$3 ;; *) lua=$root/bench/$3 ;; esac
        [ -f "$lua" ] || { say "$name: no wrk script $lua"; exit 1; }
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' "$url$path" || true)
    if [ -z "$lua" ] && [ "$code" != 200 ]; then
        say "$name: GET $path answered $code, expected 200"
        exit 1
    fi
    if [ "$WARM" -gt 0 ]; then
        wrk_run "$WARM" "$path" "$lua" >/dev/null
    fi
    say "$name: wrk -t$WRK_THREADS -c$CONNS -d${SECS}s $path${lua:+ (${lua#"$root"/})}"
    f=$tmp/wrk-$name.txt
    wrk_run "$SECS" "$path" "$lua" >"$f"
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$f")
    [ -n "$rps" ] || { cat "$f" >&2; say "$name: cannot read wrk output"; exit 1; }
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$f")
    errors=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$f")
    [ "${non2xx:-0}" = 0 ] || say "$name: WARNING ${non2xx} non-2xx/3xx answers"
    [ "${errors:-0}" = 0 ] || say "$name: WARNING ${errors} socket errors"
    echo "$name|$path|${lua#"$root"/}|$rps|$(wrk_ms 50% "$f")|$(wrk_ms 99% "$f")|${non2xx:-0}|${errors:-0}" >>"$rows"
    sleep 1 # let the write-back of the access log settle between runs
}

# bench_pgbench: PostgreSQL alone, same client count and duration.
bench_pgbench() {
    pgb() {
        "$PGBENCH" -h "$pgsock" -p "$pgport" -U xueji -S -M prepared -c "$CONNS" -j 2 -T "$1" -n bench
    }
    if [ "$WARM" -gt 0 ]; then
        pgb "$WARM" >/dev/null 2>&1
    fi
    say "pgbench: -S -M prepared -c $CONNS -j 2 -T $SECS"
    pgb "$SECS" >"$tmp/pgbench.txt" 2>&1 || { cat "$tmp/pgbench.txt" >&2; exit 1; }
    P=$(awk '/^tps = / { print $3; exit }' "$tmp/pgbench.txt")
    [ -n "$P" ] || { cat "$tmp/pgbench.txt" >&2; say "cannot read pgbench output"; exit 1; }
    P_lat=$(awk '/^latency average = / { print $4; exit }' "$tmp/pgbench.txt")
    sleep 1
}

# The three figures the target is about. Order matters only for the report.
bench_http healthz /healthz
bench_pgbench
bench_http region /api/v1/regions/410102
# Later endpoints: one line each, e.g.
#   bench_http me /api/v1/me me.lua
#   bench_http validate /api/v1/id-numbers/validate id-validate.lua

# ------------------------------------------------------------------ report
field() { awk -F'|' -v n="$1" -v c="$2" '$1 == n { print $c }' "$rows"; }
H=$(field healthz 4)
A=$(field region 4)
L=$(awk -v h="$H" -v p="$P" 'BEGIN { printf "%.2f", 1 / (1 / h + 1 / p) }')
AL=$(awk -v a="$A" -v l="$L" 'BEGIN { printf "%.2f", a / l }')
met=$(awk -v r="$AL" 'BEGIN { print (r >= 0.8 ? "true" : "false") }')
loglines=$(wc -l <"$srv_log")
logwarn=$(grep -vc '"msg":"request"' "$srv_log" || true)
when=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cores=$(nproc)

{
    echo "xueji bench $when: $cores cores, $CONNS connections, ${SECS}s per run;" \
        "xuejid $THREADS loop thread(s), $POOL DB connection(s), access log on (to a file)"
    echo
    printf '%-3s %-10s %-34s %10s %9s %9s %6s\n' "" name what "req|tx/s" "p50 ms" "p99 ms" "x/L"
    awk -F'|' -v l="$L" '
        function row(tag, r) {
            printf "%-3s %-10s %-34s %10.0f %9.2f %9.2f %6s\n", tag, $1, "GET " $2 ($3 != "" ? " +" $3 : ""),
                $4, $5, $6, ($1 == "healthz" ? "-" : sprintf("%.2f", $4 / l))
        }
        $1 == "healthz" { row("H") }' "$rows"
    printf '%-3s %-10s %-34s %10.0f %9s %9s %6s\n' P pgbench "pgbench -S -M prepared -j 2" "$P" \
        "-" "-" "-"
    awk -F'|' -v l="$L" '
        $1 == "healthz" { next }
        {
            printf "%-3s %-10s %-34s %10.0f %9.2f %9.2f %6.2f\n", ($1 == "region" ? "A" : ""), $1,
                "GET " $2 ($3 != "" ? " +" $3 : ""), $4, $5, $6, $4 / l
        }' "$rows"
    printf '%-3s %-10s %-34s %10.0f\n' L "" "1/(1/H + 1/P)" "$L"
    echo
    echo "A/L = $AL"
    echo "target: A/L >= 0.8 ($( [ "$met" = true ] && echo reached || echo NOT reached))"
    echo "(pgbench average latency ${P_lat:-?} ms; server log: $loglines lines, $logwarn not access lines)"
} | tee "$tmp/report.txt"
if [ "$logwarn" -gt 0 ]; then
    say "server log lines other than access lines:"
    grep -v '"msg":"request"' "$srv_log" | tail -n 10 >&2
fi

# One JSON object; endpoints is an array so later work can add rows.
mkdir -p "$(dirname "$RESULTS")"
awk -F'|' -v when="$when" -v cores="$cores" -v conns="$CONNS" -v secs="$SECS" \
    -v threads="$THREADS" -v pool="$POOL" -v H="$H" -v P="$P" -v A="$A" -v L="$L" -v AL="$AL" \
    -v met="$met" -v plat="${P_lat:-null}" '
    function js(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
    { n++; name[n] = $1; path[n] = $2; lua[n] = $3; rps[n] = $4; p50[n] = $5; p99[n] = $6
      bad[n] = $7; err[n] = $8; idx[$1] = n }
    END {
        printf "{\n  \"when\": %s,\n  \"cores\": %d,\n  \"connections\": %d,\n  \"seconds\": %d,\n",
            js(when), cores, conns, secs
        printf "  \"xuejid\": {\"threads\": %d, \"db_pool\": %d, \"log_level\": \"info\"},\n", threads, pool
        printf "  \"H\": %.0f,\n  \"P\": %.0f,\n  \"A\": %.0f,\n  \"L\": %.0f,\n  \"A_over_L\": %.2f,\n",
            H, P, A, L, AL
        printf "  \"target\": \"A/L >= 0.8\",\n  \"target_met\": %s,\n", met
        h = idx["healthz"]; a = idx["region"]
        printf "  \"latency_ms\": {\"H\": {\"p50\": %.3f, \"p99\": %.3f}, \"A\": {\"p50\": %.3f, \"p99\": %.3f}, \"P_avg\": %s},\n",
            p50[h], p99[h], p50[a], p99[a], plat
        printf "  \"endpoints\": [\n"
        for (i = 1; i <= n; i++)
            printf "    {\"name\": %s, \"path\": %s, \"script\": %s, \"rps\": %.0f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"non_2xx\": %d, \"socket_errors\": %d, \"over_L\": %.2f}%s\n",
                js(name[i]), js(path[i]), (lua[i] == "" ? "null" : js(lua[i])), rps[i], p50[i], p99[i],
                bad[i], err[i], rps[i] / L, (i < n ? "," : "")
        printf "  ]\n}\n"
    }' "$rows" >"$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
say "wrote ${RESULTS#"$root"/}"
