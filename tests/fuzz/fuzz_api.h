/*
 * tests/fuzz/fuzz_api.h - what the targets on the HTTP layer share: the
 * process set up once as xuejid sets it up (a fixed JWT secret and data key,
 * the code tables and regions from the CSV files compiled into the binary,
 * no database), calls made as api/server.c makes them, with request headers
 * in a real h2o header list, and the checks every answer must pass.
 */
#ifndef TESTS_FUZZ_FUZZ_API_H
#define TESTS_FUZZ_FUZZ_API_H

#include "api/api.h"
#include "api/config.h"
#include "api/registry.h"
#include "api/server.h"
#include "core/record.h"
#include "db/embedded.h"
#include "formats/csv.h"
#include "tests/fuzz/fuzz.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_SECRET "fuzz-secret-0123456789abcdef0123456789"
#define FUZZ_TODAY 20261207
#define FUZZ_NOW 1796601600L /* 2026-12-07 00:00 UTC */

static api_config fuzz_cfg;
static core_codes *fuzz_codes;

/* One row of code_tables.csv (table,code,label,sort) or regions.csv (code,name,...). */
static inline int
fuzz_code_row(void *ctx, const fmt_sheet_row *row, app_err *err)
{
    (void)err;
    int regions = *(int *)ctx;
    if (row->row == 1 || row->ncells < 2)
        return 0; /* the header */
    if (regions)
        core_codes_add(fuzz_codes, "region", row->cells[0].s, row->cells[1].s);
    else if (row->ncells >= 3)
        core_codes_add(fuzz_codes, row->cells[0].s, row->cells[1].s, row->cells[2].s);
    return 0;
}

static inline void
fuzz_load_codes(const char *path, int regions)
{
    const struct embedded_file *f = db_embedded_find(path);
    FUZZ_CHECK(f != NULL);
    app_err e = {0};
    FUZZ_CHECK(fmt_csv_read(f->data, f->len, NULL, fuzz_code_row, &regions, NULL, &e) == 0);
}

/* Once per process: configuration, code tables, the registry. */
static inline void
fuzz_api_init(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    FUZZ_CHECK(sodium_init() >= 0);
    memcpy(fuzz_cfg.jwt_secret, FUZZ_SECRET, strlen(FUZZ_SECRET));
    fuzz_cfg.jwt_secret_len = strlen(FUZZ_SECRET);
    memset(fuzz_cfg.data_key, 7, sizeof(fuzz_cfg.data_key));
    fuzz_cfg.have_data_key = 1;
    fuzz_cfg.today_override = FUZZ_TODAY;
    fuzz_cfg.max_json = 1 << 20;
    fuzz_cfg.max_upload = 1 << 20;
    api_server_set_config(&fuzz_cfg);
    fuzz_codes = core_codes_new();
    fuzz_load_codes("db/data/code_tables.csv", 0);
    fuzz_load_codes("db/data/regions.csv", 1);
    core_codes_seal(fuzz_codes);
    app_err e = {0};
    FUZZ_CHECK(api_registry_setup(&fuzz_cfg, fuzz_codes, &e) == 0);
}

/* A call as on_req leaves it before the handler, with its own h2o request
   holding only headers (api_req_header reads them). */
typedef struct fuzz_call {
    api_call c;
    h2o_req_t req;
} fuzz_call;

static inline void
fuzz_call_init(fuzz_call *f)
{
    memset(f, 0, sizeof(*f));
    h2o_mem_init_pool(&f->req.pool);
    f->c.req = &f->req;
    f->c.arena = app_arena_new();
    f->c.route_index = -1;
    f->c.status = 200;
    f->c.method = "GET";
    f->c.path = "/";
    f->c.query = "";
    f->c.body = "";
    f->c.user_agent = "fuzz";
    strcpy(f->c.request_id, "fuzz");
    strcpy(f->c.client_ip, "127.0.0.1");
}

/* Add request header `name` (lower-case, static) with n bytes of value. */
static inline void
fuzz_call_header(fuzz_call *f, const char *name, const char *v, size_t n)
{
    char *copy = h2o_mem_alloc_pool(&f->req.pool, n + 1);
    memcpy(copy, v, n);
    copy[n] = '\0';
    h2o_add_header_by_str(&f->req.pool, &f->req.headers, name, strlen(name), 0, NULL, copy, n);
}

static inline void
fuzz_call_free(fuzz_call *f)
{
    app_arena_free(f->c.arena); /* runs the deferred json_decref of the body */
    h2o_mem_clear_pool(&f->req.pool);
}

/*
 * The answer of a call that did not go to the database: a failure renders
 * as problem+json (valid JSON, UTF-8, a `code`, a 4xx status: bad input is
 * never a server error); a direct answer is valid UTF-8 JSON.
 */
static inline void
fuzz_check_answer(api_call *c)
{
    if (c->failed) {
        api_problem_render(c);
        FUZZ_CHECK(c->status >= 400 && c->status < 500);
    }
    if (c->content_type == NULL || strstr(c->content_type, "json") == NULL)
        return;
    FUZZ_CHECK(c->out != NULL);
    FUZZ_CHECK(base_utf8_valid(c->out, c->out_len));
    json_error_t je;
    json_t *j = json_loadb(c->out, c->out_len, 0, &je);
    FUZZ_CHECK(j != NULL);
    if (c->failed) {
        const char *code = json_string_value(json_object_get(j, "code"));
        FUZZ_CHECK(code != NULL && code[0] != '\0');
        FUZZ_CHECK(json_integer_value(json_object_get(j, "status")) == c->status);
    }
    json_decref(j);
}

#endif
