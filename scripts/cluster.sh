#!/bin/sh
# A provincial xueji deployment on this machine, as real processes (ADR 0034):
# etcd 3.4 (three members), two PostgreSQL 15 under Patroni 3.0 (a primary and a synchronous
# streaming replica), HAProxy in front of both and of two xuejid nodes.
#
# Usage: cluster.sh up|down|status|env|destroy [OUTDIR]
#
#   up       start everything (idempotent): first time, bootstrap the database,
#            migrate, load the demo (XUEJI_DEMO_STUDENTS, default 2000); print URLs
#   down     stop everything, keep the data
#   status   patronictl list, HAProxy's view of every backend, the xuejid nodes
#   env      print shell assignments (ports, URLs, patronictl config) for scripts
#   destroy  down, then remove the data
#   start-pg N / start-node N   start node N's Patroni / xuejid again (tests)
#   start-etcd M     start etcd member M (1..3) again (tests)
#   reload-haproxy   write HAProxy's configuration again and reload it (tests)
#
# Rate limits (ADR 0034): HAProxy limits each client address to
# CLUSTER_RATE_LIMIT_IP requests per second (default 300, 0 = off; its 429 is
# problem+json rate_limited); each xuejid limits an account to
# CLUSTER_RATE_LIMIT_ACCOUNT / CLUSTER_NODES requests per second (rounded up;
# default 50 for the cluster), since every node counts only what it answers.
#
# OUTDIR holds xuejid and xuejictl (default build/release). Everything lives in
# ./var/cluster (CLUSTER_DIR, or, as root when the `postgres` user cannot reach it, in
# /tmp/xueji-cluster.<hash>, recorded in var/cluster.location).
#
# Ports: CLUSTER_PORT (default 6400) + offsets:
#   +79/+80, +81/+82, +83/+84 etcd members 1-3 client/peer
#   +32/+33 PostgreSQL pg1/pg2   +8/+9 Patroni REST
#   +100 HAProxy → primary     +101 HAProxy → replicas      +190 HAProxy stats
#   +180 HAProxy → xuejid      +181.. xuejid nodes (CLUSTER_NODES, default 2)
set -eu
cd "$(dirname "$0")/.."
root=$PWD

cmd=${1:-}
out=${2:-build/release}
P=${CLUSTER_PORT:-6400}
NODES=${CLUSTER_NODES:-2}
PGBIN=/usr/lib/postgresql/15/bin

say() { printf 'cluster: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# etcd member M (1..3): client port P + 77 + 2M, peer port P + 78 + 2M
ETCD_ENDPOINTS="127.0.0.1:$((P + 79)),127.0.0.1:$((P + 81)),127.0.0.1:$((P + 83))"
ETCD_CLUSTER="etcd1=http://127.0.0.1:$((P + 80)),etcd2=http://127.0.0.1:$((P + 82)),etcd3=http://127.0.0.1:$((P + 84))"
PG1_PORT=$((P + 32)) PG2_PORT=$((P + 33))
REST1_PORT=$((P + 8)) REST2_PORT=$((P + 9))
PRIMARY_PORT=$((P + 100)) REPLICA_PORT=$((P + 101))
API_PORT=$((P + 180)) STATS_PORT=$((P + 190))

# As root, PostgreSQL and Patroni run as `postgres` (initdb refuses root).
pguser=""
if [ "$(id -u)" -eq 0 ]; then
    pguser=postgres
    id -u postgres >/dev/null 2>&1 ||
        useradd --system --no-create-home --shell /usr/sbin/nologin postgres
fi
as_pg() {
    if [ -n "$pguser" ]; then (cd / && runuser -u "$pguser" -- "$@"); else "$@"; fi
}

# Where the cluster lives.
mkdir -p var
if [ -n "${CLUSTER_DIR:-}" ]; then
    base=$CLUSTER_DIR # tests: a directory of their own, reachable by `postgres`
elif [ -f var/cluster.location ]; then
    base=$(cat var/cluster.location)
else
    base=$root/var/cluster
    if [ -n "$pguser" ] && ! runuser -u "$pguser" -- test -x "$root/var"; then
        base=/tmp/xueji-cluster.$(printf %s "$root" | cksum | cut -d' ' -f1)
        echo "$base" >var/cluster.location
    fi
fi

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Secrets, made once: database passwords and xuejid's keys (shared by every
# node, so a token or an encrypted field made by one is read by the other).
secrets() {
    mkdir -p "$base"
    chmod 755 "$base"
    (
        umask 077
        mkdir -p "$base/secrets"
        for f in pg_superuser pg_replication pg_rewind pg_xueji; do
            [ -s "$base/secrets/$f" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$base/secrets/$f"
        done
        hex() { head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n'; }
        [ -s "$base/secrets/jwt_secret" ] || head -c 48 /dev/urandom | base64 -w 0 >"$base/secrets/jwt_secret"
        [ -s "$base/secrets/data_key" ] || hex >"$base/secrets/data_key"
        [ -s "$base/secrets/audit_signing_key" ] || hex >"$base/secrets/audit_signing_key"
        [ -s "$base/secrets/metrics_token" ] || hex >"$base/secrets/metrics_token"
    )
}

# ------------------------------------------------------------------ etcd
# Three members: the leader key survives the loss of any one of them.
etcd_member_up() { # M
    m=$1
    pid_alive "$base/etcd$m.pid" && return 0
    mkdir -p "$base/etcd$m"
    chmod 700 "$base/etcd$m"
    state=new
    [ ! -d "$base/etcd$m/data/member" ] || state=existing
    etcd --name "etcd$m" --data-dir "$base/etcd$m/data" \
        --listen-client-urls "http://127.0.0.1:$((P + 77 + 2 * m))" \
        --advertise-client-urls "http://127.0.0.1:$((P + 77 + 2 * m))" \
        --listen-peer-urls "http://127.0.0.1:$((P + 78 + 2 * m))" \
        --initial-advertise-peer-urls "http://127.0.0.1:$((P + 78 + 2 * m))" \
        --initial-cluster "$ETCD_CLUSTER" --initial-cluster-token xueji-etcd \
        --initial-cluster-state "$state" >>"$base/etcd$m/etcd.log" 2>&1 &
    echo $! >"$base/etcd$m.pid"
}

etcd_up() {
    for m in 1 2 3; do etcd_member_up "$m"; done
    i=0
    until ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" --command-timeout=1s \
        endpoint health >/dev/null 2>&1; do
        for m in 1 2 3; do
            pid_alive "$base/etcd$m.pid" || { tail -n 5 "$base/etcd$m/etcd.log" >&2; die "etcd$m exited"; }
        done
        i=$((i + 1))
        [ "$i" -lt 150 ] || die "etcd did not start (see $base/etcd*/etcd.log)"
        sleep 0.2
    done
}

# ------------------------------------------------------------------ Patroni
# patroni_yaml N PGPORT RESTPORT: the configuration of node pgN.
patroni_yaml() {
    n=$1 d=$base/pg$1
    cat <<EOF
scope: xueji
namespace: /xueji/
name: pg$n
log:
  dir: $d/log
  level: INFO
restapi:
  listen: 127.0.0.1:$3
  connect_address: 127.0.0.1:$3
etcd3:
  hosts: $ETCD_ENDPOINTS
bootstrap:
  dcs:
    # failure is noticed within ttl; loop_wait + 2 * retry_timeout <= ttl
    ttl: ${CLUSTER_TTL:-10}
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    # a commit is acknowledged only once the replica has it: failover loses none
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        max_connections: 200
        shared_buffers: ${PG_SHARED_BUFFERS:-256MB}
        hot_standby_feedback: "on"
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums
postgresql:
  listen: 127.0.0.1:$2
  connect_address: 127.0.0.1:$2
  data_dir: $d/data
  bin_dir: $PGBIN
  pgpass: $d/pgpass
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
  authentication:
    superuser:
      username: postgres
      password: $(cat "$base/secrets/pg_superuser")
    replication:
      username: replicator
      password: $(cat "$base/secrets/pg_replication")
    rewind:
      username: rewinder
      password: $(cat "$base/secrets/pg_rewind")
  parameters:
    unix_socket_directories: $d/run
    log_line_prefix: '%m [%p] %q%u@%d '
EOF
}

patroni_up() { # N PGPORT RESTPORT
    d=$base/pg$1
    pid_alive "$d/patroni.pid" && return 0
    mkdir -p "$d/log" "$d/run"
    [ -z "$pguser" ] || chown -R "$pguser" "$d"
    patroni_yaml "$@" >"$d/patroni.yml"
    chmod 600 "$d/patroni.yml"
    [ -z "$pguser" ] || chown "$pguser" "$d/patroni.yml"
    if [ -n "$pguser" ]; then
        # setpriv execs (runuser would fork): the pid recorded is Patroni's own
        (cd / && exec setpriv --reuid="$pguser" --regid="$pguser" --init-groups \
            patroni "$d/patroni.yml") >>"$d/patroni.out" 2>&1 &
    else
        patroni "$d/patroni.yml" >>"$d/patroni.out" 2>&1 &
    fi
    echo $! >"$d/patroni.pid"
}

# rest N PATH: the HTTP status of Patroni's REST PATH on node N.
rest() {
    port=$((P + 7 + $1))
    curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$2" 2>/dev/null || true
}

# Waits until one node is the primary and the other a streaming synchronous replica.
wait_healthy() {
    i=0
    while :; do
        prim=0 repl=0
        for n in 1 2; do
            [ "$(rest "$n" /primary)" = 200 ] && prim=$((prim + 1))
            [ "$(rest "$n" /replica)" = 200 ] && repl=$((repl + 1))
        done
        sync=0
        for n in 1 2; do [ "$(rest "$n" /sync)" = 200 ] && sync=$((sync + 1)); done
        [ "$prim" = 1 ] && [ "$repl" = 1 ] && [ "$sync" = 1 ] && return 0
        i=$((i + 1))
        [ "$i" -lt "${1:-300}" ] || return 1
        sleep 0.5
    done
}

# ------------------------------------------------------------------ HAProxy
haproxy_cfg() {
    cat <<EOF
global
    maxconn 4096
    pidfile $base/haproxy.pid

defaults
    timeout connect 3s
    timeout check 2s
    retries 2

# Patroni answers /primary with 200 only on the leader, /replica only on a
# running replica lagging at most the given bytes: HAProxy asks every second.
listen primary
    mode tcp
    bind 127.0.0.1:$PRIMARY_PORT
    timeout client 30m
    timeout server 30m
    option httpchk GET /primary
    http-check expect status 200
    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
    server pg1 127.0.0.1:$PG1_PORT maxconn 180 check port $REST1_PORT
    server pg2 127.0.0.1:$PG2_PORT maxconn 180 check port $REST2_PORT

listen replicas
    mode tcp
    bind 127.0.0.1:$REPLICA_PORT
    balance roundrobin
    timeout client 30m
    timeout server 30m
    option httpchk GET /replica?lag=${CLUSTER_REPLICA_LAG:-16777216}
    http-check expect status 200
    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
    server pg1 127.0.0.1:$PG1_PORT maxconn 180 check port $REST1_PORT
    server pg2 127.0.0.1:$PG2_PORT maxconn 180 check port $REST2_PORT

# xuejid nodes are stateless: any node answers any request. /healthz, not
# /readyz: while the database fails over a node answers 503 problem+json itself.
listen xueji
    mode http
    bind 127.0.0.1:$API_PORT
    balance roundrobin
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    option forwardfor
    option httpchk GET /healthz
    http-check expect status 200
    retry-on conn-failure empty-response
    option redispatch
    errorfile 503 $root/deploy/xueji-503.http
    default-server inter 1s fall 2 rise 2
EOF
    if [ "${CLUSTER_RATE_LIMIT_IP:-300}" != 0 ]; then
        # every xuejid sees HAProxy's address: the per-address limit is here
        cat <<EOF
    stick-table type ipv6 size 1m expire 60s store http_req_rate(1s)
    http-request track-sc0 src
    http-request return status 429 content-type "application/problem+json; charset=utf-8" file $root/deploy/xueji-429.json hdr Retry-After 1 if { sc_http_req_rate(0) gt ${CLUSTER_RATE_LIMIT_IP:-300} }
EOF
    fi
    i=1
    while [ "$i" -le "$NODES" ]; do
        echo "    server x$i 127.0.0.1:$((API_PORT + i)) check"
        i=$((i + 1))
    done
    cat <<EOF

listen stats
    mode http
    bind 127.0.0.1:$STATS_PORT
    timeout client 30s
    timeout server 30s
    stats enable
    stats uri /
    stats show-legends
EOF
}

haproxy_up() {
    haproxy_cfg >"$base/haproxy.cfg"
    if pid_alive "$base/haproxy.pid"; then
        haproxy -f "$base/haproxy.cfg" -D -sf "$(cat "$base/haproxy.pid")"
    else
        haproxy -f "$base/haproxy.cfg" -D
    fi
}

# ------------------------------------------------------------------ database
psql_primary() { # psql as the superuser through HAProxy's primary port
    PGPASSWORD=$(cat "$base/secrets/pg_superuser") "$PGBIN/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" \
        -U postgres -X -q -At -v ON_ERROR_STOP=1 "$@"
}

database_up() {
    i=0
    until psql_primary -d postgres -c 'SELECT 1' >/dev/null 2>&1; do
        i=$((i + 1))
        [ "$i" -lt 120 ] || die "the primary does not answer through HAProxy"
        sleep 0.5
    done
    pw=$(cat "$base/secrets/pg_xueji")
    psql_primary -d postgres <<EOF
SELECT 'CREATE ROLE xueji LOGIN SUPERUSER' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'xueji')
\\gexec
ALTER ROLE xueji PASSWORD '$pw';
SELECT 'CREATE DATABASE xueji OWNER xueji' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'xueji')
\\gexec
EOF
}

# ------------------------------------------------------------------ xuejid
xueji_env() {
    pw=$(cat "$base/secrets/pg_xueji")
    # Through HAProxy's primary port; target_session_attrs refuses a node that
    # has just been demoted and still accepts connections.
    export XUEJI_DATABASE_URL="postgresql://xueji:$pw@127.0.0.1:$PRIMARY_PORT/xueji?target_session_attrs=read-write&connect_timeout=3"
    # heavy reads on the replica while it is fresh (ADR 0035)
    export XUEJI_REPLICA_URL="postgresql://xueji:$pw@127.0.0.1:$REPLICA_PORT/xueji?connect_timeout=3"
    export XUEJI_JWT_SECRET_FILE="$base/secrets/jwt_secret"
    export XUEJI_DATA_KEY_FILE="$base/secrets/data_key"
    export XUEJI_AUDIT_SIGNING_KEY_FILE="$base/secrets/audit_signing_key"
    export XUEJI_ADMIN_PASSWORD="${XUEJI_ADMIN_PASSWORD:-Xueji-Cluster-2026!}"
    export XUEJI_ENV="${XUEJI_ENV:-production}"
    # Behind HAProxy every client has HAProxy's address: the per-address limit
    # would lump them together (ADR 0034); the per-account limit stays.
    export XUEJI_RATE_LIMIT_IP="${XUEJI_RATE_LIMIT_IP:-0}"
    # each node counts only the requests it answers: its share of the
    # cluster's per-account limit
    acct=${CLUSTER_RATE_LIMIT_ACCOUNT:-50}
    export XUEJI_RATE_LIMIT_ACCOUNT="${XUEJI_RATE_LIMIT_ACCOUNT:-$(((acct + NODES - 1) / NODES))}"
}

node_up() { # N
    f=$base/xuejid$1
    pid_alive "$f.pid" && return 0
    (
        xueji_env
        XUEJI_LISTEN=127.0.0.1:$((API_PORT + $1)) exec "$out/xuejid" serve
    ) >>"$f.log" 2>&1 &
    echo $! >"$f.pid"
}

wait_node() { # N
    i=0
    until curl -sf -o /dev/null "http://127.0.0.1:$((API_PORT + $1))/readyz"; do
        pid_alive "$base/xuejid$1.pid" || { tail -n 20 "$base/xuejid$1.log" >&2; die "xuejid$1 exited"; }
        i=$((i + 1))
        [ "$i" -lt 300 ] || die "xuejid$1 did not become ready"
        sleep 0.2
    done
}

# ------------------------------------------------------------------ commands
do_up() {
    for t in etcd etcdctl patroni patronictl haproxy; do
        command -v "$t" >/dev/null 2>&1 || die "$t is missing: run sh scripts/deps.sh cluster"
    done
    [ -x "$out/xuejid" ] && [ -x "$out/xuejictl" ] || die "no $out/xuejid: run make"
    secrets
    etcd_up
    patroni_up 1 "$PG1_PORT" "$REST1_PORT"
    # the first node bootstraps alone, then the second clones it
    i=0
    until [ "$(rest 1 /primary)" = 200 ] || [ "$(rest 2 /primary)" = 200 ]; do
        i=$((i + 1))
        [ "$i" -lt 240 ] || die "no primary after 120 s (see $base/pg1/patroni.out)"
        sleep 0.5
    done
    patroni_up 2 "$PG2_PORT" "$REST2_PORT"
    haproxy_up
    wait_healthy 480 || die "no synchronous replica after 240 s (see $base/pg2/patroni.out)"
    database_up
    if [ ! -f "$base/migrated" ]; then
        (xueji_env && "$out/xuejid" migrate && "$out/xuejictl" demo --students "${XUEJI_DEMO_STUDENTS:-2000}") \
            >"$base/demo.log" 2>&1 || { tail -n 30 "$base/demo.log" >&2; die "migrate/demo failed"; }
        touch "$base/migrated"
    else
        (xueji_env && "$out/xuejid" migrate) >>"$base/demo.log" 2>&1 || die "migrate failed"
    fi
    n=1
    while [ "$n" -le "$NODES" ]; do node_up "$n"; n=$((n + 1)); done
    n=1
    while [ "$n" -le "$NODES" ]; do wait_node "$n"; n=$((n + 1)); done
    # HAProxy takes a node in after two good checks
    i=0
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$API_PORT/readyz")" = 200 ]; do
        i=$((i + 1))
        [ "$i" -lt 100 ] || die "HAProxy does not reach xuejid"
        sleep 0.2
    done
    cat <<EOF

  xueji cluster is up ($base)
  API (HAProxy → $NODES xuejid):   http://127.0.0.1:$API_PORT
  PostgreSQL primary (HAProxy):  postgresql://127.0.0.1:$PRIMARY_PORT   replicas: :$REPLICA_PORT
  HAProxy stats:                 http://127.0.0.1:$STATS_PORT/
  Patroni:                       patronictl -c $base/pg1/patroni.yml list
  try:   curl -s http://127.0.0.1:$API_PORT/readyz
         sh scripts/cluster.sh status
  demo accounts as in \`make run\` (password Xueji-Demo-2026!); stop with: make cluster-down

EOF
}

do_down() {
    for f in "$base"/xuejid*.pid; do
        [ -f "$f" ] || continue
        pid_alive "$f" && kill "$(cat "$f")" 2>/dev/null || true
        rm -f "$f"
    done
    if pid_alive "$base/haproxy.pid"; then kill "$(cat "$base/haproxy.pid")" || true; fi
    for n in 2 1; do
        f=$base/pg$n/patroni.pid
        if pid_alive "$f"; then
            pid=$(cat "$f")
            kill "$pid" 2>/dev/null || true # Patroni stops its PostgreSQL, then exits
            i=0
            while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
            kill -9 "$pid" 2>/dev/null || true
        fi
        # a postmaster left by a killed Patroni
        if [ -f "$base/pg$n/data/postmaster.pid" ]; then
            as_pg "$PGBIN/pg_ctl" -D "$base/pg$n/data" -m immediate stop >/dev/null 2>&1 || true
        fi
        rm -f "$f"
    done
    for m in 1 2 3; do
        if pid_alive "$base/etcd$m.pid"; then kill "$(cat "$base/etcd$m.pid")" || true; fi
    done
    sleep 0.3
    rm -f "$base/etcd1.pid" "$base/etcd2.pid" "$base/etcd3.pid" "$base/haproxy.pid"
}

do_status() {
    [ -f "$base/pg1/patroni.yml" ] || { echo "no cluster in $base"; exit 3; }
    patronictl -c "$base/pg1/patroni.yml" list 2>/dev/null || echo "patroni: not answering"
    echo
    curl -s "http://127.0.0.1:$STATS_PORT/;csv" 2>/dev/null |
        awk -F, '$2 != "FRONTEND" && $2 != "BACKEND" && $1 != "stats" && NR > 1 { printf "  haproxy %-8s %-4s %s\n", $1, $2, $18 }' ||
        echo "haproxy: not answering"
    n=1
    while [ "$n" -le "$NODES" ]; do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((API_PORT + n))/readyz" || true)
        echo "  xuejid$n :$((API_PORT + n)) readyz $code"
        n=$((n + 1))
    done
}

do_env() {
    cat <<EOF
CLUSTER_BASE='$base'
CLUSTER_ETCD_ENDPOINTS='$ETCD_ENDPOINTS'
CLUSTER_API='http://127.0.0.1:$API_PORT'
CLUSTER_PRIMARY_PORT=$PRIMARY_PORT
CLUSTER_REPLICA_PORT=$REPLICA_PORT
CLUSTER_STATS='http://127.0.0.1:$STATS_PORT'
CLUSTER_PG1_PORT=$PG1_PORT
CLUSTER_PG2_PORT=$PG2_PORT
CLUSTER_REST1='http://127.0.0.1:$REST1_PORT'
CLUSTER_REST2='http://127.0.0.1:$REST2_PORT'
CLUSTER_NODES=$NODES
CLUSTER_NODE_PORT0=$API_PORT
EOF
    xueji_env
    for v in XUEJI_DATABASE_URL XUEJI_REPLICA_URL XUEJI_JWT_SECRET_FILE XUEJI_DATA_KEY_FILE XUEJI_AUDIT_SIGNING_KEY_FILE \
        XUEJI_ADMIN_PASSWORD XUEJI_ENV XUEJI_RATE_LIMIT_IP XUEJI_RATE_LIMIT_ACCOUNT; do
        eval "printf \"export %s='%s'\\n\" \"\$v\" \"\$$v\""
    done
}

case "$cmd" in
    up) do_up ;;
    down) do_down ;;
    status) do_status ;;
    env) do_env ;;
    start-node) node_up "${3:?node}" && wait_node "$3" ;;
    start-etcd) etcd_member_up "${3:?member}" ;;
    reload-haproxy) haproxy_up ;;
    start-pg)
        n=${3:?node}
        patroni_up "$n" $((P + 31 + n)) $((P + 7 + n))
        ;;
    destroy)
        do_down
        rm -rf "$base"
        rm -f var/cluster.location
        ;;
    *)
        echo "usage: cluster.sh up|down|status|env|destroy [OUTDIR]" >&2
        exit 2
        ;;
esac
