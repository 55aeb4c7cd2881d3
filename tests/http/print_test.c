/*
 * tests/http/print_test.c - what clerks print and parents sign (issue #15):
 * the information sheet of one pupil and of a class as PDF, rendered back
 * with poppler (pdftoppm, pdftotext) to check pages, ink, photo and text;
 * parent confirmations and their report; jurisdiction and problem+json
 * answers. The world is tests/http/students_world.h's.
 */
#include "tests/http/students_world.h"

#include <zlib.h>

/* ------------------------------------------------------------ helpers */

static void
put32(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* One PNG chunk at p: length, type, data, CRC; returns its size. */
static size_t
chunk(unsigned char *p, const char *type, const unsigned char *data, unsigned len)
{
    put32(p, len);
    memcpy(p + 4, type, 4);
    if (len)
        memcpy(p + 8, data, len);
    put32(p + 8 + len, (unsigned)crc32(0, p + 4, 4 + len));
    return 12 + len;
}

/* A real w x h PNG, all pure red (the photo the sheet must show). */
static size_t
red_png(unsigned w, unsigned h, unsigned char *out, size_t cap)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    size_t rawlen = (size_t)h * (1 + 3 * w);
    unsigned char *raw = calloc(1, rawlen);
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++)
            raw[y * (1 + 3 * w) + 1 + 3 * x] = 0xff;
    uLongf zlen = compressBound(rawlen);
    unsigned char *z = malloc(zlen);
    ck_assert_int_eq(compress(z, &zlen, raw, rawlen), Z_OK);
    unsigned char ihdr[13] = {0};
    put32(ihdr, w);
    put32(ihdr + 4, h);
    ihdr[8] = 8; /* bit depth */
    ihdr[9] = 2; /* truecolour */
    ck_assert_uint_lt(8 + 25 + 12 + zlen + 12, cap);
    memcpy(out, sig, 8);
    size_t n = 8;
    n += chunk(out + n, "IHDR", ihdr, 13);
    n += chunk(out + n, "IDAT", z, (unsigned)zlen);
    n += chunk(out + n, "IEND", NULL, 0);
    free(raw);
    free(z);
    return n;
}

/* GET `path` as `who`; a 200 answer's body goes to `file`. */
static void
fetch(const char *path, enum actor who, const char *file, ht_resp *r)
{
    get(path, who, r);
    if (r->status != 200)
        return;
    FILE *f = fopen(file, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(r->body, 1, r->len, f), r->len);
    fclose(f);
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

typedef struct page_ink {
    long pixels, dark, red;
} page_ink;

/* Page `page` of `pdf` rendered at 50 dpi (PPM): all, non-white and red pixels. */
static page_ink
ink(const char *pdf, int page)
{
    char cmd[512], ppm[256];
    snprintf(ppm, sizeof(ppm), "%s-p%d", pdf, page);
    snprintf(cmd, sizeof(cmd), "pdftoppm -r 50 -f %d -l %d -singlefile %s %s", page, page, pdf,
             ppm);
    free(run(cmd));
    strcat(ppm, ".ppm");
    FILE *f = fopen(ppm, "rb");
    ck_assert_ptr_nonnull(f);
    int w = 0, h = 0, max = 0;
    ck_assert_int_eq(fscanf(f, "P6 %d %d %d", &w, &h, &max), 3);
    fgetc(f);
    page_ink k = {(long)w * h, 0, 0};
    for (long i = 0; i < k.pixels; i++) {
        int r = fgetc(f), g = fgetc(f), b = fgetc(f);
        /* once a pixel, so no ck_assert (check records each passing one) */
        if (b < 0)
            ck_abort_msg("page %d ends at pixel %ld of %ld", page, i, k.pixels);
        if (r < 200 || g < 200 || b < 200)
            k.dark++;
        if (r > 200 && g < 60 && b < 60)
            k.red++;
    }
    fclose(f);
    unlink(ppm);
    /* A4 at 50 dpi */
    ck_assert_int_ge(w, 413);
    ck_assert_int_le(w, 414);
    ck_assert_int_ge(h, 584);
    ck_assert_int_le(h, 585);
    return k;
}

/* Pages as pdftoppm renders them (one image per page). */
static int
pages(const char *pdf)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "pdftoppm -r 10 -gray %s %s-n && ls %s-n-*.pgm | wc -l", pdf, pdf,
             pdf);
    char *out = run(cmd);
    int n = atoi(out);
    free(out);
    snprintf(cmd, sizeof(cmd), "rm -f %s-n-*.pgm", pdf);
    free(run(cmd));
    return n;
}

static char *
text_of(const char *pdf)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 %s -", pdf);
    return run(cmd);
}

static void
tmp_pdf(char *out, size_t cap, const char *what)
{
    snprintf(out, cap, "/tmp/xueji-print-%d-%s.pdf", (int)getpid(), what);
}

/* An enrolled pupil of A, class 13-1, with the red photo. */
static void
enrolled_with_photo(const char *surname, stu *s)
{
    char name[64];
    prefix(surname, name, sizeof(name));
    register_named(REG_A, name, 13, 1, s);
    approve(ZHONGYUAN, s);
    static unsigned char buf[64 * 1024];
    size_t n = red_png(90, 120, buf, sizeof(buf));
    char path[96], tag[16];
    ht_resp r;
    student_path(s, "", path, sizeof(path));
    get(path, REG_A, &r);
    snprintf(tag, sizeof(tag), "\"%d\"", (int)jint(r.json, "version"));
    ht_resp_free(&r);
    student_path(s, "/photo", path, sizeof(path));
    call_raw("PUT", path, as(REG_A), "image/png", (const char *)buf, n, tag, &r);
    ck_assert_msg(r.status == 204, "photo: %ld %s", r.status, r.body);
    ht_resp_free(&r);
}

/* ------------------------------------------------------------ one pupil */

/*
 * The sheet is one A4 page with ink on it, the photo drawn (red pixels), the
 * record's text in Chinese, the lines to sign, and the ID number masked.
 */
START_TEST(test_sheet_one_page)
{
    stu s;
    enrolled_with_photo("印", &s);
    char path[96], pdf[128];
    student_path(&s, "/info-sheet.pdf", path, sizeof(path));
    tmp_pdf(pdf, sizeof(pdf), "one");
    ht_resp r;
    fetch(path, REG_A, pdf, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_header(&r, "content-type"), "application/pdf");
    ck_assert_str_eq(ht_header(&r, "cache-control"), "no-store");
    ck_assert_ptr_nonnull(strstr(ht_header(&r, "content-disposition"), "attachment"));
    ck_assert(r.len > 1000 && memcmp(r.body, "%PDF-", 5) == 0);
    ht_resp_free(&r);

    ck_assert_int_eq(pages(pdf), 1);
    page_ink k = ink(pdf, 1);
    /* text, rules and the photo: well above blank, far below a filled page */
    ck_assert_msg(k.dark > k.pixels / 50 && k.dark < k.pixels / 2, "dark %ld of %ld", k.dark,
                  k.pixels);
    /* the 75x100 pt photo box at 50 dpi is about 52x69 pixels, most of it red */
    ck_assert_msg(k.red > 2000, "red pixels %ld", k.red);

    char *t = text_of(pdf);
    ck_assert_ptr_nonnull(strstr(t, "学生信息表"));
    ck_assert_ptr_nonnull(strstr(t, s.name));
    ck_assert_ptr_nonnull(strstr(t, "学籍测试中原小学"));
    ck_assert_ptr_nonnull(strstr(t, "家长（监护人）签字"));
    ck_assert_ptr_nonnull(strstr(t, "汉族"));   /* a code by its label */
    ck_assert_ptr_nonnull(strstr(t, "三年级")); /* the grade by its name */
    ck_assert_ptr_nonnull(strstr(t, "郑州市")); /* a region by its names */
    ck_assert_ptr_null(strstr(t, s.id_number)); /* masked */
    char masked[24];
    snprintf(masked, sizeof(masked), "%.4s**********%.4s", s.id_number, s.id_number + 14);
    ck_assert_msg(strstr(t, masked) != NULL, "no %s in:\n%s", masked, t);
    ck_assert_ptr_null(strstr(t, s.phone));
    free(t);
    if (getenv("XUEJI_PRINT_KEEP") == NULL)
        unlink(pdf);
}
END_TEST

/* `n` characters of Chinese text (3 bytes each) into out. */
static void
long_text(char *out, int n)
{
    static const char *const w[] = {"河", "南", "省", "郑", "州", "市", "中", "原", "区", "路"};
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        strcat(out, w[i % 10]);
}

/*
 * A record with every long text at its longest and two family members
 * still fits one page, the lines to sign included.
 */
START_TEST(test_sheet_full_record_one_page)
{
    stu s;
    enrolled_with_photo("满", &s);
    static char t200[700], t100[400], t50[200], body[8192];
    long_text(t200, 200);
    long_text(t100, 100);
    long_text(t50, 50);
    char url[256];
    snprintf(url, sizeof(url), "https://www.example.cn/%0170d", 0);
    snprintf(body, sizeof(body),
             "{\"current_address\":\"%s\",\"mailing_address\":\"%s\",\"home_address\":\"%s\","
             "\"specialty\":\"%s\",\"homepage\":\"%s\",\"native_place\":\"%s\","
             "\"former_name\":\"%s\",\"aux_number\":\"123456789012345678901234567890\","
             "\"family\":[{\"name\":\"%s\",\"relation\":\"1\",\"relation_note\":\"%s\","
             "\"employer\":\"%s\",\"current_address\":\"%s\",\"position\":\"%s\","
             "\"phone\":\"13700000001\",\"guardian\":\"1\"},{\"name\":\"%s\",\"relation\":\"2\","
             "\"relation_note\":\"%s\",\"employer\":\"%s\",\"current_address\":\"%s\","
             "\"position\":\"%s\",\"phone\":\"13700000002\",\"guardian\":\"1\"}]}",
             t200, t200, t200, t200, url, t50, t50, t50, t50, t100, t200, t50, t50, t50, t100, t200,
             t50);
    char path[96], tag[16], pdf[128];
    ht_resp r;
    student_path(&s, "", path, sizeof(path));
    get(path, REG_A, &r);
    snprintf(tag, sizeof(tag), "\"%d\"", (int)jint(r.json, "version"));
    ht_resp_free(&r);
    call("PATCH", path, as(REG_A), body, tag, &r);
    ck_assert_msg(r.status == 200, "patch: %ld %s", r.status, r.body);
    ht_resp_free(&r);

    student_path(&s, "/info-sheet.pdf", path, sizeof(path));
    tmp_pdf(pdf, sizeof(pdf), "full");
    fetch(path, REG_A, pdf, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_int_eq(pages(pdf), 1);
    char *t = text_of(pdf);
    ck_assert_ptr_nonnull(strstr(t, "学校经办人签字"));
    ck_assert_ptr_nonnull(strstr(t, "成员二"));
    free(t);
    if (getenv("XUEJI_PRINT_KEEP") == NULL)
        unlink(pdf);
}
END_TEST

/* ?reveal=id_number: the registrar sees the number (audited like a read), staff may not. */
START_TEST(test_sheet_reveal)
{
    stu s;
    enrolled_with_photo("显", &s);
    char path[128], pdf[128], sql[256];
    snprintf(path, sizeof(path), "/api/v1/students/%lld/info-sheet.pdf?reveal=id_number", s.id);
    tmp_pdf(pdf, sizeof(pdf), "reveal");
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit WHERE action = 'student.reveal' AND target_id = '%lld'",
             s.id);
    ck_assert_int_eq(scalar(sql), 0);
    ht_resp r;
    fetch(path, REG_A, pdf, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    char *t = text_of(pdf);
    ck_assert_msg(strstr(t, s.id_number) != NULL, "no %s in:\n%s", s.id_number, t);
    free(t);
    unlink(pdf);
    ck_assert_int_eq(scalar(sql), 1);

    get(path, HEAD_A, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/students/%lld/info-sheet.pdf?reveal=phone", s.id);
    get(path, REG_A, &r);
    ht_assert_problem(&r, 400, "invalid_parameter");
    ht_resp_free(&r);
}
END_TEST

/* Outside the caller's jurisdiction the pupil does not exist: 404. */
START_TEST(test_sheet_jurisdiction)
{
    stu s;
    char name[64], path[96];
    prefix("域", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    approve(ZHONGYUAN, &s);
    student_path(&s, "/info-sheet.pdf", path, sizeof(path));
    static const enum actor out[] = {REG_B, REG_H, JINSHUI, JIANGAN};
    ht_resp r;
    for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
        get(path, out[i], &r);
        ht_assert_problem(&r, 404, "student_not_found");
        ht_resp_free(&r);
    }
    static const enum actor in[] = {ZHONGYUAN, ZHENGZHOU, HENAN, HEAD_A};
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        get(path, in[i], &r);
        ck_assert_msg(r.status == 200, "%d: %ld %s", (int)i, r.status, r.body);
        ht_resp_free(&r);
    }
    get("/api/v1/students/999999999/info-sheet.pdf", REG_A, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    call("GET", path, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ a class */

/* A class of A of its own for this process (grade 15), its enrolled pupils. */
START_TEST(test_class_sheets)
{
    int cls = 10 + (int)(getpid() % 80);
    class_id(SCH_A, 15, cls);
    char name[64];
    prefix("班", name, sizeof(name));
    stu s[3];
    static const char *const given[3] = {"甲", "乙", "丙"};
    for (int i = 0; i < 3; i++) {
        char full[80];
        snprintf(full, sizeof(full), "%s%s", name, given[i]);
        register_named(REG_A, full, 15, cls, &s[i]);
        approve(ZHONGYUAN, &s[i]);
    }
    char path[160], pdf[128], sql[512];
    snprintf(path, sizeof(path), "/api/v1/schools/%s/info-sheets.pdf?grade=15&class=%d", SCH_A,
             cls);
    tmp_pdf(pdf, sizeof(pdf), "class");
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM student WHERE school = '%s' AND grade = 15 AND class_no = %d"
             " AND state = 'enrolled'",
             SCH_A, cls);
    long long enrolled = scalar(sql);
    ck_assert_int_ge(enrolled, 3);
    ht_resp r;
    fetch(path, REG_A, pdf, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_header(&r, "content-type"), "application/pdf");
    ck_assert_int_eq(atoll(ht_header(&r, "x-export-count")), enrolled);
    ht_resp_free(&r);
    ck_assert_int_eq(pages(pdf), (int)enrolled);
    for (int p = 1; p <= 3; p++) {
        page_ink k = ink(pdf, p);
        ck_assert_msg(k.dark > k.pixels / 50, "page %d: dark %ld", p, k.dark);
    }
    unlink(pdf);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit WHERE action = 'student.info_sheets' AND target_id = '%s'"
             " AND detail->>'class' = '%d'",
             SCH_A, cls);
    ck_assert_int_ge(scalar(sql), 1);

    /* within jurisdiction only; bad or missing parameters; an empty class */
    get(path, REG_B, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    get(path, JIANGAN, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    get("/api/v1/schools/" SCH_A "/info-sheets.pdf?grade=15", REG_A, &r);
    ht_assert_problem(&r, 400, "invalid_parameter");
    ck_assert(has_error(&r, "/query/class", "invalid_parameter") ||
              strcmp(ht_json_str(r.json, "code"), "invalid_parameter") == 0);
    ht_resp_free(&r);
    get("/api/v1/schools/" SCH_A "/info-sheets.pdf?grade=19&class=1", REG_A, &r);
    ht_assert_problem(&r, 400, "invalid_parameter");
    ht_resp_free(&r);
    get("/api/v1/schools/" SCH_A "/info-sheets.pdf?grade=16&class=99", REG_A, &r);
    ht_assert_problem(&r, 422, "no_students");
    ht_resp_free(&r);
    get("/api/v1/schools/12345/info-sheets.pdf?grade=15&class=1", REG_A, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ confirmations */

static void
confirm(const stu *s, enum actor who, const char *body, ht_resp *r)
{
    char path[96];
    student_path(s, "/confirmations", path, sizeof(path));
    call("POST", path, as(who), body, NULL, r);
}

/* Upload `len` bytes of a PDF as evidence of `who`'s org; the file id. */
static long long
upload_pdf(enum actor who, const char *data, size_t len)
{
    ht_resp r;
    call_raw("POST", "/api/v1/files", as(who), "application/pdf", data, len, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long id = jint(r.json, "id");
    ht_resp_free(&r);
    return id;
}

START_TEST(test_confirmations)
{
    stu s, pending;
    enrolled_with_photo("确", &s);
    char name[64];
    prefix("未", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &pending);

    /* the signed sheet's scan: the sheet itself will do */
    char path[96];
    student_path(&s, "/info-sheet.pdf", path, sizeof(path));
    ht_resp r;
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    long long scan = upload_pdf(REG_A, r.body, r.len);
    long long foreign = upload_pdf(REG_B, r.body, r.len);
    ht_resp_free(&r);

    char body[256];
    snprintf(body, sizeof(body),
             "{\"term\":\"2026-1\",\"date\":\"2026-12-01\",\"evidence\":[%lld]}", scan);
    confirm(&s, REG_A, body, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_int_eq(jint(r.json, "student"), s.id);
    ck_assert_str_eq(ht_json_str(r.json, "term"), "2026-1");
    ck_assert_str_eq(ht_json_str(r.json, "date"), "2026-12-01");
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(r.json, "evidence"), 0)),
                     scan);
    ht_resp_free(&r);
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit WHERE action = 'student.confirmation'"
             " AND target_id = '%lld'",
             s.id);
    ck_assert_int_eq(scalar(sql), 1);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM events WHERE type = 'student.confirmed' AND student_id = %lld",
             s.id);
    ck_assert_int_eq(scalar(sql), 1);

    /* once per term; the next term is another */
    confirm(&s, REG_A, "{\"term\":\"2026-1\",\"date\":\"2026-12-02\"}", &r);
    ht_assert_problem(&r, 409, "already_confirmed");
    ht_resp_free(&r);
    confirm(&s, HEAD_A, "{\"term\":\"2025-2\",\"date\":\"2026-03-05\"}", &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "evidence")), 0);
    ht_resp_free(&r);

    /* bad input changes nothing */
    confirm(&s, REG_A, "{\"term\":\"2026-3\",\"date\":\"2026-12-01\"}", &r);
    ht_assert_problem(&r, 422, "invalid_term");
    ht_resp_free(&r);
    confirm(&s, REG_A, "{\"term\":\"2027-1\",\"date\":\"2099-01-01\"}", &r);
    ck_assert_int_eq(r.status, 422);
    ck_assert(has_error(&r, "/date", "invalid_date"));
    ht_resp_free(&r);
    confirm(&s, REG_A, "{\"term\":\"2027-1\",\"date\":\"2026-02-30\"}", &r);
    ck_assert(has_error(&r, "/date", "invalid_date"));
    ht_resp_free(&r);
    snprintf(body, sizeof(body),
             "{\"term\":\"2027-1\",\"date\":\"2026-12-01\",\"evidence\":[%lld]}", foreign);
    confirm(&s, REG_A, body, &r);
    ck_assert_int_eq(r.status, 422);
    ck_assert(has_error(&r, "/evidence", "file_not_found"));
    ht_resp_free(&r);
    confirm(&s, REG_A, "{\"term\":\"2027-1\",\"date\":\"2026-12-01\",\"by\":\"x\"}", &r);
    ck_assert(has_error(&r, "/by", "unknown_field"));
    ht_resp_free(&r);
    confirm(&s, REG_A, "{\"date\":\"2026-12-01\"}", &r);
    ht_assert_problem(&r, 422, "missing_field");
    ht_resp_free(&r);
    snprintf(
        sql, sizeof(sql),
        "SELECT count(*) FROM student_confirmation WHERE student_id = %lld AND term = '2027-1'",
        s.id);
    ck_assert_int_eq(scalar(sql), 0);

    /* the school's own pupils, enrolled; bureaus do not record */
    confirm(&pending, REG_A, "{\"term\":\"2026-1\",\"date\":\"2026-12-01\"}", &r);
    ht_assert_problem(&r, 422, "student_not_enrolled");
    ht_resp_free(&r);
    confirm(&s, REG_B, "{\"term\":\"2027-1\",\"date\":\"2026-12-01\"}", &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    confirm(&s, ZHONGYUAN, "{\"term\":\"2027-1\",\"date\":\"2026-12-01\"}", &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
}
END_TEST

/* The report: per class, enrolled pupils with and without a confirmation. */
START_TEST(test_confirmation_report)
{
    int cls = 10 + (int)(getpid() % 80);
    class_id(SCH_A, 16, cls);
    char name[64];
    prefix("报", name, sizeof(name));
    stu s[3];
    static const char *const given[3] = {"甲", "乙", "丙"};
    for (int i = 0; i < 3; i++) {
        char full[80];
        snprintf(full, sizeof(full), "%s%s", name, given[i]);
        register_named(REG_A, full, 16, cls, &s[i]);
        approve(ZHONGYUAN, &s[i]);
    }
    ht_resp r;
    confirm(&s[0], REG_A, "{\"term\":\"2026-1\",\"date\":\"2026-11-30\"}", &r);
    ck_assert_int_eq(r.status, 201);
    ht_resp_free(&r);

    static const enum actor who[] = {REG_A, ZHONGYUAN, HENAN};
    for (size_t w = 0; w < sizeof(who) / sizeof(who[0]); w++) {
        get("/api/v1/schools/" SCH_A "/confirmations?term=2026-1", who[w], &r);
        ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
        json_t *classes = json_object_get(r.json, "classes"), *c, *mine = NULL;
        size_t i;
        json_array_foreach(classes, i, c)
        {
            if (jint(c, "grade") == 16 && jint(c, "class") == cls)
                mine = c;
        }
        ck_assert_ptr_nonnull(mine);
        ck_assert_int_ge(jint(mine, "students"), 3);
        ck_assert_int_ge(jint(mine, "confirmed"), 1);
        ck_assert_int_eq(jint(mine, "missing"), jint(mine, "students") - jint(mine, "confirmed"));
        ck_assert_str_eq(ht_json_str(mine, "grade_label"), "六年级");
        json_t *total = json_object_get(r.json, "total");
        ck_assert_int_eq(jint(total, "missing"),
                         jint(total, "students") - jint(total, "confirmed"));
        ht_resp_free(&r);
    }
    get("/api/v1/schools/" SCH_A "/confirmations?term=2026-1", REG_B, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    get("/api/v1/schools/" SCH_A "/confirmations?term=2026-1", JIANGAN, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    get("/api/v1/schools/" SCH_A "/confirmations", REG_A, &r);
    ht_assert_problem(&r, 422, "invalid_term");
    ht_resp_free(&r);
}
END_TEST

static Suite *
print_suite(void)
{
    Suite *su = suite_create("print");
    TCase *tc = tcase_create("print");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, ht_timeout(60));
    tcase_add_test(tc, test_sheet_one_page);
    tcase_add_test(tc, test_sheet_full_record_one_page);
    tcase_add_test(tc, test_sheet_reveal);
    tcase_add_test(tc, test_sheet_jurisdiction);
    tcase_add_test(tc, test_class_sheets);
    tcase_add_test(tc, test_confirmations);
    tcase_add_test(tc, test_confirmation_report);
    suite_add_tcase(su, tc);
    return su;
}

int
main(void)
{
    return ht_run_suite(print_suite(), NULL);
}
