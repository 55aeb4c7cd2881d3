/*
 * core/promotion.h - promotion at the end of a school year (学年升级) and
 * automatic graduation, per school (docs/decisions/0026).
 *
 * core_promotion_run(school, year): every enrolled pupil of a non-final
 * grade moves up one grade in the school's system (core_grade_promoted(),
 * core/school_year.h), keeping the class number; classes of the new grades
 * are created as needed; pupils of the final grade of primary or junior
 * secondary graduate (state graduated, a certificate number
 * <school><year + 1><5 digits> from the school's certificate sequence, as
 * the graduation request gives). Left where they are and listed with the
 * reason: pupils with an open problem (student_has_problem) or an open
 * request (student_in_flight, pending registrations included), pupils of
 * the senior final grade (graduation_request: the authority's graduation
 * request graduates them), pupils of a grade the school's system does not
 * have (grade_not_in_system). Suspended pupils stay where they are
 * (counted). One transaction; the records, their history, their audit rows
 * and events are written set-based (db/promotion.h); one audit row
 * "promotion.apply" for the run.
 *
 * Who: a bureau over the school (its competent authority or above,
 * core_org_is_superior_of_school). A school the actor does not see:
 * APP_ENOTFOUND school_not_found; a school user or a bureau that sees but
 * is not above it: APP_EFORBIDDEN forbidden. Errors: APP_ECONFLICT
 * school_closed; promotion_not_due (outside the window of
 * core_promotion_due(), the school's calendar); promotion_done (the year
 * was promoted: the param names the run "<id> <created_at>"); APP_EINVAL
 * invalid_year (/year). A dry run makes the same checks and writes nothing.
 *
 * core_promotion_revert(school, year): puts every member of the applied run
 * back (grade, class, enrolled), all or nothing: APP_ECONFLICT
 * promotion_changed (param: how many pupils changed since or have open
 * business) and nothing changes. The same actors; APP_ENOTFOUND
 * promotion_not_found when the year has no applied run; APP_ECONFLICT
 * promotion_year_over after the end of school year year + 1. Certificate
 * numbers given are not reused. Audit row "promotion.revert".
 *
 * Called with no transaction open. Strings live in op->arena.
 */
#ifndef CORE_PROMOTION_H
#define CORE_PROMOTION_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/promotion.h"

/* One grade of a plan. next: the grade it moves to, 0 when it graduates
   or stays (final senior grade), -1 when the system has no such grade. */
typedef struct core_promotion_grade {
    int grade, next;
    int promoted, graduated, suspended, left_out;
} core_promotion_grade;

typedef struct core_promotion_result {
    db_promotion run; /* the run (applied, or the one reverted); id 0 on a dry run */
    int dry_run;
    core_promotion_grade *grades; /* ascending grade */
    int ngrades;
    db_promotion_left *left; /* every pupil left out */
    int nleft;
} core_promotion_result;

/* Check the year bounds before calling (core/school_year.h); `job_id` is
   the region job that runs it, 0 for none. */
int core_promotion_run(db_conn *db, const core_op *op, const char *school, int year, int dry_run,
                       long long job_id, core_promotion_result *out, app_err *err);

int core_promotion_revert(db_conn *db, const core_op *op, const char *school, int year,
                          db_promotion *out, app_err *err);

#endif
