/*
 * tests/http/uni_test.c - universities over HTTP (docs/decisions/0032): the
 * structure (colleges, majors, classes), university students, student
 * accounts and sign-in (a student reads their own record only: 404 for any
 * other), offices scoped by college, university staff accounts through
 * POST /users, and the teaching calendar.
 *
 * The world, built once by the first test through the API: university
 * 4141010459 (authority 河南 410000, in 中原区 410102) created by the
 * province, its registrar section (an account made in the database with no
 * password change), two colleges (one the PE college), a major in each,
 * one class each, and three students: A and B in college 1, C in college 2.
 */
#include "core/pwhash.h"
#include "db/db.h"
#include "db/user.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW "Xueji-Test-2026!"
#define UNI "4141010459"
#define U "/api/v1/schools/" UNI

static ht_server *srv;
static int built;
static long long college1, college2, major1, major2, class1, class2;
static long long stu_a, stu_b, stu_c;
static char tok_henan[1024], tok_section[1024];

static const char *
fmt(const char *f, ...)
{
    static char buf[8][2048];
    static int i;
    char *b = buf[i++ % 8];
    va_list ap;
    va_start(ap, f);
    vsnprintf(b, sizeof(buf[0]), f, ap);
    va_end(ap);
    return b;
}

static void
call(const char *method, const char *path, const char *token, const char *json, ht_resp *r)
{
    const char *h[4];
    int n = 0;
    if (strcmp(method, "PATCH") == 0)
        h[n++] = "If-Match: *";
    char auth[1100];
    if (token != NULL) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h[n++] = auth;
    }
    if (json != NULL)
        h[n++] = "Content-Type: application/json";
    h[n] = NULL;
    ck_assert_int_eq(ht_request(srv, method, path, h, json, json ? strlen(json) : 0, r), 0);
}

/* The status of METHOD path; the body is returned parsed in *r when r is not NULL. */
static long
status_of(const char *method, const char *path, const char *token, const char *json)
{
    ht_resp r;
    call(method, path, token, json, &r);
    long s = r.status;
    ht_resp_free(&r);
    return s;
}

static void
expect(const char *method, const char *path, const char *token, const char *json, long status,
       const char *code)
{
    ht_resp r;
    call(method, path, token, json, &r);
    if (code != NULL)
        ht_assert_problem(&r, status, code);
    else
        ck_assert_msg(r.status == status, "%s %s: %ld %s", method, path, r.status, r.body);
    ht_resp_free(&r);
}

static long long
post_id(const char *path, const char *token, const char *json)
{
    ht_resp r;
    call("POST", path, token, json, &r);
    ck_assert_msg(r.status == 201, "POST %s: %ld %s", path, r.status, r.body);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    ht_resp_free(&r);
    return id;
}

static db_conn *
dbc(void)
{
    static db_conn *c;
    if (c == NULL) {
        app_err err = {0};
        c = db_conn_open(getenv("XUEJI_TEST_DATABASE_URL"), &err);
        ck_assert_msg(db_conn_ok(c), "connect: %s", err.detail);
    }
    return c;
}

/* An account with password PW and no change required. */
static void
add_user(const char *name, const char *role, const char *org, const char *staff, long long college)
{
    static char hash[CORE_PWHASH_LEN];
    if (hash[0] == '\0')
        ck_assert_int_eq(core_pwhash(PW, hash), 0);
    db_user u = {.username = name,
                 .display_name = name,
                 .role = role,
                 .org = org,
                 .staff_role = staff,
                 .college = college,
                 .password_hash = hash};
    long long id;
    app_err err = {0};
    int rc = db_user_insert(dbc(), &u, &id, &err);
    ck_assert_msg(rc == 0 || rc == APP_ECONFLICT, "insert %s: %s", name, err.detail);
}

static void
login(const char *name, const char *password, char out[1024])
{
    ht_resp r;
    call("POST", "/api/v1/auth/login", NULL,
         fmt("{\"username\":\"%s\",\"password\":\"%s\"}", name, password), &r);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", name, r.status, r.body);
    snprintf(out, 1024, "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
}

/* A valid resident ID number born 2007-MM-DD, male (GB 11643 check digit). */
static const char *
id_number(int n)
{
    static char buf[4][19];
    static int k;
    char *s = buf[k++ % 4];
    char t[48];
    snprintf(t, sizeof(t), "41010220070%d%02d%03d", (1 + n / 28 % 9) % 10, (1 + n % 28) % 100,
             (11 + 2 * n % 900) % 1000);
    memcpy(s, t, 17);
    static const int w[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (s[i] - '0') * w[i];
    s[17] = "10X98765432"[sum % 11];
    s[18] = '\0';
    return s;
}

static long long
new_student(const char *no, long long class_id, int n)
{
    const char *id = id_number(n);
    return post_id(U "/uni-students", tok_section,
                   fmt("{\"student_no\":\"%s\",\"class_id\":%lld,\"name\":\"学生%s\","
                       "\"gender\":\"1\",\"birth_date\":\"2007-%.2s-%.2s\",\"ethnicity\":\"01\","
                       "\"nationality\":\"CHN\",\"id_type\":\"1\",\"id_number\":\"%s\"}",
                       no, class_id, no, id + 10, id + 12, id));
}

static void
build(void)
{
    srv = ht_shared();
    ck_assert_msg(srv != NULL, "no shared server");
    if (built)
        return;
    built = 1;
    add_user("uni_henan", "province", "410000", NULL, 0);
    login("uni_henan", PW, tok_henan);
    expect("POST", "/api/v1/schools", tok_henan,
           "{\"code\":\"" UNI "\",\"name\":\"中原理工大学\",\"county\":\"410102\","
           "\"authority\":\"410000\"}",
           201, NULL);
    add_user("uni_section", "school", UNI, "registrar_section", 0);
    login("uni_section", PW, tok_section);
    college1 = post_id(U "/colleges", tok_section, "{\"code\":\"01\",\"name\":\"数学学院\"}");
    college2 = post_id(U "/colleges", tok_section,
                       "{\"code\":\"09\",\"name\":\"体育学院\",\"is_pe\":true}");
    major1 = post_id(U "/majors", tok_section,
                     fmt("{\"college\":%lld,\"code\":\"070101\",\"name\":\"数学与应用数学\","
                         "\"level\":\"undergraduate\",\"years\":4}",
                         college1));
    major2 = post_id(U "/majors", tok_section,
                     fmt("{\"college\":%lld,\"code\":\"040201\",\"name\":\"体育教育\","
                         "\"level\":\"undergraduate\",\"years\":4}",
                         college2));
    class1 = post_id(U "/uni-classes", tok_section,
                     fmt("{\"major\":%lld,\"cohort\":2025,\"number\":1}", major1));
    class2 = post_id(U "/uni-classes", tok_section,
                     fmt("{\"major\":%lld,\"cohort\":2025,\"number\":1}", major2));
    stu_a = new_student("20250101", class1, 1);
    stu_b = new_student("20250102", class1, 2);
    stu_c = new_student("20259001", class2, 3);
}

/* ---- structure ---- */

START_TEST(test_structure)
{
    ht_resp r;
    call("GET", U "/colleges", tok_section, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 2);
    ht_resp_free(&r);
    /* one PE college per university */
    expect("POST", U "/colleges", tok_section,
           "{\"code\":\"10\",\"name\":\"体育二院\",\"is_pe\":true}", 409, "pe_college_exists");
    expect("POST", U "/colleges", tok_section, "{\"code\":\"01\",\"name\":\"重复学院\"}", 409,
           "college_exists");
    expect("POST", U "/colleges", tok_section, "{\"code\":\"0-1\",\"name\":\"坏代码\"}", 422,
           "invalid_college_code");
    expect(
        "POST", U "/majors", tok_section,
        "{\"college\":999999,\"code\":\"0801\",\"name\":\"无院专业\",\"level\":\"undergraduate\","
        "\"years\":4}",
        422, "college_not_found");
    expect("POST", U "/majors", tok_section,
           fmt("{\"college\":%lld,\"code\":\"0802\",\"name\":\"x\",\"level\":\"master\","
               "\"years\":4}",
               college1),
           422, "invalid_level");
    expect("POST", U "/uni-classes", tok_section,
           fmt("{\"major\":%lld,\"cohort\":2025,\"number\":1}", major1), 409, "class_exists");
    /* the default name: major + cohort + number */
    call("GET", fmt(U "/uni-classes?major=%lld", major1), tok_section, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    json_t *k = json_array_get(json_object_get(r.json, "items"), 0);
    ck_assert_str_eq(ht_json_str(k, "name"), "数学与应用数学2501班");
    ck_assert_int_eq(json_integer_value(json_object_get(k, "college")), college1);
    ht_resp_free(&r);
    call("GET", U "/cohorts", tok_section, NULL, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_array_get(json_object_get(r.json, "items"), 0), "year")),
                     2025);
    ht_resp_free(&r);
    /* K-12 classes do not fit a university; a K-12 school has no colleges */
    expect("POST", U "/classes", tok_section, "{\"grade\":\"31\",\"number\":1}", 403, NULL);
    expect("POST", U "/classes", tok_henan, "{\"grade\":\"31\",\"number\":1}", 422,
           "grade_not_in_school");
    /* only its registrar section and the bureaus above manage the structure */
    char tok_reg[1024];
    add_user("uni_reghead", "school", UNI, "registrar_head", 0);
    login("uni_reghead", PW, tok_reg);
    expect("POST", U "/colleges", tok_reg, "{\"code\":\"20\",\"name\":\"文学院\"}", 403,
           "forbidden");
    expect("POST", U "/colleges", tok_henan, "{\"code\":\"20\",\"name\":\"文学院\"}", 201, NULL);
}
END_TEST

/* ---- students sign in ---- */

static void
student_account(const char *no, char token[1024])
{
    ht_resp r;
    call("POST", fmt(U "/uni-students/%s/account", no), tok_section, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "username"), no);
    ck_assert_str_eq(ht_json_str(r.json, "role"), "student");
    char otp[64];
    snprintf(otp, sizeof(otp), "%s", ht_json_str(r.json, "one_time_password"));
    ht_resp_free(&r);
    expect("POST", fmt(U "/uni-students/%s/account", no), tok_section, NULL, 409, "account_exists");
    char first[1024];
    login(no, otp, first);
    expect("GET", "/api/v1/me", first, NULL, 403, "password_change_required");
    call("PUT", "/api/v1/me/password", first,
         fmt("{\"old_password\":\"%s\",\"new_password\":\"Study-Hard-2026!\"}", otp), &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    snprintf(token, 1024, "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
}

START_TEST(test_student_reads_own_record_only)
{
    char tok_a[1024];
    student_account("20250101", tok_a);
    ht_resp r;
    call("GET", "/api/v1/me", tok_a, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "role"), "student");
    json_t *st = json_object_get(r.json, "student");
    ck_assert_int_eq(json_integer_value(json_object_get(st, "id")), stu_a);
    json_t *uni = json_object_get(st, "university");
    ck_assert_str_eq(ht_json_str(uni, "student_no"), "20250101");
    ck_assert_str_eq(ht_json_str(uni, "state"), "studying");
    ck_assert_str_eq(ht_json_str(uni, "state_label"), "在读");
    ck_assert_str_eq(ht_json_str(uni, "college_name"), "数学学院");
    ck_assert_str_eq(ht_json_str(uni, "expected_graduation"), "2029-07-01");
    /* the ID number is masked */
    ck_assert_ptr_null(strstr(r.body, id_number(1)));
    ht_resp_free(&r);

    expect("GET", fmt("/api/v1/students/%lld", stu_a), tok_a, NULL, 200, NULL);
    /* another student, of the same class or another college, or none: 404 alike */
    expect("GET", fmt("/api/v1/students/%lld", stu_b), tok_a, NULL, 404, "student_not_found");
    expect("GET", fmt("/api/v1/students/%lld", stu_c), tok_a, NULL, 404, "student_not_found");
    expect("GET", "/api/v1/students/99999999", tok_a, NULL, 404, "student_not_found");
    expect("GET", fmt("/api/v1/students/%lld?reveal=id_number", stu_a), tok_a, NULL, 404, NULL);
    expect("GET", U "/uni-students/20250102", tok_a, NULL, 404, "student_not_found");
    expect("GET", U "/uni-students/20250101", tok_a, NULL, 200, NULL); /* their own */
    expect("GET", U "/uni-students", tok_a, NULL, 403, "forbidden");
    /* a student changes nothing: not their record, not the structure */
    expect("PATCH", fmt("/api/v1/students/%lld", stu_a), tok_a, "{\"name\":\"改名\"}", 403, NULL);
    expect("POST", U "/colleges", tok_a, "{\"code\":\"30\",\"name\":\"学生学院\"}", 403, NULL);
    ck_assert_int_eq(status_of("GET", "/api/v1/users", tok_a, NULL), 403);
    ck_assert_int_eq(status_of("GET", "/api/v1/requests", tok_a, NULL) / 100, 4);
    /* their own requests: none yet */
    call("GET", "/api/v1/me/requests", tok_a, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    ht_resp_free(&r);
    expect("GET", "/api/v1/me/requests", tok_section, NULL, 403, "forbidden");
}
END_TEST

START_TEST(test_student_create_rules)
{
    /* the same person twice: 一人一籍 */
    const char *id = id_number(1);
    expect("POST", U "/uni-students", tok_section,
           fmt("{\"student_no\":\"20250199\",\"class_id\":%lld,\"name\":\"重复\",\"gender\":\"1\","
               "\"birth_date\":\"2007-%.2s-%.2s\",\"ethnicity\":\"01\",\"nationality\":\"CHN\","
               "\"id_type\":\"1\",\"id_number\":\"%s\"}",
               class1, id + 10, id + 12, id),
           409, "duplicate_enrolled");
    const char *id9 = id_number(9);
    expect("POST", U "/uni-students", tok_section,
           fmt("{\"student_no\":\"20250101\",\"class_id\":%lld,\"name\":\"同号\",\"gender\":\"1\","
               "\"birth_date\":\"2007-%.2s-%.2s\",\"ethnicity\":\"01\",\"nationality\":\"CHN\","
               "\"id_type\":\"1\",\"id_number\":\"%s\"}",
               class1, id9 + 10, id9 + 12, id9),
           409, "student_no_taken");
    expect("POST", U "/uni-students", tok_section,
           "{\"student_no\":\"x\",\"class_id\":1,\"name\":\"坏\"}", 422, NULL);
    /* only the registrar section */
    char tok_dean[1024];
    add_user("uni_dean1", "school", UNI, "dean", college1);
    login("uni_dean1", PW, tok_dean);
    expect("POST", U "/uni-students", tok_dean,
           fmt("{\"student_no\":\"20250150\",\"class_id\":%lld,\"name\":\"院长录\"}", class1), 403,
           "forbidden");
    /* not a university: 404 */
    expect("GET", "/api/v1/schools/4101020001/colleges", tok_henan, NULL, 404, NULL);
}
END_TEST

/* ---- offices scoped by college ---- */

START_TEST(test_college_scope)
{
    char tok_vd[1024], tok_head[1024];
    add_user("uni_vd1", "school", UNI, "teaching_vice_dean", college1);
    add_user("uni_head", "school", UNI, "registrar_head", 0);
    login("uni_vd1", PW, tok_vd);
    login("uni_head", PW, tok_head);
    /* the vice-dean of college 1 sees its students, not college 2's */
    expect("GET", U "/uni-students/20250101", tok_vd, NULL, 200, NULL);
    expect("GET", U "/uni-students/20259001", tok_vd, NULL, 404, "student_not_found");
    expect("GET", fmt("/api/v1/students/%lld", stu_b), tok_vd, NULL, 200, NULL);
    expect("GET", fmt("/api/v1/students/%lld", stu_c), tok_vd, NULL, 404, "student_not_found");
    ht_resp r;
    call("GET", U "/uni-students", tok_vd, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 2);
    for (size_t i = 0; i < json_array_size(items); i++)
        ck_assert_int_eq(json_integer_value(json_object_get(
                             json_object_get(json_array_get(items, i), "university"), "college")),
                         college1);
    ht_resp_free(&r);
    call("GET", fmt(U "/uni-students?college=%lld", college2), tok_vd, NULL, &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    ht_resp_free(&r);
    /* a university-wide office sees every college */
    expect("GET", U "/uni-students/20259001", tok_head, NULL, 200, NULL);
    call("GET", U "/uni-students", tok_head, NULL, &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 3);
    ht_resp_free(&r);
    /* the token carries the college */
    call("GET", "/api/v1/me", tok_vd, NULL, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "college")), college1);
    ck_assert_str_eq(ht_json_str(r.json, "staff_role"), "teaching_vice_dean");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_staff_accounts)
{
    /* the registrar section creates the university's offices */
    ht_resp r;
    call(
        "POST", "/api/v1/users", tok_section,
        fmt("{\"username\":\"uni_office1\",\"display_name\":\"数学学院教务办\",\"role\":\"school\","
            "\"org\":\"" UNI "\",\"staff_role\":\"college_office\",\"college\":%lld}",
            college1),
        &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "college")), college1);
    ht_resp_free(&r);
    expect("POST", "/api/v1/users", tok_section,
           "{\"username\":\"uni_office2\",\"display_name\":\"x\",\"role\":\"school\","
           "\"org\":\"" UNI "\",\"staff_role\":\"college_office\"}",
           422, "missing_field");
    expect("POST", "/api/v1/users", tok_section,
           "{\"username\":\"uni_office3\",\"display_name\":\"x\",\"role\":\"school\","
           "\"org\":\"" UNI "\",\"staff_role\":\"dean\",\"college\":999999}",
           422, "college_not_found");
    expect("POST", "/api/v1/users", tok_section,
           "{\"username\":\"uni_office4\",\"display_name\":\"x\",\"role\":\"school\","
           "\"org\":\"" UNI "\",\"staff_role\":\"registrar_head\",\"college\":1}",
           422, "invalid_college");
    /* a K-12 role at a university, a university office at a K-12 school */
    expect("POST", "/api/v1/users", tok_section,
           "{\"username\":\"uni_office5\",\"display_name\":\"x\",\"role\":\"school\","
           "\"org\":\"" UNI "\",\"staff_role\":\"head_teacher\",\"classes\":[1]}",
           422, NULL);
    expect("POST", "/api/v1/users", tok_henan,
           "{\"username\":\"uni_office6\",\"display_name\":\"x\",\"role\":\"school\","
           "\"org\":\"" UNI "\",\"staff_role\":\"registrar\"}",
           422, "invalid_staff_role");
    expect("POST", "/api/v1/users", tok_henan,
           "{\"username\":\"uni_office7\",\"display_name\":\"x\",\"role\":\"school\","
           "\"org\":\"" UNI "\",\"staff_role\":\"registrar_section\"}",
           201, NULL);
}
END_TEST

/* ---- accounts for a class at once (after an import, say) ---- */

START_TEST(test_class_accounts)
{
    long long k = post_id(U "/uni-classes", tok_section,
                          fmt("{\"major\":%lld,\"cohort\":2026,\"number\":3}", major1));
    new_student("20260301", k, 11);
    new_student("20260302", k, 12);
    ht_resp r;
    call("POST", fmt(U "/uni-classes/%lld/accounts", k), tok_section, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "created")), 2);
    json_t *first = json_array_get(json_object_get(r.json, "items"), 0);
    char otp[64];
    snprintf(otp, sizeof(otp), "%s", ht_json_str(first, "one_time_password"));
    ck_assert_str_eq(ht_json_str(first, "username"), "20260301");
    ht_resp_free(&r);
    char tok[1024];
    login("20260301", otp, tok);
    /* again: nobody new, both listed as skipped */
    call("POST", fmt(U "/uni-classes/%lld/accounts", k), tok_section, NULL, &r);
    ck_assert_int_eq(r.status, 201);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "created")), 0);
    ck_assert(json_is_true(
        json_object_get(json_array_get(json_object_get(r.json, "items"), 1), "skipped")));
    ht_resp_free(&r);
    expect("POST", fmt(U "/uni-classes/%lld/accounts", k), tok_henan, NULL, 403, "forbidden");
    expect("POST", U "/uni-classes/99999999/accounts", tok_section, NULL, 422, "class_not_found");
}
END_TEST

/* ---- the teaching calendar ---- */

START_TEST(test_calendar)
{
    ht_resp r;
    call("PUT", U "/calendar/2026-1", tok_section, "{\"first_day\":\"2026-09-09\",\"weeks\":20}",
         &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "first_day"), "2026-09-09");
    ht_resp_free(&r);
    expect("PUT", U "/calendar/2026-2", tok_section, "{\"first_day\":\"2026-09-09\"}", 422,
           "invalid_date");
    expect("PUT", U "/calendar/2026-3", tok_section, "{\"first_day\":\"2027-02-22\"}", 422,
           "invalid_term");
    expect("PUT", U "/calendar/2026-2", tok_section, "{\"first_day\":\"2027-02-22\",\"weeks\":31}",
           422, "invalid_weeks");
    expect("PUT", U "/calendar/2026-2", tok_henan, "{\"first_day\":\"2027-02-22\"}", 403,
           "forbidden");
    call("GET", U "/calendar", tok_section, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "terms")), 1);
    /* whatever today is: its week follows core_teaching_week (tests/unit/uni_test.c) */
    const char *today = ht_json_str(r.json, "today");
    ck_assert_ptr_nonnull(today);
    if (strcmp(today, "2026-09-09") >= 0) {
        ck_assert_str_eq(ht_json_str(r.json, "current_term"), "2026-1");
        ck_assert(json_integer_value(json_object_get(r.json, "teaching_week")) >= 1);
    }
    ht_resp_free(&r);
    /* everyone who sees the university reads it */
    expect("GET", U "/calendar", tok_henan, NULL, 200, NULL);
}
END_TEST

START_TEST(test_shared_servers_exited_cleanly)
{
    ht_assert_shared_exits();
}
END_TEST

int
main(void)
{
    ht_global_init();
    Suite *s = suite_create("uni");
    TCase *tc = tcase_create("uni");
    tcase_add_unchecked_fixture(tc, ht_shared_start, NULL);
    tcase_add_checked_fixture(tc, build, NULL);
    tcase_set_timeout(tc, ht_timeout(60));
    tcase_add_test(tc, test_structure);
    tcase_add_test(tc, test_student_reads_own_record_only);
    tcase_add_test(tc, test_student_create_rules);
    tcase_add_test(tc, test_college_scope);
    tcase_add_test(tc, test_staff_accounts);
    tcase_add_test(tc, test_calendar);
    tcase_add_test(tc, test_class_accounts);
    suite_add_tcase(s, tc);
    tc = tcase_create("clean-exit");
    tcase_add_unchecked_fixture(tc, ht_shared_stop, NULL);
    tcase_add_test(tc, test_shared_servers_exited_cleanly);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}
