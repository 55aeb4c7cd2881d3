#!/bin/sh
# A private PostgreSQL 15 cluster for development and tests.
#
# Usage: pg.sh init|start|stop|status|url|destroy DIR [PORT]
#
#   init     create the cluster in DIR/pg (PORT, default 55432, is fixed here);
#            PG_FAST=1 turns off fsync etc. (throwaway test clusters only)
#   start    start it (idempotent) and create database xueji if missing
#   stop     stop it (fast); fine if not running
#   status   print running/stopped; exit 0 only if running
#   url      print the libpq URL, e.g. postgresql://xueji@/xueji?host=/abs/DIR/run&port=55432
#   destroy  stop it and remove what init created (DIR itself and other files stay)
#
# Unix socket only (in DIR/run), no TCP; superuser `xueji`, trust authentication.
# As root, the server runs as the `postgres` user (or a `xueji-pg` system user).
# If that user cannot reach DIR (say a clone under /root, mode 700), the cluster
# goes to /tmp/xueji-pg.<hash of DIR> and DIR/pg.location records where.
set -eu

PGBIN=/usr/lib/postgresql/15/bin
cmd=${1:-}
dir=${2:-}
port_arg=${3:-55432}

usage() {
    echo "usage: pg.sh init|start|stop|status|url|destroy DIR [PORT]" >&2
    exit 2
}
if [ -z "$cmd" ] || [ -z "$dir" ]; then usage; fi
case "$port_arg" in *[!0-9]*) usage ;; esac

# The user the server runs as: ourselves, or a system user when we are root
# (initdb and postgres refuse to run as root).
pguser=""
if [ "$(id -u)" -eq 0 ]; then
    pguser=postgres
    if ! id -u postgres >/dev/null 2>&1; then
        pguser=xueji-pg
        id -u "$pguser" >/dev/null 2>&1 ||
            useradd --system --no-create-home --shell /usr/sbin/nologin "$pguser"
    fi
fi

# Runs a server-side command as $pguser, from / so no unreadable cwd gets in the way.
as_pg() {
    if [ -n "$pguser" ]; then
        (cd / && runuser -u "$pguser" -- "$@")
    else
        "$@"
    fi
}

# Where the cluster lives: DIR itself, or what DIR/pg.location says.
locate() {
    absdir=$(cd "$dir" 2>/dev/null && pwd) || absdir=""
    base=$absdir
    if [ -n "$absdir" ] && [ -f "$absdir/pg.location" ]; then
        base=$(cat "$absdir/pg.location")
    fi
    data=$base/pg
    sock=$base/run
    port=$(cat "$base/pg.port" 2>/dev/null || echo "$port_arg")
}

initialised() { [ -n "$base" ] && [ -f "$data/PG_VERSION" ]; }
running() { initialised && as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; }

do_init() {
    mkdir -p "$dir"
    locate
    if initialised; then
        echo "pg: cluster already initialised in $data" >&2
        return 0
    fi
    if [ -n "$pguser" ] && ! runuser -u "$pguser" -- test -x "$absdir"; then
        base=/tmp/xueji-pg.$(printf %s "$absdir" | cksum | cut -d' ' -f1)
        echo "pg: $pguser cannot reach $absdir; using $base" >&2
        mkdir -p "$base"
        chmod 755 "$base"
        echo "$base" > "$absdir/pg.location"
        data=$base/pg
        sock=$base/run
        if initialised; then
            return 0
        fi
    fi
    port=$port_arg
    mkdir -p "$data" "$sock"
    chmod 700 "$data"
    chmod 755 "$sock"
    touch "$base/pg.log"
    echo "$port" > "$base/pg.port"
    [ -z "$pguser" ] || chown "$pguser" "$data" "$sock" "$base/pg.log"

    as_pg "$PGBIN/initdb" -D "$data" -U xueji -A trust --auth-local=trust \
        -E UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 || {
        cat "$base/initdb.log" >&2
        exit 1
    }
    {
        echo "# added by scripts/pg.sh"
        echo "listen_addresses = ''"
        echo "port = $port"
        echo "unix_socket_directories = '$sock'"
        echo "max_connections = 100"
        # a server sizes this to its working set (PG_SHARED_BUFFERS: make bench)
        echo "shared_buffers = ${PG_SHARED_BUFFERS:-256MB}"
        echo "log_line_prefix = '%m [%p] %q%u@%d '"
        if [ "${PG_FAST:-0}" = 1 ]; then
            # Throwaway test clusters only: a crash loses the data.
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
    } >> "$data/postgresql.conf"
    echo "pg: initialised $data (socket $sock, port $port)" >&2
}

do_start() {
    locate
    initialised || { echo "pg: no cluster in $dir; run: pg.sh init $dir" >&2; exit 1; }
    if ! running; then
        as_pg "$PGBIN/pg_ctl" -D "$data" -l "$base/pg.log" -w -t 60 start >/dev/null || {
            tail -n 20 "$base/pg.log" >&2
            exit 1
        }
    fi
    exists=$("$PGBIN/psql" -h "$sock" -p "$port" -U xueji -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'xueji'")
    [ "$exists" = 1 ] || "$PGBIN/createdb" -h "$sock" -p "$port" -U xueji xueji
}

do_stop() {
    locate
    if running; then
        as_pg "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
}

do_status() {
    locate
    if running; then
        echo "running: $data (socket $sock, port $port)"
    elif initialised; then
        echo "stopped: $data"
        exit 3
    else
        echo "no cluster in $dir"
        exit 3
    fi
}

do_url() {
    locate
    initialised || { echo "pg: no cluster in $dir" >&2; exit 1; }
    # Percent-encode the few characters that would break the query string.
    host=$(printf %s "$sock" | sed -e 's/%/%25/g' -e 's/ /%20/g' -e 's/&/%26/g' -e 's/#/%23/g')
    echo "postgresql://xueji@/xueji?host=$host&port=$port"
}

do_destroy() {
    do_stop
    [ -n "$base" ] || return 0
    rm -rf "$data" "$sock" "$base/pg.log" "$base/pg.port" "$base/initdb.log"
    if [ "$base" != "$absdir" ]; then
        rmdir "$base" 2>/dev/null || true
        rm -f "$absdir/pg.location"
    fi
}

case "$cmd" in
    init) do_init ;;
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    url) do_url ;;
    destroy) do_destroy ;;
    *) usage ;;
esac
