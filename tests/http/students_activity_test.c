/*
 * tests/http/students_activity_test.c - the student registry over HTTP: history, look-up,
 * check-ins, photos, the change feed, reading a request. The world and helpers:
 * tests/http/students_world.h.
 */
#include "tests/http/students_world.h"

/* ------------------------------------------------------------ history */

/* The timeline: registration, edits with old/new values, PII named only (rule 27). */
START_TEST(test_history)
{
    char name[64], path[128];
    stu s;
    prefix("周", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    approve(ZHONGYUAN, &s);
    ht_resp r;
    student_path(&s, "", path, sizeof(path));
    get(path, REG_A, &r);
    int v = (int)jint(r.json, "version");
    ht_resp_free(&r);
    char tag[16];
    snprintf(tag, sizeof(tag), "\"%d\"", v);
    patch(&s, REG_A, "{\"current_address\":\"郑州市中原区伏牛路3号\"}", tag, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    snprintf(tag, sizeof(tag), "\"%d\"", v + 1);
    patch(&s, REG_A, "{\"phone\":\"13612345678\"}", tag, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);

    student_path(&s, "/history", path, sizeof(path));
    get(path, REG_A, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_uint_ge(json_array_size(items), 3);
    json_t *first = json_array_get(items, 0);
    ck_assert_str_eq(ht_json_str(first, "kind"), "registered");
    ck_assert_int_eq(jint(first, "request"), s.request);
    ck_assert_str_eq(ht_json_str(first, "school"), SCH_A);
    /* ascending ids; then the address edit, then the phone edit */
    int addr = -1, phone = -1;
    long long last = 0;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        ck_assert_int_gt(jint(it, "id"), last);
        last = jint(it, "id");
        if (strcmp(ht_json_str(it, "kind"), "edited") != 0)
            continue;
        json_t *ch = json_array_get(json_object_get(it, "changes"), 0);
        ck_assert_uint_eq(json_array_size(json_object_get(it, "changes")), 1);
        if (strcmp(ht_json_str(ch, "field"), "/current_address") == 0) {
            addr = (int)i;
            ck_assert_str_eq(ht_json_str(ch, "old"), "郑州市中原区建设路1号");
            ck_assert_str_eq(ht_json_str(ch, "new"), "郑州市中原区伏牛路3号");
        } else if (strcmp(ht_json_str(ch, "field"), "/phone") == 0) {
            phone = (int)i;
            ck_assert(json_is_true(json_object_get(ch, "pii")));
            ck_assert_ptr_null(json_object_get(ch, "old"));
            ck_assert_ptr_null(json_object_get(ch, "new"));
        }
    }
    ck_assert_msg(addr > 0 && phone > addr, "edits at %d and %d: %s", addr, phone, r.body);
    /* no plaintext digits anywhere: not the old phone, not the new one, not the ID */
    ck_assert_ptr_null(strstr(r.body, s.phone));
    ck_assert_ptr_null(strstr(r.body, "13612345678"));
    ck_assert_ptr_null(strstr(r.body, s.id_number));
    ck_assert_ptr_null(strstr(r.body, s.fphone));
    /* the requests: the registration, approved */
    json_t *reqs = json_object_get(r.json, "requests");
    int found = 0;
    json_array_foreach(reqs, i, it)
    {
        if (jint(it, "id") == s.request) {
            found = 1;
            ck_assert_str_eq(ht_json_str(it, "type"), "registration");
            ck_assert_str_eq(ht_json_str(it, "state"), "approved");
        }
    }
    ck_assert_msg(found, "no registration request in %s", r.body);
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    ht_resp_free(&r);

    /* outside the jurisdiction: 404, as for the record */
    get(path, JIANGAN, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    get("/api/v1/students/abc/history", REG_A, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ look-up */

static void
lookup(enum actor who, const char *body, ht_resp *r)
{
    call("POST", "/api/v1/students/lookup", as(who), body, NULL, r);
}

/* Rule 11 and 22: does a document hold an active record? Masked outside (rule 26). */
START_TEST(test_lookup)
{
    char name[64], body[256];
    stu s;
    prefix("吴", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    ht_resp r;

    /* inside: who and where */
    snprintf(body, sizeof(body), "{\"id_type\":\"1\",\"id_number\":\"%s\"}", s.id_number);
    lookup(REG_A, body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_true(json_object_get(r.json, "found")));
    ck_assert(json_is_true(json_object_get(r.json, "within_jurisdiction")));
    ck_assert_int_eq(jint(r.json, "student"), s.id);
    ck_assert_str_eq(ht_json_str(r.json, "school"), SCH_A);
    ck_assert_ptr_null(strstr(r.body, s.id_number));
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit WHERE action = 'student.lookup' AND request_id = '%s'",
             ht_header(&r, "x-request-id"));
    ck_assert_int_eq(scalar(sql), 1);
    ht_resp_free(&r);
    lookup(ZHONGYUAN, body, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert(json_is_true(json_object_get(r.json, "within_jurisdiction")));
    ck_assert_int_eq(jint(r.json, "student"), s.id);
    ht_resp_free(&r);

    /* outside (another county's school, another province): only the county's name */
    static const enum actor outside[] = {REG_B, JIANGAN, JINSHUI};
    for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        lookup(outside[i], body, &r);
        ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
        ck_assert(json_is_true(json_object_get(r.json, "found")));
        ck_assert(json_is_false(json_object_get(r.json, "within_jurisdiction")));
        ck_assert_ptr_null(json_object_get(r.json, "student"));
        ck_assert_ptr_null(json_object_get(r.json, "name"));
        ck_assert_ptr_null(json_object_get(r.json, "school"));
        ck_assert_ptr_null(json_object_get(r.json, "student_number"));
        ck_assert_str_eq(ht_json_str(r.json, "school_name"), "中原区的一所学校");
        ck_assert_ptr_null(strstr(r.body, SCH_A));
        ck_assert_ptr_null(strstr(r.body, s.name));
        ck_assert_ptr_null(strstr(r.body, "学籍测试中原小学"));
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM audit WHERE action = 'student.lookup'"
                 " AND request_id = '%s' AND target_id IS NULL",
                 ht_header(&r, "x-request-id"));
        ck_assert_int_eq(scalar(sql), 1);
        ht_resp_free(&r);
    }

    /* a number nobody holds (another county's area code) */
    char free_id[19];
    make_id("410103", 20080101 + uniq() % 28, uniq() % 1000, free_id);
    snprintf(body, sizeof(body), "{\"id_type\":\"1\",\"id_number\":\"%s\"}", free_id);
    lookup(REG_A, body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_false(json_object_get(r.json, "found")));
    ck_assert_ptr_null(json_object_get(r.json, "student"));
    ht_resp_free(&r);

    /* a wrong check digit; an unknown member; a missing one */
    char bad[19];
    snprintf(bad, sizeof(bad), "%s", s.id_number);
    bad[17] = bad[17] == '0' ? '1' : '0';
    snprintf(body, sizeof(body), "{\"id_type\":\"1\",\"id_number\":\"%s\"}", bad);
    lookup(REG_A, body, &r);
    ht_assert_problem(&r, 422, "invalid_id_number");
    ck_assert(has_error(&r, "/id_number", "invalid_id_number"));
    ck_assert_ptr_null(strstr(r.body, bad));
    ht_resp_free(&r);
    snprintf(body, sizeof(body), "{\"id_type\":\"1\",\"id_number\":\"%s\",\"name\":\"x\"}",
             s.id_number);
    lookup(REG_A, body, &r);
    ht_assert_problem(&r, 422, "unknown_field");
    ck_assert(has_error(&r, "/name", "unknown_field"));
    ht_resp_free(&r);
    lookup(REG_A, "{\"id_type\":\"1\"}", &r);
    ht_assert_problem(&r, 422, "missing_field");
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ check-ins */

static void
checkin(enum actor who, const char *school, const char *term, const stu *const *v, int n,
        ht_resp *r)
{
    char body[512], path[96];
    size_t o = (size_t)snprintf(body, sizeof(body), "{\"term\":\"%s\",\"students\":[", term);
    for (int i = 0; i < n; i++)
        o += (size_t)snprintf(body + o, sizeof(body) - o, "%s%lld", i ? "," : "", v[i]->id);
    snprintf(body + o, sizeof(body) - o, "]}");
    snprintf(path, sizeof(path), "/api/v1/schools/%s/check-ins", school);
    call("POST", path, as(who), body, NULL, r);
}

static long long
checkins_of(const stu *s, const char *term)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM checkin WHERE student_id = %lld AND term = '%s'", s->id, term);
    return scalar(sql);
}

/* Semester check-in (报到注册): enrolled students only, all or nothing. */
START_TEST(test_checkins)
{
    char pfx[64], name[80];
    stu s[4];
    prefix("郑", pfx, sizeof(pfx));
    for (int k = 0; k < 4; k++) {
        snprintf(name, sizeof(name), "%s%d", pfx, k + 1);
        register_named(REG_A, name, 13, 1, &s[k]);
    }
    for (int k = 0; k < 3; k++)
        approve(ZHONGYUAN, &s[k]); /* s[3] stays pending */
    ht_resp r;

    const stu *two[] = {&s[0], &s[1]};
    checkin(REG_A, SCH_A, "2026-1", two, 2, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "term"), "2026-1");
    ck_assert_int_eq(jint(r.json, "checked_in"), 2);
    ck_assert_int_eq(jint(r.json, "already_checked_in"), 0);
    ht_resp_free(&r);
    ck_assert_int_eq(checkins_of(&s[0], "2026-1"), 1);
    /* again: nothing new */
    checkin(REG_A, SCH_A, "2026-1", two, 2, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(jint(r.json, "checked_in"), 0);
    ck_assert_int_eq(jint(r.json, "already_checked_in"), 2);
    ht_resp_free(&r);
    /* a mix of new and done, by id and by student number */
    const stu *mix[] = {&s[0], &s[2]};
    checkin(REG_A, SCH_A, "2026-1", mix, 2, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(jint(r.json, "checked_in"), 1);
    ck_assert_int_eq(jint(r.json, "already_checked_in"), 1);
    ht_resp_free(&r);

    /* a pending student spoils the list: 422 naming it, and nothing is written */
    const stu *spoilt[] = {&s[0], &s[1], &s[3]};
    checkin(REG_A, SCH_A, "2026-2", spoilt, 3, &r);
    ht_assert_problem(&r, 422, "student_not_enrolled");
    ck_assert(has_error(&r, "/students/2", "student_not_enrolled"));
    ht_resp_free(&r);
    ck_assert_int_eq(checkins_of(&s[0], "2026-2"), 0);
    ck_assert_int_eq(checkins_of(&s[1], "2026-2"), 0);
    ck_assert_int_eq(checkins_of(&s[3], "2026-2"), 0);

    /* the term; the school: another's, or none, is 404 */
    checkin(REG_A, SCH_A, "2026-3", two, 2, &r);
    ht_assert_problem(&r, 422, "invalid_term");
    ck_assert(has_error(&r, "/term", "invalid_term"));
    ht_resp_free(&r);
    checkin(REG_A, SCH_A, "26-1", two, 2, &r);
    ht_assert_problem(&r, 422, "invalid_term");
    ht_resp_free(&r);
    checkin(REG_A, SCH_B, "2026-1", two, 2, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    checkin(REG_A, "2141019299", "2026-1", two, 2, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    checkin(REG_B, SCH_B, "2026-1", two, 2, &r); /* A's students at B: not found there */
    ht_assert_problem(&r, 422, "validation_failed");
    ck_assert(has_error(&r, "/students/0", "student_not_found"));
    ck_assert(has_error(&r, "/students/1", "student_not_found"));
    ht_resp_free(&r);
    checkin(JIANGAN, SCH_A, "2026-1", two, 2, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    ck_assert_int_eq(checkins_of(&s[0], "2026-1"), 1);
}
END_TEST

/* ------------------------------------------------------------ photos */

/* A PNG of w x h as far as formats/image.c reads it: signature, IHDR, an empty IEND,
   zero padding up to `total` (at least 45) bytes. */
static size_t
png(unsigned w, unsigned h, unsigned char *out, size_t total)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memset(out, 0, total);
    memcpy(out, sig, 8);
    unsigned char *p = out + 8;
    p[3] = 13;
    memcpy(p + 4, "IHDR", 4);
    p[8] = (unsigned char)(w >> 24);
    p[9] = (unsigned char)(w >> 16);
    p[10] = (unsigned char)(w >> 8);
    p[11] = (unsigned char)w;
    p[12] = (unsigned char)(h >> 24);
    p[13] = (unsigned char)(h >> 16);
    p[14] = (unsigned char)(h >> 8);
    p[15] = (unsigned char)h;
    p[16] = 8; /* bit depth */
    p[17] = 2; /* truecolour */
    /* compression, filter, interlace 0; CRC (not checked) */
    p[21] = 0x12;
    p[22] = 0x34;
    p[23] = 0x56;
    p[24] = 0x78;
    unsigned char *e = p + 25;
    memcpy(e + 4, "IEND", 4);
    e[8] = 0xae;
    e[9] = 0x42;
    e[10] = 0x60;
    e[11] = 0x82;
    return total;
}

static void
put_photo(const stu *s, enum actor who, const char *ctype, const unsigned char *data, size_t len,
          const char *if_match, ht_resp *r)
{
    char path[96];
    student_path(s, "/photo", path, sizeof(path));
    call_raw("PUT", path, as(who), ctype, (const char *)data, len, if_match, r);
}

/* The record's version, read by its registrar. */
static int
version_of(const stu *s)
{
    char path[96];
    ht_resp r;
    student_path(s, "", path, sizeof(path));
    get(path, REG_A, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    int v = (int)jint(r.json, "version");
    char tag[16];
    snprintf(tag, sizeof(tag), "\"%d\"", v);
    ck_assert_str_eq(ht_header(&r, "etag"), tag);
    ht_resp_free(&r);
    return v;
}

/*
 * Photos (DOMAIN §4 item 13): sniffed PNG/JPEG, at most 200 KiB, sane pixel
 * sizes. The photo is a field of the record, so a PUT takes the record's
 * If-Match and bumps its version (openapi.yaml putStudentPhoto).
 */
START_TEST(test_photo)
{
    char name[64], path[128], tag[16], stale[16];
    stu s, bare;
    prefix("冯", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    snprintf(name + strlen(name), sizeof(name) - strlen(name), "乙");
    register_named(REG_A, name, 13, 1, &bare);
    ht_resp r;
    unsigned char *buf = calloc(1, 256 * 1024);

    /* no photo yet */
    student_path(&s, "/photo", path, sizeof(path));
    get(path, REG_A, &r);
    ht_assert_problem(&r, 404, "photo_not_found");
    ht_resp_free(&r);

    /* a 120x160 PNG: If-Match required and checked like any edit */
    int v = version_of(&s);
    snprintf(tag, sizeof(tag), "\"%d\"", v);
    snprintf(stale, sizeof(stale), "\"%d\"", v - 1);
    size_t n = png(120, 160, buf, 300);
    put_photo(&s, REG_A, "image/png", buf, n, NULL, &r);
    ht_assert_problem(&r, 428, "precondition_required");
    ht_resp_free(&r);
    put_photo(&s, REG_A, "image/png", buf, n, stale, &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    get(path, REG_A, &r);
    ht_assert_problem(&r, 404, "photo_not_found"); /* nothing stored */
    ht_resp_free(&r);
    put_photo(&s, REG_A, "image/png", buf, n, tag, &r);
    ck_assert_msg(r.status == 204, "%ld %s", r.status, r.body);
    ck_assert_uint_eq(r.len, 0);
    snprintf(tag, sizeof(tag), "\"%d\"", v + 1);
    ck_assert_str_eq(ht_header(&r, "etag"), tag);
    ht_resp_free(&r);
    ck_assert_int_eq(version_of(&s), v + 1);

    /* served back byte for byte, with the sniffed type */
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(ht_header(&r, "content-type"), "image/png"));
    ck_assert_uint_eq(r.len, n);
    ck_assert(memcmp(r.body, buf, n) == 0);
    ht_resp_free(&r);
    get(path, ZHONGYUAN, &r); /* its county sees it too */
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    get(path, JIANGAN, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    /* the record links it */
    char link[96];
    student_path(&s, "", link, sizeof(link));
    get(link, REG_A, &r);
    student_path(&s, "/photo", link, sizeof(link));
    ck_assert_str_eq(ht_json_str(r.json, "photo"), link);
    ht_resp_free(&r);

    /* judged by its bytes: a PNG declared as JPEG is a PNG; a GIF or text is not a photo */
    put_photo(&s, REG_A, "image/jpeg", buf, n, tag, &r);
    ck_assert_msg(r.status == 204, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    snprintf(tag, sizeof(tag), "\"%d\"", v + 2);
    static const unsigned char gif[] = "GIF89a\x78\x00\xa0\x00\x80\x00\x00\xff\xff\xff\x00\x00"
                                       "\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00";
    put_photo(&s, REG_A, "image/gif", gif, sizeof(gif) - 1, tag, &r);
    ht_assert_problem(&r, 422, "photo_bad_format");
    ht_resp_free(&r);
    put_photo(&s, REG_A, "image/png", (const unsigned char *)"not a picture at all", 20, tag, &r);
    ht_assert_problem(&r, 422, "photo_bad_format");
    ht_resp_free(&r);
    put_photo(&s, REG_A, "image/png", (const unsigned char *)"", 0, tag, &r);
    ht_assert_problem(&r, 422, "photo_bad_format");
    ht_resp_free(&r);
    /* too large: a valid header, 200 KiB + 1 */
    n = png(120, 160, buf, 200 * 1024 + 1);
    put_photo(&s, REG_A, "image/png", buf, n, tag, &r);
    ht_assert_problem(&r, 413, "photo_too_large");
    ht_resp_free(&r);
    n = png(4000, 100, buf, 300);
    put_photo(&s, REG_A, "image/png", buf, n, tag, &r);
    ht_assert_problem(&r, 422, "photo_bad_size");
    ht_resp_free(&r);
    n = png(16, 16, buf, 300);
    put_photo(&s, REG_A, "image/png", buf, n, tag, &r);
    ht_assert_problem(&r, 422, "photo_bad_size");
    ht_resp_free(&r);
    /* refused photos changed nothing: the version and the stored bytes */
    ck_assert_int_eq(version_of(&s), v + 2);
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    n = png(120, 160, buf, 300);
    ck_assert_uint_eq(r.len, n);
    ck_assert(memcmp(r.body, buf, n) == 0);
    ht_resp_free(&r);

    /* who may: the school, not a bureau; nobody outside */
    put_photo(&s, ZHONGYUAN, "image/png", buf, n, tag, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    put_photo(&s, REG_B, "image/png", buf, n, tag, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);

    /* another student has none */
    student_path(&bare, "/photo", path, sizeof(path));
    get(path, REG_A, &r);
    ht_assert_problem(&r, 404, "photo_not_found");
    ht_resp_free(&r);
    get("/api/v1/students/999999999999/photo", REG_A, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    free(buf);
}
END_TEST

/* ------------------------------------------------------------ events */

typedef struct ev {
    long long id, student, request;
    char type[48], school[11];
} ev;

/* GET /events?after= as `who`, every page (limit 500); the last cursor. */
static int
events(enum actor who, long long after, ev *out, int cap, long long *out_cursor, char **out_body)
{
    int n = 0;
    long long cur = after;
    size_t blen = 0;
    char *body = calloc(1, 1);
    for (;;) {
        char path[96];
        snprintf(path, sizeof(path), "/api/v1/events?after=%lld&limit=500", cur);
        ht_resp r;
        get(path, who, &r);
        ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
        body = realloc(body, blen + r.len + 1);
        memcpy(body + blen, r.body, r.len + 1);
        blen += r.len;
        json_t *items = json_object_get(r.json, "items");
        size_t i;
        json_t *it;
        long long prev = cur;
        json_array_foreach(items, i, it)
        {
            long long id = atoll(ht_json_str(it, "id"));
            ck_assert_msg(id > prev, "event ids not ascending: %lld after %lld", id, prev);
            prev = id;
            if (n < cap) {
                ev *e = &out[n++];
                memset(e, 0, sizeof(*e));
                e->id = id;
                json_t *st = json_object_get(it, "student"), *rq = json_object_get(it, "request");
                e->student = json_is_integer(st) ? json_integer_value(st) : 0;
                e->request = json_is_integer(rq) ? json_integer_value(rq) : 0;
                snprintf(e->type, sizeof(e->type), "%s", ht_json_str(it, "type"));
                const char *sc = ht_json_str(it, "school");
                snprintf(e->school, sizeof(e->school), "%s", sc ? sc : "");
            }
        }
        long long next = atoll(ht_json_str(r.json, "next_cursor"));
        size_t got = json_array_size(items);
        ht_resp_free(&r);
        if (got == 0) {
            ck_assert_int_eq(next, cur); /* an empty page keeps the caller's place */
            break;
        }
        ck_assert_int_eq(next, prev);
        cur = next;
    }
    if (out_cursor)
        *out_cursor = cur;
    if (out_body)
        *out_body = body;
    else
        free(body);
    return n;
}

static int
find_event(const ev *v, int n, const char *type, long long student)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].type, type) == 0 && v[i].student == student)
            return i;
    return -1;
}

/* The change feed (API.md "Sync"): in id order, after= resumes, jurisdiction applies. */
START_TEST(test_events)
{
    static ev v[1024];
    long long mark = 0, mark_out = 0;
    events(REG_A, 0, v, 1024, &mark, NULL);
    events(JIANGAN, 0, v, 1024, &mark_out, NULL);

    char name[64];
    stu s;
    prefix("陈", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    approve(ZHONGYUAN, &s);

    /* registration, decision, enrolment: in this order, all after the mark */
    long long end = 0;
    char *body;
    int n = events(REG_A, mark, v, 1024, &end, &body);
    int reg = find_event(v, n, "student.registered", s.id);
    int dec = find_event(v, n, "request.decided", s.id);
    int enr = find_event(v, n, "student.enrolled", s.id);
    ck_assert_msg(reg >= 0 && dec > reg && enr > reg, "events %d %d %d: %s", reg, dec, enr, body);
    ck_assert_int_eq(v[reg].request, s.request);
    ck_assert_str_eq(v[reg].school, SCH_A);
    for (int i = 0; i < n; i++)
        ck_assert_str_eq(v[i].school, SCH_A); /* a school reads its own */
    /* no personal numbers in the feed */
    ck_assert_ptr_null(strstr(body, s.id_number));
    ck_assert_ptr_null(strstr(body, s.phone));
    ck_assert_ptr_null(strstr(body, s.fphone));
    free(body);

    /* after= the registration: only what came later */
    static ev w[1024];
    int m = events(REG_A, v[reg].id, w, 1024, NULL, NULL);
    ck_assert_int_eq(m, n - reg - 1);
    ck_assert_int_eq(find_event(w, m, "student.registered", s.id), -1);
    ck_assert_int_ge(find_event(w, m, "student.enrolled", s.id), 0);
    /* after the end: empty, and the cursor stays */
    ht_resp r;
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/events?after=%lld", end);
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 0);
    char want[32];
    snprintf(want, sizeof(want), "%lld", end);
    ck_assert_str_eq(ht_json_str(r.json, "next_cursor"), want);
    ht_resp_free(&r);

    /* the county sees them; a county of another province sees none of them */
    n = events(ZHONGYUAN, mark, v, 1024, NULL, NULL);
    ck_assert_int_ge(find_event(v, n, "student.enrolled", s.id), 0);
    n = events(JIANGAN, mark_out, v, 1024, NULL, NULL);
    for (int i = 0; i < n; i++)
        ck_assert_msg(strcmp(v[i].school, SCH_A) != 0 && v[i].student != s.id,
                      "event %lld (%s) of school A shown to 420102", v[i].id, v[i].type);
    n = events(REG_B, 0, v, 1024, NULL, NULL);
    ck_assert_int_eq(find_event(v, n, "student.registered", s.id), -1);

    get("/api/v1/events?after=abc", REG_A, &r);
    ht_assert_problem(&r, 400, "invalid_cursor");
    ht_resp_free(&r);
    get("/api/v1/events?limit=0", REG_A, &r);
    ht_assert_problem(&r, 400, "invalid_parameter");
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ requests */

/* GET /requests/{id}: the school's registrar and the step holder; 404 beyond. */
START_TEST(test_request_get)
{
    char name[64], path[96];
    stu s;
    prefix("褚", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    ht_resp r;
    snprintf(path, sizeof(path), "/api/v1/requests/%lld", s.request);

    get(path, REG_A, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(jint(r.json, "id"), s.request);
    ck_assert_str_eq(ht_json_str(r.json, "type"), "registration");
    ck_assert_str_eq(ht_json_str(r.json, "state"), "open");
    ck_assert_int_eq(jint(r.json, "student"), s.id);
    ck_assert_str_eq(ht_json_str(r.json, "school"), SCH_A);
    ck_assert_int_eq(jint(r.json, "current_step"), 1);
    json_t *steps = json_object_get(r.json, "steps");
    ck_assert_uint_eq(json_array_size(steps), 1); /* a resident ID: the county alone (§5) */
    ck_assert_str_eq(ht_json_str(json_array_get(steps, 0), "org"), "410102");
    ck_assert_str_eq(ht_json_str(json_array_get(steps, 0), "state"), "waiting");
    char etag[16];
    snprintf(etag, sizeof(etag), "\"%lld\"", jint(r.json, "version"));
    ck_assert_str_eq(ht_header(&r, "etag"), etag);
    ht_resp_free(&r);

    get(path, ZHONGYUAN, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    get(path, ZHENGZHOU, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);

    static const enum actor outside[] = {JIANGAN, JINSHUI, REG_B};
    for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        get(path, outside[i], &r);
        ht_assert_problem(&r, 404, "request_not_found");
        ht_resp_free(&r);
    }
    static const char *const garbage[] = {"/api/v1/requests/abc", "/api/v1/requests/-1",
                                          "/api/v1/requests/0", "/api/v1/requests/999999999999",
                                          "/api/v1/requests/1234567890123456789012"};
    for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
        get(garbage[i], REG_A, &r);
        ck_assert_msg(r.status == 404, "%s: %ld %s", garbage[i], r.status, r.body);
        ht_assert_problem(&r, 404, "request_not_found");
        ht_resp_free(&r);
    }
}
END_TEST

static Suite *
students_suite(void)
{
    Suite *s = suite_create("http-students-activity");
    int t = ht_timeout(120);

    TCase *tc = tcase_create("record");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_history);
    tcase_add_test(tc, test_lookup);
    tcase_add_test(tc, test_photo);
    suite_add_tcase(s, tc);

    tc = tcase_create("school");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_checkins);
    suite_add_tcase(s, tc);

    tc = tcase_create("sync");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_events);
    tcase_add_test(tc, test_request_get);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    ht_global_init();
    SRunner *sr = srunner_create(students_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}
