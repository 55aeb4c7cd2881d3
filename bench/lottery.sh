#!/bin/sh
# The lottery at scale (issue 17, docs/decisions/0042): a pre-selection round of
# 100,000 pre-selections over 500 sections (20,000 students, five sections each,
# capacities 100..299, so most sections are oversubscribed), prepared by SQL, closed
# through POST /api/v1/schools/{code}/selection-rounds/{id}/close as the registrar
# section; the close (one transaction: the draw, the seats, the published ranking) is
# timed from the client. Target: < 2 s. Then `xuejictl lottery-verify --round` re-runs
# the published draw, and the seats are checked (taken <= capacity, taken = selected).
#
# Usage: bench/lottery.sh OUTDIR    (OUTDIR holds release xuejid and xuejictl)
# Environment: BENCH_LOTTERY_PRESELECTIONS (default 100000, a multiple of 5),
#              BENCH_LOTTERY_SECTIONS (default 500, a multiple of 5),
#              BENCH_RESULTS_LOTTERY (default bench/results/lottery.json)
# Everything it starts (a throwaway PostgreSQL cluster, xuejid) is removed on exit.
set -eu
cd "$(dirname "$0")/.."
root=$PWD
out=${1:?usage: bench/lottery.sh OUTDIR}
out=$(cd "$out" && pwd)
[ -x "$out/xuejid" ] && [ -x "$out/xuejictl" ] ||
    { echo "bench: no $out/xuejid or xuejictl (make BUILD=release all)" >&2; exit 1; }
N=${BENCH_LOTTERY_PRESELECTIONS:-100000}
SECTIONS=${BENCH_LOTTERY_SECTIONS:-500}
RESULTS=${BENCH_RESULTS_LOTTERY:-$root/bench/results/lottery.json}
for v in "$N" "$SECTIONS"; do
    case "$v" in '' | *[!0-9]*) echo "bench: lottery sizes must be whole numbers" >&2; exit 2 ;; esac
done
[ $((N % 5)) -eq 0 ] && [ $((SECTIONS % 5)) -eq 0 ] && [ "$SECTIONS" -ge 5 ] ||
    { echo "bench: lottery sizes must be multiples of 5" >&2; exit 2; }
STUDENTS=$((N / 5))
PER_COURSE=$((SECTIONS / 5))
say() { printf 'bench: lottery: %s\n' "$*" >&2; }

tmp=$(mktemp -d /tmp/xueji-lottery.XXXXXX)
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

PGBIN=/usr/lib/postgresql/15/bin
pgport=$((60000 + $$ % 4000))
sh scripts/pg.sh init "$tmp" "$pgport" 2>/dev/null
base=$tmp
[ -f "$tmp/pg.location" ] && base=$(cat "$tmp/pg.location")
sh scripts/pg.sh start "$tmp"
XUEJI_DATABASE_URL=$(sh scripts/pg.sh url "$tmp")
export XUEJI_DATABASE_URL XUEJI_ENV=development
XUEJI_JWT_SECRET="bench-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
XUEJI_DATA_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
XUEJI_AUDIT_SIGNING_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
XUEJI_ADMIN_PASSWORD="Bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export XUEJI_JWT_SECRET XUEJI_DATA_KEY XUEJI_AUDIT_SIGNING_KEY XUEJI_ADMIN_PASSWORD
unset XUEJI_JWT_SECRET_FILE XUEJI_DATA_KEY_FILE XUEJI_AUDIT_SIGNING_KEY_FILE
export XUEJI_RATE_LIMIT_IP=0 XUEJI_RATE_LIMIT_ACCOUNT=0 XUEJI_LOG_LEVEL=warn
export XUEJI_LISTEN=127.0.0.1:0 XUEJI_PORT_FILE="$tmp/xuejid.port" XUEJI_SHUTDOWN_TIMEOUT=2
"$out/xuejid" migrate 2>"$tmp/migrate.log" || { cat "$tmp/migrate.log" >&2; exit 1; }

sql() { "$PGBIN/psql" -h "$base/run" -p "$pgport" -U xueji -X -q -At -v ON_ERROR_STOP=1 -c "$1" xueji; }

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

say "preparing $N pre-selections of $STUDENTS students over $SECTIONS sections"
t0=$(date +%s.%N)
U=4141019999
sql "
INSERT INTO school (code, name, county, authority, province, category)
    VALUES ('$U', '抽签基准大学', '410102', '410000', '410000', 41);
INSERT INTO uni_college (school, code, name) VALUES ('$U', 'B01', '基准学院');
INSERT INTO uni_major (school, college, code, name, level, years)
    SELECT '$U', id, 'B0101', '基准专业', 'undergraduate', 4 FROM uni_college WHERE school = '$U';
INSERT INTO uni_cohort (school, year) VALUES ('$U', 2025);
INSERT INTO class (school, grade, number, name) VALUES ('$U', 40, 1, '基准2501班');
INSERT INTO uni_class (id, school, major, cohort, number, name)
    SELECT k.id, '$U', m.id, 2025, 1, k.name FROM class k, uni_major m
    WHERE k.school = '$U' AND m.school = '$U';
INSERT INTO student (province, school, class_id, state, stuno_kind, stuno_text, stuno_bidx,
        key_id, name, grade, class_no)
    SELECT '410000', '$U', k.id, 'enrolled', 'J', 'JB' || lpad(g::text, 8, '0'),
        decode(md5('bench-lottery-' || g), 'hex'), 1, '基准学生', 40, 1
    FROM class k, generate_series(1, $STUDENTS) g WHERE k.school = '$U';
INSERT INTO uni_student (student_id, school, student_no, college, major, cohort, class_id, level,
        entry_date, expected_graduation)
    SELECT s.id, '$U', substr(s.stuno_text, 2), m.college, m.id, 2025, s.class_id, 'undergraduate',
        '2025-09-01', '2029-07-01' FROM student s, uni_major m WHERE s.school = '$U' AND m.school = '$U';
INSERT INTO uni_course (school, code, name, kind, credits, hours, college)
    SELECT '$U', 'BC' || c, '基准课程' || c, 'elective', 2, 32, id
    FROM uni_college, generate_series(1, 5) c WHERE school = '$U';
INSERT INTO uni_section (school, course, term, number, capacity)
    SELECT '$U', k.id, '2026-2', n, 100 + (k.id * 7 + n * 13) % 200
    FROM uni_course k, generate_series(1, $PER_COURSE) n WHERE k.school = '$U';
INSERT INTO app_user (username, display_name, role, org, staff_role, password_hash,
        must_change_password)
    SELECT 'bench.section', '基准 教务处教务科', 'school', '$U', 'registrar_section', password_hash,
        false FROM app_user WHERE username = 'admin';
INSERT INTO uni_round (school, term, kind, opens_at, closes_at, commitment, reveal)
    SELECT '$U', '2026-2', 'preselect', now() - interval '1 day', now() + interval '1 day',
        sha256(r), r FROM (SELECT decode(md5(random()::text) || md5(random()::text), 'hex') r) x;
-- every student pre-selects one section of each of the five courses
INSERT INTO uni_selection (student, section, school, course, term, state, source, round)
    SELECT u.student_id, c.id, '$U', c.course, '2026-2', 'preselected', 'student',
        (SELECT id FROM uni_round WHERE school = '$U')
    FROM uni_student u
    JOIN uni_course k ON k.school = '$U'
    JOIN uni_section c ON c.course = k.id
        AND c.number = 1 + (hashint8(u.student_id * 31 + k.id) & 2147483647) % $PER_COURSE
    WHERE u.school = '$U';
ANALYZE;"
prep=$(echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f", $1 - $2 }')
round=$(sql "SELECT id FROM uni_round WHERE school = '$U'")
have=$(sql "SELECT count(*) FROM uni_selection WHERE round = $round AND state = 'preselected'")
say "prepared $have pre-selections in ${prep} s (round $round)"

token=$(curl -s "$url/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench.section\",\"password\":\"$XUEJI_ADMIN_PASSWORD\"}" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { say "cannot log in as bench.section"; exit 1; }

# CPU seconds so far of xuejid and of PostgreSQL's client backends (not its background
# processes: autovacuum, checkpointer, WAL writer): on a shared box the wall time of the
# close grows with others' load, its CPU time far less.
pm_pid=$(head -n 1 "$base/pg/postmaster.pid")
TICKS=$(getconf CLK_TCK)
cpu() {
    t=0
    for p in $srv_pid $(pgrep -P "$pm_pid" -f 'postgres: xueji xueji' || true); do
        t=$((t + $(awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' \
            "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$t $TICKS" | awk '{ printf "%.2f", $1 / $2 }'
}
load=$(cut -d' ' -f1 /proc/loadavg)
c0=$(cpu)
code=$(curl -s -o "$tmp/close.json" -w '%{http_code} %{time_total}' -X POST \
    -H "Authorization: Bearer $token" "$url/api/v1/schools/$U/selection-rounds/$round/close")
c1=$(cpu)
cpu_secs=$(echo "$c1 $c0" | awk '{ printf "%.2f", $1 - $2 }')
status=${code%% *}
secs=${code#* }
[ "$status" = 200 ] || { say "close answered $status:"; head -c 600 "$tmp/close.json" >&2; exit 1; }
say "closed and drawn in ${secs} s (CPU of xuejid and its PostgreSQL backends: ${cpu_secs} s; load average before: $load): $(cat "$tmp/close.json")"

t1=$(date +%s.%N)
"$out/xuejictl" lottery-verify --round "$round" >"$tmp/verify.out" 2>&1 && verified=true || verified=false
vsecs=$(echo "$(date +%s.%N) $t1" | awk '{ printf "%.2f", $1 - $2 }')
say "xuejictl lottery-verify: $(cat "$tmp/verify.out") (${vsecs} s)"
over=$(sql "SELECT count(*) FROM uni_section WHERE school = '$U' AND taken > capacity")
wrong=$(sql "SELECT count(*) FROM uni_section c LEFT JOIN (SELECT section, count(*) AS n
    FROM uni_selection WHERE state = 'selected' GROUP BY section) s ON s.section = c.id
    WHERE c.school = '$U' AND c.taken <> coalesce(s.n, 0)")
say "sections over capacity: $over; sections whose taken differs from their selected rows: $wrong"
met=$(echo "$secs" | awk '{ print ($1 < 2) ? "true" : "false" }')
mkdir -p "$(dirname "$RESULTS")"
num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$tmp/close.json"; }
cat >"$RESULTS" <<JSON
{
  "when": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "cores": $(nproc),
  "preselections": $have,
  "sections": $SECTIONS,
  "students": $STUDENTS,
  "prepare_seconds": $prep,
  "close_seconds": $secs,
  "close_cpu_seconds": $cpu_secs,
  "load_average_before": $load,
  "target": "close < 2 s",
  "target_met": $met,
  "selected": $(num selected),
  "not_selected": $(num not_selected),
  "oversubscribed": $(num oversubscribed),
  "verify_seconds": $vsecs,
  "verified": $verified,
  "sections_over_capacity": $over,
  "sections_taken_mismatch": $wrong
}
JSON
say "wrote ${RESULTS#"$root"/}"
[ "$verified" = true ] && [ "$over" = 0 ] && [ "$wrong" = 0 ]
