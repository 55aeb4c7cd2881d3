/*
 * api/h_regions.c - regions (GB/T 2260), code tables, ID number validation:
 * the reads are core/refdata.h's.
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "core/mask.h"
#include "core/refdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
api_list_limit(api_call *c, int *out_limit)
{
    const char *v = api_query(c, "limit");
    *out_limit = 50;
    if (v == NULL)
        return 0;
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || n < 1 || n > 500) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/limit");
        return -1;
    }
    *out_limit = (int)n;
    return 0;
}

int
api_list_after(api_call *c, const char *name, long long *out_after)
{
    const char *v = api_query(c, name);
    *out_after = 0;
    if (v == NULL || *v == '\0')
        return 0;
    size_t n = strlen(v);
    int ok = n <= 18;
    for (size_t i = 0; ok && i < n; i++)
        ok = v[i] >= '0' && v[i] <= '9';
    if (!ok) {
        api_fail_code(c, APP_EINVAL, "invalid_cursor",
                      app_arena_printf(c->arena, "/query/%s", name));
        return -1;
    }
    *out_after = atoll(v);
    return 0;
}

static json_t *
region_json(const db_region *r)
{
    /* a province's parent is the ministry root, which is not a region */
    int top = r->parent[0] == '\0' || strcmp(r->parent, "000000") == 0;
    json_t *o = json_pack("{s:s,s:s,s:s}", "code", r->code, "name", r->name, "level", r->level);
    if (!top)
        json_object_set_new(o, "parent", json_string(r->parent));
    return o;
}

/* ---- GET /api/v1/regions/{code} ---- */

static int
job_region_get(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_region *v;
    int n;
    int rc = core_region_get(db, &op, api_param(c, "code"), &v, &n, &c->err);
    if (rc != 0)
        return rc;
    json_t *o = region_json(&v[0]);
    json_t *anc = json_array();
    /* ancestors from the province down; the ministry root is not a region */
    for (int i = n - 1; i >= 1; i--)
        if (strcmp(v[i].level, "ministry") != 0)
            json_array_append_new(anc, json_pack("{s:s,s:s,s:s}", "code", v[i].code, "name",
                                                 v[i].name, "level", v[i].level));
    json_object_set_new(o, "ancestors", anc);
    api_header(c, "cache-control", "public, max-age=3600");
    api_reply_json(c, 200, o);
    return 0;
}

void
h_region_get(api_call *c)
{
    if (!api_six_digits(api_param(c, "code"))) {
        api_fail_code(c, APP_ENOTFOUND, "region_not_found", NULL);
        return;
    }
    api_submit(c, job_region_get);
}

/* ---- GET /api/v1/regions?parent=&limit=&cursor= ---- */

typedef struct list_args {
    const char *parent, *after;
    int limit;
} list_args;

static int
job_regions_list(api_call *c, db_conn *db)
{
    list_args *a = c->data;
    core_op op;
    api_op(c, &op);
    db_region *v;
    int n, more;
    int rc = core_region_children(db, &op, a->parent, a->after, a->limit, &v, &n, &more, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, region_json(&v[i]));
    json_t *o = json_pack("{s:o}", "items", items);
    json_object_set_new(o, "next_cursor", more ? json_string(v[n - 1].code) : json_null());
    api_header(c, "cache-control", "public, max-age=3600");
    api_reply_json(c, 200, o);
    return 0;
}

void
h_regions_list(api_call *c)
{
    list_args *a = app_arena_alloc(c->arena, sizeof(*a));
    a->parent = api_query(c, "parent");
    a->after = api_query(c, "cursor");
    if (a->parent == NULL || *a->parent == '\0')
        a->parent = "000000";
    if (!api_six_digits(a->parent)) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/parent");
        return;
    }
    if (a->after == NULL)
        a->after = "";
    else if (!api_six_digits(a->after)) {
        api_fail_code(c, APP_EINVAL, "invalid_cursor", "/query/cursor");
        return;
    }
    if (api_list_limit(c, &a->limit) != 0)
        return;
    c->data = a;
    api_submit(c, job_regions_list);
}

/* ---- code tables ---- */

static int
job_code_tables(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_code_table *v;
    int n;
    int rc = core_code_tables(db, &op, &v, &n, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items,
                              json_pack("{s:s,s:s,s:s,s:i}", "name", v[i].name, "label", v[i].label,
                                        "source", v[i].source, "count", v[i].count));
    api_header(c, "cache-control", "public, max-age=3600");
    api_reply_json(c, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
    return 0;
}

void
h_code_tables(api_call *c)
{
    api_submit(c, job_code_tables);
}

static int
job_code_table_get(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_code_table t;
    db_code_value *v;
    int n;
    int rc = core_code_table_get(db, &op, api_param(c, "name"), &t, &v, &n, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items,
                              json_pack("{s:s,s:s}", "code", v[i].code, "label", v[i].label));
    api_header(c, "cache-control", "public, max-age=3600");
    api_reply_json(c, 200,
                   json_pack("{s:s,s:s,s:s,s:o}", "name", t.name, "label", t.label, "source",
                             t.source, "items", items));
    return 0;
}

void
h_code_table_get(api_call *c)
{
    api_submit(c, job_code_table_get);
}

/* ---- POST /api/v1/id-numbers/validate ---- */

typedef struct id_args {
    const char *number;
    size_t len;
    int today;
} id_args;

static int
job_id_validate(api_call *c, db_conn *db)
{
    id_args *a = c->data;
    core_op op;
    api_op(c, &op);
    core_idnum id;
    const char *full;
    int rc = core_idnum_check(db, &op, a->number, a->len, a->today, &id, &full, &c->err);
    if (rc != 0)
        return rc;

    char masked[32];
    core_mask_id(id.number, masked, sizeof(masked));
    json_t *region = json_pack("{s:s}", "code", id.region);
    if (full != NULL)
        json_object_set_new(region, "name", json_string(full));
    json_t *warnings = json_array();
    if (id.region_unknown)
        json_array_append_new(
            warnings, json_pack("{s:s,s:s}", "code", "region_unknown", "message",
                                c->lang_en ? "the address code is not in the current "
                                             "region list (it may have been retired)"
                                           : "地址码不在现行行政区划中（可能已撤销），请核实"));
    if (id.legacy15)
        json_array_append_new(warnings,
                              json_pack("{s:s,s:s}", "code", "legacy_15_digit", "message",
                                        c->lang_en ? "a legacy 15-digit number, converted to 18"
                                                   : "旧版 15 位号码，已转换为 18 位"));
    char birth[11];
    snprintf(birth, sizeof(birth), "%04d-%02d-%02d", id.year, id.month, id.day);
    api_reply_json(c, 200,
                   json_pack("{s:b,s:s,s:s,s:s,s:s,s:o,s:o}", "valid", 1, "id_number_masked",
                             masked, "birth_date", birth, "gender", id.gender == 1 ? "1" : "2",
                             "gender_label", id.gender == 1 ? "男" : "女", "region", region,
                             "warnings", warnings));
    return 0;
}

void
h_id_number_validate(api_call *c)
{
    json_t *v = json_object_get(c->json, "id_number");
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    if (v == NULL) {
        api_fail_code(c, APP_EINVAL, "missing_field", "/id_number");
        return;
    }
    if (!json_is_string(v)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "/id_number");
        return;
    }
    id_args *a = app_arena_alloc(c->arena, sizeof(*a));
    a->number = app_arena_strndup(c->arena, json_string_value(v), json_string_length(v));
    a->len = json_string_length(v);
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    a->today = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    c->data = a;
    api_submit(c, job_id_validate);
}
