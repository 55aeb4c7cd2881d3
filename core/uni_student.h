/*
 * core/uni_student.h - university students (docs/decisions/0032): the
 * record (a `student` row plus its `uni_student` row), its reads, student
 * accounts (role student, username = 学号) and what a signed-in student may
 * read of their own.
 *
 * A university student is a `student` row in state enrolled (the workflow,
 * history, audit, change feed, ID validation, encryption, masking and
 * 一人一籍 are those of every record) whose class is the backing class row
 * of an administrative class (grade code 40); the university part holds
 * 学号, college, major, cohort, class, level, the university state, the
 * entry date and the expected graduation.
 *
 * Who may: the university's registrar section (教务处教务科) creates
 * students and their accounts; university-wide offices read every student
 * of the university, college-scoped ones those of their college; a student
 * only their own record (APP_ENOTFOUND student_not_found for every other,
 * existing or not). Outputs live in op->arena; each function owns its
 * transaction. Besides the errors named: APP_EUNAVAIL, APP_ERETRY,
 * APP_EINTERNAL.
 */
#ifndef CORE_UNI_STUDENT_H
#define CORE_UNI_STUDENT_H

#include "base/err.h"
#include "core/op.h"
#include "core/password.h"
#include "core/record.h"
#include "core/student.h"
#include "core/uni.h"
#include "db/db.h"

/* The university part of a new student, as read from a request body or a row. */
typedef struct core_uni_student_new {
    const char *student_no;  /* 学号: 4-20 letters or digits */
    long long class_id;      /* an administrative class of the university */
    int entry_date;          /* YYYYMMDD; 0: September 1st of the class's cohort */
    int expected_graduation; /* YYYYMMDD; 0: July 1st of cohort + the major's years */
} core_uni_student_new;

/* A university student as reads hand it back. */
typedef struct core_uni_student {
    core_student base; /* the record (PII masked) */
    core_uni_place place;
} core_uni_student;

/*
 * POST /schools/{code}/uni-students: a new student of university `code`
 * (its registrar section), enrolled at once. `rec` holds the personal
 * fields (name, gender, birth date, ID type and number, ethnicity, ...; the
 * grade and class are the class's and may be absent). Errors, in order:
 * school_not_found, not_a_university; APP_EFORBIDDEN forbidden; APP_EINVAL
 * with one item per bad field (the record's codes, and invalid_student_no
 * /student_no, class_not_found /class_id, invalid_date /entry_date or
 * /expected_graduation); APP_ECONFLICT duplicate_enrolled (一人一籍: an
 * active record holds the document), student_no_taken (/student_no). One
 * transaction: student row (G number from an ID card, else J), history
 * "registered", audit "uni_student_create", event "student.created".
 */
int core_uni_student_create(db_conn *db, const core_op *op, const char *code, core_record *rec,
                            const core_uni_student_new *in, core_uni_student *out, app_err *err);

/*
 * GET /schools/{code}/uni-students/{no}: the student with 学号 `no` if the
 * actor may read them (above), else APP_ENOTFOUND student_not_found.
 */
int core_uni_student_get(db_conn *db, const core_op *op, const char *code, const char *no,
                         core_uni_student *out, app_err *err);

/* The university part of a student record the caller has loaded (no
   authorization: the caller decided). *out_found 0 for a K-12 record. */
int core_uni_student_of(db_conn *db, const core_op *op, long long student_id, core_uni_place *out,
                        int *out_found, app_err *err);

/*
 * 1 if staff actor `a` may read university student `st` of `school`: a
 * university-wide office of that university, a college-scoped office of the
 * student's college. Students and K-12 roles: 0. Pure.
 */
int core_uni_staff_sees(const core_actor *a, const char *school, const db_uni_student *st);

/* GET /schools/{code}/uni-students: a page by record id after `after` (college
   and class filters when not 0); college-scoped actors see their college only. */
int core_uni_student_list(db_conn *db, const core_op *op, const char *code, long long college,
                          long long class_id, long long after, int limit, core_uni_student **out,
                          int *out_n, app_err *err);

/* ---- student accounts ---- */

/*
 * POST /schools/{code}/uni-students/{no}/account: the sign-in account of
 * the student (username = 学号, display name = the student's name, a
 * one-time password to change at first login). Errors: school_not_found,
 * not_a_university, APP_EFORBIDDEN forbidden (not its registrar section),
 * student_not_found; APP_ECONFLICT account_exists (the student has one),
 * username_taken (another account has the 学号 as username). Audit
 * "user_create" with role student.
 */
int core_uni_account_create(db_conn *db, const core_op *op, const char *code, const char *no,
                            long long *out_user_id,
                            char one_time_password[CORE_PASSWORD_GEN_LEN + 1], app_err *err);

/* One account made by core_uni_accounts_for_class(). */
typedef struct core_uni_new_account {
    const char *student_no;
    long long user_id;                                 /* 0 when skipped */
    int skipped;                                       /* the 学号 was a username already */
    char one_time_password[CORE_PASSWORD_GEN_LEN + 1]; /* the caller wipes it after use */
} core_uni_new_account;

#define CORE_UNI_CLASS_ACCOUNTS_MAX 200

/*
 * POST /schools/{code}/uni-classes/{id}/accounts: an account (as
 * core_uni_account_create) for every student of administrative class
 * `class_id` whose 学号 is not a username yet - after an import, say;
 * those whose 学号 is taken (their own account, or another) are listed as
 * skipped. One transaction. Errors: school_not_found, not_a_university,
 * APP_EFORBIDDEN forbidden (not its registrar section), APP_EINVAL
 * class_not_found /class_id.
 */
int core_uni_accounts_for_class(db_conn *db, const core_op *op, const char *code,
                                long long class_id, core_uni_new_account **out, int *out_n,
                                app_err *err);

/* The student of the signed-in student actor (op->actor->student_id), with
   the university part. APP_ENOTFOUND student_not_found when it is gone. */
int core_uni_me(db_conn *db, const core_op *op, core_uni_student *out, app_err *err);

#endif
