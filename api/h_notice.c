/*
 * api/h_notice.c - GET /requests/{id}/notice.pdf: the 休学通知单 or the
 * 调整年级通知单 of an applied university status change (issue 16,
 * workflow/notice.h). One page of a few dozen KB, made by the job and sent
 * whole, as one pupil's information sheet is (api/h_print.c).
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "base/buf.h"
#include "workflow/notice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
notice_sink(void *ctx, const void *p, size_t n, app_err *err)
{
    (void)err;
    base_buf_add(ctx, p, n);
    return 0;
}

static int
job_request_notice(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    base_buf b = {0};
    fmt_sink sink = {notice_sink, &b};
    long long id = atoll(api_param(c, "id"));
    int rc = wf_request_notice(db, &op, id, sink, &c->err);
    if (rc == 0) {
        char disp[160];
        /* notice-<id>.pdf; 通知单-<id>.pdf */
        snprintf(disp, sizeof(disp),
                 "attachment; filename=\"notice-%lld.pdf\"; "
                 "filename*=UTF-8''%%E9%%80%%9A%%E7%%9F%%A5%%E5%%8D%%95-%lld.pdf",
                 id, id);
        api_header(c, "content-disposition", disp);
        api_header(c, "cache-control", "no-store");
        api_reply_raw(c, 200, "application/pdf", (const char *)b.p, b.n);
    }
    base_buf_free(&b);
    return rc;
}

void
h_request_notice(api_call *c)
{
    const char *v = api_param(c, "id");
    size_t n = v ? strlen(v) : 0;
    if (n == 0 || n > 18 || strspn(v, "0123456789") != n || atoll(v) <= 0) {
        api_fail_code(c, APP_ENOTFOUND, "request_not_found", NULL);
        return;
    }
    api_submit(c, job_request_notice);
}
