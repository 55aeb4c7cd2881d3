/*
 * tests/http/authz_test.c - the authorization matrix: every route in the
 * routing table (api/router.c) x every level and school staff role x inside or
 * outside the caller's jurisdiction, against the expected statuses in
 * tests/http/authz_matrix.txt. A route missing from that file fails the test.
 *
 * The world: an "in" chain 河南 410000 > 郑州 410100 > 中原区 410102 > school
 * IN, and an "out" chain 湖北 420000 > 武汉 420100 > 江岸区 420102 > school OUT.
 * Actors (all with one password, no change required): the bootstrap ministry
 * admin, province 410000, city 410100, county 410102, and the registrar, a
 * grade leader and a head teacher of school IN; anonymous; and a student
 * signed in (role student, docs/decisions/0032) of university UNI_IN
 * (authority 410000). Universities UNI_IN and UNI_OUT (authority 420000)
 * each have a college, a major, a class and a student, built through the
 * API by their registrar sections (not actors): @UNI_X the university,
 * @UNI_NO_X its student's 学号 (in: the student actor's own), @UNI_COLLEGE_X
 * @UNI_MAJOR_X @UNI_CLASS_X @UNI_STUDENT_X. For the student actor only, the
 * "in" half's @STUDENT_IN, @STUDENT_X and @STUDENT2_X are their own record,
 * so that every student route is tried on their own record (in) and on
 * another student's (out).
 *
 * Matrix lines:  METHOD PATTERN | IN-PATH | OUT-PATH | BODY | 9 statuses | 9 statuses
 * statuses in the actor order above, "in" then "out"; BODY is JSON or "-". A
 * status "200/403" also wants items[0].status 403 in the answer (batch calls,
 * whose items are each authorized as the single call).
 * Placeholders: @SCHOOL_IN @SCHOOL_OUT @USER_IN @USER_OUT (a county-level
 * account: in 410102 / out 420102); the _X forms (@SCHOOL_X @CLASS_X @USER_X
 * @COUNTY_X @PROVINCE_X) mean the "in" or the "out" one after the column;
 * @SCHOOLCODE_X a fresh school code of that province; @N a number unique to
 * each request, @N6 six digits of it, @N99 one from 1 to 99.
 *
 * Students and requests: build_world() registers, through the API, two
 * students in IN (by its registrar) and two in OUT (by mx_out_registrar, a
 * registrar of school OUT who is not one of the eight actors), all in grade
 * 13 class 1 so the grade leader (grade 13) and the head teacher (class 13-1
 * of IN) see IN's. The first of each is enrolled (its registration approved
 * by the county: mx_county / mx_county_out); the second has a photo.
 * @STUDENT_IN @STUDENT_OUT (@STUDENT_X) the first student's id;
 * @STUDENT2_X the second's (the photo rows); @IDNUM_X the first student's ID
 * number; @REQUEST_IN @REQUEST_OUT (@REQUEST_X) the first student's
 * registration request (decided); @REQUEST_FRESH_X registers a new student in
 * IN / OUT on the spot and means its open registration request, so every cell
 * acts on a request nobody has decided yet. @IDNUM a fresh valid resident ID
 * number (GB 11643, born in 2017, male) and @IDBIRTH its birth date
 * (YYYY-MM-DD), of the same expansion. A BODY of exactly "@PNG" sends the
 * header of a 64x64 PNG (bytes, not JSON); "@PDF" a small PDF (evidence).
 * @STUDENT_FRESH_X registers a new student in IN / OUT on the spot and has
 * the county approve it: an enrolled student with no open request, so a
 * request can be started on it. @REQUEST_APPROVED_X does the same and then
 * has that school's registrar start a drop_out request on it and the county
 * approve it: an approved, applied, revertible request of its own per cell.
 */
#include "api/api.h"
#include "core/pwhash.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NACTORS 9
#define PASSWORD "Matrix-Test-2026!"
#define ADMIN_PASSWORD "Xueji-Test-2026!"

static const char *const actor_names[NACTORS] = {"ministry",     "province",  "city",
                                                 "county",       "registrar", "grade_leader",
                                                 "head_teacher", "anonymous", "student"};
#define STUDENT_ACTOR 8

typedef struct row {
    char method[8], pattern[128], in_path[256], out_path[256], body[1024];
    int expect[2][NACTORS];
    int expect_item[2][NACTORS]; /* "200/403": the status of items[0] of a batch answer, or 0 */
    int line;
} row;

static row rows[256];
static int nrows;

static void
trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t'))
        s[--n] = '\0';
    size_t i = 0;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    memmove(s, s + i, n - i + 1);
}

static void
load_matrix(void)
{
    const char *path = "tests/http/authz_matrix.txt";
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s (run from the repository root)", path);
    char line[2048];
    int ln = 0;
    nrows = 0;
    while (fgets(line, sizeof(line), f)) {
        ln++;
        trim(line);
        if (line[0] == '\0' || line[0] == '#')
            continue;
        char *field[6];
        int nf = 0;
        char *save = NULL;
        for (char *t = strtok_r(line, "|", &save); t && nf < 6; t = strtok_r(NULL, "|", &save)) {
            trim(t);
            field[nf++] = t;
        }
        ck_assert_msg(nf == 6, "%s:%d: expected 6 fields, got %d", path, ln, nf);
        row *r = &rows[nrows++];
        memset(r, 0, sizeof(*r));
        r->line = ln;
        ck_assert_msg(sscanf(field[0], "%7s %127s", r->method, r->pattern) == 2,
                      "%s:%d: METHOD PATTERN", path, ln);
        snprintf(r->in_path, sizeof(r->in_path), "%s", field[1]);
        snprintf(r->out_path, sizeof(r->out_path), "%s", field[2]);
        snprintf(r->body, sizeof(r->body), "%s", strcmp(field[3], "-") == 0 ? "" : field[3]);
        for (int k = 0; k < 2; k++) {
            char *p = field[4 + k];
            for (int a = 0; a < NACTORS; a++) {
                char *end;
                r->expect[k][a] = (int)strtol(p, &end, 10);
                ck_assert_msg(end != p, "%s:%d: %d statuses expected", path, ln, NACTORS);
                p = end;
                if (*p == '/') /* and the status of the first item of a batch answer */
                    r->expect_item[k][a] = (int)strtol(p + 1, &p, 10);
            }
        }
    }
    fclose(f);
}

static const char *
method_name(int bit)
{
    switch (bit) {
    case API_GET:
        return "GET";
    case API_POST:
        return "POST";
    case API_PUT:
        return "PUT";
    case API_PATCH:
        return "PATCH";
    default:
        return "DELETE";
    }
}

/* ---- the world ---- */

static ht_server *srv;
static PGconn *db;
static char tokens[NACTORS][1024];
static char user_in[24], user_out[24], class_in[24], class_out[24];
static int seq;
/* the OUT school's registrar and the OUT county: not actors, they build the world */
static char tok_registrar_out[1024], tok_county_out[1024];
static long long student_in, student_out, student2_in, student2_out, request_in, request_out;
static char idnum_in[24], idnum_out[24];
static int idseq;

/* A registration body; @IDNUM and @IDBIRTH are filled in by expand(). */
#define STUDENT_BODY                                                                                 \
    "{\"name\":\"矩阵学生\",\"gender\":\"1\",\"birth_date\":\"@IDBIRTH\",\"ethnicity\":\"01\","  \
    "\"nationality\":\"CHN\",\"id_type\":\"1\",\"id_number\":\"@IDNUM\","                            \
    "\"hukou_region\":\"410102000000\",\"hukou_type\":\"1\",\"grade\":\"13\",\"class\":1,"           \
    "\"enrolled_month\":\"202409\",\"entry_mode\":\"1\",\"study_mode\":\"1\",\"source\":\"1\","      \
    "\"distance_km\":1.5,\"transport\":\"1\",\"school_bus\":\"0\",\"family\":[{\"name\":\"王父\"," \
    "\"relation\":\"1\",\"phone\":\"13900001111\",\"guardian\":\"1\"},{\"name\":\"王母\","         \
    "\"relation\":\"2\",\"phone\":\"13900002222\"}]}"

/* The header of a 64x64 RGB PNG: all that the photo check reads. */
static const unsigned char png64[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0,   0, 0, 13,
                                      'I',  'H', 'D', 'R', 0,    0,    0,    64,   0,   0, 0, 64,
                                      8,    2,   0,   0,   0,    0x12, 0x34, 0x56, 0x78};

/*
 * A fresh valid resident ID number of `region6`, male, born on a day of 2017
 * that no other number of this run has (so no two registrations look like
 * suspected duplicates: same name, gender and birth date), and that birth date.
 */
static void
make_idnum(const char *region6, char id[19], char birth[11])
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    unsigned d = (unsigned)idseq++ % 365u, m = 0;
    while (m < 11 && d >= (unsigned)mdays[m])
        d -= (unsigned)mdays[m++];
    char b[32], v[48];
    snprintf(b, sizeof(b), "2017-%02u-%02u", (m + 1) % 100u, (d + 1) % 100u);
    memcpy(birth, b, 10);
    birth[10] = '\0';
    /* the order code: odd (male), varied by run */
    snprintf(v, sizeof(v), "%.6s2017%02u%02u%03u", region6, (m + 1) % 100u, (d + 1) % 100u,
             ((unsigned)getpid() % 500u) * 2u + 1u);
    memcpy(id, v, 17);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (id[i] - '0') * w[i];
    id[17] = "10X98765432"[sum % 11];
    id[18] = '\0';
}

/* A minimal PDF: what the evidence check reads is the "%PDF-" signature. */
static const char pdf_doc[] = "%PDF-1.4\n%matrix\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

static void expand(const char *in, int out_case, char *out, size_t cap);
/* The actor a cell is expanded for: for the student actor, the "in" half's
   @STUDENT_IN, @STUDENT_X and @STUDENT2_X are their own record (own vs
   another student's). */
static int expand_actor = -1;

static void
bearer(const char *token, char *buf, size_t cap)
{
    snprintf(buf, cap, "Authorization: Bearer %.1000s", token);
}

/* Register a student in IN (out_case 0) or OUT (1) through the API. */
static void
register_student(int out_case, long long *out_student, long long *out_request, char *out_idnum)
{
    char body[2048], auth[1100];
    expand(STUDENT_BODY, out_case, body, sizeof(body));
    bearer(out_case ? tok_registrar_out : tokens[4], auth, sizeof(auth));
    const char *hdrs[] = {auth, NULL};
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, "/api/v1/students", body, hdrs, &r), 0);
    ck_assert_msg(r.status == 201, "register (%s): %ld %s", out_case ? "out" : "in", r.status,
                  r.body);
    json_t *s = json_object_get(r.json, "student"), *q = json_object_get(r.json, "request");
    *out_student = json_integer_value(json_object_get(s, "id"));
    *out_request = json_integer_value(json_object_get(q, "id"));
    ck_assert_msg(*out_student > 0 && *out_request > 0, "register: %s", r.body);
    if (out_idnum != NULL) {
        const char *p = strstr(body, "\"id_number\":\"");
        ck_assert_ptr_nonnull(p);
        snprintf(out_idnum, 19, "%s", p + strlen("\"id_number\":\""));
    }
    ht_resp_free(&r);
}

/* Approve step 1 of a registration (the county's: the whole request). */
static void
approve(const char *token, long long request)
{
    char path[64], auth[1100];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", request);
    bearer(token, auth, sizeof(auth));
    const char *hdrs[] = {auth, NULL};
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, path, "{\"action\":\"approve\",\"step\":1}", hdrs, &r), 0);
    ck_assert_msg(r.status == 200, "approve %lld: %ld %s", request, r.status, r.body);
    ht_resp_free(&r);
}

/* A fresh enrolled student of IN (out_case 0) or OUT (1): registered, approved. */
static long long
fresh_enrolled(int out_case)
{
    long long s, q;
    register_student(out_case, &s, &q, NULL);
    approve(out_case ? tok_county_out : tokens[3], q);
    return s;
}

/* A fresh approved drop_out request: started by the school, approved by the county. */
static long long
fresh_approved_request(int out_case)
{
    long long s = fresh_enrolled(out_case);
    char body[256], auth[1100];
    snprintf(body, sizeof(body),
             "{\"type\":\"drop_out\",\"student\":%lld,"
             "\"payload\":{\"reason\":\"矩阵\",\"date\":\"2026-11-01\"}}",
             s);
    bearer(out_case ? tok_registrar_out : tokens[4], auth, sizeof(auth));
    const char *hdrs[] = {auth, NULL};
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, "/api/v1/requests", body, hdrs, &r), 0);
    ck_assert_msg(r.status == 201, "start drop_out (%s): %ld %s", out_case ? "out" : "in", r.status,
                  r.body);
    long long q = json_integer_value(json_object_get(r.json, "id"));
    ck_assert_msg(q > 0, "start drop_out: %s", r.body);
    ht_resp_free(&r);
    approve(out_case ? tok_county_out : tokens[3], q);
    return q;
}

static void
put_photo(const char *token, long long student)
{
    char path[64], auth[1100];
    snprintf(path, sizeof(path), "/api/v1/students/%lld/photo", student);
    bearer(token, auth, sizeof(auth));
    const char *hdrs[] = {"Content-Type: image/png", "If-Match: \"1\"", auth, NULL};
    ht_resp r;
    ck_assert_int_eq(ht_request(srv, "PUT", path, hdrs, (const char *)png64, sizeof(png64), &r), 0);
    ck_assert_msg(r.status == 204, "photo %lld: %ld %s", student, r.status, r.body);
    ht_resp_free(&r);
}

#define SCHOOL_IN "2141019001"
#define SCHOOL_OUT "2142019001"
/* universities (docs/decisions/0032): IN under 河南 410000, OUT under 湖北 420000 */
#define UNI_IN "4141019001"
#define UNI_OUT "4142019001"
#define UNI_NO_IN "MX000001"  /* the student actor's 学号 */
#define UNI_NO_OUT "MX000002" /* a student of UNI_OUT */
static long long uni_student_in, uni_student_out, uni_college_in, uni_college_out, uni_major_in,
    uni_major_out, uni_class_in, uni_class_out;

static const char *
scalar(const char *sql)
{
    static char buf[256];
    PGresult *r = PQexec(db, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s", sql,
                  PQerrorMessage(db));
    snprintf(buf, sizeof(buf), "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return buf;
}

static void
add_user(const char *hash, const char *name, const char *role, const char *org, const char *staff,
         const char *grade, const char *classes, char *out_id)
{
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO app_user (username, display_name, role, org, staff_role, grade, classes,"
             " password_hash, must_change_password) VALUES ('%s', '%s', '%s', '%s', %s, %s, '%s',"
             " '%s', false) ON CONFLICT (username) DO UPDATE SET username = EXCLUDED.username"
             " RETURNING id",
             name, name, role, org, staff, grade, classes, hash);
    const char *id = scalar(sql);
    if (out_id != NULL)
        strcpy(out_id, id);
}

static void
login(int actor, const char *username, const char *password)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", username, password);
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, "/api/v1/auth/login", body, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", username, r.status, r.body);
    snprintf(tokens[actor], sizeof(tokens[actor]), "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
}

/* POST `path` with `body` as `token`; the id of the 201 answer. */
static long long
post_id(const char *token, const char *path, const char *body)
{
    char auth[1100];
    bearer(token, auth, sizeof(auth));
    const char *hdrs[] = {auth, NULL};
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, path, body, hdrs, &r), 0);
    ck_assert_msg(r.status == 201, "POST %s: %ld %s", path, r.status, r.body);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    ht_resp_free(&r);
    return id;
}

/* A university with a college, a major, a class and one student (学号 `no`),
   built through the API by its registrar section `section`. */
static void
build_university(const char *code, const char *section, const char *no, int out_case,
                 long long *college, long long *major, long long *cls, long long *student)
{
    char path[128], body[1024], idnum[19], birth[11];
    snprintf(path, sizeof(path), "/api/v1/schools/%s/colleges", code);
    *college = post_id(section, path, "{\"code\":\"01\",\"name\":\"矩阵学院\"}");
    snprintf(path, sizeof(path), "/api/v1/schools/%s/majors", code);
    snprintf(body, sizeof(body),
             "{\"college\":%lld,\"code\":\"0701\",\"name\":\"矩阵专业\","
             "\"level\":\"undergraduate\",\"years\":4}",
             *college);
    *major = post_id(section, path, body);
    snprintf(path, sizeof(path), "/api/v1/schools/%s/uni-classes", code);
    snprintf(body, sizeof(body), "{\"major\":%lld,\"cohort\":2025,\"number\":1}", *major);
    *cls = post_id(section, path, body);
    make_idnum(out_case ? "420102" : "410102", idnum, birth);
    snprintf(path, sizeof(path), "/api/v1/schools/%s/uni-students", code);
    snprintf(body, sizeof(body),
             "{\"student_no\":\"%s\",\"class_id\":%lld,\"name\":\"矩阵大学生\","
             "\"gender\":\"1\",\"birth_date\":\"%s\",\"ethnicity\":\"01\","
             "\"nationality\":\"CHN\",\"id_type\":\"1\",\"id_number\":\"%s\"}",
             no, *cls, birth, idnum);
    *student = post_id(section, path, body);
}

static void
build_universities(const char *hash)
{
    char tok_in[1024], tok_out[1024];
    ht_db_exec(db, "INSERT INTO school (code, name, county, authority, province, category)"
                   " VALUES ('" UNI_IN "', '矩阵测试大学', '410102', '410000', '410000', 41),"
                   " ('" UNI_OUT "', '矩阵对照大学', '420102', '420000', '420000', 41)"
                   " ON CONFLICT DO NOTHING");
    add_user(hash, "mx_uni_section", "school", UNI_IN, "'registrar_section'", "NULL", "{}", NULL);
    add_user(hash, "mx_uni_section_out", "school", UNI_OUT, "'registrar_section'", "NULL", "{}",
             NULL);
    login(STUDENT_ACTOR, "mx_uni_section", PASSWORD);
    snprintf(tok_in, sizeof(tok_in), "%s", tokens[STUDENT_ACTOR]);
    login(STUDENT_ACTOR, "mx_uni_section_out", PASSWORD);
    snprintf(tok_out, sizeof(tok_out), "%s", tokens[STUDENT_ACTOR]);
    build_university(UNI_IN, tok_in, UNI_NO_IN, 0, &uni_college_in, &uni_major_in, &uni_class_in,
                     &uni_student_in);
    build_university(UNI_OUT, tok_out, UNI_NO_OUT, 1, &uni_college_out, &uni_major_out,
                     &uni_class_out, &uni_student_out);
    /* the student actor's account: made by the registrar section, then given the matrix
       password without a change (as the other actors) */
    post_id(tok_in, "/api/v1/schools/" UNI_IN "/uni-students/" UNI_NO_IN "/account", "{}");
    char sql[512];
    snprintf(sql, sizeof(sql),
             "UPDATE app_user SET password_hash = '%s', must_change_password = false"
             " WHERE username = '" UNI_NO_IN "'",
             hash);
    ht_db_exec(db, sql);
    login(STUDENT_ACTOR, UNI_NO_IN, PASSWORD);
    /* issue 17: a course MXC01 of each university, with a section of fixed id
       (@UNI_SECTION_X: 900000001 in, 900000002 out) */
    ht_db_exec(db, "INSERT INTO uni_course (school, code, name, kind, credits, hours, college)"
                   " SELECT school, 'MXC01', '矩阵课程', 'elective', 2, 32, id FROM uni_college"
                   " WHERE school IN ('" UNI_IN "', '" UNI_OUT "') AND code = '01'"
                   " ON CONFLICT DO NOTHING");
    ht_db_exec(db, "INSERT INTO uni_section (id, school, course, term, number, capacity)"
                   " OVERRIDING SYSTEM VALUE SELECT CASE school WHEN '" UNI_IN "' THEN 900000001"
                   " ELSE 900000002 END, school, id, '2026-2', 1, 30 FROM uni_course"
                   " WHERE school IN ('" UNI_IN "', '" UNI_OUT "') AND code = 'MXC01'"
                   " ON CONFLICT DO NOTHING");
}

static void
build_world(void)
{
    static const char *const env[] = {"XUEJI_ADMIN_PASSWORD=" ADMIN_PASSWORD,
                                      "XUEJI_RATE_LIMIT_IP=0", "XUEJI_RATE_LIMIT_ACCOUNT=0", NULL};
    srv = ht_server_start(env);
    ck_assert_ptr_nonnull(srv);
    db = ht_db_connect();
    ht_db_exec(db, "INSERT INTO school (code, name, county, authority, province, category)"
                   " VALUES ('" SCHOOL_IN "', '矩阵测试小学', '410102', '410102', '410000', 21),"
                   " ('" SCHOOL_OUT "', '矩阵对照小学', '420102', '420102', '420000', 21)"
                   " ON CONFLICT DO NOTHING");
    strcpy(class_in, scalar("INSERT INTO class (school, grade, number, name) VALUES ('" SCHOOL_IN
                            "', 13, 1, '三年级1班') ON CONFLICT (school, grade, number) DO UPDATE"
                            " SET name = EXCLUDED.name RETURNING id"));
    strcpy(class_out, scalar("INSERT INTO class (school, grade, number, name) VALUES ('" SCHOOL_OUT
                             "', 13, 1, '三年级1班') ON CONFLICT (school, grade, number) DO UPDATE"
                             " SET name = EXCLUDED.name RETURNING id"));
    char hash[CORE_PWHASH_LEN];
    ck_assert_int_eq(core_pwhash(PASSWORD, hash), 0);
    char classes[64];
    snprintf(classes, sizeof(classes), "{%s}", class_in);
    add_user(hash, "mx_province", "province", "410000", "NULL", "NULL", "{}", NULL);
    add_user(hash, "mx_city", "city", "410100", "NULL", "NULL", "{}", NULL);
    add_user(hash, "mx_county", "county", "410102", "NULL", "NULL", "{}", NULL);
    add_user(hash, "mx_registrar", "school", SCHOOL_IN, "'registrar'", "NULL", "{}", NULL);
    add_user(hash, "mx_grade", "school", SCHOOL_IN, "'grade_leader'", "13", "{}", NULL);
    add_user(hash, "mx_head", "school", SCHOOL_IN, "'head_teacher'", "NULL", classes, NULL);
    add_user(hash, "mx_out_registrar", "school", SCHOOL_OUT, "'registrar'", "NULL", "{}", NULL);
    add_user(hash, "mx_county_out", "county", "420102", "NULL", "NULL", "{}", NULL);
    /* accounts to act on: a county-level account inside and one outside */
    add_user(hash, "mx_target_in", "county", "410102", "NULL", "NULL", "{}", user_in);
    add_user(hash, "mx_target_out", "county", "420102", "NULL", "NULL", "{}", user_out);

    /* the server creates admin only in an empty database: a suite run before this one
       in the same database (tests/lib/wfworld.c seeds accounts) leaves it to us */
    char admin_hash[CORE_PWHASH_LEN];
    ck_assert_int_eq(core_pwhash(ADMIN_PASSWORD, admin_hash), 0);
    add_user(admin_hash, "admin", "ministry", "000000", "NULL", "NULL", "{}", NULL);
    login(0, "admin", ADMIN_PASSWORD);
    login(1, "mx_province", PASSWORD);
    login(2, "mx_city", PASSWORD);
    login(3, "mx_county", PASSWORD);
    login(4, "mx_registrar", PASSWORD);
    login(5, "mx_grade", PASSWORD);
    login(6, "mx_head", PASSWORD);
    tokens[7][0] = '\0';
    login(7, "mx_out_registrar", PASSWORD);
    snprintf(tok_registrar_out, sizeof(tok_registrar_out), "%s", tokens[7]);
    login(7, "mx_county_out", PASSWORD);
    snprintf(tok_county_out, sizeof(tok_county_out), "%s", tokens[7]);
    tokens[7][0] = '\0';

    /* the students: the first enrolled, the second with a photo */
    long long r2;
    register_student(0, &student_in, &request_in, idnum_in);
    register_student(1, &student_out, &request_out, idnum_out);
    approve(tokens[3], request_in);
    approve(tok_county_out, request_out);
    register_student(0, &student2_in, &r2, NULL);
    register_student(1, &student2_out, &r2, NULL);
    put_photo(tokens[4], student2_in);
    put_photo(tok_registrar_out, student2_out);
    build_universities(hash);
}

/*
 * Replace the placeholders of `in` into out. `out_case` selects what the _X
 * placeholders mean: 0 the "in" chain, 1 the "out" chain.
 */
static void
expand(const char *in, int out_case, char *out, size_t cap)
{
    char n[16], n6[8], n99[4], code[16], idnum[19] = "", idbirth[11] = "";
    char st[24], st2[24], rq[24], rq_in[24], rq_out[24], st_in[24], st_out[24], fresh[24] = "";
    char fresh_st[24] = "", approved[24] = "", pjob_in[24] = "", pjob_out[24] = "";
    seq++;
    if (strstr(in, "@PROMOTION_JOB_") != NULL) {
        /* a finished region promotion job of each chain (no worker takes it) */
        snprintf(pjob_in, sizeof(pjob_in), "%s",
                 scalar("INSERT INTO promotion_job (region, year, state, created_org)"
                        " VALUES ('410102', 2030, 'done', '410102') RETURNING id"));
        snprintf(pjob_out, sizeof(pjob_out), "%s",
                 scalar("INSERT INTO promotion_job (region, year, state, created_org)"
                        " VALUES ('420102', 2030, 'done', '420102') RETURNING id"));
    }
    if (strstr(in, "@IDNUM") != NULL || strstr(in, "@IDBIRTH") != NULL)
        make_idnum(out_case ? "420102" : "410102", idnum, idbirth);
    if (strstr(in, "@REQUEST_FRESH_X") != NULL) {
        long long s, q;
        register_student(out_case, &s, &q, NULL);
        snprintf(fresh, sizeof(fresh), "%lld", q);
    }
    if (strstr(in, "@STUDENT_FRESH_X") != NULL)
        snprintf(fresh_st, sizeof(fresh_st), "%lld", fresh_enrolled(out_case));
    if (strstr(in, "@REQUEST_APPROVED_X") != NULL)
        snprintf(approved, sizeof(approved), "%lld", fresh_approved_request(out_case));
    int own = expand_actor == STUDENT_ACTOR && !out_case;
    snprintf(st, sizeof(st), "%lld", own ? uni_student_in : out_case ? student_out : student_in);
    snprintf(st2, sizeof(st2), "%lld",
             own        ? uni_student_in
             : out_case ? student2_out
                        : student2_in);
    snprintf(st_in, sizeof(st_in), "%lld", own ? uni_student_in : student_in);
    char uc[24], um[24], ucl[24], ust[24];
    snprintf(uc, sizeof(uc), "%lld", out_case ? uni_college_out : uni_college_in);
    snprintf(um, sizeof(um), "%lld", out_case ? uni_major_out : uni_major_in);
    snprintf(ucl, sizeof(ucl), "%lld", out_case ? uni_class_out : uni_class_in);
    snprintf(ust, sizeof(ust), "%lld", out_case ? uni_student_out : uni_student_in);
    snprintf(st_out, sizeof(st_out), "%lld", student_out);
    snprintf(rq, sizeof(rq), "%lld", out_case ? request_out : request_in);
    snprintf(rq_in, sizeof(rq_in), "%lld", request_in);
    snprintf(rq_out, sizeof(rq_out), "%lld", request_out);
    snprintf(n, sizeof(n), "%d%04d", (int)(getpid() % 1000), seq);
    snprintf(n6, sizeof(n6), "%06d", (int)((getpid() % 100) * 10000 + seq) % 1000000);
    snprintf(n99, sizeof(n99), "%d", seq % 99 + 1);
    snprintf(code, sizeof(code), "21%s%s", out_case ? "42" : "41", n6);
    const struct {
        const char *key, *val;
    } keys[] = {
        {"@SCHOOLCODE_X", code},
        {"@UNI_X", out_case ? UNI_OUT : UNI_IN},
        {"@UNI_NO_X", out_case ? UNI_NO_OUT : UNI_NO_IN},
        {"@UNI_COLLEGE_X", uc},
        {"@UNI_MAJOR_X", um},
        {"@UNI_CLASS_X", ucl},
        {"@UNI_STUDENT_X", ust},
        {"@UNI_SECTION_X", out_case ? "900000002" : "900000001"},
        {"@STUDENT_IN", st_in},
        {"@STUDENT_OUT", st_out},
        {"@STUDENT_FRESH_X", fresh_st},
        {"@STUDENT_X", st},
        {"@STUDENT2_X", st2},
        {"@REQUEST_FRESH_X", fresh},
        {"@REQUEST_APPROVED_X", approved},
        {"@REQUEST_IN", rq_in},
        {"@PROMOTION_JOB_IN", pjob_in},
        {"@PROMOTION_JOB_OUT", pjob_out},
        {"@REQUEST_OUT", rq_out},
        {"@REQUEST_X", rq},
        {"@IDNUM_X", out_case ? idnum_out : idnum_in},
        {"@IDNUM", idnum},
        {"@IDBIRTH", idbirth},
        {"@SCHOOL_IN", SCHOOL_IN},
        {"@SCHOOL_OUT", SCHOOL_OUT},
        {"@SCHOOL_X", out_case ? SCHOOL_OUT : SCHOOL_IN},
        {"@CLASS_X", out_case ? class_out : class_in},
        {"@USER_IN", user_in},
        {"@USER_OUT", user_out},
        {"@USER_X", out_case ? user_out : user_in},
        {"@COUNTY_X", out_case ? "420102" : "410102"},
        {"@PROVINCE_X", out_case ? "420000" : "410000"},
        {"@N99", n99},
        {"@N6", n6},
        {"@N", n},
    };
    size_t o = 0;
    for (const char *p = in; *p && o + 1 < cap;) {
        int hit = 0;
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            size_t kl = strlen(keys[k].key);
            if (strncmp(p, keys[k].key, kl) == 0) {
                o += (size_t)snprintf(out + o, cap - o, "%s", keys[k].val);
                p += kl;
                hit = 1;
                break;
            }
        }
        if (!hit)
            out[o++] = *p++;
    }
    out[o < cap ? o : cap - 1] = '\0';
}

START_TEST(test_every_route_has_a_row)
{
    load_matrix();
    for (int i = 0; i < api_nroutes; i++) {
        const char *m = method_name(api_routes[i].method);
        int found = 0;
        for (int j = 0; j < nrows; j++)
            if (strcmp(rows[j].method, m) == 0 &&
                strcmp(rows[j].pattern, api_routes[i].pattern) == 0)
                found++;
        ck_assert_msg(found == 1, "route %s %s has %d rows in tests/http/authz_matrix.txt (want 1)",
                      m, api_routes[i].pattern, found);
    }
    /* and no row names a route that does not exist */
    for (int j = 0; j < nrows; j++) {
        int found = 0;
        for (int i = 0; i < api_nroutes; i++)
            if (strcmp(rows[j].method, method_name(api_routes[i].method)) == 0 &&
                strcmp(rows[j].pattern, api_routes[i].pattern) == 0)
                found = 1;
        ck_assert_msg(found, "authz_matrix.txt:%d: %s %s is not a route", rows[j].line,
                      rows[j].method, rows[j].pattern);
    }
}
END_TEST

START_TEST(test_matrix)
{
    load_matrix();
    build_world();
    int failures = 0;
    char report[8192] = "";
    size_t rl = 0;
    for (int j = 0; j < nrows; j++) {
        row *r = &rows[j];
        for (int k = 0; k < 2; k++) {
            for (int a = 0; a < NACTORS; a++) {
                char path[512], body[2048], auth[1100];
                expand_actor = a;
                expand(k == 0 ? r->in_path : r->out_path, k, path, sizeof(path));
                int png = strcmp(r->body, "@PNG") == 0, pdf = strcmp(r->body, "@PDF") == 0;
                size_t blen;
                if (png) {
                    memcpy(body, png64, sizeof(png64));
                    blen = sizeof(png64);
                } else if (pdf) {
                    memcpy(body, pdf_doc, sizeof(pdf_doc) - 1);
                    blen = sizeof(pdf_doc) - 1;
                } else {
                    expand(r->body, k, body, sizeof(body));
                    blen = strlen(body);
                }
                expand_actor = -1;
                snprintf(auth, sizeof(auth), "Authorization: Bearer %.1000s", tokens[a]);
                const char *hdrs[] = {"Content-Type: application/json", "If-Match: *",
                                      tokens[a][0] ? auth : NULL, NULL};
                ht_resp resp;
                ck_assert_int_eq(
                    ht_request(srv, r->method, path, hdrs, blen ? body : NULL, blen, &resp), 0);
                long item = 0;
                if (r->expect_item[k][a] != 0) {
                    json_t *it = json_array_get(json_object_get(resp.json, "items"), 0);
                    item = (long)json_integer_value(json_object_get(it, "status"));
                }
                if (resp.status != r->expect[k][a] || item != r->expect_item[k][a]) {
                    failures++;
                    if (rl < sizeof(report) - 300)
                        rl += (size_t)snprintf(
                            report + rl, sizeof(report) - rl,
                            "\n  line %d %s %s [%s, %s]: got %ld/%ld want %d/%d %.80s", r->line,
                            r->method, path, actor_names[a], k ? "out" : "in", resp.status, item,
                            r->expect[k][a], r->expect_item[k][a], resp.body ? resp.body : "");
                }
                ht_resp_free(&resp);
            }
        }
    }
    ck_assert_msg(failures == 0, "%d cells differ from tests/http/authz_matrix.txt:%s", failures,
                  report);
    PQfinish(db);
    ck_assert_int_eq(ht_server_stop(srv), 0);
}
END_TEST

int
main(void)
{
    ht_global_init();
    Suite *s = suite_create("authz");
    TCase *tc = tcase_create("matrix");
    tcase_set_timeout(tc, ht_timeout(240));
    tcase_add_test(tc, test_every_route_has_a_row);
    tcase_add_test(tc, test_matrix);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed ? 1 : 0;
}
