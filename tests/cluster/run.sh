#!/bin/sh
# make cluster-test: the provincial cluster of scripts/cluster.sh (ADR 0034) under
# faults, with clients writing all along (tests/fault/load: registrations and
# approvals through HAProxy).
#
# Usage: tests/cluster/run.sh OUTDIR [small|full]
#
#   (a) failover: the primary's node is lost (kill -9 of its Patroni and its
#       postmaster) under CLUSTER_CLIENTS (32) clients; Patroni promotes the
#       synchronous replica; xuejid reconnects by itself. Every write a client saw
#       acknowledged is there, nothing is half-applied, the audit trail is sealed
#       and verifies; the only errors are 503 problem+json. Reports the seconds
#       without a successful write.
#   (b) the lost node rejoins as a replica (pg_rewind); a planned switchover
#       (patronictl switchover) under the same load, with etcd's leader member
#       killed before it: no answer but 2xx and 503; the member rejoins.
#   (d) under the same write load, reports and lists are answered by the replica,
#       and a client quoting its write's xueji-lsn reads the write at once.
#   (c) a xuejid node is killed while its import job runs: HAProxy drains it, the
#       other node takes the job over and it finishes exactly once.
#   (e) rate limits: HAProxy refuses an address past CLUSTER_RATE_LIMIT_IP with
#       problem+json 429; each xuejid holds an account to its share, and the
#       cluster allows an account at most the sum of the nodes' limits.
#
# It starts its own cluster (CLUSTER_PORT 7400 unless set) in a temporary
# directory and removes it on every exit (CLUSTER_KEEP=DIR keeps the logs).
set -eu
cd "$(dirname "$0")/../.."
root=$PWD
out=$(cd "${1:?usage: tests/cluster/run.sh OUTDIR [small|full]}" && pwd)
scale=${2:-small}
case "$scale" in
    small) LOAD_SECS=40 SWITCH_SECS=20 IMPORT_ROWS=6000 ;;
    full) LOAD_SECS=90 SWITCH_SECS=40 IMPORT_ROWS=30000 ;;
    *) echo "cluster-test: scale must be small or full" >&2; exit 2 ;;
esac
CLIENTS=${CLUSTER_CLIENTS:-32}
PGBIN=/usr/lib/postgresql/15/bin
export CLUSTER_PORT=${CLUSTER_PORT:-7400}
# a node's import job is taken over 5 s after its last heartbeat
export XUEJI_IMPORT_STALE=5
# the load is two accounts writing as fast as they can: no per-account limit
export XUEJI_RATE_LIMIT_ACCOUNT=0
# nor per address, until (e) tests the limits
export CLUSTER_RATE_LIMIT_IP=0

say() { printf 'cluster-test: %s\n' "$*" >&2; }
ms() { date +%s%3N; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xueji-cluster-test.XXXXXX")
chmod 755 "$tmp" # as root, `postgres` runs Patroni and must reach it
export CLUSTER_DIR=$tmp/cluster
load_pid="" failed=0
cleanup() {
    rc=$?
    trap - EXIT INT TERM
    [ -z "$load_pid" ] || kill -9 "$load_pid" 2>/dev/null || true
    if [ -n "${CLUSTER_KEEP:-}" ]; then
        mkdir -p "$CLUSTER_KEEP"
        cp -r "$tmp"/a "$tmp"/b "$tmp"/summary "$CLUSTER_DIR"/*.log "$CLUSTER_DIR"/pg1 "$CLUSTER_DIR"/pg2 \
            "$CLUSTER_KEEP"/ 2>/dev/null || true
    fi
    sh "$root/scripts/cluster.sh" destroy "$out" >/dev/null 2>&1 || true
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cl() { sh "$root/scripts/cluster.sh" "$1" "$out" ${2:+"$2"}; }
# a short failure detection for the test: loop_wait 2 s, ttl 10 s
say "starting the cluster in $CLUSTER_DIR"
XUEJI_DEMO_STUDENTS=200 cl up >"$tmp/up.log" 2>&1 || { tail -n 30 "$tmp/up.log" >&2; exit 1; }
eval "$(cl env)"
url=$CLUSTER_API
psql_x() {
    PGPASSWORD=$(cat "$CLUSTER_BASE/secrets/pg_xueji") "$PGBIN/psql" -h 127.0.0.1 \
        -p "$CLUSTER_PRIMARY_PORT" -U xueji -X -q -At -v ON_ERROR_STOP=1 "$@" xueji
}
. "$root/tests/fault/lib.sh"
summary=$tmp/summary
: >"$summary"
note() { echo "$*" | tee -a "$summary" >&2; }

rest() { curl -s -o /dev/null -w '%{http_code}' "$1$2" 2>/dev/null || true; }
primary_node() { # 1 or 2, or nothing while there is none
    if [ "$(rest "$CLUSTER_REST1" /primary)" = 200 ]; then echo 1
    elif [ "$(rest "$CLUSTER_REST2" /primary)" = 200 ]; then echo 2; fi
}
wait_sync() { # until a primary and a synchronous standby are there
    i=0
    until [ -n "$(primary_node)" ] && { [ "$(rest "$CLUSTER_REST1" /sync)" = 200 ] ||
        [ "$(rest "$CLUSTER_REST2" /sync)" = 200 ]; }; do
        i=$((i + 1))
        [ "$i" -lt 240 ] || { say "no synchronous replica after 120 s"; exit 1; }
        sleep 0.5
    done
}

login() {
    curl -s "$url/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"Xueji-Demo-2026!\"}" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
FAULT_REGISTRAR_TOKEN=$(login jianshe.registrar)
FAULT_APPROVER_TOKEN=$(login zhongyuan)
[ -n "$FAULT_REGISTRAR_TOKEN" ] && [ -n "$FAULT_APPROVER_TOKEN" ] || { say "demo logins failed"; exit 1; }
export FAULT_REGISTRAR_TOKEN FAULT_APPROVER_TOKEN
school=$(sql "SELECT org FROM app_user WHERE username = 'jianshe.registrar'")
for n in 91 92 93 94 95 96 97 98; do # classes without a size limit for the load
    code=$(curl -s -o "$tmp/class.out" -w '%{http_code}' "$url/api/v1/schools/$school/classes" \
        -H "Authorization: Bearer $FAULT_REGISTRAR_TOKEN" -H 'Content-Type: application/json' \
        -d "{\"grade\":13,\"number\":$n}" || true)
    case "$code" in 201 | 409) ;; *) say "class 13-$n: $code"; cat "$tmp/class.out" >&2; exit 1 ;; esac
done

load() { # load SEED SECONDS DIR
    mkdir -p "$3"
    FAULT_SEED=$1 FAULT_CLIENTS=$CLIENTS "$out/tests/fault/load" "$url" "$2" "$3" &
    load_pid=$!
}
wait_load() {
    wait "$load_pid" || { say "the load client failed"; exit 1; }
    load_pid=""
}
# gap FILE FROM: the longest time (ms) from FROM without the start of an answer
# that succeeded, until the first one after the longest gap
gap() {
    awk -v from="$2" '$2 >= 200 && $2 < 300 && $1 >= from { s[n++] = $1 }
        END { prev = from; max = 0
              for (i = 0; i < n; i++) { if (s[i] - prev > max) max = s[i] - prev; prev = s[i] }
              print max }' "$1"
}

# ------------------------------------------------------------------ (a) failover
d=$tmp/a
old=$(primary_node)
say "(a) node pg$old (the primary) lost under $CLIENTS clients for $LOAD_SECS s"
load 1 "$LOAD_SECS" "$d"
sleep $((LOAD_SECS / 4))
t_kill=$(ms)
kill -9 "$(cat "$CLUSTER_BASE/pg$old/patroni.pid")"
kill -9 "$(head -n 1 "$CLUSTER_BASE/pg$old/data/postmaster.pid")"
new=""
until [ -n "$new" ] && [ "$new" != "$old" ]; do
    sleep 0.2
    new=$(primary_node)
    [ $(($(ms) - t_kill)) -lt 60000 ] || { say "no new primary within 60 s"; exit 1; }
done
t_promoted=$(ms)
wait_load
set -- $(window "$d/answers" 0 99999999999999)
note "(a) failover: pg$new promoted $((t_promoted - t_kill)) ms after the loss; $1 answers, $7 2xx," \
    "$2 503, $3 other 5xx, $4 hangs, $5 without an answer; longest time without a success" \
    "$(gap "$d/answers" "$t_kill") ms; errors: $9"
check "only 503 problem+json errors (other 5xx $3, hangs $4, no answer $5, not problem+json $6)" \
    "$([ "$3" = 0 ] && [ "$4" = 0 ] && [ "$5" = 0 ] && [ "$6" = 0 ] && echo 0 || echo 1)"
set -- $(window "$d/answers" "$t_promoted" 99999999999999)
check "writes acknowledged after the promotion ($7)" "$([ "$7" -gt 0 ] && echo 0 || echo 1)"
consistent "$d"

# ------------------------------------------------------------ (b) switchover
say "(b) pg$old rejoins as a replica"
cl start-pg "$old"
wait_sync
# the etcd member that leads is lost first: two of three keep Patroni's leader key
etcdctl_x() { ETCDCTL_API=3 etcdctl --endpoints "$CLUSTER_ETCD_ENDPOINTS" --command-timeout=2s "$@"; }
eport=$(etcdctl_x endpoint status -w simple | awk -F', ' '$5 == "true" { sub(/.*:/, "", $1); print $1 }')
[ -n "$eport" ] || { say "no etcd leader"; exit 1; }
member=$(((eport - CLUSTER_PORT - 77) / 2))
kill -9 "$(cat "$CLUSTER_BASE/etcd$member.pid")"
say "(b) etcd$member (etcd's leader) killed"
d=$tmp/b
say "(b) patronictl switchover pg$new → pg$old under $CLIENTS clients for $SWITCH_SECS s, etcd$member down"
load 2 "$SWITCH_SECS" "$d"
sleep $((SWITCH_SECS / 4))
t_sw=$(ms)
patronictl -c "$CLUSTER_BASE/pg1/patroni.yml" switchover --leader "pg$new" --candidate "pg$old" \
    --force >"$tmp/switchover.log" 2>&1 || { cat "$tmp/switchover.log" >&2; exit 1; }
until [ "$(primary_node)" = "$old" ]; do
    sleep 0.2
    [ $(($(ms) - t_sw)) -lt 60000 ] || { say "switchover not done within 60 s"; exit 1; }
done
t_done=$(ms)
wait_load
set -- $(window "$d/answers" 0 99999999999999)
note "(b) switchover: done in $((t_done - t_sw)) ms; $1 answers, $7 2xx, $2 503 (to retry)," \
    "$3 other 5xx, $4 hangs, $5 without an answer; longest time without a success" \
    "$(gap "$d/answers" "$t_sw") ms; errors: $9"
others=$(awk '$2 < 200 || ($2 >= 300 && $2 != 503)' "$d/answers" | wc -l)
check "no failed request beyond 503s ($others)" "$([ "$others" = 0 ] && echo 0 || echo 1)"
consistent "$d"
cl start-etcd "$member"
i=0
until etcdctl_x endpoint health >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -lt 100 ] || break
    sleep 0.2
done
healthy=$(etcdctl_x endpoint health 2>&1 | grep -c 'is healthy')
note "(b) the switchover ran with etcd$member (etcd's leader) killed; back, $healthy of 3 etcd members healthy"
check "etcd$member rejoined: 3 of 3 etcd members healthy ($healthy)" "$([ "$healthy" = 3 ] && echo 0 || echo 1)"
wait_sync

# ------------------------------------------------------------ (d) replica reads
# While clients write as fast as they can, a report and a list are read on the
# replica (xueji-read-from), and a client that quotes its write's xueji-lsn
# reads that write wherever its read lands (ADR 0035).
d=$tmp/d
say "(d) reads on the replica under $CLIENTS writing clients"
load 3 "$SWITCH_SECS" "$d"
sleep 2
hdr() { sed -n "s/^$1: *\([^[:space:]]*\).*/\1/Ip" "$2" | tail -n 1; }
on_replica=0 reads=0 ryw=0 ryw_replica=0 n=0
t_end=$(($(ms) + (SWITCH_SECS - 4) * 1000))
while [ "$(ms)" -lt "$t_end" ]; do
    n=$((n + 1))
    for path in /api/v1/reports/enrollment /api/v1/requests; do
        curl -s -D "$tmp/d.h" -o /dev/null "$url$path" -H "Authorization: Bearer $FAULT_APPROVER_TOKEN" || true
        reads=$((reads + 1))
        [ "$(hdr xueji-read-from "$tmp/d.h")" = replica ] && on_replica=$((on_replica + 1))
    done
    # a write, then the list that must show it, quoting the write's position
    curl -s -D "$tmp/d.h" -o /dev/null "$url/api/v1/schools/$school/classes" \
        -H "Authorization: Bearer $FAULT_REGISTRAR_TOKEN" -H 'Content-Type: application/json' \
        -d "{\"grade\":12,\"number\":$n}" || true
    lsn=$(hdr xueji-lsn "$tmp/d.h")
    [ -n "$lsn" ] || { say "a write answered without xueji-lsn"; sed -n 1p "$tmp/d.h" >&2; exit 1; }
    # the page after class 11-99: grade 12's classes first
    curl -s -D "$tmp/d.h" -o "$tmp/d.body" "$url/api/v1/schools/$school/classes?cursor=1199&limit=100" \
        -H "Authorization: Bearer $FAULT_REGISTRAR_TOKEN" -H "xueji-min-lsn: $lsn" || true
    grep -Eq "\"grade\":\"12\",\"grade_label\":\"[^\"]*\",\"number\":$n," "$tmp/d.body" && ryw=$((ryw + 1))
    [ "$(hdr xueji-read-from "$tmp/d.h")" = replica ] && ryw_replica=$((ryw_replica + 1))
done
wait_load
set -- $(window "$d/answers" 0 99999999999999)
note "(d) replica reads: $on_replica of $reads report and list reads answered by the replica while" \
    "$7 writes succeeded; read-your-writes: $ryw of $n new classes seen at once ($ryw_replica" \
    "of those reads on the replica)"
check "reads answered by the replica under write load ($on_replica of $reads)" \
    "$([ "$on_replica" -gt 0 ] && echo 0 || echo 1)"
check "every write read back at once with its xueji-lsn ($ryw of $n)" "$([ "$ryw" = "$n" ] && echo 0 || echo 1)"
check "the writers saw no error ($3 5xx, $4 hangs, $5 without an answer)" \
    "$([ "$3" = 0 ] && [ "$4" = 0 ] && [ "$5" = 0 ] && echo 0 || echo 1)"

# ------------------------------------------------ (c) a xuejid node killed mid-import
say "(c) an import of $IMPORT_ROWS rows; its node killed while it runs"
for n in 91 92 93 94 95 96 97 98; do
    curl -s -o /dev/null "$url/api/v1/schools/$school/classes" -H "Authorization: Bearer $FAULT_REGISTRAR_TOKEN" \
        -H 'Content-Type: application/json' -d "{\"grade\":14,\"number\":$n}" || true
done
"$out/xuejictl" gen-import --rows "$IMPORT_ROWS" --school "$school" --format csv --grade 14 \
    --classes 91-98 --out "$tmp/import.csv" >"$tmp/gen.log" 2>&1 || { cat "$tmp/gen.log" >&2; exit 1; }
before=$(sql "SELECT count(*) FROM student WHERE school = '$school'")
# only node 1 runs while the job is taken, so it is node 1's
kill "$(cat "$CLUSTER_BASE/xuejid2.pid")"
while kill -0 "$(cat "$CLUSTER_BASE/xuejid2.pid")" 2>/dev/null; do sleep 0.1; done
code=$(curl -s -o "$tmp/import.post" -w '%{http_code}' "http://127.0.0.1:$((CLUSTER_NODE_PORT0 + 1))/api/v1/imports?mode=create" \
    -H "Authorization: Bearer $FAULT_REGISTRAR_TOKEN" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$tmp/import.csv" || true)
[ "$code" = 202 ] || { say "import: POST answered $code"; cat "$tmp/import.post" >&2; exit 1; }
job=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$tmp/import.post")
until [ "$(sql "SELECT processed > 0 FROM import_job WHERE id = $job")" = t ]; do
    [ "$(sql "SELECT state FROM import_job WHERE id = $job")" != 'done' ] || break
    sleep 0.05
done
# node 2 back; its worker leaves the job alone while node 1's heartbeat is fresh
cl start-node 2 >/dev/null
until curl -s "$CLUSTER_STATS/;csv" | grep -q '^xueji,x2,.*,UP,'; do sleep 0.2; done
done_at_kill=$(sql "SELECT processed || '/' || total || ' ' || state FROM import_job WHERE id = $job")
kill -9 "$(cat "$CLUSTER_BASE/xuejid1.pid")"
t_node=$(ms)
# HAProxy drains the dead node: a request it sends there is sent again to node 2
drained=0
for i in 1 2 3 4 5 6 7 8 9 10; do
    c=$(rest "$url" /readyz)
    [ "$c" = 200 ] && drained=$((drained + 1))
done
until [ "$(sql "SELECT state FROM import_job WHERE id = $job")" = 'done' ]; do
    [ $(($(ms) - t_node)) -lt 120000 ] || { say "import not finished 120 s after the kill"; exit 1; }
    sleep 0.5
done
t_finish=$(ms)
set -- $(sql "SELECT created, rejected, attempts FROM import_job WHERE id = $job" | tr '|' ' ')
after=$(sql "SELECT count(*) FROM student WHERE school = '$school'")
note "(c) node killed at $done_at_kill rows; job $job done $((t_finish - t_node)) ms later on the other" \
    "node: created $1, rejected $2, attempts $3; students $before → $after; $drained/10 answers" \
    "through HAProxy right after the kill"
check "every row imported exactly once (created $1 + rejected $2 = $IMPORT_ROWS, students +$((after - before)))" \
    "$([ "$(($1 + $2))" = "$IMPORT_ROWS" ] && [ "$2" = 0 ] && [ "$((after - before))" = "$IMPORT_ROWS" ] && echo 0 || echo 1)"
case "$done_at_kill" in *" running") mid=0 ;; *) mid=1 ;; esac
check "the node was killed in the middle of the job ($done_at_kill)" "$mid"
check "the job was taken over (attempts $3 >= 2)" "$([ "$3" -ge 2 ] && echo 0 || echo 1)"
check "HAProxy answered through the live node ($drained/10 ready)" "$([ "$drained" = 10 ] && echo 0 || echo 1)"

# ------------------------------------------------------------ (e) rate limits
# HAProxy limits each address (every xuejid sees HAProxy's); each node limits
# an account to its share, so the cluster allows at most N times one node's.
say "(e) rate limits: per address in HAProxy, per account on each node"
cl start-node 1 >/dev/null
# burst COUNT URL PATH [TOKEN]: COUNT requests, 16 at a time (this shared
# machine answers one client's requests in turn too slowly to reach a limit);
# prints "<allowed> <refused as problem+json 429> <ms>", the answers in
# $tmp/burst.d
burst() {
    rm -rf "$tmp/burst.d"
    mkdir -p "$tmp/burst.d"
    t0=$(ms)
    curl -s --no-progress-meter --parallel --parallel-max 16 -w '%{http_code} %{content_type}\n' -o "$tmp/burst.d/#1" \
        ${4:+-H "Authorization: Bearer $4"} "$2$3?n=[1-$1]" >"$tmp/burst" || true
    echo "$(grep -c '^200 ' "$tmp/burst") $(grep -c '^429 application/problem+json' "$tmp/burst") $(($(ms) - t0))"
}
CLUSTER_RATE_LIMIT_IP=10 cl reload-haproxy
sleep 1
set -- $(burst 100 "$url" /healthz)
curl -s -D "$tmp/e.h" -o "$tmp/e.body" "$url/healthz" || true
note "(e) HAProxy at 10/s per address: 100 requests in $3 ms, $1 answered, $2 refused 429"
# 10 per second, counted over the last second: at most 10 per started second
check "HAProxy refused the address past its limit (allowed $1 <= 10 per started second, refused $2 > 0)" \
    "$([ "$2" -gt 0 ] && [ "$1" -le $((10 * ($3 / 1000 + 1))) ] && echo 0 || echo 1)"
check "HAProxy's 429 is problem+json rate_limited with Retry-After" \
    "$(grep -q '"code":"rate_limited"' "$tmp/e.body" && [ -n "$(hdr Retry-After "$tmp/e.h")" ] && echo 0 || echo 1)"
sleep 2
check "the address is served again a second later" "$([ "$(rest "$url" /healthz)" = 200 ] && echo 0 || echo 1)"
CLUSTER_RATE_LIMIT_IP=0 cl reload-haproxy

# each node at 2 per second per account (burst 4): restart both with it
for n in 1 2; do
    kill "$(cat "$CLUSTER_BASE/xuejid$n.pid")" 2>/dev/null || true
    while kill -0 "$(cat "$CLUSTER_BASE/xuejid$n.pid")" 2>/dev/null; do sleep 0.1; done
    XUEJI_RATE_LIMIT_ACCOUNT=2 cl start-node $n >/dev/null
done
until [ "$(curl -s "$CLUSTER_STATS/;csv" | grep -c '^xueji,x[12],.*,UP,')" = 2 ]; do sleep 0.2; done
set -- $(burst 40 "http://127.0.0.1:$((CLUSTER_NODE_PORT0 + 1))" /api/v1/me "$FAULT_APPROVER_TOKEN")
one=$1
note "(e) one node at 2/s per account: 40 requests in $3 ms, $1 answered, $2 refused 429"
check "one node holds an account to its limit (allowed $1 <= 4 + 2 per started second)" \
    "$([ "$2" -gt 0 ] && [ "$1" -le $((4 + 2 * ($3 / 1000 + 1))) ] && echo 0 || echo 1)"
sleep 3 # both buckets full again
set -- $(burst 40 "$url" /api/v1/me "$FAULT_APPROVER_TOKEN")
note "(e) two nodes behind HAProxy at 2/s per account each: 40 requests in $3 ms, $1 answered, $2 refused 429"
check "the cluster allows an account at most the nodes' sum (allowed $1 <= 2 x (4 + 2 per started second))" \
    "$([ "$2" -gt 0 ] && [ "$1" -le $((2 * (4 + 2 * ($3 / 1000 + 1)))) ] && echo 0 || echo 1)"
check "each node counts only its own answers (allowed $1 > one node's $one)" \
    "$([ "$1" -gt "$one" ] && echo 0 || echo 1)"

echo
cat "$summary"
if [ "$failed" != 0 ]; then
    say "FAILED"
    exit 1
fi
say "all checks passed ($scale)"
