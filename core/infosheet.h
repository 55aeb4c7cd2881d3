/*
 * core/infosheet.h - the student information sheet (学生信息表): a pupil's
 * record on one A4 page in Chinese, printed for the parents to check and
 * sign (issue #15), one pupil or a whole class (formats/pdf.h; ADR 0029).
 *
 * The page: the title, the school, the student number, state, grade and
 * class; the photo (or an empty photo box); the record's groups of the field
 * catalog (core_fields[], DOMAIN §4: 基本信息, 辅助信息, 学籍信息, 联系方式,
 * 扩展信息, 交通方式) as label/value cells, code values by their Chinese
 * labels; the two family members side by side; then a statement and lines
 * for the parent's (guardian's) signature and the date. Personal numbers
 * are masked as in an ordinary read unless the caller reveals them (the
 * caller decides who may, as for GET /students/{key}?reveal=id_number).
 *
 * Errors of every function: APP_EUNAVAIL "pdf_font_missing" when no font
 * for Chinese text is installed (checked before anything is read or
 * audited), those of the reads, the audit and the sink.
 */
#ifndef CORE_INFOSHEET_H
#define CORE_INFOSHEET_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "formats/sink.h"

/* Pupils drawn per core_infosheets_next step. */
#define CORE_INFOSHEET_STEP 20

/*
 * The sheet of student `key` (id or student number) the actor sees
 * (APP_ENOTFOUND student_not_found otherwise), one page, to `sink`.
 * `reveal`: as core_student_get (personal numbers in clear, audited
 * "student.reveal").
 */
int core_infosheet_student(db_conn *db, const core_op *op, const char *key, int reveal,
                           fmt_sink sink, app_err *err);

typedef struct core_infosheets core_infosheets;

/*
 * Start the sheets of the enrolled pupils of class `class_no` of grade
 * `grade` at `school`, one page each, in record order, as the actor sees
 * them (a staff member's scope narrows them). A school the actor does not
 * see: APP_ENOTFOUND school_not_found; no pupil: APP_ENOTFOUND no_students.
 * The pupils are counted and the printing audited before any byte goes
 * out: action "student.info_sheets", target school, detail {"count",
 * "revealed", "grade", "class"}. *out: free with core_infosheets_free;
 * `op` is copied and what it points to must outlive the run; nothing is
 * allocated in op->arena after this returns, so the steps may run on other
 * threads, one at a time.
 */
int core_infosheets_open(db_conn *db, const core_op *op, const char *school, int grade,
                         int class_no, int reveal, fmt_sink sink, core_infosheets **out,
                         long long *out_count, app_err *err);

/* Draw up to CORE_INFOSHEET_STEP more pages (each ended, so they go to the
   sink); after the last pupil the file is finished and *out_done = 1. */
int core_infosheets_next(core_infosheets *x, db_conn *db, int *out_done, app_err *err);

/* Pages drawn so far. */
int core_infosheets_pages(const core_infosheets *x);

/* x may be NULL; any thread. */
void core_infosheets_free(core_infosheets *x);

#endif
