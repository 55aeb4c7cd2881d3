/*
 * core/uni_notice.h - the notices a university's status change issues, as
 * one A4 page of Chinese through formats/pdf.h (issue 16, docs/decisions/
 * 0029 and 0033): the 休学通知单 of an applied uni_suspend request and the
 * 调整年级通知单 of an applied cohort_change (its date starts the 3-day
 * window of course exemption, issue 17).
 *
 * The page: the title, the university, the notice's number (the request's
 * id) and date; the student's name, 学号, college, major, class; for 休学
 * the reason kind, the reason and the dates from and until, for 调整年级
 * the cohort left and the cohort joined; the approvals (office and date);
 * the statement and a line for the registrar's seal. No personal number is
 * shown, so the read is not audited (an ordinary read of a request).
 *
 * The caller (workflow/notice.c) has loaded the request, decided the actor
 * may read it, and checked its type and that it was applied; this module
 * reads the student and draws. Outputs live in op->arena.
 */
#ifndef CORE_UNI_NOTICE_H
#define CORE_UNI_NOTICE_H

#include "base/err.h"
#include "core/op.h"
#include "core/request.h"
#include "db/db.h"
#include "formats/sink.h"

/* What of the request the notice shows (the payload read by the caller). */
typedef struct core_uni_notice {
    const core_request *q;   /* borrowed: type uni_suspend or cohort_change, applied */
    const char *reason_kind; /* 休学: illness, military, personal */
    const char *reason;      /* 休学: the student's words */
    const char *from_date;   /* 休学: YYYY-MM-DD */
    const char *until_date;  /* 休学: YYYY-MM-DD */
    long long to_class;      /* 调整年级: the class joined (0: the student's class) */
} core_uni_notice;

/*
 * Draw the notice `n` on one page to `sink`. Errors: APP_EUNAVAIL
 * "pdf_font_missing" (before anything is read); APP_ENOTFOUND
 * student_not_found when the request's student has no university record;
 * APP_ECONFLICT request_not_applied when a cohort change's notice was
 * revoked or never issued; those of the reads and the sink.
 */
int core_uni_notice_pdf(db_conn *db, const core_op *op, const core_uni_notice *n, fmt_sink sink,
                        app_err *err);

#endif
