#!/bin/sh
# The add/drop peak of course selection (issue 17, docs/decisions/0041).
#
# Usage: bench/selection.sh OUTDIR     (OUTDIR holds release xuejid and xuejictl)
#
# A throwaway PostgreSQL cluster; a university of SEL_STUDENTS students (default
# 20,000) with their accounts made in bulk by SQL and their access tokens minted
# offline (`xuejictl tokens`, signed as xuejid signs them: no Argon2 login per
# student); SEL_COURSES courses of SEL_SECTIONS_PER sections each (default 50 x 4 =
# 200 sections of SEL_CAPACITY seats, default 150); an open add/drop round. Then:
#   PN   pgbench -N -M prepared on the same server (its own database), SEL_PG_CLIENTS
#        clients (default 32), SEL_SECONDS, before and after SEL (the mean of the
#        two counts); PNp the same with SEL_DB_POOL clients, before
#   SEL  wrk with SEL_CONNS connections (default 1000) for SEL_SECONDS (default 30):
#        a random student adds a random section, one request in 4 drops one instead
#        (bench/selection.lua); requests/s, 201s/s, p50/p99; SEL/PN (target >= 0.5)
#   RSS  xuejid's peak resident memory (VmHWM of /proc/PID/status; target < 256 MB)
#   over     sections with taken > capacity, or taken != their selected rows (must be 0)
#   missing  (student, section) pairs whose answered adds and drops leave them held
#            but whose row is not `selected`, or the other way round (must be 0)
# and the load average of the box before and after (it is shared).
#
# Environment: SEL_STUDENTS, SEL_COURSES, SEL_SECTIONS_PER, SEL_CAPACITY, SEL_CONNS,
# SEL_SECONDS, SEL_PG_CLIENTS, SEL_THREADS (xuejid loop threads, default 2),
# SEL_DB_POOL (xuejid's connections, default 4), SEL_RESULTS (JSON, default
# bench/results/selection.json).
set -eu
cd "$(dirname "$0")/.."
root=$PWD
out=${1:?usage: bench/selection.sh OUTDIR}
out=$(cd "$out" && pwd)
for b in xuejid xuejictl; do
    [ -x "$out/$b" ] || { echo "selection: no $out/$b (make BUILD=release all)" >&2; exit 1; }
done
N=${SEL_STUDENTS:-20000}
COURSES=${SEL_COURSES:-50}
PER=${SEL_SECTIONS_PER:-4}
CAP=${SEL_CAPACITY:-150}
CONNS=${SEL_CONNS:-1000}
SECS=${SEL_SECONDS:-30}
PGC=${SEL_PG_CLIENTS:-32}
THREADS=${SEL_THREADS:-2}
POOL=${SEL_DB_POOL:-4}
RESULTS=${SEL_RESULTS:-$root/bench/results/selection.json}
for v in "$N" "$COURSES" "$PER" "$CAP" "$CONNS" "$SECS" "$PGC" "$THREADS" "$POOL"; do
    case "$v" in '' | *[!0-9]*) echo "selection: SEL_* values must be whole numbers" >&2; exit 2 ;; esac
done
PGBIN=/usr/lib/postgresql/15/bin
command -v wrk >/dev/null 2>&1 || { echo "selection: wrk missing (apt-get install -y wrk)" >&2; exit 1; }
say() { printf 'selection: %s\n' "$*" >&2; }
U=4141019999

tmp=$(mktemp -d /tmp/xueji-selbench.XXXXXX)
chmod 755 "$tmp"
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

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
pgport=$((52000 + $$ % 4000))
mem_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo)
PG_SHARED_BUFFERS=$((mem_mb / 4))MB sh scripts/pg.sh init "$tmp" "$pgport" 2>/dev/null
base=$tmp
[ -f "$tmp/pg.location" ] && base=$(cat "$tmp/pg.location")
# SEL_PG_STATS=1: a profile of the statements (the figures are then not comparable)
[ "${SEL_PG_STATS:-0}" = 1 ] && printf '%s\n' "shared_preload_libraries = 'pg_stat_statements'" \
    "pg_stat_statements.track_planning = on" >>"$base/pg/postgresql.conf"
sh scripts/pg.sh start "$tmp"
pgsock=$base/run
XUEJI_DATABASE_URL=$(sh scripts/pg.sh url "$tmp")
export XUEJI_DATABASE_URL XUEJI_ENV=development
XUEJI_JWT_SECRET="selbench-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
XUEJI_DATA_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
XUEJI_AUDIT_SIGNING_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
export XUEJI_JWT_SECRET XUEJI_DATA_KEY XUEJI_AUDIT_SIGNING_KEY
unset XUEJI_JWT_SECRET_FILE XUEJI_DATA_KEY_FILE XUEJI_AUDIT_SIGNING_KEY_FILE
export XUEJI_THREADS="$THREADS" XUEJI_DB_POOL="$POOL" XUEJI_RATE_LIMIT_IP=0 XUEJI_RATE_LIMIT_ACCOUNT=0
export XUEJI_LOG_LEVEL=info XUEJI_SHUTDOWN_TIMEOUT=2 XUEJI_IMPORT_WORKERS=0
export XUEJI_LISTEN=127.0.0.1:0 XUEJI_PORT_FILE="$tmp/xuejid.port"
sql() { "$PGBIN/psql" -h "$pgsock" -p "$pgport" -U xueji -X -q -At -v ON_ERROR_STOP=1 -c "$1" xueji; }

say "migrating"
"$out/xuejid" migrate 2>"$tmp/migrate.log" || { cat "$tmp/migrate.log" >&2; exit 1; }
"$PGBIN/createdb" -h "$pgsock" -p "$pgport" -U xueji bench
"$PGBIN/pgbench" -h "$pgsock" -p "$pgport" -U xueji -i -s 10 -q bench >"$tmp/pgbench-init.log" 2>&1 ||
    { cat "$tmp/pgbench-init.log" >&2; exit 1; }

say "a university of $N students, $COURSES courses x $PER sections of $CAP seats"
t0=$(date +%s)
sql "
INSERT INTO school (code, name, county, authority, province, category)
    VALUES ('$U', '选课压测大学', '410102', '410000', '410000', 41);
INSERT INTO uni_college (school, code, name) VALUES ('$U', 'B01', '压测学院');
INSERT INTO uni_major (school, college, code, name, level, years)
    SELECT '$U', c.id, 'BM0' || m, '压测专业' || m, 'undergraduate', 4
    FROM uni_college c, generate_series(1, 4) m WHERE c.school = '$U';
INSERT INTO uni_cohort (school, year) VALUES ('$U', 2024), ('$U', 2025);
INSERT INTO class (school, grade, number, name)
    SELECT '$U', 40, row_number() OVER (ORDER BY m.id, y), m.code || '-' || y
    FROM uni_major m, generate_series(2024, 2025) y WHERE m.school = '$U';
INSERT INTO uni_class (id, school, major, cohort, number, name)
    SELECT k.id, '$U', m.id, split_part(k.name, '-', 2)::int, 1, k.name FROM class k
    JOIN uni_major m ON m.school = '$U' AND m.code = split_part(k.name, '-', 1) WHERE k.school = '$U';
CREATE TEMP TABLE b AS SELECT i, (SELECT array_agg(id ORDER BY id) FROM uni_class WHERE school = '$U') AS ks
    FROM generate_series(1, $N) i;
INSERT INTO student (province, school, class_id, state, stuno_kind, stuno_text, stuno_bidx, key_id,
    name, grade, class_no)
    SELECT '410000', '$U', ks[1 + i % 8], 'enrolled', 'J', 'JB' || i, decode(md5('selbench' || i), 'hex'),
    1, '压测学生', 40, (SELECT number FROM class WHERE id = ks[1 + i % 8]) FROM b;
INSERT INTO uni_student (student_id, school, student_no, college, major, cohort, class_id, level,
    entry_date, expected_graduation)
    SELECT s.id, '$U', 'B' || lpad(substr(s.stuno_text, 3), 6, '0'), m.college, m.id, c.cohort, c.id, 'undergraduate',
    make_date(c.cohort, 9, 1), make_date(c.cohort + 4, 7, 1)
    FROM student s JOIN uni_class c ON c.id = s.class_id JOIN uni_major m ON m.id = c.major
    WHERE s.school = '$U';
INSERT INTO app_user (username, display_name, role, org, student_id, password_hash, must_change_password)
    SELECT student_no, student_no, 'student', '$U', student_id, 'no-login', false
    FROM uni_student WHERE school = '$U';
INSERT INTO uni_course (school, code, name, kind, credits, hours, college)
    SELECT '$U', 'BC' || i, '压测课程' || i, CASE WHEN i % 10 = 0 THEN 'pe' ELSE 'elective' END, 2, 32, c.id
    FROM uni_college c, generate_series(1, $COURSES) i WHERE c.school = '$U';
INSERT INTO uni_section (school, course, term, number, capacity)
    SELECT '$U', c.id, '2026-2', n, $CAP FROM uni_course c, generate_series(1, $PER) n
    WHERE c.school = '$U' ORDER BY c.id, n;
-- the term before, as a university in its second year of xueji has it: every
-- student holds selections in it, so uni_selection is not an empty table whose
-- statistics would plan the look-ups of the run as scans
INSERT INTO uni_section (school, course, term, number, capacity)
    SELECT '$U', c.id, '2026-1', n, 1000 FROM uni_course c, generate_series(1, $PER) n
    WHERE c.school = '$U' ORDER BY c.id, n;
INSERT INTO uni_selection (student, section, school, course, term, state, source)
    SELECT u.student_id, s.id, '$U', s.course, '2026-1', 'selected', 'student'
    FROM uni_student u JOIN uni_section s ON s.school = '$U' AND s.term = '2026-1'
    AND s.number = 1 + u.student_id % $PER AND (s.course + u.student_id) % greatest($COURSES / 5, 1) = 0
    WHERE u.school = '$U';
UPDATE uni_section x SET taken = l.n FROM (SELECT section, count(*) AS n FROM uni_selection
    WHERE state = 'selected' GROUP BY section) l WHERE l.section = x.id AND x.school = '$U'
    AND x.term = '2026-1';
INSERT INTO uni_round (school, term, kind, opens_at, closes_at)
    VALUES ('$U', '2026-2', 'add_drop', now() - interval '1 minute', now() + interval '1 day');" >/dev/null
sql "VACUUM ANALYZE" >/dev/null
say "seeded in $(($(date +%s) - t0)) s"
range=$(sql "SELECT min(id) || ' ' || max(id) FROM uni_section WHERE school = '$U' AND term = '2026-2'")

rm -f "$XUEJI_PORT_FILE"
"$out/xuejid" serve 2>"$tmp/xuejid.log" &
srv_pid=$!
i=0
while [ ! -s "$XUEJI_PORT_FILE" ]; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$srv_pid" 2>/dev/null; then
        tail -n 20 "$tmp/xuejid.log" >&2
        exit 1
    fi
    sleep 0.1
done
url="http://127.0.0.1:$(cat "$XUEJI_PORT_FILE")"
say "xuejid pid $srv_pid on $url ($THREADS loop threads, $POOL DB connections)"

# pn_run: pgbench -N with SEL_PG_CLIENTS clients for SEL_SECONDS; prints its tps
pn_run() {
    "$PGBIN/pgbench" -h "$pgsock" -p "$pgport" -U xueji -N -M prepared -c "$PGC" -j 2 -T "$SECS" bench 2>&1 |
        sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | head -n 1
}
say "pgbench -N -M prepared -c $PGC -j 2 -T $SECS"
pn_before=$(pn_run)
say "PN = $pn_before tps (before the run)"
# the same with as many clients as xuejid has connections: on a shared box the
# number of busy backends decides the share of the cores each side gets
pnp=$("$PGBIN/pgbench" -h "$pgsock" -p "$pgport" -U xueji -N -M prepared -c "$POOL" -j 2 -T "$SECS" bench 2>&1 |
    sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | head -n 1)
say "PNp ($POOL clients) = $pnp tps"

say "xuejictl tokens --school $U (minted offline)"
"$out/xuejictl" tokens --school "$U" --out "$tmp/tokens" --ttl 900 >&2
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

say "wrk -c $CONNS -d ${SECS}s (bench/selection.lua)"
SEL_TOKENS="$tmp/tokens" SEL_SECTIONS="$range" SEL_OPS="$tmp/ops" \
    wrk -t 2 -c "$CONNS" -d "${SECS}s" --timeout 10s --latency -s bench/selection.lua "$url" >"$tmp/wrk.txt" 2>&1 ||
    { cat "$tmp/wrk.txt" >&2; exit 1; }
cat "$tmp/wrk.txt" >&2
# CPU seconds of xuejid and of PostgreSQL (the postmaster's children) over the whole
# run: where the time of a selection goes
hz=$(getconf CLK_TCK)
cpu_of() { awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); t += f[12] + f[13] } END { print t + 0 }' "$@" 2>/dev/null; }
xj_cpu=$(cpu_of "/proc/$srv_pid/stat" | awk -v hz="$hz" '{ printf "%.1f", $1 / hz }')
pm=$(head -n 1 "$base/pg/postmaster.pid")
pg_cpu=$(for c in $(cat /proc/[0-9]*/stat 2>/dev/null | awk -v pm="$pm" '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); if (f[2] == pm) print $1 }'); do
    cat "/proc/$c/stat" 2>/dev/null; done | cpu_of | awk -v hz="$hz" '{ printf "%.1f", $1 / hz }')
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
rss_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$srv_pid/status")
rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$tmp/wrk.txt")
total=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$tmp/wrk.txt")
non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$tmp/wrk.txt")
errors=$(sed -n 's/^ *Socket errors: *\(.*\)/\1/p' "$tmp/wrk.txt")
p50=$(awk '$1 == "50%" { print $2 }' "$tmp/wrk.txt")
p99=$(awk '$1 == "99%" { print $2 }' "$tmp/wrk.txt")
cat "$tmp"/ops.* >"$tmp/ops.all" 2>/dev/null || : >"$tmp/ops.all"
adds=$(grep -c ' add$' "$tmp/ops.all" || true)
drops=$(grep -c ' drop$' "$tmp/ops.all" || true)

kill "$srv_pid" 2>/dev/null || true
wait "$srv_pid" 2>/dev/null || true
srv_pid=""
if [ "${SEL_PG_STATS:-0}" = 1 ]; then
    sql "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
    sql "SELECT round(total_exec_time)::int || ' ms exec ' || round(total_plan_time)::int || ' ms plan ' ||
                calls || ' calls ' || plans || ' plans ' || left(regexp_replace(query, '\s+', ' ', 'g'), 110)
         FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT 25" >&2
fi

# PN again after the run: on a shared box PostgreSQL's own rate moves by a
# third between minutes, so SEL is set against the mean of the two
pn_after=$(pn_run)
say "PN = $pn_after tps (after the run)"
pn=$(awk -v a="$pn_before" -v b="$pn_after" 'BEGIN { printf "%.1f", (a + b) / 2 }')

say "checking the seats and the answered changes against uni_selection"
over=$(sql "SELECT count(*) FROM uni_section s LEFT JOIN (SELECT section, count(*) AS n
    FROM uni_selection WHERE state = 'selected' GROUP BY section) x ON x.section = s.id
    WHERE s.school = '$U' AND (s.taken > s.capacity OR s.taken <> coalesce(x.n, 0))")
sql "CREATE TABLE sel_ops (student bigint, section bigint, op text)" >/dev/null
"$PGBIN/psql" -h "$pgsock" -p "$pgport" -U xueji -X -q -v ON_ERROR_STOP=1 \
    -c "\\copy sel_ops FROM '$tmp/ops.all' WITH (FORMAT text, DELIMITER ' ')" xueji >/dev/null
# Every committed change has its audit row (uni_selection_add / _drop, in the same
# transaction). missing: answered changes (201 add, 200 dropped) without their audit
# row, plus pairs whose last audited change is not the row's state now. A change
# committed whose answer wrk never read (in flight when it stopped) is no failure;
# it is counted apart as `unanswered`.
sql "CREATE TABLE sel_audit AS SELECT id, (detail->>'student')::bigint AS student,
    (detail->>'section')::bigint AS section, CASE action WHEN 'uni_selection_add' THEN 'add'
    ELSE 'drop' END AS op FROM audit WHERE action IN ('uni_selection_add', 'uni_selection_drop')" >/dev/null
missing=$(sql "WITH l AS (SELECT student, section, op, count(*) AS n FROM sel_ops GROUP BY 1, 2, 3),
    a AS (SELECT student, section, op, count(*) AS n FROM sel_audit GROUP BY 1, 2, 3),
    last AS (SELECT DISTINCT ON (student, section) student, section, op FROM sel_audit
    ORDER BY student, section, id DESC)
    SELECT (SELECT count(*) FROM l LEFT JOIN a USING (student, section, op) WHERE coalesce(a.n, 0) < l.n)
    + (SELECT count(*) FROM last LEFT JOIN uni_selection x USING (student, section)
       WHERE x.state IS DISTINCT FROM CASE last.op WHEN 'add' THEN 'selected' ELSE 'dropped' END)
    + (SELECT count(*) FROM uni_selection x WHERE school = '$U' AND term = '2026-2' AND state = 'selected'
       AND NOT EXISTS (SELECT 1 FROM sel_audit o WHERE o.student = x.student AND o.section = x.section))")
unanswered=$(sql "SELECT (SELECT count(*) FROM sel_audit) - (SELECT count(*) FROM sel_ops)")
held=$(sql "SELECT count(*) FROM uni_selection WHERE school = '$U' AND term = '2026-2' AND state = 'selected'")
full=$(sql "SELECT count(*) FROM uni_section WHERE school = '$U' AND term = '2026-2' AND taken = capacity")

ratio=$(awk -v a="$rps" -v b="$pn" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
ratio_p=$(awk -v a="$rps" -v b="$pnp" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
adds_s=$(awk -v a="$adds" -v s="$SECS" 'BEGIN { printf "%.0f", a / s }')
rss_mb=$(awk -v k="${rss_kb:-0}" 'BEGIN { printf "%.1f", k / 1024 }')
say "SEL $rps req/s ($total requests, ${non2xx:-0} non-2xx${errors:+, socket errors $errors}); $adds adds ($adds_s/s), $drops drops answered"
say "PN $pn tps (mean of $pn_before before and $pn_after after); SEL/PN $ratio (target >= 0.5); PNp $pnp tps, SEL/PNp $ratio_p; p50 $p50 p99 $p99"
say "xuejid peak RSS $rss_mb MB (target < 256 MB); CPU seconds over the run: xuejid $xj_cpu, PostgreSQL backends alive at the end $pg_cpu"
say "over capacity or miscounted sections: $over; missing or extra selections: $missing (both must be 0)"
say "held seats at the end: $held; sections full: $full of $((COURSES * PER)); changes committed but not answered (in flight at the end): $unanswered"
say "load average before: $load_before; after: $load_after"
mkdir -p "$(dirname "$RESULTS")"
cat >"$RESULTS" <<EOF
{"students": $N, "sections": $((COURSES * PER)), "capacity": $CAP, "connections": $CONNS,
 "seconds": $SECS, "threads": $THREADS, "db_pool": $POOL,
 "sel_rps": ${rps:-0}, "requests": ${total:-0}, "non_2xx": ${non2xx:-0}, "adds": $adds,
 "drops": $drops, "pn_tps": ${pn:-0}, "pn_before_tps": ${pn_before:-0}, "pn_after_tps": ${pn_after:-0}, "sel_over_pn": $ratio, "pnp_tps": ${pnp:-0}, "sel_over_pnp": $ratio_p,
 "xuejid_cpu_s": $xj_cpu, "pg_cpu_s": $pg_cpu, "p50": "$p50", "p99": "$p99",
 "rss_mb": $rss_mb, "over_capacity": $over, "missing": $missing, "held": $held, "unanswered": $unanswered,
 "load_before": "$load_before", "load_after": "$load_after"}
EOF
say "results in $RESULTS"
[ "$over" -eq 0 ] && [ "$missing" -eq 0 ]
