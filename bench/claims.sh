# bench/claims.sh - the claim race of the graduate pool (毕业库抽取, issue 15,
# docs/decisions/0027). Sourced by bench/run.sh once the demo is loaded; or run
# alone against `make run`'s database and a xuejid serving it:
#
#     sh bench/claims.sh http://127.0.0.1:8080 "$(sh scripts/pg.sh url var)" [N]
#
# The junior schools of four counties of the demo province (their registrars are
# demo accounts) claim the same N graduates of 建设路第一小学 (BENCH_CLAIMS, default
# 200) at the same time, one curl loop per school; then the four counties approve
# their schools' claims at the same time, each in the same order, so that they meet
# on every graduate. Exactly one claim per graduate must end approved and enrol it;
# the other three end superseded, and their approvals answer 409. Sets claims_line
# (the report's line) and claims_json.

claims_schools="3141010201:zy1c.registrar:zhongyuan 3141010501:zz8z.registrar:jinshui
3141030201:ly23z.registrar:laocheng 3141030501:ly22z.registrar:jianxi"

claims_login() {
    curl -s "$claims_url/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"Xueji-Demo-2026!\"}" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
claims_sql() { psql "$claims_db" -X -q -At -c "$1"; }
claims_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# claims_post_all TOKEN IDS_FILE CODES_FILE claim|approve: one POST per line of IDS_FILE,
# its status codes one a line in CODES_FILE
claims_post_all() {
    while read -r id; do
        if [ "$4" = claim ]; then
            path=/api/v1/requests
            body="{\"type\":\"intake_claim\",\"student\":$id,\"payload\":{\"grade\":21,\"class\":1,\"entry_date\":\"2026-09-01\"}}"
        else
            path=/api/v1/requests/$id/actions
            body='{"action":"approve","step":1}'
        fi
        curl -s -o /dev/null -w '%{http_code}\n' "$claims_url$path" -H "Authorization: Bearer $1" \
            -H 'Content-Type: application/json' -d "$body"
    done <"$2" >"$3"
}

bench_claims() {
    claims_url=$1 claims_db=$2 n=$3 dir=$4
    claims_sql "SELECT s.id FROM student s WHERE s.school = '2141010201' AND s.state = 'graduated'
                AND NOT EXISTS (SELECT 1 FROM request r WHERE r.type = 'intake_claim'
                                AND r.student_id = s.id)
                ORDER BY s.id LIMIT $n" >"$dir/claims.ids"
    got=$(wc -l <"$dir/claims.ids")
    if [ "$got" -lt 1 ]; then
        claims_line="claim race: skipped (no unclaimed graduates of 建设路第一小学 in the pool)"
        claims_json="{\"skipped\": \"no graduates\"}"
        return 0
    fi
    list=$(paste -sd, "$dir/claims.ids")
    k=0
    for s in $claims_schools; do
        k=$((k + 1))
        user=$(echo "$s" | cut -d: -f2) county=$(echo "$s" | cut -d: -f3)
        eval "claims_rt$k=\$(claims_login $user) claims_ct$k=\$(claims_login $county)"
    done
    t0=$(date +%s.%N)
    k=0
    for s in $claims_schools; do
        k=$((k + 1))
        eval "tok=\$claims_rt$k"
        claims_post_all "$tok" "$dir/claims.ids" "$dir/claims.start.$k" claim &
    done
    wait
    t1=$(date +%s.%N)
    k=0
    for s in $claims_schools; do
        k=$((k + 1))
        claims_sql "SELECT id FROM request WHERE type = 'intake_claim' AND state = 'open'
                    AND school = '${s%%:*}' AND student_id IN ($list) ORDER BY student_id" \
            >"$dir/claims.req.$k"
    done
    t2=$(date +%s.%N)
    k=0
    for s in $claims_schools; do
        k=$((k + 1))
        eval "tok=\$claims_ct$k"
        claims_post_all "$tok" "$dir/claims.req.$k" "$dir/claims.act.$k" approve &
    done
    wait
    t3=$(date +%s.%N)
    started=$(cat "$dir"/claims.start.* | grep -c '^201$' || true)
    ok=$(cat "$dir"/claims.act.* | grep -c '^200$' || true)
    c409=$(cat "$dir"/claims.act.* | grep -c '^409$' || true)
    other=$(cat "$dir"/claims.act.* "$dir"/claims.start.* | grep -vc '^\(200\|201\|409\)$' || true)
    enrolled=$(claims_sql "SELECT count(*) FROM student WHERE id IN ($list) AND state = 'enrolled'")
    approved=$(claims_sql "SELECT count(*) FROM request WHERE type = 'intake_claim'
                           AND student_id IN ($list) AND state = 'approved'")
    superseded=$(claims_sql "SELECT count(*) FROM request WHERE type = 'intake_claim'
                             AND student_id IN ($list) AND state = 'superseded'")
    twice=$(claims_sql "SELECT count(*) FROM (SELECT student_id FROM request WHERE type = 'intake_claim'
                        AND student_id IN ($list) AND state = 'approved' GROUP BY student_id
                        HAVING count(*) > 1) x")
    claim_s=$(claims_secs "$t0" "$t1") approve_s=$(claims_secs "$t2" "$t3")
    clean=true
    [ "$enrolled" -eq "$got" ] && [ "$approved" -eq "$got" ] && [ "$twice" -eq 0 ] &&
        [ "$superseded" -eq $((started - got)) ] && [ "$other" -eq 0 ] || clean=false
    claims_line="claim race: $got graduates, 4 schools: $started claims in $claim_s s"
    claims_line="$claims_line ($(awk -v n="$started" -v t="$claim_s" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')/s);"
    claims_line="$claims_line 4 counties approving at once: $ok approvals 200, $c409 answered 409, in $approve_s s;"
    claims_line="$claims_line $enrolled enrolled, $approved claims approved, $superseded superseded,"
    claims_line="$claims_line $twice graduates approved twice ($([ "$clean" = true ] && echo exactly one enrolment each || echo NOT clean: $other other answers))"
    claims_json="{\"graduates\": $got, \"schools\": 4, \"claims\": $started, \"claim_seconds\": $claim_s,"
    claims_json="$claims_json \"approve_200\": $ok, \"approve_409\": $c409, \"approve_seconds\": $approve_s,"
    claims_json="$claims_json \"enrolled\": $enrolled, \"approved\": $approved, \"superseded\": $superseded,"
    claims_json="$claims_json \"approved_twice\": $twice, \"other_answers\": $other, \"clean\": $clean}"
}

# run alone: sh bench/claims.sh URL DATABASE_URL [N]
case "${0##*/}" in
claims.sh)
    set -eu
    d=$(mktemp -d)
    bench_claims "$1" "$2" "${3:-200}" "$d"
    echo "$claims_line"
    echo "$claims_json"
    rm -rf "$d"
    ;;
esac
