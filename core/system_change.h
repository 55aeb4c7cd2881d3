/*
 * core/system_change.h - a school changes its system (学校变更学制, 六三 ↔
 * 五四; issue 15, docs/decisions/0028): POST /schools/{code}/system-change.
 *
 * Who: the school's competent authority or a bureau above it (a bureau that
 * sees the school), as an operation of its own: it is the authority's
 * decision, taken on the authority's record (a 学制 is set by the education
 * bureau, not asked for by a registrar), so no workflow request carries it.
 *
 * What: the school's `system` becomes the new one, and every active pupil
 * (pending, enrolled, suspended) of a grade whose code differs under the new
 * system moves to the grade of the same year of schooling (core_grade_map,
 * the table of core/grade.h), keeping its class number: the class of that
 * number of the new grade is used, created when missing (default name, the
 * size limit of the class the pupils come from). Classes themselves are not
 * renumbered: pupils who left (graduated, transferred) keep the class they
 * left from, and their history stays true. Each pupil moved gets a history
 * row ("system_change", /grade old and new) and a change-feed event
 * ("student.updated", data {"reason": "system_change"}); the whole change is
 * one audit row "school.system_change" {from, to, effective_year, students,
 * classes_created, version}. One transaction: all or nothing.
 *
 * `effective_year` is the school year the new system applies from: the
 * current school year or the next (a school year Y runs from 09-01 of Y, the
 * national default). The remap is done at once: the authority runs it
 * between two school years, after graduation and before the new intake.
 *
 * Errors in order: APP_ENOTFOUND school_not_found (not seen); APP_EFORBIDDEN
 * forbidden (not a bureau); APP_EINVAL invalid_system (/system: not "63" or
 * "54"), invalid_effective_year (/effective_year); APP_ECONFLICT
 * school_closed; system_unchanged (/system: the school has it already);
 * system_change_blocked (/system, param the grade's label): active pupils
 * in a grade the school does not teach under the new system (a 六三 primary
 * with pupils in 六年级 becoming 五四: graduate them first).
 */
#ifndef CORE_SYSTEM_CHANGE_H
#define CORE_SYSTEM_CHANGE_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/school.h"

/* One grade whose pupils moved. */
typedef struct core_system_grade {
    int from, to;
    long long students;
} core_system_grade;

typedef struct core_system_change {
    db_school school; /* as stored after the change */
    const char *from; /* the system before */
    int effective_year;
    core_system_grade grades[12]; /* by grade code before the change */
    int ngrades;
    int classes_created;
    long long students; /* pupils moved */
} core_system_change;

/* The current school year of YYYYMMDD `today` (from 09-01). */
int core_school_year_of(int today);

int core_school_system_change(db_conn *db, const core_op *op, const char *code, const char *system,
                              int effective_year, core_system_change *out, app_err *err);

#endif
