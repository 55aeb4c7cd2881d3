/*
 * tests/http/notice_test.c - GET /requests/{id}/notice.pdf (issue 16): the
 * 休学通知单 of an applied uni_suspend and the 调整年级通知单 of an applied
 * cohort_change, one A4 page with ink, read back with poppler (pdftoppm,
 * pdftotext) for the title, the 学号 and the dates; who may read it (the
 * student their own, the university's offices that see the request, the
 * province above it; another student 404); a request of another type or
 * not (or no longer) applied 409. World: tests/http/uniflow_world.h.
 */
#include "tests/http/uniflow_world.h"

#include <unistd.h>

#define SUSPEND_PERSONAL                                                                           \
    "{\"reason_kind\":\"personal\",\"reason\":\"家庭原因\",\"start_date\":\"2027-03-01\","     \
    "\"end_date\":\"2027-08-31\"}"

static void
notice_get(const char *token, long long rid, ht_resp *r)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/notice.pdf", rid);
    ucall(token, "GET", path, NULL, r);
}

static void
notice_fails(const char *token, long long rid, long status, const char *code)
{
    ht_resp r;
    notice_get(token, rid, &r);
    ht_assert_problem(&r, status, code);
    ht_resp_free(&r);
}

/* Output of a shell command (malloc'd). */
static char *
run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    size_t k;
    while ((k = fread(out + n, 1, cap - n - 1, p)) > 0) {
        n += k;
        if (n + 1 == cap)
            out = realloc(out, cap *= 2);
    }
    out[n] = '\0';
    ck_assert_int_eq(pclose(p), 0);
    return out;
}

/* The notice as `token` reads it, checked to be one A4 page with ink; its text (malloc'd). */
static char *
notice_text(const char *token, long long rid)
{
    ht_resp r;
    notice_get(token, rid, &r);
    ck_assert_msg(r.status == 200, "notice %lld: %ld %s", rid, r.status, r.body);
    ck_assert_str_eq(ht_header(&r, "content-type"), "application/pdf");
    char pdf[128], cmd[512];
    snprintf(pdf, sizeof(pdf), "/tmp/xueji-notice-%d-%lld.pdf", (int)getpid(), rid);
    FILE *f = fopen(pdf, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(r.body, 1, r.len, f), r.len);
    fclose(f);
    ht_resp_free(&r);
    /* pages and size: pdfinfo's "Pages: 1", "Page size: 595.276 x 841.89 pts (A4)" */
    snprintf(cmd, sizeof(cmd), "pdfinfo %s", pdf);
    char *info = run(cmd);
    const char *pg = strstr(info, "Pages:");
    ck_assert_msg(pg != NULL && atoi(pg + 6) == 1, "%s", info);
    ck_assert_msg(strstr(info, "(A4)") != NULL, "%s", info);
    free(info);
    /* not blank: the page at 20 dpi has dark pixels */
    snprintf(cmd, sizeof(cmd), "pdftoppm -r 20 -gray -singlefile %s %s && cat %s.pgm", pdf, pdf,
             pdf);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    int w = 0, h = 0, max = 0;
    ck_assert_int_eq(fscanf(p, "P5 %d %d %d", &w, &h, &max), 3);
    fgetc(p);
    long dark = 0;
    for (long i = 0; i < (long)w * h; i++)
        dark += fgetc(p) < 160;
    pclose(p);
    ck_assert_msg(dark > 200, "only %ld dark pixels", dark);
    snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 %s - && rm -f %s %s.pgm", pdf, pdf, pdf);
    return run(cmd);
}

static void
assert_has(const char *text, const char *want)
{
    ck_assert_msg(strstr(text, want) != NULL, "no \"%s\" in:\n%s", want, text);
}

START_TEST(test_suspend_notice)
{
    ustu s, t;
    ustudent(&s, "UF0101", 2025);
    ustudent(&t, "UF0101", 2025);
    long long rid = ustart_ok(&s, "uni_suspend", SUSPEND_PERSONAL, uupload(s.token));
    /* open: nothing to print yet */
    notice_fails(s.token, rid, 409, "request_not_applied");
    uact_fails(uf_tokens[RH], rid, "approve", 1, 403, "not_step_holder");
    uact_ok(uf_tokens[VD1], rid, "approve", 1, "open");
    notice_fails(uf_tokens[RH], rid, 409, "request_not_applied");
    uact_ok(uf_tokens[RH], rid, "approve", 2, "approved");
    ck_assert_str_eq(ureq_state(rid), "approved:0");
    ck_assert_str_eq(ucol(s.id, "state"), "suspended");
    ck_assert_str_eq(ucol(s.id, "major"), umajor_id("UF0101"));
    /* approved at 01:30 in China: the notice is dated that day, not the UTC one */
    uval("UPDATE request_step SET decided_at = '2027-03-01T17:30:00Z' WHERE request_id = %lld",
         rid);
    char *text = notice_text(s.token, rid);
    assert_has(text, "休学通知单");
    assert_has(text, "流程测试大学");
    assert_has(text, s.user); /* the 学号 */
    assert_has(text, "流程学生");
    assert_has(text, "计算机学院");
    assert_has(text, "软件工程");
    assert_has(text, "2027-03-01");
    assert_has(text, "2027-08-31");
    assert_has(text, "家庭原因");
    assert_has(text, "计算机学院教学院长");
    assert_has(text, "教务处处长");
    assert_has(text, "盖章");
    assert_has(text, "日期：2027-03-02");
    assert_has(text, "2027年03月02日");
    free(text);
    /* the offices that see it and the province above the university */
    free(notice_text(uf_tokens[RH], rid));
    free(notice_text(uf_tokens[VD1], rid));
    free(notice_text(uf_tokens[PROV], rid));
    /* another student, another college's office: as if it did not exist */
    notice_fails(t.token, rid, 404, "request_not_found");
    notice_fails(uf_tokens[VD2], rid, 404, "request_not_found");
    notice_fails(s.token, 999999999, 404, "request_not_found");
    notice_fails(s.token, 0, 404, "request_not_found");
}
END_TEST

/* 因病休学 with its certificate: the reason kind on the notice */
START_TEST(test_illness_notice)
{
    ustu s;
    ustudent(&s, "UF0102", 2025);
    long long ev = uupload(s.token);
    long long rid = ustart_ok(&s, "uni_suspend",
                              "{\"reason_kind\":\"illness\",\"hospital\":\"campus\","
                              "\"reason\":\"肺炎住院\",\"start_date\":\"2027-03-01\","
                              "\"end_date\":\"2028-02-28\"}",
                              ev);
    uact_ok(uf_tokens[VD1], rid, "approve", 1, "open");
    uact_ok(uf_tokens[RH], rid, "approve", 2, "approved");
    char *text = notice_text(s.token, rid);
    assert_has(text, "因病休学");
    assert_has(text, "网络工程");
    assert_has(text, "2028-02-28");
    assert_has(text, "复查");
    free(text);
}
END_TEST

START_TEST(test_cohort_notice)
{
    ustu s;
    ustudent(&s, "UF0101", 2025);
    long long rid = ustart_ok(&s, "cohort_change", "{\"reason\":\"随下届学习\"}", 0);
    uact_ok(uf_tokens[RH], rid, "approve", 1, "approved");
    char *text = notice_text(s.token, rid);
    assert_has(text, "调整年级通知单");
    assert_has(text, s.user);
    assert_has(text, "2025级");
    assert_has(text, "2026级");
    assert_has(text, "UF0101-2026"); /* the class joined */
    /* the notice's date: the day it was applied (the registry's 2027-03-02) */
    assert_has(text, "2027-03-02");
    assert_has(text, "2027年03月02日");
    free(text);
    free(notice_text(uf_tokens[PROV], rid));
    /* reverted: the notice is revoked */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    ht_resp r;
    ucall(uf_tokens[PROV], "POST", path, "{}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    notice_fails(s.token, rid, 409, "request_not_applied");
}
END_TEST

START_TEST(test_other_types_have_none)
{
    ustu s;
    ustudent(&s, "UF0101", 2025);
    /* a university request of another type */
    long long rid = ustart_ok(&s, "uni_withdraw", "{\"reason\":\"x\"}", 0);
    notice_fails(s.token, rid, 409, "request_has_no_notice");
    uact_ok(s.token, rid, "withdraw", 0, "withdrawn");
    /* a K-12 request (an approved registration) about the same record */
    long long k12 = atoll(uval("INSERT INTO request (type, state, student_id, school, province,"
                               " payload, started_org, applied) VALUES ('registration',"
                               " 'approved', %lld, '" UNIV "', '410000', '{}', '" UNIV "', '{}')"
                               " RETURNING id",
                               s.id));
    notice_fails(uf_tokens[PROV], k12, 409, "request_has_no_notice");
    notice_fails(s.token, k12, 409, "request_has_no_notice");
}
END_TEST

static Suite *
notice_suite(void)
{
    Suite *s = suite_create("notice");
    TCase *tc = tcase_create("notice");
    tcase_add_unchecked_fixture(tc, uworld, NULL);
    tcase_add_checked_fixture(tc, uuse, uclose);
    tcase_set_timeout(tc, ht_timeout(30));
    tcase_add_test(tc, test_suspend_notice);
    tcase_add_test(tc, test_illness_notice);
    tcase_add_test(tc, test_cohort_notice);
    tcase_add_test(tc, test_other_types_have_none);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(notice_suite(), uclose);
}
