/*
 * core/record.c - the field catalog of the student record and its validation.
 */
#include "core/record.h"

#include "core/grade.h"
#include "core/idnum.h"
#include "core/region.h"
#include "core/settings.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K CORE_F_KEY
#define P CORE_F_PII

/* One line per item of the national data set (DOMAIN §4). */
#define MEMBER(m, base)                                                                             \
    {base + 0, m, "name", "f" #m "_name", "姓名", CORE_FK_TEXT, NULL, 50, 0},                       \
        {base + 1, m, "relation", "f" #m "_relation", "关系", CORE_FK_CODE, "relation", 0, 0},      \
        {base + 2, m, "relation_note", "f" #m "_relation_note", "关系说明", CORE_FK_TEXT, NULL,     \
         50,       0},                                                                              \
        {base + 3, m, "ethnicity", "f" #m "_ethnicity", "民族", CORE_FK_CODE, "ethnicity", 0, 0},   \
        {base + 4, m, "employer", "f" #m "_employer", "工作单位", CORE_FK_TEXT, NULL, 100, 0},      \
        {base + 5, m, "current_address", "f" #m "_current_address", "现住址", CORE_FK_TEXT, NULL,   \
         200,      0},                                                                              \
        {base + 6, m, "hukou_region", "f" #m "_hukou_region", "户口所在地", CORE_FK_REGION12, NULL, \
         12,       0},                                                                              \
        {base + 7, m, "phone", "f" #m "_phone", "联系电话", CORE_FK_PHONE, NULL, 20, P},            \
        {base + 8, m, "guardian", "f" #m "_guardian", "是否监护人", CORE_FK_CODE, "yes_no", 0, 0},  \
        {base + 9, m, "id_type", "f" #m "_id_type", "身份证件类型", CORE_FK_CODE, "id_type", 0, 0}, \
        {base + 10, m, "id_number", "f" #m "_id_number", "身份证件号", CORE_FK_IDNUM, NULL, 30, P}, \
    {                                                                                               \
        base + 11, m, "position", "f" #m "_position", "职务", CORE_FK_TEXT, NULL, 50, 0             \
    }

const core_field core_fields[CORE_NFIELDS] = {
    /* 1-13 personal */
    {1, 0, "name", "name", "姓名", CORE_FK_TEXT, NULL, 50, K},
    {2, 0, "gender", "gender", "性别", CORE_FK_CODE, "gender", 0, K},
    {3, 0, "birth_date", "birth_date", "出生日期", CORE_FK_DATE, NULL, 10, K},
    {4, 0, "birthplace", "birthplace", "出生地", CORE_FK_REGION12, NULL, 12, 0},
    {5, 0, "native_place", "native_place", "籍贯", CORE_FK_TEXT, NULL, 50, 0},
    {6, 0, "ethnicity", "ethnicity", "民族", CORE_FK_CODE, "ethnicity", 0, 0},
    {7, 0, "nationality", "nationality", "国籍/地区", CORE_FK_CODE, "nationality", 0, 0},
    {8, 0, "id_type", "id_type", "身份证件类型", CORE_FK_CODE, "id_type", 0, K},
    {9, 0, "id_number", "id_number", "身份证件号", CORE_FK_IDNUM, NULL, 30, K | P},
    {10, 0, "overseas_status", "overseas_status", "港澳台侨外", CORE_FK_CODE, "overseas_status", 0,
     0},
    {11, 0, "political_status", "political_status", "政治面貌", CORE_FK_CODE, "political_status", 0,
     0},
    {12, 0, "health", "health", "健康状况", CORE_FK_CODE, "health", 0, 0},
    {13, 0, "photo", NULL, "照片", CORE_FK_PHOTO, NULL, 0, CORE_F_READONLY},
    /* 14-19 auxiliary */
    {14, 0, "name_pinyin", "name_pinyin", "姓名拼音", CORE_FK_PINYIN, NULL, 100, 0},
    {15, 0, "former_name", "former_name", "曾用名", CORE_FK_TEXT, NULL, 50, 0},
    {16, 0, "id_valid_until", "id_valid_until", "身份证件有效期", CORE_FK_DATE, NULL, 10, 0},
    {17, 0, "hukou_region", "hukou_region", "户口所在地", CORE_FK_REGION12, NULL, 12, 0},
    {18, 0, "hukou_type", "hukou_type", "户口性质", CORE_FK_CODE, "hukou_type", 0, 0},
    {19, 0, "specialty", "specialty", "特长", CORE_FK_TEXT, NULL, 200, 0},
    /* 20-27 status */
    {20, 0, "aux_number", "aux_number", "学籍辅号", CORE_FK_TEXT, NULL, 30, 0},
    {21, 0, "seat_number", "seat_number", "班内学号", CORE_FK_DIGITS, NULL, 10, 0},
    {22, 0, "grade", "grade", "年级", CORE_FK_GRADE, NULL, 2, 0},
    {23, 0, "class", "class_no", "班级", CORE_FK_CLASSNO, NULL, 2, 0},
    {24, 0, "enrolled_month", "enrolled_month", "入学年月", CORE_FK_MONTH, NULL, 6, 0},
    {25, 0, "entry_mode", "entry_mode", "入学方式", CORE_FK_CODE, "entry_mode", 0, 0},
    {26, 0, "study_mode", "study_mode", "就读方式", CORE_FK_CODE, "study_mode", 0, 0},
    {27, 0, "source", "source", "学生来源", CORE_FK_CODE, "source", 0, 0},
    /* 28-34 contact */
    {28, 0, "current_address", "current_address", "现住址", CORE_FK_TEXT, NULL, 200, 0},
    {29, 0, "mailing_address", "mailing_address", "通信地址", CORE_FK_TEXT, NULL, 200, 0},
    {30, 0, "home_address", "home_address", "家庭地址", CORE_FK_TEXT, NULL, 200, 0},
    {31, 0, "phone", "phone", "联系电话", CORE_FK_PHONE, NULL, 20, P},
    {32, 0, "postcode", "postcode", "邮政编码", CORE_FK_POSTCODE, NULL, 6, 0},
    {33, 0, "email", "email", "电子信箱", CORE_FK_EMAIL, NULL, 100, 0},
    {34, 0, "homepage", "homepage", "主页地址", CORE_FK_URL, NULL, 200, 0},
    /* 35-45 extended */
    {35, 0, "only_child", "only_child", "是否独生子女", CORE_FK_CODE, "yes_no", 0, 0},
    {36, 0, "preschool", "preschool", "是否受过学前教育", CORE_FK_CODE, "yes_no", 0, 0},
    {37, 0, "left_behind", "left_behind", "是否留守儿童", CORE_FK_CODE, "left_behind", 0, 0},
    {38, 0, "migrant_child", "migrant_child", "是否进城务工人员随迁子女", CORE_FK_CODE, "yes_no", 0,
     0},
    {39, 0, "orphan", "orphan", "是否孤儿", CORE_FK_CODE, "yes_no", 0, 0},
    {40, 0, "martyr_child", "martyr_child", "是否烈士或优抚子女", CORE_FK_CODE, "yes_no", 0, 0},
    {41, 0, "inclusive_ed", "inclusive_ed", "随班就读", CORE_FK_CODE, "inclusive_ed", 0, 0},
    {42, 0, "disability", "disability", "残疾类型", CORE_FK_CODE, "disability", 0, 0},
    {43, 0, "gov_funded_seat", "gov_funded_seat", "是否由政府购买学位", CORE_FK_CODE, "yes_no", 0,
     0},
    {44, 0, "needs_aid", "needs_aid", "是否需要申请资助", CORE_FK_CODE, "yes_no", 0, 0},
    {45, 0, "boarding_subsidy", "boarding_subsidy", "是否享受一补", CORE_FK_CODE, "yes_no", 0, 0},
    /* 46-48 travel */
    {46, 0, "distance_km", "distance_km", "上下学距离", CORE_FK_KM, NULL, 5, 0},
    {47, 0, "transport", "transport", "上下学交通方式", CORE_FK_CODE, "transport", 0, 0},
    {48, 0, "school_bus", "school_bus", "是否需要乘坐校车", CORE_FK_CODE, "yes_no", 0, 0},
    /* 49-60, 61-72 family members */
    MEMBER(1, 49),
    MEMBER(2, 61),
};

#undef K
#undef P

/* Identity document types a student may hold (DOMAIN §2). */
static const char *const student_id_types[] = {"1", "6", "7", "8", "9", "A", "B", "C", NULL};

int
core_field_index(int member, const char *json)
{
    if (json == NULL)
        return -1;
    for (int i = 0; i < CORE_NFIELDS; i++)
        if (core_fields[i].member == member && strcmp(core_fields[i].json, json) == 0)
            return i;
    return -1;
}

int
core_field_by_pointer(const char *p)
{
    if (p == NULL || p[0] != '/')
        return -1;
    if (strncmp(p, "/family/", 8) == 0 && (p[8] == '0' || p[8] == '1') && p[9] == '/')
        return core_field_index(p[8] - '0' + 1, p + 10);
    return core_field_index(0, p + 1);
}

void
core_field_pointer(int i, char *buf, size_t cap)
{
    const core_field *f = &core_fields[i];
    if (f->member == 0)
        snprintf(buf, cap, "/%s", f->json);
    else
        snprintf(buf, cap, "/family/%d/%s", f->member - 1, f->json);
}

void
core_field_title(int i, char *buf, size_t cap)
{
    const core_field *f = &core_fields[i];
    if (f->member == 0)
        snprintf(buf, cap, "%s", f->label);
    else
        snprintf(buf, cap, "家庭成员%d%s", f->member, f->label);
}

/* ------------------------------------------------------------ reference data */

typedef struct code_entry {
    char *table, *code, *label;
} code_entry;

struct core_codes {
    code_entry *v;
    size_t n, cap;
};

core_codes *
core_codes_new(void)
{
    return xcalloc(1, sizeof(core_codes));
}

void
core_codes_free(core_codes *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].table);
        free(c->v[i].code);
        free(c->v[i].label);
    }
    free(c->v);
    free(c);
}

void
core_codes_add(core_codes *c, const char *table, const char *code, const char *label)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->v = xrealloc(c->v, c->cap * sizeof(code_entry));
    }
    c->v[c->n++] = (code_entry){xstrdup(table), xstrdup(code), xstrdup(label)};
}

static int
entry_cmp(const void *a, const void *b)
{
    const code_entry *x = a, *y = b;
    int d = strcmp(x->table, y->table);
    return d ? d : strcmp(x->code, y->code);
}

void
core_codes_seal(core_codes *c)
{
    qsort(c->v, c->n, sizeof(code_entry), entry_cmp);
}

const char *
core_codes_label(const core_codes *c, const char *table, const char *code)
{
    if (c == NULL || table == NULL || code == NULL)
        return NULL;
    code_entry key = {(char *)table, (char *)code, NULL};
    const code_entry *e = bsearch(&key, c->v, c->n, sizeof(code_entry), entry_cmp);
    return e ? e->label : NULL;
}

/* The first entry of `table` (entries are sorted by table, then code). */
static size_t
table_start(const core_codes *c, const char *table)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(c->v[mid].table, table) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t
core_codes_each(const core_codes *c, const char *table,
                void (*fn)(void *ctx, const char *code, const char *label), void *ctx)
{
    if (c == NULL || table == NULL)
        return 0;
    size_t n = 0;
    for (size_t i = table_start(c, table); i < c->n && strcmp(c->v[i].table, table) == 0; i++) {
        fn(ctx, c->v[i].code, c->v[i].label);
        n++;
    }
    return n;
}

const char *
core_codes_by_label(const core_codes *c, const char *table, const char *label)
{
    if (c == NULL || table == NULL || label == NULL)
        return NULL;
    for (size_t i = table_start(c, table); i < c->n && strcmp(c->v[i].table, table) == 0; i++)
        if (strcmp(c->v[i].label, label) == 0)
            return c->v[i].code;
    return NULL;
}

/* ------------------------------------------------------------ validation */

typedef struct vctx {
    core_record *r;
    const core_record_rules *rules;
    app_arena *a;
    app_err *err;
    int warnings;
} vctx;

static void
bad(vctx *x, int i, const char *code, const char *param)
{
    char p[64];
    core_field_pointer(i, p, sizeof(p));
    for (int k = 0; k < x->err->nitems; k++)
        if (strcmp(x->err->items[k].field, p) == 0 && strcmp(x->err->items[k].code, code) == 0)
            return; /* one complaint per field and reason */
    app_err_add(x->err, p, code, param);
}

static size_t
utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

int
core_all_digits(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Trim ASCII blanks and ideographic spaces (U+3000) at both ends; NULL if nothing is left. */
static const char *
trim(app_arena *a, const char *s)
{
    for (;;) {
        if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
            s++;
        else if (strncmp(s, "\xe3\x80\x80", 3) == 0)
            s += 3;
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
            n--;
        else if (n >= 3 && strncmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
            n -= 3;
        else
            break;
    }
    return n ? app_arena_strndup(a, s, n) : NULL;
}

static int
has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

static void
check_text(vctx *x, int i, const char *s)
{
    const core_field *f = &core_fields[i];
    if (has_control(s))
        bad(x, i, "invalid_text", "control");
    else if ((int)utf8_chars(s) > f->max)
        bad(x, i, "too_long", app_arena_printf(x->a, "%d", f->max));
}

static void
check_email(vctx *x, int i, const char *s)
{
    const char *at = strchr(s, '@');
    int ok = at && at > s && strchr(at + 1, '@') == NULL && strchr(at + 1, '.') && at[1] != '.' &&
             s[strlen(s) - 1] != '.' && strlen(s) <= 100;
    for (const char *p = s; ok && *p; p++)
        ok = (unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f;
    if (!ok)
        bad(x, i, "invalid_email", NULL);
}

static void
check_url(vctx *x, int i, const char *s)
{
    int ok = (strncmp(s, "http://", 7) == 0 && s[7]) || (strncmp(s, "https://", 8) == 0 && s[8]);
    for (const char *p = s; ok && *p; p++)
        ok = (unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f;
    if (!ok || strlen(s) > 200)
        bad(x, i, "invalid_url", NULL);
}

/* Distance in km: up to three integer digits and at most one decimal. */
static void
check_km(vctx *x, int i, const char *s)
{
    const char *p = s;
    int ni = 0, nd = -1;
    while (*p >= '0' && *p <= '9') {
        p++;
        ni++;
    }
    if (*p == '.') {
        p++;
        nd = 0;
        while (*p >= '0' && *p <= '9') {
            p++;
            nd++;
        }
    }
    if (*p != '\0' || ni == 0 || nd == 0)
        bad(x, i, "invalid_distance", "format");
    else if (nd > 1)
        bad(x, i, "invalid_distance", "decimals");
    else if (ni > 3)
        bad(x, i, "invalid_distance", "range");
}

static void
check_month(vctx *x, int i, const char *s)
{
    if (strlen(s) != 6 || !core_all_digits(s)) {
        bad(x, i, "invalid_month", "format");
        return;
    }
    int y = atoi(app_arena_strndup(x->a, s, 4)), m = atoi(s + 4);
    if (y < 1900 || m < 1 || m > 12)
        bad(x, i, "invalid_month", "format");
    else if (y * 100 + m > x->rules->today / 100)
        bad(x, i, "invalid_month", "future");
}

/* Region codes of 12 digits: the county part must exist. */
static void
check_region12(vctx *x, int i, const char *s)
{
    char county[7];
    app_err e;
    app_err_clear(&e);
    if (core_region12_parse(s, strlen(s), county, &e) != 0)
        bad(x, i, "invalid_region_code", e.param);
    else if (core_codes_label(x->rules->codes, "region", county) == NULL)
        bad(x, i, "invalid_region_code", "unknown");
}

int
core_codes_is_region(const char *code6, void *ctx)
{
    return core_codes_label(ctx, "region", code6) != NULL;
}

static int
in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

/*
 * An ID number against the id_type beside it (field `ti`). Types 1 and C
 * follow GB 11643 (C: HK/Macao/Taiwan residence permits, 81/82/83); other
 * documents are 4..30 Latin letters, digits, parentheses or hyphens,
 * upper-cased. Returns the normalised number or NULL after reporting.
 */
static const char *
check_idnum(vctx *x, int i, int ti, const char *s, core_idnum *out_id, int *out_parsed)
{
    const char *type = x->r->v[ti];
    *out_parsed = 0;
    if (type == NULL) {
        bad(x, ti, "missing_field", NULL);
        return NULL;
    }
    if (strcmp(type, "1") == 0 || strcmp(type, "C") == 0) {
        app_err e;
        app_err_clear(&e);
        if (core_idnum_parse(s, strlen(s), x->rules->today, core_codes_is_region,
                             (void *)x->rules->codes, out_id, &e) != 0) {
            bad(x, i, "invalid_id_number", e.param);
            return NULL;
        }
        int hkmt = strncmp(out_id->number, "81", 2) == 0 || strncmp(out_id->number, "82", 2) == 0 ||
                   strncmp(out_id->number, "83", 2) == 0;
        if (strcmp(type, "C") == 0 && !hkmt) {
            bad(x, i, "invalid_id_number", "permit_region");
            return NULL;
        }
        if (out_id->region_unknown && core_fields[i].member == 0)
            x->warnings |= CORE_RECORD_WARN_ID_REGION;
        *out_parsed = 1;
        return app_arena_strdup(x->a, out_id->number);
    }
    size_t n = strlen(s);
    char *u = app_arena_strdup(x->a, s);
    int ok = n >= 4 && n <= 30;
    for (char *p = u; ok && *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
        ok = (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '(' || *p == ')' ||
             *p == '-';
    }
    if (!ok) {
        bad(x, i, "invalid_id_number", n < 4 || n > 30 ? "length" : "chars");
        return NULL;
    }
    return u;
}

/* One field by its kind; returns the normalised value (or the input). */
static const char *
check_field(vctx *x, int i, const char *s)
{
    const core_field *f = &core_fields[i];
    switch (f->kind) {
    case CORE_FK_TEXT:
        check_text(x, i, s);
        break;
    case CORE_FK_PINYIN: {
        int ok = (int)strlen(s) <= f->max;
        for (const unsigned char *p = (const unsigned char *)s; ok && *p; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == ' ' || *p == '\'' ||
                 *p == '-';
        if (!ok)
            bad(x, i, "invalid_pinyin", NULL);
        break;
    }
    case CORE_FK_CODE:
        if (core_codes_label(x->rules->codes, f->table, s) == NULL)
            bad(x, i, "invalid_code", f->table);
        break;
    case CORE_FK_DATE: {
        int ymd;
        if (core_date_parse(s, &ymd) != 0)
            bad(x, i, "invalid_date", "format");
        else if (i == CORE_R_BIRTH_DATE && ymd > x->rules->today)
            bad(x, i, "invalid_date", "future");
        break;
    }
    case CORE_FK_MONTH:
        check_month(x, i, s);
        break;
    case CORE_FK_REGION12:
        check_region12(x, i, s);
        break;
    case CORE_FK_IDNUM:
        break; /* with its id_type, below */
    case CORE_FK_PHONE:
        if (!core_all_digits(s))
            bad(x, i, "invalid_phone", "chars");
        else if (strlen(s) < 7 || strlen(s) > 20)
            bad(x, i, "invalid_phone", "length");
        break;
    case CORE_FK_POSTCODE:
        if (strlen(s) != 6 || !core_all_digits(s))
            bad(x, i, "invalid_postcode", NULL);
        break;
    case CORE_FK_EMAIL:
        check_email(x, i, s);
        break;
    case CORE_FK_URL:
        check_url(x, i, s);
        break;
    case CORE_FK_KM:
        check_km(x, i, s);
        break;
    case CORE_FK_GRADE:
        if (strlen(s) != 2 || !core_all_digits(s) || !core_grade_valid(atoi(s)))
            bad(x, i, "invalid_grade", NULL);
        break;
    case CORE_FK_CLASSNO:
        if (!core_all_digits(s) || strlen(s) > 2 || atoi(s) < 1) {
            bad(x, i, "invalid_class_number", NULL);
        } else {
            return app_arena_printf(x->a, "%d", atoi(s)); /* "07" -> "7" */
        }
        break;
    case CORE_FK_DIGITS:
        if (!core_all_digits(s) || (int)strlen(s) > f->max)
            bad(x, i, "invalid_digits", app_arena_printf(x->a, "%d", f->max));
        break;
    case CORE_FK_PHOTO:
        break;
    }
    return s;
}

static int
ymd_of(const char *date)
{
    int ymd = 0;
    return date && core_date_parse(date, &ymd) == 0 ? ymd : 0;
}

/* Rule 6 and the document rules of DOMAIN §2 for the student or one member. */
static void
check_document(vctx *x, int ti, int ni)
{
    core_record *r = x->r;
    const char *type = r->v[ti], *num = r->v[ni];
    int student = core_fields[ti].member == 0;
    if (type == NULL && num == NULL)
        return;
    if (type != NULL && num == NULL) {
        bad(x, ni, "missing_field", NULL);
        return;
    }
    if (student && type != NULL && !in_list(type, student_id_types)) {
        bad(x, ti, "id_type_not_allowed", NULL);
        return;
    }
    core_idnum id;
    int parsed = 0;
    const char *norm = check_idnum(x, ni, ti, num, &id, &parsed);
    if (norm == NULL)
        return;
    r->v[ni] = norm;
    if (!student || !parsed)
        return;
    /* rule 6: a resident ID fixes gender and birth date */
    char g[2] = {(char)('0' + id.gender), 0};
    char bd[11];
    snprintf(bd, sizeof(bd), "%04d-%02d-%02d", id.year, id.month, id.day);
    if (r->v[CORE_R_GENDER] == NULL)
        r->v[CORE_R_GENDER] = app_arena_strdup(x->a, g);
    if (r->v[CORE_R_BIRTH_DATE] == NULL)
        r->v[CORE_R_BIRTH_DATE] = app_arena_strdup(x->a, bd);
    int birth = ymd_of(r->v[CORE_R_BIRTH_DATE]);
    int gender = atoi(r->v[CORE_R_GENDER]);
    int m = core_idnum_matches(&id, gender, birth);
    if (m & CORE_IDNUM_MISMATCH_GENDER) {
        bad(x, CORE_R_GENDER, "contradicts_id_number", NULL);
        bad(x, ni, "contradicts_id_number", "gender");
    }
    if (m & CORE_IDNUM_MISMATCH_BIRTH) {
        bad(x, CORE_R_BIRTH_DATE, "contradicts_id_number", NULL);
        bad(x, ni, "contradicts_id_number", "birth_date");
    }
}

static int
member_present(const core_record *r, int base)
{
    for (int k = 0; k < CORE_FAMILY_FIELDS; k++)
        if (r->v[base + k] != NULL)
            return 1;
    return 0;
}

static void
check_required(vctx *x)
{
    const core_record_rules *ru = x->rules;
    core_record *r = x->r;
    for (int k = 0; k < ru->nrequired; k++) {
        const char *name = ru->required[k];
        if (strcmp(name, "family") == 0) {
            static const int need[] = {CORE_M_NAME, CORE_M_RELATION, CORE_M_PHONE, CORE_M_GUARDIAN};
            for (size_t j = 0; j < sizeof(need) / sizeof(need[0]); j++)
                if (r->v[CORE_R_F1 + need[j]] == NULL)
                    bad(x, CORE_R_F1 + need[j], "missing_field", NULL);
            continue;
        }
        int i = core_field_index(0, name);
        if (i < 0 || core_fields[i].flags & CORE_F_READONLY)
            continue;
        /* id_type absent means "no document"; id_number follows the type */
        if (i == CORE_R_ID_TYPE || i == CORE_R_ID_NUMBER)
            continue;
        if (r->v[i] == NULL)
            bad(x, i, "missing_field", NULL);
    }
}

int
core_record_no_document(const core_record *r)
{
    return r->v[CORE_R_ID_TYPE] == NULL;
}

int
core_record_validate(core_record *r, const core_record_rules *rules, app_arena *a,
                     int *out_warnings, app_err *err)
{
    vctx x = {r, rules, a, err, 0};
    int before = err->nitems;

    for (int i = 0; i < CORE_NFIELDS; i++) {
        if (core_fields[i].flags & CORE_F_READONLY) {
            r->v[i] = NULL;
            continue;
        }
        if (r->v[i] == NULL)
            continue;
        r->v[i] = trim(a, r->v[i]);
        if (r->v[i] == NULL)
            continue;
        r->v[i] = check_field(&x, i, r->v[i]);
    }

    /* documents: the student's and each member's */
    check_document(&x, CORE_R_ID_TYPE, CORE_R_ID_NUMBER);
    for (int base = CORE_R_F1; base <= CORE_R_F2; base += CORE_FAMILY_FIELDS)
        check_document(&x, base + CORE_M_ID_TYPE, base + CORE_M_ID_NUMBER);

    /* a member who is there at all has a name and a relation */
    for (int base = CORE_R_F1; base <= CORE_R_F2; base += CORE_FAMILY_FIELDS) {
        if (!member_present(r, base))
            continue;
        if (r->v[base + CORE_M_NAME] == NULL)
            bad(&x, base + CORE_M_NAME, "missing_field", NULL);
        if (r->v[base + CORE_M_RELATION] == NULL)
            bad(&x, base + CORE_M_RELATION, "missing_field", NULL);
    }

    /* a student without a document has a guardian who holds one */
    if (core_record_no_document(r) && r->v[CORE_R_ID_NUMBER] == NULL) {
        int ok = 0;
        for (int base = CORE_R_F1; base <= CORE_R_F2; base += CORE_FAMILY_FIELDS) {
            const char *g = r->v[base + CORE_M_GUARDIAN];
            ok |= g && strcmp(g, "1") == 0 && r->v[base + CORE_M_ID_TYPE] &&
                  r->v[base + CORE_M_ID_NUMBER];
        }
        if (!ok)
            bad(&x, CORE_R_F1 + CORE_M_GUARDIAN, "guardian_document_required", NULL);
    }

    /* enrolled no earlier than born */
    int birth = ymd_of(r->v[CORE_R_BIRTH_DATE]);
    const char *em = r->v[CORE_R_ENROLLED_MONTH];
    if (birth && em && strlen(em) == 6 && core_all_digits(em) && atoi(em) < birth / 100)
        bad(&x, CORE_R_ENROLLED_MONTH, "invalid_month", "before_birth");

    check_required(&x);

    if (out_warnings)
        *out_warnings = x.warnings;
    return err->nitems > before ? APP_EINVAL : 0;
}

/* ------------------------------------------------------------ SQL columns */

static const char *columns[CORE_NFIELDS * 2];
static int ncolumns;

static void
build_columns(void)
{
    static char buf[CORE_NFIELDS * 2][40];
    int n = 0;
    for (int i = 0; i < CORE_NFIELDS; i++) {
        const core_field *f = &core_fields[i];
        if (f->column == NULL)
            continue;
        if (f->flags & CORE_F_PII) {
            snprintf(buf[n], sizeof(buf[n]), "%s_enc", f->column);
            columns[n] = buf[n];
            n++;
            snprintf(buf[n], sizeof(buf[n]), "%s_mask", f->column);
            columns[n] = buf[n];
            n++;
        } else {
            columns[n++] = f->column;
        }
    }
    ncolumns = n;
}

const char *const *
core_record_columns(int *out_n)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, build_columns);
    *out_n = ncolumns;
    return columns;
}

int
core_record_key_changed(const core_record *o, const core_record *n)
{
    static const int keys[] = {CORE_R_NAME, CORE_R_GENDER, CORE_R_BIRTH_DATE, CORE_R_ID_TYPE,
                               CORE_R_ID_NUMBER};
    int mask = 0;
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        const char *a = o->v[keys[k]], *b = n->v[keys[k]];
        if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
            mask |= 1 << keys[k];
    }
    return mask;
}
