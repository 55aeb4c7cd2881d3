/*
 * tests/unit/record_test.c - the field catalog of the student record (DOMAIN
 * §4) and the validation it drives: every field kind, the document rules of
 * DOMAIN §2 (rules 1-6), the guardian rule and required fields.
 */
#include "core/record.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TODAY 20261128

static core_codes *codes;
static app_arena *arena;

static const char *const required[] = {"name",  "gender", "birth_date", "ethnicity",
                                       "grade", "class",  "family"};

static void
setup(void)
{
    codes = core_codes_new();
    static const char *const v[][3] = {
        {"gender", "1", "男"},
        {"gender", "2", "女"},
        {"ethnicity", "01", "汉族"},
        {"ethnicity", "02", "蒙古族"},
        {"nationality", "CHN", "中国"},
        {"id_type", "1", "居民身份证"},
        {"id_type", "2", "军官证"},
        {"id_type", "6", "香港特区护照/身份证明"},
        {"id_type", "B", "户口簿"},
        {"id_type", "C", "港澳台居民居住证"},
        {"relation", "1", "父亲"},
        {"relation", "2", "母亲"},
        {"yes_no", "0", "否"},
        {"yes_no", "1", "是"},
        {"left_behind", "0", "非留守儿童"},
        {"region", "410102", "中原区"},
        {"region", "110101", "东城区"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        core_codes_add(codes, v[i][0], v[i][1], v[i][2]);
    core_codes_seal(codes);
    arena = app_arena_new();
}

static void
teardown(void)
{
    app_arena_free(arena);
    core_codes_free(codes);
}

/* A valid record: a resident ID holder in grade 3 with a guardian. */
static void
base(core_record *r)
{
    memset(r, 0, sizeof(*r));
    r->v[CORE_R_NAME] = "张小明";
    r->v[CORE_R_ID_TYPE] = "1";
    r->v[CORE_R_ID_NUMBER] = "11010119900307803X";
    r->v[core_field_index(0, "ethnicity")] = "01";
    r->v[CORE_R_GRADE] = "13";
    r->v[CORE_R_CLASS] = "2";
    r->v[CORE_R_F1 + CORE_M_NAME] = "张大山";
    r->v[CORE_R_F1 + CORE_M_RELATION] = "1";
    r->v[CORE_R_F1 + CORE_M_PHONE] = "13900001111";
    r->v[CORE_R_F1 + CORE_M_GUARDIAN] = "1";
}

static int
validate(core_record *r, app_err *e)
{
    core_record_rules rules = {codes, TODAY, required,
                               (int)(sizeof(required) / sizeof(required[0]))};
    app_err_clear(e);
    return core_record_validate(r, &rules, arena, NULL, e);
}

/* Is there an item for `field` with `code`? */
static int
has(const app_err *e, const char *field, const char *code)
{
    for (int i = 0; i < e->nitems; i++)
        if (strcmp(e->items[i].field, field) == 0 && strcmp(e->items[i].code, code) == 0)
            return 1;
    return 0;
}

/* ---- the catalog ---- */

START_TEST(test_catalog_items)
{
    int seen[CORE_NFIELDS + 1] = {0};
    for (int i = 0; i < CORE_NFIELDS; i++) {
        const core_field *f = &core_fields[i];
        ck_assert_msg(f->item >= 1 && f->item <= 72, "item %d", f->item);
        ck_assert_msg(!seen[f->item]++, "item %d twice", f->item);
        ck_assert_int_eq(f->item, i + 1); /* catalog order = national order */
        ck_assert_ptr_nonnull(f->json);
        ck_assert_ptr_nonnull(f->label);
        ck_assert_int_eq(f->member, i < 48 ? 0 : i < 60 ? 1 : 2);
        ck_assert_int_eq(core_field_index(f->member, f->json), i);
        if (f->kind == CORE_FK_CODE)
            ck_assert_ptr_nonnull(f->table);
        ck_assert_int_eq((f->column == NULL), (f->kind == CORE_FK_PHOTO));
    }
}
END_TEST

START_TEST(test_catalog_named_indexes)
{
    ck_assert_int_eq(core_field_index(0, "name"), CORE_R_NAME);
    ck_assert_int_eq(core_field_index(0, "gender"), CORE_R_GENDER);
    ck_assert_int_eq(core_field_index(0, "birth_date"), CORE_R_BIRTH_DATE);
    ck_assert_int_eq(core_field_index(0, "birthplace"), CORE_R_BIRTHPLACE);
    ck_assert_int_eq(core_field_index(0, "nationality"), CORE_R_NATIONALITY);
    ck_assert_int_eq(core_field_index(0, "id_type"), CORE_R_ID_TYPE);
    ck_assert_int_eq(core_field_index(0, "id_number"), CORE_R_ID_NUMBER);
    ck_assert_int_eq(core_field_index(0, "photo"), CORE_R_PHOTO);
    ck_assert_int_eq(core_field_index(0, "grade"), CORE_R_GRADE);
    ck_assert_int_eq(core_field_index(0, "class"), CORE_R_CLASS);
    ck_assert_int_eq(core_field_index(0, "enrolled_month"), CORE_R_ENROLLED_MONTH);
    ck_assert_int_eq(core_field_index(0, "phone"), CORE_R_PHONE);
    ck_assert_int_eq(core_field_index(0, "left_behind"), CORE_R_LEFT_BEHIND);
    ck_assert_int_eq(core_field_index(0, "migrant_child"), CORE_R_MIGRANT_CHILD);
    ck_assert_int_eq(core_field_index(0, "distance_km"), CORE_R_DISTANCE);
    ck_assert_int_eq(core_field_index(1, "name"), CORE_R_F1);
    ck_assert_int_eq(core_field_index(2, "name"), CORE_R_F2);
    ck_assert_int_eq(core_field_index(1, "relation"), CORE_R_F1 + CORE_M_RELATION);
    ck_assert_int_eq(core_field_index(1, "phone"), CORE_R_F1 + CORE_M_PHONE);
    ck_assert_int_eq(core_field_index(2, "guardian"), CORE_R_F2 + CORE_M_GUARDIAN);
    ck_assert_int_eq(core_field_index(2, "id_type"), CORE_R_F2 + CORE_M_ID_TYPE);
    ck_assert_int_eq(core_field_index(2, "id_number"), CORE_R_F2 + CORE_M_ID_NUMBER);
    ck_assert_int_eq(core_field_index(0, "nope"), -1);
    ck_assert_int_eq(core_field_index(3, "name"), -1);
}
END_TEST

START_TEST(test_catalog_key_and_pii)
{
    /* DOMAIN §4: the five key fields; §7: ID numbers and phones are personal */
    const char *keys = "name gender birth_date id_type id_number ";
    char got[256] = "";
    for (int i = 0; i < CORE_NFIELDS; i++) {
        const core_field *f = &core_fields[i];
        if (f->flags & CORE_F_KEY) {
            ck_assert_int_eq(f->member, 0);
            strcat(got, f->json);
            strcat(got, " ");
        }
        int pii = f->kind == CORE_FK_IDNUM || f->kind == CORE_FK_PHONE;
        ck_assert_msg(!!(f->flags & CORE_F_PII) == pii, "%s PII flag", f->json);
    }
    ck_assert_str_eq(got, keys);
}
END_TEST

START_TEST(test_pointers_and_titles)
{
    char p[64], t[64];
    core_field_pointer(CORE_R_PHONE, p, sizeof(p));
    ck_assert_str_eq(p, "/phone");
    core_field_pointer(CORE_R_F2 + CORE_M_ID_NUMBER, p, sizeof(p));
    ck_assert_str_eq(p, "/family/1/id_number");
    ck_assert_int_eq(core_field_by_pointer("/family/1/id_number"), CORE_R_F2 + CORE_M_ID_NUMBER);
    ck_assert_int_eq(core_field_by_pointer("/family/0/name"), CORE_R_F1);
    ck_assert_int_eq(core_field_by_pointer("/phone"), CORE_R_PHONE);
    ck_assert_int_eq(core_field_by_pointer("/family/2/name"), -1);
    ck_assert_int_eq(core_field_by_pointer("phone"), -1);
    ck_assert_int_eq(core_field_by_pointer(NULL), -1);
    core_field_title(CORE_R_F1 + CORE_M_PHONE, t, sizeof(t));
    ck_assert_str_eq(t, "家庭成员1联系电话");
    core_field_title(CORE_R_NAME, t, sizeof(t));
    ck_assert_str_eq(t, "姓名");
}
END_TEST

START_TEST(test_columns)
{
    int n = 0;
    const char *const *c = core_record_columns(&n);
    /* 71 stored fields (no photo) + one extra column per PII field (6) */
    ck_assert_int_eq(n, 71 + 6);
    ck_assert_str_eq(c[0], "name");
    int enc = 0, mask = 0;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(c[i]);
        enc += l > 4 && strcmp(c[i] + l - 4, "_enc") == 0;
        mask += l > 5 && strcmp(c[i] + l - 5, "_mask") == 0;
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(c[i], c[j]);
    }
    ck_assert_int_eq(enc, 6);
    ck_assert_int_eq(mask, 6);
}
END_TEST

/* ---- validation ---- */

START_TEST(test_valid_record_and_derivation)
{
    core_record r;
    base(&r);
    app_err e;
    ck_assert_int_eq(validate(&r, &e), 0);
    ck_assert_int_eq(e.nitems, 0);
    /* rule 6: gender and birth date come from the resident ID */
    ck_assert_str_eq(r.v[CORE_R_GENDER], "1");
    ck_assert_str_eq(r.v[CORE_R_BIRTH_DATE], "1990-03-07");
}
END_TEST

START_TEST(test_trim_and_normalise)
{
    core_record r;
    base(&r);
    r.v[CORE_R_NAME] = "  张小明\xe3\x80\x80";
    r.v[CORE_R_ID_NUMBER] = " 11010119900307803x ";
    r.v[CORE_R_CLASS] = "02";
    r.v[core_field_index(0, "former_name")] = "   ";
    app_err e;
    ck_assert_int_eq(validate(&r, &e), 0);
    ck_assert_str_eq(r.v[CORE_R_NAME], "张小明");
    ck_assert_str_eq(r.v[CORE_R_ID_NUMBER], "11010119900307803X");
    ck_assert_str_eq(r.v[CORE_R_CLASS], "2");
    ck_assert_ptr_null(r.v[core_field_index(0, "former_name")]);
}
END_TEST

START_TEST(test_legacy_15)
{
    core_record r;
    base(&r);
    r.v[CORE_R_ID_NUMBER] = "110101620927690";
    app_err e;
    ck_assert_int_eq(validate(&r, &e), 0);
    ck_assert_int_eq(strlen(r.v[CORE_R_ID_NUMBER]), 18);
    ck_assert_int_eq(strncmp(r.v[CORE_R_ID_NUMBER], "11010119620927690", 17), 0);
}
END_TEST

START_TEST(test_rule6_contradiction_names_both)
{
    core_record r;
    base(&r);
    r.v[CORE_R_GENDER] = "2";
    r.v[CORE_R_BIRTH_DATE] = "1990-03-08";
    app_err e;
    ck_assert_int_eq(validate(&r, &e), APP_EINVAL);
    ck_assert(has(&e, "/gender", "contradicts_id_number"));
    ck_assert(has(&e, "/birth_date", "contradicts_id_number"));
    ck_assert(has(&e, "/id_number", "contradicts_id_number"));
}
END_TEST

/* Each row: field pointer, value, expected code (NULL: valid). */
typedef struct vrow {
    const char *field, *value, *code, *param;
} vrow;

static const vrow rows[] = {
    {"/id_number", "11010119900307803A", "invalid_id_number", "chars"},
    {"/id_number", "110101199003078031", "invalid_id_number", "checksum"},
    {"/id_number", "1101011990", "invalid_id_number", "length"},
    {"/ethnicity", "99", "invalid_code", "ethnicity"},
    {"/ethnicity", "02", NULL, NULL},
    {"/phone", "138-1234-5678", "invalid_phone", "chars"},
    {"/phone", "无", "invalid_phone", "chars"},
    {"/phone", "123456", "invalid_phone", "length"},
    {"/phone", "13812345678", NULL, NULL},
    {"/distance_km", "2.5", NULL, NULL},
    {"/distance_km", "12", NULL, NULL},
    {"/distance_km", "2.55", "invalid_distance", "decimals"},
    {"/distance_km", "3km", "invalid_distance", "format"},
    {"/distance_km", "1000", "invalid_distance", "range"},
    {"/distance_km", ".5", "invalid_distance", "format"},
    {"/distance_km", "5.", "invalid_distance", "format"},
    {"/birthplace", "410102000000", NULL, NULL},
    {"/birthplace", "410102", "invalid_region_code", "length"},
    {"/birthplace", "419999000000", "invalid_region_code", "unknown"},
    {"/birthplace", "41010200000a", "invalid_region_code", "chars"},
    {"/hukou_region", "110101001002", NULL, NULL},
    {"/enrolled_month", "202409", NULL, NULL},
    {"/enrolled_month", "202413", "invalid_month", "format"},
    {"/enrolled_month", "202701", "invalid_month", "future"},
    {"/enrolled_month", "198901", "invalid_month", "before_birth"},
    {"/postcode", "450000", NULL, NULL},
    {"/postcode", "45000", "invalid_postcode", NULL},
    {"/email", "a@b.cn", NULL, NULL},
    {"/email", "a@b", "invalid_email", NULL},
    {"/email", "a@@b.cn", "invalid_email", NULL},
    {"/homepage", "https://x.cn/", NULL, NULL},
    {"/homepage", "ftp://x.cn/", "invalid_url", NULL},
    {"/grade", "13", NULL, NULL},
    {"/grade", "17", "invalid_grade", NULL},
    {"/class", "0", "invalid_class_number", NULL},
    {"/class", "100", "invalid_class_number", NULL},
    {"/seat_number", "12", NULL, NULL},
    {"/seat_number", "1a", "invalid_digits", "10"},
    {"/name_pinyin", "Zhang Xiaoming", NULL, NULL},
    {"/name_pinyin", "张", "invalid_pinyin", NULL},
    {"/id_valid_until", "2031-02-29", "invalid_date", "format"},
    {"/id_valid_until", "2031-02-28", NULL, NULL},
    {"/birth_date", "2030-01-01", "invalid_date", "future"},
    {"/former_name",
     "a\x01"
     "b",
     "invalid_text", "control"},
    {"/specialty", "绘画、书法", NULL, NULL},
    {"/family/0/relation", "7", "invalid_code", "relation"},
    {"/family/1/phone", "1390000x", "invalid_phone", "chars"},
    {"/left_behind", "0", NULL, NULL},
};

START_TEST(test_field_rows)
{
    const vrow *w = &rows[_i];
    core_record r;
    base(&r);
    int i = core_field_by_pointer(w->field);
    ck_assert_int_ge(i, 0);
    r.v[i] = w->value;
    if (i >= CORE_R_F2) /* a second member needs its name and relation */
        r.v[CORE_R_F2 + CORE_M_NAME] = "李", r.v[CORE_R_F2 + CORE_M_RELATION] = "2";
    if (i == CORE_R_BIRTH_DATE)
        r.v[CORE_R_ID_TYPE] = r.v[CORE_R_ID_NUMBER] = NULL, r.v[CORE_R_F1 + CORE_M_ID_TYPE] = "1",
        r.v[CORE_R_F1 + CORE_M_ID_NUMBER] = "11010119900307803X";
    app_err e;
    int rc = validate(&r, &e);
    if (w->code == NULL) {
        ck_assert_msg(rc == 0, "%s=%s: %d items, first %s %s", w->field, w->value, e.nitems,
                      e.nitems ? e.items[0].field : "", e.nitems ? e.items[0].code : "");
        return;
    }
    ck_assert_msg(rc == APP_EINVAL && has(&e, w->field, w->code), "%s=%s: want %s", w->field,
                  w->value, w->code);
    for (int k = 0; w->param && k < e.nitems; k++)
        if (strcmp(e.items[k].field, w->field) == 0)
            ck_assert_str_eq(e.items[k].param, w->param);
}
END_TEST

START_TEST(test_too_long)
{
    core_record r;
    base(&r);
    char s[200];
    memset(s, 0, sizeof(s));
    for (int i = 0; i < 17; i++)
        strcat(s, "张张张");
    r.v[CORE_R_NAME] = s; /* 51 characters, 153 bytes */
    app_err e;
    ck_assert_int_eq(validate(&r, &e), APP_EINVAL);
    ck_assert(has(&e, "/name", "too_long"));
    ck_assert_str_eq(e.items[0].param, "50");
    s[150] = '\0';        /* 50 characters */
    r.v[CORE_R_NAME] = s; /* validation replaced it with its normalised copy */
    int rc = validate(&r, &e);
    ck_assert_msg(rc == 0, "%d items: %s %s", e.nitems, e.nitems ? e.items[0].field : "",
                  e.nitems ? e.items[0].code : "");
}
END_TEST

START_TEST(test_documents)
{
    core_record r;
    app_err e;
    /* a type the student may not hold (军官证) */
    base(&r);
    r.v[CORE_R_ID_TYPE] = "2";
    ck_assert_int_eq(validate(&r, &e), APP_EINVAL);
    ck_assert(has(&e, "/id_type", "id_type_not_allowed"));
    /* a number without a type, a type without a number */
    base(&r);
    r.v[CORE_R_ID_TYPE] = NULL;
    ck_assert_int_eq(validate(&r, &e), APP_EINVAL);
    ck_assert(has(&e, "/id_type", "missing_field"));
    base(&r);
    r.v[CORE_R_ID_NUMBER] = NULL;
    ck_assert_int_eq(validate(&r, &e), APP_EINVAL);
    ck_assert(has(&e, "/id_number", "missing_field"));
    /* a HK passport: letters and digits, upper-cased */
    base(&r);
    r.v[CORE_R_ID_TYPE] = "6";
    r.v[CORE_R_ID_NUMBER] = "h1234567(8)";
    r.v[CORE_R_GENDER] = "1";
    r.v[CORE_R_BIRTH_DATE] = "2017-05-01";
    ck_assert_int_eq(validate(&r, &e), 0);
    ck_assert_str_eq(r.v[CORE_R_ID_NUMBER], "H1234567(8)");
    /* a residence permit (C) must start 81/82/83 */
    base(&r);
    r.v[CORE_R_ID_TYPE] = "C";
    ck_assert_int_eq(validate(&r, &e), APP_EINVAL);
    ck_assert(has(&e, "/id_number", "invalid_id_number"));
}
END_TEST

START_TEST(test_guardian_rule)
{
    core_record r;
    app_err e;
    base(&r);
    r.v[CORE_R_ID_TYPE] = r.v[CORE_R_ID_NUMBER] = NULL;
    r.v[CORE_R_GENDER] = "2";
    r.v[CORE_R_BIRTH_DATE] = "2018-01-01";
    ck_assert_int_eq(validate(&r, &e), APP_EINVAL);
    ck_assert(has(&e, "/family/0/guardian", "guardian_document_required"));
    /* the second member, a guardian with a document, is enough */
    r.v[CORE_R_F2 + CORE_M_NAME] = "李";
    r.v[CORE_R_F2 + CORE_M_RELATION] = "2";
    r.v[CORE_R_F2 + CORE_M_GUARDIAN] = "1";
    r.v[CORE_R_F2 + CORE_M_ID_TYPE] = "1";
    r.v[CORE_R_F2 + CORE_M_ID_NUMBER] = "11010119900307803X";
    ck_assert_int_eq(validate(&r, &e), 0);
    /* a non-guardian's document does not count */
    r.v[CORE_R_F2 + CORE_M_GUARDIAN] = "0";
    ck_assert_int_eq(validate(&r, &e), APP_EINVAL);
}
END_TEST

START_TEST(test_required_and_all_at_once)
{
    core_record r;
    memset(&r, 0, sizeof(r));
    r.v[CORE_R_PHONE] = "abc";
    app_err e;
    ck_assert_int_eq(validate(&r, &e), APP_EINVAL);
    ck_assert(has(&e, "/name", "missing_field"));
    ck_assert(has(&e, "/ethnicity", "missing_field"));
    ck_assert(has(&e, "/family/0/name", "missing_field"));
    ck_assert(has(&e, "/family/0/guardian", "missing_field"));
    ck_assert(has(&e, "/phone", "invalid_phone"));
    /* one complaint per field and reason */
    for (int i = 0; i < e.nitems; i++)
        for (int j = 0; j < i; j++)
            ck_assert(strcmp(e.items[i].field, e.items[j].field) != 0 ||
                      strcmp(e.items[i].code, e.items[j].code) != 0);
    /* a second member who is there at all needs a name and a relation */
    base(&r);
    r.v[CORE_R_F2 + CORE_M_PHONE] = "13900002222";
    ck_assert_int_eq(validate(&r, &e), APP_EINVAL);
    ck_assert(has(&e, "/family/1/name", "missing_field"));
    ck_assert(has(&e, "/family/1/relation", "missing_field"));
}
END_TEST

START_TEST(test_key_changed)
{
    core_record a, b;
    base(&a);
    base(&b);
    ck_assert_int_eq(core_record_key_changed(&a, &b), 0);
    b.v[CORE_R_PHONE] = "13800000000";
    ck_assert_int_eq(core_record_key_changed(&a, &b), 0);
    b.v[CORE_R_NAME] = "张小红";
    ck_assert_int_eq(core_record_key_changed(&a, &b), 1 << CORE_R_NAME);
    b.v[CORE_R_ID_NUMBER] = NULL;
    ck_assert_int_eq(core_record_key_changed(&a, &b), (1 << CORE_R_NAME) | (1 << CORE_R_ID_NUMBER));
}
END_TEST

START_TEST(test_codes_lookup)
{
    ck_assert_str_eq(core_codes_label(codes, "gender", "2"), "女");
    ck_assert_ptr_null(core_codes_label(codes, "gender", "3"));
    ck_assert_ptr_null(core_codes_label(codes, "nope", "1"));
    ck_assert_ptr_null(core_codes_label(codes, "gender", NULL));
    ck_assert_str_eq(core_codes_label(codes, "region", "410102"), "中原区");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("catalog");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_catalog_items);
    tcase_add_test(tc, test_catalog_named_indexes);
    tcase_add_test(tc, test_catalog_key_and_pii);
    tcase_add_test(tc, test_pointers_and_titles);
    tcase_add_test(tc, test_columns);
    tcase_add_test(tc, test_codes_lookup);
    suite_add_tcase(s, tc);
    TCase *tv = tcase_create("validation");
    tcase_add_checked_fixture(tv, setup, teardown);
    tcase_add_test(tv, test_valid_record_and_derivation);
    tcase_add_test(tv, test_trim_and_normalise);
    tcase_add_test(tv, test_legacy_15);
    tcase_add_test(tv, test_rule6_contradiction_names_both);
    tcase_add_loop_test(tv, test_field_rows, 0, (int)(sizeof(rows) / sizeof(rows[0])));
    tcase_add_test(tv, test_too_long);
    tcase_add_test(tv, test_documents);
    tcase_add_test(tv, test_guardian_rule);
    tcase_add_test(tv, test_required_and_all_at_once);
    tcase_add_test(tv, test_key_changed);
    suite_add_tcase(s, tv);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
