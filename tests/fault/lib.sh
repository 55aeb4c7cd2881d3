# tests/fault/lib.sh - the checks shared by the fault script (tests/fault/run.sh) and
# the cluster test (tests/cluster/run.sh), sourced by both. The caller defines:
#   say MESSAGE        print a line
#   psql_x [ARGS]      psql on the database under test (-X -q -At -v ON_ERROR_STOP=1 set)
#   $out               the directory of xuejictl (its environment reaches the database)
# and sets failed=0; check() sets failed=1 on a failed check.

check() { # check WHAT CONDITION-RESULT(0/1)
    if [ "$2" = 0 ]; then say "  ok: $1"; else say "  FAILED: $1"; failed=1; fi
}

sql() { psql_x -c "$1"; }

# window FILE FROM TO: the answers that started in [FROM, TO) ms, summed up as
# "n ok503 other5xx hang none notproblem 2xx maxms codes"
window() {
    awk -v from="$2" -v to="$3" '
        $1 >= from && $1 < to {
            n++
            if ($2 == 503) s503++
            else if ($2 >= 500) o5++
            else if ($2 == -1) hang++
            else if ($2 == 0) none++
            else if ($2 >= 200 && $2 < 300) ok++
            if ($2 >= 400 && $4 == "notproblem") np++
            if ($3 > max) max = $3
            if ($2 >= 400) codes[$2 " " $4]++
        }
        END {
            c = ""; for (k in codes) c = c (c == "" ? "" : ",") k ":" codes[k]
            gsub(/ /, "_", c)
            printf "%d %d %d %d %d %d %d %d %s\n", n, s503, o5, hang, none, np, ok, max, (c == "" ? "-" : c)
        }' "$1"
}

# consistent DIR: every acknowledged write of DIR/acked is in the database, nothing is
# half-applied, the audit rows get sealed by the running xuejid (ADR 0023), and the
# sealed trail verifies with the signing key's public key.
consistent() {
    awk '$1 == "student" { print $2 "," $3 }' "$1/acked" >"$1/students.csv"
    awk '$1 == "approved" { print $2 }' "$1/acked" >"$1/approved.csv"
    nst=$(wc -l <"$1/students.csv") nap=$(wc -l <"$1/approved.csv")
    missing=$(psql_x <<SQL
CREATE TEMP TABLE ack_student (student_id bigint, request_id bigint);
CREATE TEMP TABLE ack_approved (request_id bigint);
\\copy ack_student FROM '$1/students.csv' WITH (FORMAT csv)
\\copy ack_approved FROM '$1/approved.csv' WITH (FORMAT csv)
SELECT (SELECT count(*) FROM ack_student a WHERE NOT EXISTS (
            SELECT 1 FROM student s JOIN request r ON r.student_id = s.id
             WHERE s.id = a.student_id AND r.id = a.request_id AND r.type = 'registration'))
       || ' ' ||
       (SELECT count(*) FROM ack_approved a WHERE NOT EXISTS (
            SELECT 1 FROM request r JOIN student s ON s.id = r.student_id
             WHERE r.id = a.request_id AND r.state = 'approved' AND s.state = 'enrolled'));
SQL
)
    check "$nst acknowledged registrations and $nap approvals in the database (missing: $missing)" \
        "$([ "$missing" = "0 0" ] && echo 0 || echo 1)"
    half=$(sql "SELECT
        (SELECT count(*) FROM request r JOIN student s ON s.id = r.student_id
          WHERE r.type = 'registration' AND (r.state = 'approved') <> (s.state <> 'pending'))
        || ' ' ||
        (SELECT count(*) FROM request r WHERE r.type = 'registration' AND r.state = 'approved'
            AND NOT EXISTS (SELECT 1 FROM request_action a WHERE a.request_id = r.id
                             AND a.action = 'approve'))
        || ' ' ||
        (SELECT count(*) FROM request r WHERE r.type = 'registration' AND r.state = 'open'
            AND EXISTS (SELECT 1 FROM request_action a WHERE a.request_id = r.id
                         AND a.action = 'approve'))
        || ' ' ||
        (SELECT count(*) FROM student s WHERE s.state = 'pending' AND NOT EXISTS (
            SELECT 1 FROM request r WHERE r.student_id = s.id AND r.type = 'registration'))")
    check "nothing half-applied (request decided xor student changed, approved without its action," \
        "$([ "$half" = "0 0 0 0" ] && echo 0 || echo 1)"
    say "      open with an approve action, pending student without request: $half)"
    i=0 unsealed=$(sql "SELECT count(*) FROM audit WHERE seq IS NULL")
    while [ "$unsealed" != 0 ] && [ $i -lt 75 ]; do
        sleep 0.2
        i=$((i + 1)) unsealed=$(sql "SELECT count(*) FROM audit WHERE seq IS NULL")
    done
    check "every audit row sealed by xuejid ($unsealed left after $((i / 5)) s)" \
        "$([ "$unsealed" = 0 ] && echo 0 || echo 1)"
    "$out/xuejictl" audit verify >"$1/audit.txt" 2>&1 && rc=0 || rc=1
    check "xuejictl audit verify: $(tr '\n' ' ' <"$1/audit.txt")" "$rc"
}

