/*
 * tests/unit/csv_test.c - CSV files (formats/csv.h) and UTF-8 helpers (base/buf.h).
 *
 * GBK input is made with iconv here, as a clerk's Excel on Chinese Windows
 * writes it. Every input is a malloc'ed copy of exactly its length.
 */
#include "base/buf.h"
#include "base/err.h"
#include "formats/csv.h"

#include <check.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXR 32
#define MAXC 16

typedef struct got {
    int nrows;
    long row[MAXR];
    size_t ncells[MAXR];
    char *cell[MAXR][MAXC];
    unsigned flags[MAXR][MAXC];
    int stop_at;
} got;

static int
collect(void *ctx, const fmt_sheet_row *r, app_err *err)
{
    got *g = ctx;
    if (g->stop_at && r->row == g->stop_at)
        return app_err_set(err, APP_ECONFLICT, "stop", "stop");
    ck_assert_int_lt(g->nrows, MAXR);
    int k = g->nrows++;
    g->row[k] = r->row;
    g->ncells[k] = r->ncells;
    ck_assert_int_eq(r->last_row_hint, 0);
    ck_assert_int_eq(r->date1904, 0); /* CSV has no date system: dates are 1900's */
    if (r->ncells > 0)
        ck_assert_int_eq(r->cells[r->ncells - 1].type, CORE_CELL_TEXT);
    for (size_t i = 0; i < r->ncells && i < MAXC; i++) {
        const core_cell *c = &r->cells[i];
        ck_assert_uint_eq(strlen(c->s), c->len);
        ck_assert_int_eq(c->type, c->len ? CORE_CELL_TEXT : CORE_CELL_EMPTY);
        g->cell[k][i] = strdup(c->s);
        g->flags[k][i] = c->flags;
    }
    return 0;
}

static void
got_free(got *g)
{
    for (int k = 0; k < g->nrows; k++)
        for (size_t i = 0; i < g->ncells[k] && i < MAXC; i++)
            free(g->cell[k][i]);
    memset(g, 0, sizeof(*g));
}

static void
expect_row(const got *g, int k, long row, size_t n, const char *const *cells)
{
    ck_assert_int_lt(k, g->nrows);
    ck_assert_int_eq(g->row[k], row);
    ck_assert_uint_eq(g->ncells[k], n);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(g->cell[k][i], cells[i]);
}

static int
read_n(const char *p, size_t n, const fmt_csv_limits *lim, got *g, fmt_csv_encoding *enc,
       app_err *err)
{
    unsigned char *copy = malloc(n ? n : 1);
    memcpy(copy, p, n);
    int rc = fmt_csv_read(copy, n, lim, collect, g, enc, err);
    free(copy);
    return rc;
}

static int
read_s(const char *s, got *g, app_err *err)
{
    return read_n(s, strlen(s), NULL, g, NULL, err);
}

/* UTF-8 text converted to `charset` with iconv; caller frees. */
static char *
convert(const char *s, const char *charset, size_t *n)
{
    iconv_t cd = iconv_open(charset, "UTF-8");
    ck_assert(cd != (iconv_t)-1);
    size_t in = strlen(s), room = in * 2 + 8;
    char *out = malloc(room), *o = out, *i = (char *)(uintptr_t)s;
    ck_assert_uint_ne(iconv(cd, &i, &in, &o, &room), (size_t)-1);
    iconv_close(cd);
    *n = (size_t)(o - out);
    return out;
}

/* ---- reading ------------------------------------------------------------------ */

START_TEST(test_basic)
{
    got g = {0};
    app_err err = {0};
    fmt_csv_encoding enc = 0;
    static const char *const e1[] = {"姓名", "身份证号", "备注"};
    static const char *const e2[] = {"张三", "11010119900307803X", "007"};
    static const char *const e3[] = {"李四", "", "x"};

    const char *s = "姓名,身份证号,备注\r\n张三,11010119900307803X,007\r\n李四,,x\r\n";
    ck_assert_int_eq(read_n(s, strlen(s), NULL, &g, &enc, &err), 0);
    ck_assert_int_eq(enc, FMT_CSV_UTF8);
    ck_assert_int_eq(g.nrows, 3);
    expect_row(&g, 0, 1, 3, e1);
    expect_row(&g, 1, 2, 3, e2);
    expect_row(&g, 2, 3, 3, e3);
    got_free(&g);

    /* LF, CR, no newline at the end, and the byte order mark */
    ck_assert_int_eq(
        read_s("\xEF\xBB\xBF姓名,身份证号,备注\n张三,11010119900307803X,007\r李四,,x", &g, &err),
        0);
    ck_assert_int_eq(g.nrows, 3);
    expect_row(&g, 0, 1, 3, e1);
    expect_row(&g, 2, 3, 3, e3);
    got_free(&g);

    ck_assert_int_eq(read_s("", &g, &err), 0);
    ck_assert_int_eq(g.nrows, 0);
    ck_assert_int_eq(read_s("\xEF\xBB\xBF", &g, &err), 0);
    ck_assert_int_eq(g.nrows, 0);
}
END_TEST

START_TEST(test_quoting)
{
    got g = {0};
    app_err err = {0};
    static const char *const e1[] = {"a,b", "say \"hi\"", "", "x"};
    static const char *const e2[] = {"line1\r\nline2\nline3", "q"};
    static const char *const e3[] = {"a\"b", "abc", "\"", " sp "};

    ck_assert_int_eq(read_s("\"a,b\",\"say \"\"hi\"\"\",\"\",x\r\n"
                            "\"line1\r\nline2\nline3\",q\r\n"
                            "a\"b,\"ab\"c,\"\"\"\",\" sp \"\r\n",
                            &g, &err),
                     0);
    ck_assert_int_eq(g.nrows, 3);
    expect_row(&g, 0, 1, 4, e1);
    expect_row(&g, 1, 2, 2, e2); /* rows are records: the line breaks inside do not count */
    expect_row(&g, 2, 3, 4, e3);
    got_free(&g);
}
END_TEST

START_TEST(test_empty_rows)
{
    got g = {0};
    app_err err = {0};
    static const char *const e1[] = {"a"};
    static const char *const e4[] = {"", "", "c"};

    ck_assert_int_eq(read_s("a,,\r\n\r\n,,\r\n,,c\n\n", &g, &err), 0);
    ck_assert_int_eq(g.nrows, 5);
    expect_row(&g, 0, 1, 1, e1); /* trailing empty fields are dropped */
    expect_row(&g, 1, 2, 0, NULL);
    expect_row(&g, 2, 3, 0, NULL);
    expect_row(&g, 3, 4, 3, e4);
    expect_row(&g, 4, 5, 0, NULL);
    got_free(&g);
}
END_TEST

START_TEST(test_gbk)
{
    static const char text[] =
        "姓名,民族,备注\r\n张三,汉族,\"含,逗号\"\r\n欧阳娜娜,维吾尔族,𠮷\r\n";
    static const char *const e1[] = {"姓名", "民族", "备注"};
    static const char *const e2[] = {"张三", "汉族", "含,逗号"};
    static const char *const e3[] = {"欧阳娜娜", "维吾尔族", "𠮷"};
    got g = {0};
    app_err err = {0};
    fmt_csv_encoding enc = 0;
    size_t n;

    /* 𠮷 is outside GBK: GB18030 has it (four bytes) */
    char *gb = convert(text, "GB18030", &n);
    ck_assert(!base_utf8_valid(gb, n));
    ck_assert_int_eq(read_n(gb, n, NULL, &g, &enc, &err), 0);
    ck_assert_int_eq(enc, FMT_CSV_GB18030);
    ck_assert_int_eq(g.nrows, 3);
    expect_row(&g, 0, 1, 3, e1);
    expect_row(&g, 1, 2, 3, e2);
    expect_row(&g, 2, 3, 3, e3);
    got_free(&g);
    free(gb);
}
END_TEST

static int
count_rows(void *ctx, const fmt_sheet_row *r, app_err *err)
{
    (void)err;
    long *k = ctx;
    ck_assert_int_eq(r->row, *k + 1);
    ck_assert_uint_eq(r->ncells, 3);
    ck_assert_str_eq(r->cells[1].s, "汉族");
    (*k)++;
    return 0;
}

START_TEST(test_gbk_large)
{
    base_buf big = {0};
    for (int i = 0; i < 5000; i++)
        base_buf_printf(&big, "学生%d,汉族,\"备注\r\n第二行\"\r\n", i);
    size_t n;
    char *gb = convert((char *)big.p, "GBK", &n);
    unsigned char *copy = malloc(n);
    memcpy(copy, gb, n);
    long k = 0;
    app_err err = {0};
    fmt_csv_encoding enc = 0;
    ck_assert_uint_gt(n, 65536); /* more than one iconv buffer */
    ck_assert_int_eq(fmt_csv_read(copy, n, NULL, count_rows, &k, &enc, &err), 0);
    ck_assert_int_eq(k, 5000);
    ck_assert_int_eq(enc, FMT_CSV_GB18030);
    free(copy);
    free(gb);
    base_buf_free(&big);
}
END_TEST

START_TEST(test_bad_encoding)
{
    static const struct {
        const char *s;
        size_t n;
        const char *param;
    } rows[] = {
        {"\xff\xff\xff,a\r\n", 7, ""},           /* neither UTF-8 nor GB18030 */
        {"ok\r\n\x81\x20,b\r\n", 9, ""},         /* a GBK lead byte without its trail */
        {"a,b\r\n\x81", 6, ""},                  /* cut inside a GBK character */
        {"\xEF\xBB\xBF\xD5\xC5\xC8\xFD", 7, ""}, /* GBK after a UTF-8 byte order mark */
        {"\xFF\xFE"
         "a\0b\0",
         6, "utf16"}, /* Excel's "Unicode text" */
        {"\xFE\xFF\0a", 4, "utf16"},
        {"a,b\0c", 5, ""}, /* a NUL byte */
    };
    for (size_t i = 0; i < NELEM(rows); i++) {
        got g = {0};
        app_err err = {0};
        ck_assert_msg(read_n(rows[i].s, rows[i].n, NULL, &g, NULL, &err) == APP_EINVAL, "row %zu",
                      i);
        ck_assert_str_eq(err.slug, "csv_bad_encoding");
        ck_assert_str_eq(err.param, rows[i].param);
        got_free(&g);
    }
}
END_TEST

START_TEST(test_unterminated_quote)
{
    got g = {0};
    app_err err = {0};
    ck_assert_int_eq(read_s("a,b\r\nc,\"never\r\nends,x\r\n", &g, &err), APP_EINVAL);
    ck_assert_str_eq(err.slug, "csv_malformed");
    ck_assert_str_eq(err.param, "quote");
    ck_assert_int_eq(err.nitems, 1);
    ck_assert_int_eq(err.items[0].row, 2); /* where the quote began */
    ck_assert_int_eq(g.nrows, 1);
    got_free(&g);
}
END_TEST

START_TEST(test_limits)
{
    got g = {0};
    app_err err = {0};
    fmt_csv_limits lim = fmt_csv_limits_default();
    static const char s[] = "short\r\n0123456789012345678901234567890123456789\r\n";

    lim.max_record = 20;
    ck_assert_int_eq(read_n(s, strlen(s), &lim, &g, NULL, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.slug, "csv_too_large");
    ck_assert_str_eq(err.param, "record");
    ck_assert_int_eq(err.items[0].row, 2);
    got_free(&g);

    lim = fmt_csv_limits_default();
    lim.max_columns = 3;
    app_err_clear(&err);
    ck_assert_int_eq(read_n("a,b,c\r\na,b,c,d\r\n", 16, &lim, &g, NULL, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.param, "columns");
    ck_assert_int_eq(g.nrows, 1);
    got_free(&g);

    /* a quote that never ends in a big file stops at the record limit, not the end */
    base_buf b = {0};
    base_buf_adds(&b, "\"");
    for (int i = 0; i < 200000; i++)
        base_buf_adds(&b, "0123456789\r\n");
    app_err_clear(&err);
    ck_assert_int_eq(read_n((char *)b.p, b.n, NULL, &g, NULL, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.param, "record");
    ck_assert_int_eq(err.items[0].row, 1);
    base_buf_free(&b);
    got_free(&g);

    g.stop_at = 2; /* the callback's error ends the read */
    ck_assert_int_eq(read_s("a\nb\nc\n", &g, &err), APP_ECONFLICT);
    ck_assert_int_eq(g.nrows, 1);
    got_free(&g);
}
END_TEST

START_TEST(test_lost_digits)
{
    got g = {0};
    app_err err = {0};
    ck_assert_int_eq(
        read_s("1.10101199003078E+17,110101199003078123,1.5E+3,4.10102E+17\r\n", &g, &err), 0);
    ck_assert_uint_eq(g.flags[0][0], CORE_CELL_F_LOST_DIGITS);
    ck_assert_uint_eq(g.flags[0][1], 0); /* 18 digits as text are fine */
    ck_assert_uint_eq(g.flags[0][2], 0);
    ck_assert_uint_eq(g.flags[0][3], CORE_CELL_F_LOST_DIGITS);
    got_free(&g);
}
END_TEST

/* ---- writing ------------------------------------------------------------------------ */

START_TEST(test_write)
{
    base_buf b = {0};
    static const char *const r1[] = {"姓名",  "a,b", "say \"hi\"", NULL, "two\r\nlines",
                                     " edge", ""};
    static const char *const r2[] = {"=SUM(A1:A9)", "+1+2", "-2+3", "@cmd", "\tx", "\rx",
                                     "-3",          "+1.5", "42",   "-",    "a=b"};
    static const char *const r3[] = {"=HYPERLINK(\"http://x\",\"y\")"};

    fmt_csv_write_bom(&b);
    fmt_csv_write_row(&b, r1, NELEM(r1));
    fmt_csv_write_row(&b, r2, NELEM(r2));
    fmt_csv_write_row(&b, r3, NELEM(r3));
    fmt_csv_write_row(&b, NULL, 0);
    ck_assert_str_eq((char *)b.p,
                     "\xEF\xBB\xBF"
                     "姓名,\"a,b\",\"say \"\"hi\"\"\",,\"two\r\nlines\",\" edge\",\r\n"
                     "'=SUM(A1:A9),'+1+2,'-2+3,'@cmd,'\tx,\"'\rx\",-3,+1.5,42,'-,a=b\r\n"
                     "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n"
                     "\r\n");

    /* and back */
    got g = {0};
    app_err err = {0};
    static const char *const e1[] = {"姓名", "a,b", "say \"hi\"", "", "two\r\nlines", " edge"};
    static const char *const e3[] = {"'=HYPERLINK(\"http://x\",\"y\")"};
    ck_assert_int_eq(read_n((char *)b.p, b.n, NULL, &g, NULL, &err), 0);
    ck_assert_int_eq(g.nrows, 4);
    expect_row(&g, 0, 1, 6, e1);
    ck_assert_str_eq(g.cell[1][0], "'=SUM(A1:A9)");
    ck_assert_str_eq(g.cell[1][6], "-3");
    expect_row(&g, 2, 3, 1, e3);
    expect_row(&g, 3, 4, 0, NULL);
    got_free(&g);
    base_buf_free(&b);
}
END_TEST

/* ---- UTF-8 ---------------------------------------------------------------------------- */

START_TEST(test_utf8)
{
    static const struct {
        const char *s;
        size_t n, prefix;
    } rows[] = {
        {"", 0, 0},
        {"abc", 3, 3},
        {"中文", 6, 6},
        {"😀", 4, 4},
        {"\xC0\x80", 2, 0},         /* overlong NUL */
        {"\xE0\x9F\xBF", 3, 0},     /* overlong */
        {"\xED\xA0\x80", 3, 0},     /* surrogate */
        {"\xF4\x90\x80\x80", 4, 0}, /* above U+10FFFF */
        {"\xF5\x80\x80\x80", 4, 0},
        {"a\xE4\xB8", 3, 1}, /* cut */
        {"a\x80", 2, 1},     /* stray continuation */
        {"ab\xE4\xB8\xAD\xFF", 6, 5},
    };
    for (size_t i = 0; i < NELEM(rows); i++) {
        ck_assert_msg(base_utf8_valid_prefix(rows[i].s, rows[i].n) == rows[i].prefix, "row %zu", i);
        ck_assert_int_eq(base_utf8_valid(rows[i].s, rows[i].n), rows[i].prefix == rows[i].n);
    }
    ck_assert_uint_eq(base_utf8_chars("a中😀", 8), 3);

    base_buf b = {0};
    base_buf_add_utf8(&b, 0x41);
    base_buf_add_utf8(&b, 0xE9);
    base_buf_add_utf8(&b, 0x4E2D);
    base_buf_add_utf8(&b, 0x1F600);
    ck_assert_str_eq((char *)b.p, "Aé中😀");
    base_buf_reset(&b);
    ck_assert_str_eq((char *)b.p, "");
    base_buf_printf(&b, "%0300d", 7); /* longer than the small format buffer */
    ck_assert_uint_eq(b.n, 300);
    ck_assert_int_eq(b.p[299], '7');
    size_t n;
    unsigned char *p = base_buf_steal(&b, &n);
    ck_assert_uint_eq(n, 300);
    ck_assert_ptr_null(b.p);
    free(p);
    p = base_buf_steal(&b, &n);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq((char *)p, "");
    free(p);
}
END_TEST

/* ---- mutation ---------------------------------------------------------------------------- */

static uint32_t
rng(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static int
touch(void *ctx, const fmt_sheet_row *r, app_err *err)
{
    (void)err;
    (*(long *)ctx)++;
    for (size_t i = 0; i < r->ncells; i++) {
        ck_assert_uint_eq(strlen(r->cells[i].s), r->cells[i].len);
        ck_assert(base_utf8_valid(r->cells[i].s, r->cells[i].len));
    }
    return 0;
}

/* Fixed-seed byte mutations of a UTF-8 and a GBK file: success or a clean error. */
START_TEST(test_mutate)
{
    static const char text[] =
        "\xEF\xBB\xBF姓名,身份证号,备注\r\n\"张,三\",\"1101\"\"X\",\"a\r\nb\"\r\n"
        "李四,1.10101199003078E+17,,\r\n\r\n王五,x,\"\"\r\n";
    size_t ngb;
    char *gb = convert(text + 3, "GB18030", &ngb);
    const char *bases[] = {text, gb};
    size_t lens[] = {strlen(text), ngb};
    uint32_t seed = 0x5EED0005u;
    fmt_csv_limits lim = fmt_csv_limits_default();
    lim.max_record = 64;
    lim.max_columns = 8;

    for (int i = 0; i < 4000; i++) {
        size_t n = lens[i % 2];
        unsigned char *b = malloc(n + 16);
        memcpy(b, bases[i % 2], n);
        for (int k = 0; k < 1 + (int)(rng(&seed) % 4); k++) {
            size_t at = n ? rng(&seed) % n : 0;
            switch (rng(&seed) % 4) {
            case 0:
                if (n)
                    b[at] ^= (unsigned char)(1u << (rng(&seed) % 8));
                break;
            case 1:
                if (n)
                    b[at] = "\",\r\n\x81\xff\0a"[rng(&seed) % 8];
                break;
            case 2:
                n = at;
                break;
            default:
                if (n < lens[i % 2] + 8) {
                    memmove(b + at + 1, b + at, n - at);
                    b[at] = (unsigned char)rng(&seed);
                    n++;
                }
                break;
            }
        }
        unsigned char *copy = malloc(n ? n : 1);
        if (n)
            memcpy(copy, b, n);
        app_err err = {0};
        long rows = 0;
        int rc = fmt_csv_read(copy, n, (i % 3) ? NULL : &lim, touch, &rows, NULL, &err);
        ck_assert_int_le(rc, 0);
        if (rc < 0) {
            ck_assert_int_eq(err.code, rc);
            ck_assert_ptr_nonnull(err.slug);
        }
        free(copy);
        free(b);
    }
    free(gb);
}
END_TEST

static Suite *
csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("read");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_basic);
    tcase_add_test(tc, test_quoting);
    tcase_add_test(tc, test_empty_rows);
    tcase_add_test(tc, test_gbk);
    tcase_add_test(tc, test_gbk_large);
    tcase_add_test(tc, test_bad_encoding);
    tcase_add_test(tc, test_unterminated_quote);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_lost_digits);
    tcase_add_test(tc, test_mutate);
    suite_add_tcase(s, tc);

    tc = tcase_create("write");
    tcase_add_test(tc, test_write);
    tcase_add_test(tc, test_utf8);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(csv_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
