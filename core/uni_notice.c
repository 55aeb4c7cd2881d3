/*
 * core/uni_notice.c - the 休学通知单 and the 调整年级通知单 (see
 * core/uni_notice.h). The page is drawn top to bottom by a cursor `y`;
 * every text is bounded in lines and at most MAX_APPROVALS approvals are
 * drawn, so the notice is always one page.
 */
#include "core/uni_notice.h"

#include "core/jurisdiction.h"
#include "core/student_int.h"
#include "core/uni.h"
#include "db/uni.h"
#include "db/uniflow.h"
#include "formats/pdf.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MARGIN 56.0
#define WIDTH (FMT_PDF_A4_W - 2 * MARGIN)
#define LABEL_W 90.0
#define TEXT_PT 11.0
#define MAX_APPROVALS 8

/* What the page shows, gathered before drawing. */
typedef struct notice {
    fmt_pdf *pdf;
    const core_op *op;
    const core_uni_notice *n;
    int suspend; /* 休学通知单, else 调整年级通知单 */
    const char *name, *school_name, *student_no, *college, *major, *class_name;
    db_unotice cohort; /* 调整年级: the notice issued */
    double y;
} notice;

static const char *
reason_label(const char *kind)
{
    if (kind && strcmp(kind, "illness") == 0)
        return "因病休学";
    if (kind && strcmp(kind, "military") == 0)
        return "应征入伍（保留学籍）";
    return "个人原因";
}

/* YYYY-MM-DD... -> "YYYY年MM月DD日" (in the op's arena); "" when absent. */
static const char *
date_cn(const core_op *op, const char *d)
{
    if (d == NULL || strlen(d) < 10)
        return "";
    return app_arena_printf(op->arena, "%.4s年%.2s月%.2s日", d, d + 5, d + 8);
}

/* A timestamp as db/ writes it ("YYYY-MM-DDTHH:MM:SSZ", UTC) -> the day in
   China (UTC+8, as core/calendar.c counts days), "YYYY-MM-DD" in the op's
   arena; NULL when absent or not such a timestamp. */
static const char *
china_day(const core_op *op, const char *ts)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (ts == NULL || sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                             &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return NULL;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm) + 8 * 3600;
    struct tm cn;
    if (gmtime_r(&t, &cn) == NULL)
        return NULL;
    return app_arena_printf(op->arena, "%04d-%02d-%02d", cn.tm_year + 1900, cn.tm_mon + 1,
                            cn.tm_mday);
}

/* ---------------------------------------------------------------- reading */

static int
read_student(db_conn *db, const core_op *op, notice *x, app_err *err)
{
    const core_request *q = x->n->q;
    db_student s;
    core_student out;
    core_uni_place p;
    int found = 0;
    int rc = db_student_get(db, q->student_id, DB_STUDENT_LIGHT, op->arena, &s, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return core__not_found(err);
    if ((rc = core__fill_out(op, &s, NULL, 0, &out, err)) != 0 ||
        (rc = core_uni_place_tx(db, op, q->student_id, 0, &p, &found, err)) != 0)
        return rc;
    if (!found)
        return core__not_found(err);
    x->name = out.rec.v[CORE_R_NAME];
    x->school_name = out.school_name ? out.school_name : out.school;
    x->student_no = p.st.student_no;
    x->college = p.college.name;
    x->major = p.major.name;
    x->class_name = p.cls.name;
    if (!x->suspend && x->n->to_class != 0 && x->n->to_class != p.st.class_id) {
        db_uni_class k;
        memset(&k, 0, sizeof(k));
        if ((rc = db_uni_class_get(db, p.st.school, x->n->to_class, op->arena, &k, &found, err)) !=
            0)
            return rc;
        if (found)
            x->class_name = k.name;
    }
    return 0;
}

static int
read_cohort_notice(db_conn *db, const core_op *op, notice *x, app_err *err)
{
    int found = 0;
    int rc = db_unotice_of(db, x->n->q->id, "cohort_change", op->arena, &x->cohort, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ECONFLICT, "request_not_applied", "notice revoked");
    return rc;
}

/* ---------------------------------------------------------------- drawing */

/* A label and its value on one ruled row (the value two lines at most). */
static void
row(notice *x, const char *label, const char *value)
{
    fmt_pdf_text(x->pdf, MARGIN + 8, x->y + 4, LABEL_W - 8, TEXT_PT, FMT_PDF_GRAY, 1, label);
    double h =
        fmt_pdf_text(x->pdf, MARGIN + LABEL_W, x->y + 4, WIDTH - LABEL_W - 8, TEXT_PT, 0, 2, value);
    h = h < 16 ? 24 : h + 8;
    fmt_pdf_line(x->pdf, MARGIN, x->y + h, MARGIN + WIDTH, x->y + h, 0.4, 1);
    x->y += h;
}

/* 休学: the day of the last approval (the day it was applied). */
static const char *
approved_on(const core_request *q)
{
    const char *d = NULL;
    for (int i = 0; i < q->nsteps; i++)
        if (q->steps[i].decided_at && q->steps[i].decided_at[0] &&
            (d == NULL || strcmp(q->steps[i].decided_at, d) > 0))
            d = q->steps[i].decided_at;
    return d;
}

static void
head(notice *x)
{
    const char *title = x->suspend ? "休学通知单" : "调整年级通知单";
    fmt_pdf_text(x->pdf, MARGIN, MARGIN, WIDTH, 14, FMT_PDF_CENTER, 1, x->school_name);
    fmt_pdf_text(x->pdf, MARGIN, MARGIN + 24, WIDTH, 22, FMT_PDF_BOLD | FMT_PDF_CENTER, 1, title);
    const char *date = x->suspend ? china_day(x->op, approved_on(x->n->q)) : x->cohort.issued_on;
    const char *line = app_arena_printf(x->op->arena, "编号：%lld　　　　日期：%.10s", x->n->q->id,
                                        date ? date : "");
    fmt_pdf_text(x->pdf, MARGIN, MARGIN + 62, WIDTH, 10, 0, 1, line);
    x->y = MARGIN + 80;
    fmt_pdf_line(x->pdf, MARGIN, x->y, MARGIN + WIDTH, x->y, 0.8, 0);
}

static void
body(notice *x)
{
    app_arena *a = x->op->arena;
    const core_uni_notice *n = x->n;
    row(x, "姓名", x->name);
    row(x, "学号", x->student_no);
    row(x, "学院", x->college);
    row(x, "专业", x->major);
    if (x->suspend) {
        row(x, "班级", x->class_name);
        row(x, "休学类别", reason_label(n->reason_kind));
        row(x, "休学原因", n->reason);
        row(x, "休学期限",
            app_arena_printf(a, "%s 至 %s", n->from_date ? n->from_date : "",
                             n->until_date ? n->until_date : ""));
    } else {
        row(x, "原年级", app_arena_printf(a, "%d级", x->cohort.from_cohort));
        row(x, "调整后年级", app_arena_printf(a, "%d级", x->cohort.to_cohort));
        row(x, "编入班级", x->class_name);
    }
}

/* The approvals: each decided step's office and date. */
static void
approvals(notice *x)
{
    const core_request *q = x->n->q;
    x->y += 14;
    fmt_pdf_text(x->pdf, MARGIN, x->y, WIDTH, 12, FMT_PDF_BOLD, 1, "审批意见");
    x->y += 20;
    int shown = 0;
    for (int i = 0; i < q->nsteps && shown < MAX_APPROVALS; i++) {
        const db_step *st = &q->steps[i];
        if (st->decided_at == NULL || st->decided_at[0] == '\0' ||
            strcmp(st->state, "approved") != 0)
            continue;
        const char *office = core_staff_role_label(core_staff_role_from_name(st->office));
        const char *who = office ? office : st->org;
        if (office && st->college != NULL && x->college != NULL) {
            /* 学院教学院长 of 计算机学院: 计算机学院教学院长 */
            const char *rest =
                strncmp(office, "学院", strlen("学院")) == 0 ? office + strlen("学院") : office;
            who = app_arena_printf(x->op->arena, "%s%s", x->college, rest);
        }
        row(x, app_arena_printf(x->op->arena, "第%d步", st->number),
            app_arena_printf(x->op->arena, "%s　同意　%s", who,
                             date_cn(x->op, china_day(x->op, st->decided_at))));
        shown++;
    }
}

/* The statement and the registrar's seal. */
static void
foot(notice *x)
{
    const core_uni_notice *n = x->n;
    const char *text;
    if (x->suspend)
        text = app_arena_printf(x->op->arena,
                                "经学校批准，该生自%s起休学，至%s止，休学期间保留学籍。"
                                "休学期满须在下学期开学前申请复学；因病休学者复学时须持"
                                "复查合格证明及本通知单。",
                                date_cn(x->op, n->from_date), date_cn(x->op, n->until_date));
    else
        text = app_arena_printf(x->op->arena,
                                "经学校批准，该生自%s起随%d级同专业学习。已修读课程的免修申请"
                                "须自本通知单日期起三日内提出。",
                                date_cn(x->op, x->cohort.issued_on), x->cohort.to_cohort);
    x->y += 18;
    x->y += fmt_pdf_text(x->pdf, MARGIN, x->y, WIDTH, TEXT_PT, 0, 4, text);
    double y = FMT_PDF_A4_H - 170;
    if (x->y + 20 > y)
        y = x->y + 20;
    fmt_pdf_text(x->pdf, MARGIN + 250, y, 160, 12, 0, 1, "教务处（盖章）");
    fmt_pdf_rect(x->pdf, MARGIN + 250, y + 22, 110, 80, 0.5);
    fmt_pdf_text(x->pdf, MARGIN + 370, y + 80, 40, 11, 0, 1, "日期：");
    fmt_pdf_line(x->pdf, MARGIN + 405, y + 94, MARGIN + WIDTH, y + 94, 0.6, 0);
    fmt_pdf_text(x->pdf, MARGIN, FMT_PDF_A4_H - 36, WIDTH, 8, FMT_PDF_GRAY | FMT_PDF_CENTER, 1,
                 "本通知单一式两份，学生本人与学院各执一份，请妥善保管。");
}

int
core_uni_notice_pdf(db_conn *db, const core_op *op, const core_uni_notice *n, fmt_sink sink,
                    app_err *err)
{
    notice x;
    memset(&x, 0, sizeof(x));
    x.op = op;
    x.n = n;
    x.suspend = strcmp(n->q->type, "uni_suspend") == 0;
    int rc = fmt_pdf_font_check(err);
    if (rc != 0 || (rc = read_student(db, op, &x, err)) != 0 ||
        (!x.suspend && (rc = read_cohort_notice(db, op, &x, err)) != 0))
        return rc;
    const char *title = x.suspend ? "休学通知单" : "调整年级通知单";
    if ((rc = fmt_pdf_open(sink, title, &x.pdf, err)) != 0)
        return rc;
    head(&x);
    body(&x);
    approvals(&x);
    foot(&x);
    if ((rc = fmt_pdf_page_end(x.pdf, err)) == 0)
        rc = fmt_pdf_close(x.pdf, err);
    fmt_pdf_free(x.pdf);
    return rc;
}
