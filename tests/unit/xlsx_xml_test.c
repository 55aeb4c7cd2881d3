/*
 * tests/unit/xlsx_xml_test.c - the XML parts of xlsx files as expat reads
 * them (formats/xml.h, docs/decisions/0021): every document type
 * declaration refused in every part, entities never expanded or fetched,
 * the token cap on tags, comments and text runs, tokens that straddle the
 * chunks fed to expat, well-formedness.
 */
#include "base/buf.h"
#include "formats/xlsx.h"
#include "formats/zip.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define XMLDECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
#define NSR "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define WS_OPEN                                                                                    \
    XMLDECL "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
#define SST_OPEN XMLDECL "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
#define RELS                                                                                       \
    XMLDECL "<Relationships><Relationship Id=\"rId1\" Type=\"" NSR "/officeDocument\" "            \
            "Target=\"xl/workbook.xml\"/></Relationships>"
#define WB                                                                                         \
    XMLDECL "<workbook xmlns:r=\"" NSR "\"><sheets><sheet name=\"S\" sheetId=\"1\" "               \
            "r:id=\"rId1\"/></sheets></workbook>"
#define WB_RELS                                                                                    \
    XMLDECL "<Relationships><Relationship Id=\"rId1\" Type=\"" NSR "/worksheet\" "                 \
            "Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"" NSR              \
            "/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>"

typedef struct parts {
    const char *rels, *wb, *wb_rels, *sheet, *sst; /* NULL: the usual (sst: none) */
} parts;

static unsigned char *
make_xlsx(const parts *p, size_t *n)
{
    fmt_zip_writer *w = fmt_zip_writer_new();
    app_err err = {0};
    unsigned char *out;
    const char *names[] = {"_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                           "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"};
    const char *data[] = {p->rels ? p->rels : RELS, p->wb ? p->wb : WB,
                          p->wb_rels ? p->wb_rels : WB_RELS, p->sheet, p->sst};
    for (size_t i = 0; i < NELEM(names); i++) {
        if (data[i] == NULL)
            continue;
        ck_assert_int_eq(fmt_zip_writer_begin(w, names[i], 1, &err), 0);
        ck_assert_int_eq(fmt_zip_writer_write(w, data[i], strlen(data[i]), &err), 0);
        ck_assert_int_eq(fmt_zip_writer_end(w, &err), 0);
    }
    ck_assert_int_eq(fmt_zip_writer_finish(w, &out, n, &err), 0);
    fmt_zip_writer_free(w);
    return out;
}

typedef struct got {
    long rows;
    char first[256]; /* A1's text */
} got;

static int
on_row(void *ctx, const fmt_sheet_row *r, app_err *err)
{
    got *g = ctx;
    (void)err;
    if (g->rows++ == 0 && r->ncells > 0)
        snprintf(g->first, sizeof(g->first), "%s", r->cells[0].s);
    return 0;
}

/* Read the workbook; the return code, with *err and *g filled. */
static int
read_parts(const parts *p, const fmt_xlsx_limits *lim, got *g, app_err *err)
{
    size_t n;
    unsigned char *x = make_xlsx(p, &n);
    memset(g, 0, sizeof(*g));
    int rc = fmt_xlsx_read(x, n, NULL, lim, on_row, g, err);
    free(x);
    return rc;
}

static void
expect_err(const parts *p, const fmt_xlsx_limits *lim, app_code code, const char *slug,
           const char *param, const char *what)
{
    app_err err = {0};
    got g;
    int rc = read_parts(p, lim, &g, &err);
    ck_assert_msg(rc == (int)code, "%s: rc %d (%s)", what, rc, err.detail);
    ck_assert_str_eq(err.slug, slug);
    ck_assert_msg(strcmp(err.param, param) == 0, "%s: param %s, detail %s", what, err.param,
                  err.detail);
    ck_assert_msg(g.rows == 0, "%s: %ld rows read", what, g.rows);
}

static const char SHEET_OK[] =
    WS_OPEN "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>ok</t></is></c></row>"
            "</sheetData></worksheet>";

/* ---- document type declarations --------------------------------------------- */

static const char *const doctypes[] = {
    "<!DOCTYPE worksheet>",
    "<!DOCTYPE worksheet [<!ENTITY e \"entity\">]>",
    "<!DOCTYPE worksheet [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>",
    "<!DOCTYPE worksheet SYSTEM \"http://127.0.0.1:1/x.dtd\">",
    "<!DOCTYPE worksheet [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/p\"> %p;]>",
    "<!DOCTYPE worksheet [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">"
    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;\">]>",
};

/* In the worksheet, with the entity used in a cell. */
START_TEST(test_doctype_in_sheet)
{
    char sheet[1024];
    snprintf(sheet, sizeof(sheet),
             XMLDECL "%s<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&e;</t></is></c>"
                     "</row></sheetData></worksheet>",
             doctypes[_i]);
    parts p = {.sheet = sheet};
    expect_err(&p, NULL, APP_EINVAL, "xlsx_malformed", "xml", doctypes[_i]);
}
END_TEST

/* In the shared strings, and in the package and workbook parts read before them. */
START_TEST(test_doctype_in_other_parts)
{
    char part[1024];
    const char *dt = doctypes[_i];

    snprintf(part, sizeof(part), XMLDECL "%s<sst><si><t>&e;</t></si></sst>", dt);
    parts p = {.sheet = SHEET_OK, .sst = part};
    expect_err(&p, NULL, APP_EINVAL, "xlsx_malformed", "xml", "sharedStrings");

    snprintf(part, sizeof(part), "%s%s", dt, RELS + strlen(XMLDECL));
    p = (parts){.sheet = SHEET_OK, .rels = part};
    expect_err(&p, NULL, APP_EINVAL, "xlsx_malformed", "xml", "_rels/.rels");

    snprintf(part, sizeof(part), XMLDECL "%s%s", dt, WB + strlen(XMLDECL));
    p = (parts){.sheet = SHEET_OK, .wb = part};
    expect_err(&p, NULL, APP_EINVAL, "xlsx_malformed", "xml", "workbook.xml");

    snprintf(part, sizeof(part), XMLDECL "%s%s", dt, WB_RELS + strlen(XMLDECL));
    p = (parts){.sheet = SHEET_OK, .wb_rels = part};
    expect_err(&p, NULL, APP_EINVAL, "xlsx_malformed", "xml", "workbook.xml.rels");
}
END_TEST

/* The same workbooks without the declarations are fine (the harness is sound). */
START_TEST(test_plain_parts_read)
{
    app_err err = {0};
    got g;
    parts p = {.sheet = SHEET_OK, .sst = SST_OPEN "<si><t>x</t></si></sst>"};
    ck_assert_msg(read_parts(&p, NULL, &g, &err) == 0, "%s", err.detail);
    ck_assert_int_eq(g.rows, 1);
    ck_assert_str_eq(g.first, "ok");
}
END_TEST

/* ---- the token cap ------------------------------------------------------------ */

static fmt_xlsx_limits
small_tokens(void)
{
    fmt_xlsx_limits lim = fmt_xlsx_limits_default();
    lim.max_token = 64 * 1024;
    return lim;
}

/* A sheet: WS_OPEN, `pre`, k bytes of `fill` between `open` and `close`, then one row. */
static char *
sheet_with(const char *open, char fill, size_t k, const char *close)
{
    base_buf b = {0};
    base_buf_adds(&b, WS_OPEN);
    base_buf_adds(&b, open);
    for (size_t i = 0; i < k; i++)
        base_buf_addc(&b, fill);
    base_buf_adds(&b, close);
    base_buf_adds(&b, "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>ok</t></is></c>"
                      "</row></sheetData></worksheet>");
    base_buf_addc(&b, '\0');
    return (char *)b.p;
}

/* A tag, a comment, a processing instruction or a run of text longer than the cap. */
START_TEST(test_long_tokens)
{
    static const struct {
        const char *open, *close;
        char fill;
    } t[] = {
        {"<dimension ref=\"A1\" x=\"", "\"/>", 'a'},
        {"<!--", "-->", 'c'},
        {"<?pi ", "?>", 'p'},
        {"<sheetPr>", "</sheetPr>", 't'},
        {"<sheetPr><![CDATA[", "]]></sheetPr>", 'd'},
    };
    fmt_xlsx_limits lim = small_tokens();
    for (size_t i = 0; i < NELEM(t); i++) {
        char *sheet = sheet_with(t[i].open, t[i].fill, 100 * 1024, t[i].close);
        parts p = {.sheet = sheet};
        expect_err(&p, &lim, APP_ETOOLARGE, "xlsx_too_large", "xml_token", t[i].open);

        /* under the default cap (1 MiB) the same sheet reads */
        app_err err = {0};
        got g;
        ck_assert_msg(read_parts(&p, NULL, &g, &err) == 0, "%s: %s", t[i].open, err.detail);
        ck_assert_int_eq(g.rows, 1);
        free(sheet);
    }
}
END_TEST

/* Tokens that straddle the 64 KiB chunks fed to expat come out whole. */
START_TEST(test_tokens_across_chunks)
{
    for (size_t pad = 65536 - 200; pad < 65536 + 40; pad += 7) {
        base_buf b = {0};
        base_buf_adds(&b, WS_OPEN "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>");
        size_t at = b.n;
        for (size_t i = at; i < pad; i++)
            base_buf_adds(&b, "中"); /* 3-byte characters, cut anywhere by a chunk end */
        base_buf_adds(&b, "</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>&amp;&#x4E2D;</t></is>"
                          "</c></row></sheetData></worksheet>");
        base_buf_addc(&b, '\0');
        parts p = {.sheet = (char *)b.p};
        app_err err = {0};
        got g;
        ck_assert_msg(read_parts(&p, NULL, &g, &err) == 0, "pad %zu: %s", pad, err.detail);
        ck_assert_int_eq(g.rows, 1);
        ck_assert(strncmp(g.first, "中中中", 9) == 0);
        base_buf_free(&b);
    }
}
END_TEST

/* ---- well-formedness and encodings ------------------------------------------------ */

START_TEST(test_not_well_formed)
{
    static const char *const sheets[] = {
        WS_OPEN "<sheetData><row r=\"1\"></c></row></sheetData></worksheet>", /* wrong end tag */
        WS_OPEN "<sheetData><row r=\"1\" r=\"2\"/></sheetData></worksheet>",  /* duplicate attr */
        XMLDECL XMLDECL "<worksheet/>",                                       /* a second decl */
    };
    for (size_t i = 0; i < NELEM(sheets); i++) {
        parts p = {.sheet = sheets[i]};
        expect_err(&p, NULL, APP_EINVAL, "xlsx_malformed", "xml", sheets[i]);
    }
    /* the sheet is read up to </sheetData> only; shared strings are read whole */
    parts p = {.sheet = SHEET_OK, .sst = SST_OPEN "<si><t>x</t></si></sst><sst/>"};
    expect_err(&p, NULL, APP_EINVAL, "xlsx_malformed", "xml", "two roots");
}
END_TEST

/* Bytes that are not UTF-8 where expat stops: param "utf8", as the cell check says. */
START_TEST(test_not_utf8)
{
    static const char *const sheets[] = {
        WS_OPEN "<sheetData><row><c t=\"inlineStr\"><is><t>a\xC3\x28</t></is></c></row></sheetData>"
                "</worksheet>",
        WS_OPEN "<sheetData><row><c t=\"str\"><v>\xFF</v></c></row></sheetData></worksheet>",
        WS_OPEN "<sheetData><row><c r=\"A1\xE4\"/></row></sheetData></worksheet>",
    };
    for (size_t i = 0; i < NELEM(sheets); i++) {
        parts p = {.sheet = sheets[i]};
        expect_err(&p, NULL, APP_EINVAL, "xlsx_malformed", "utf8", sheets[i]);
    }
}
END_TEST

/* An empty part, or one of only a comment, holds nothing: no error (as before expat). */
START_TEST(test_empty_parts)
{
    static const char *const ssts[] = {"", XMLDECL, XMLDECL "<!-- nothing -->"};
    for (size_t i = 0; i < NELEM(ssts); i++) {
        parts p = {.sheet = SHEET_OK, .sst = ssts[i]};
        app_err err = {0};
        got g;
        ck_assert_msg(read_parts(&p, NULL, &g, &err) == 0, "sst %zu: %s", i, err.detail);
        ck_assert_int_eq(g.rows, 1);
    }
}
END_TEST

static Suite *
xlsx_xml_suite(void)
{
    Suite *s = suite_create("xlsx_xml");
    TCase *tc = tcase_create("doctype");
    tcase_add_loop_test(tc, test_doctype_in_sheet, 0, NELEM(doctypes));
    tcase_add_loop_test(tc, test_doctype_in_other_parts, 0, NELEM(doctypes));
    tcase_add_test(tc, test_plain_parts_read);
    suite_add_tcase(s, tc);

    tc = tcase_create("tokens");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_long_tokens);
    tcase_add_test(tc, test_tokens_across_chunks);
    suite_add_tcase(s, tc);

    tc = tcase_create("wellformed");
    tcase_add_test(tc, test_not_well_formed);
    tcase_add_test(tc, test_not_utf8);
    tcase_add_test(tc, test_empty_parts);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(xlsx_xml_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
