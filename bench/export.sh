#!/bin/sh
# xuejid's memory and time while it streams rosters (docs/decisions/0010).
#
# Usage: bench/export.sh OUTDIR     (OUTDIR holds a release xuejid and xuejictl;
#                                    `make bench-export` builds them and runs this)
#
# A throwaway PostgreSQL cluster gets the demo province (xuejictl demo --students 2000) and
# then BENCH_EXPORT_STUDENTS (default 100000) students in one school, 建设路第一小学
# (2141010201): copies, made in SQL, of one of its demo students (all 72 template columns
# and two family members filled in), each with a student number of its own. Then, as its
# registrar, one GET /api/v1/students/export each as CSV, CSV revealed, xlsx and xlsx
# revealed, one after another. For each: xuejid's peak RSS (VmHWM, reset with clear_refs
# before the request, and VmRSS sampled every 0.1 s), the time curl took, the bytes, and
# for the CSV the rows. On any exit a trap stops xuejid and removes the cluster.
set -eu
cd "$(dirname "$0")/.."
out=${1:?usage: bench/export.sh OUTDIR}
N=${BENCH_EXPORT_STUDENTS:-100000}
SCHOOL=2141010201
PGBIN=/usr/lib/postgresql/15/bin

say() { echo "export-bench: $*" >&2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xueji-export.XXXXXX")
chmod 755 "$tmp" # the postgres user must get in
srv_pid=
cleanup() {
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null || true
    sh scripts/pg.sh destroy "$tmp" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pgport=$((56000 + $$ % 4000))
sh scripts/pg.sh init "$tmp" "$pgport" >/dev/null 2>&1
sh scripts/pg.sh start "$tmp" >/dev/null
base=$tmp
[ -f "$tmp/pg.location" ] && base=$(cat "$tmp/pg.location")
sql() { "$PGBIN/psql" -h "$base/run" -p "$pgport" -U xueji -X -q -At -c "$1" xueji; }

XUEJI_DATABASE_URL=$(sh scripts/pg.sh url "$tmp")
XUEJI_JWT_SECRET="bench-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
XUEJI_DATA_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
XUEJI_ADMIN_PASSWORD="Bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export XUEJI_DATABASE_URL XUEJI_JWT_SECRET XUEJI_DATA_KEY XUEJI_ADMIN_PASSWORD
unset XUEJI_JWT_SECRET_FILE XUEJI_DATA_KEY_FILE
export XUEJI_ENV=development XUEJI_THREADS=1 XUEJI_DB_POOL=2 XUEJI_IMPORT_WORKERS=0
export XUEJI_RATE_LIMIT_IP=0 XUEJI_RATE_LIMIT_ACCOUNT=0 XUEJI_LOG_LEVEL=info
export XUEJI_LISTEN=127.0.0.1:0 XUEJI_PORT_FILE="$tmp/xuejid.port"

say "migrating, demo province"
"$out/xuejid" migrate 2>"$tmp/migrate.log" || { cat "$tmp/migrate.log" >&2; exit 1; }
"$out/xuejictl" demo --students 2000 >"$tmp/demo.log" 2>&1 || { tail "$tmp/demo.log" >&2; exit 1; }
have=$(sql "SELECT count(*) FROM student WHERE school = '$SCHOOL'")
say "copying one student of $SCHOOL $((N - have)) times (SQL)"
sql "DO \$\$ DECLARE cols text; scols text; model bigint; BEGIN
  SELECT min(id) INTO model FROM student WHERE school = '$SCHOOL';
  SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),
         string_agg('s.' || quote_ident(column_name), ', ' ORDER BY ordinal_position)
    INTO cols, scols FROM information_schema.columns
   WHERE table_schema = current_schema() AND table_name = 'student'
     AND column_name NOT IN ('id', 'stuno_bidx', 'id_bidx', 'version');
  EXECUTE 'INSERT INTO student (' || cols || ', stuno_bidx) SELECT ' || scols
       || ', decode(md5(''bench-export-'' || g), ''hex'') FROM student s'
       || ' CROSS JOIN generate_series(1, $((N - have))) g WHERE s.id = ' || model;
END \$\$" >/dev/null
sql "VACUUM ANALYZE student" >/dev/null

"$out/xuejid" serve 2>"$tmp/xuejid.log" &
srv_pid=$!
i=0
while [ ! -s "$XUEJI_PORT_FILE" ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || { tail "$tmp/xuejid.log" >&2; exit 1; }
    sleep 0.1
done
url="http://127.0.0.1:$(cat "$XUEJI_PORT_FILE")/api/v1"
token=$(curl -s "$url/auth/login" -H 'Content-Type: application/json' \
    -d '{"username":"jianshe.registrar","password":"Xueji-Demo-2026!"}' |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { say "login failed"; exit 1; }
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$srv_pid/status"; }

say "xuejid RSS before the exports: $(($(kb VmRSS) / 1024)) MB; $N students in $SCHOOL"
printf '%-16s %10s %12s %8s %10s %10s\n' export students bytes seconds "VmHWM MB" "RSS max MB"
for q in "format=csv" "format=csv&reveal=id_number" "format=xlsx" "format=xlsx&reveal=id_number"; do
    echo 5 >"/proc/$srv_pid/clear_refs" # VmHWM := VmRSS now
    (while kill -0 "$srv_pid" 2>/dev/null; do kb VmRSS; sleep 0.1; done) >"$tmp/rss" &
    sampler=$!
    res=$(curl -s -o "$tmp/file" -D "$tmp/head" -w '%{http_code} %{size_download} %{time_total}' \
        "$url/students/export?$q" -H "Authorization: Bearer $token")
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    set -- $res
    [ "$1" = 200 ] || { say "$q: HTTP $1"; head -c 600 "$tmp/file" >&2; exit 1; }
    count=$(sed -n 's/^x-export-count: *\([0-9]*\).*/\1/p' "$tmp/head")
    rss=$(sort -n "$tmp/rss" | tail -n 1)
    rows=
    case "$q" in *csv*) rows=" ($(($(wc -l <"$tmp/file") - 1)) rows)" ;; esac
    printf '%-16s %10s %12s %8.1f %10d %10d%s\n' "$(echo "$q" | sed 's/format=//; s/&reveal=id_number/+reveal/')" \
        "$count" "$2" "$3" $(($(kb VmHWM) / 1024)) $((${rss:-0} / 1024)) "$rows"
done
say "xuejid RSS after: $(($(kb VmRSS) / 1024)) MB; warnings and errors in its log:"
grep -E '"level":"(warn|error)"' "$tmp/xuejid.log" >&2 || echo "  none" >&2
