/*
 * core/class_move.c - one row of a class assignment file applied to its
 * record (see core/class_file.h).
 */
#include "core/class_file.h"
#include "core/grade.h"
#include "core/student_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The record of row `in`, locked, if it is one of `school`'s. */
static int
load_row(db_conn *db, const core_op *op, const char *school, const core_class_row *in,
         db_student *out, app_err *err)
{
    int found = 0;
    int rc = db_student_get(db, in->id, DB_STUDENT_LOCK, op->arena, out, &found, err);
    if (rc != 0)
        return rc;
    if (!found || strcmp(out->school, school) != 0) {
        app_err_field(err, "/id");
        return app_err_set(err, APP_ENOTFOUND, "student_not_in_school", "no such pupil");
    }
    return 0;
}

/* The row names the record as it is now: name, state, grade. */
static int
check_row(const core_op *op, const db_student *s, const core_class_row *in, int *out_class,
          app_err *err)
{
    core_record cur;
    int rc = core__record_of_row(op, (const char *const *)s->vals, 0, &cur, err);
    if (rc != 0)
        return rc;
    if (!core__same(cur.v[CORE_R_NAME], in->name)) {
        app_err_field(err, "/name");
        return app_err_set(err, APP_EINVAL, "student_name_mismatch", "name differs");
    }
    if (!CORE__ACTIVE(s->state))
        return app_err_set(err, APP_ESTATE, "student_not_active", "state %s", s->state);
    int grade = 0;
    core_student_place_of(s, &grade, out_class);
    if (grade != in->grade) {
        app_err_field(err, "/grade");
        app_err_set(err, APP_EINVAL, "grade_mismatch", "grade %d, not %d", grade, in->grade);
        const char *label = core_grade_label(grade);
        if (label != NULL)
            app_err_param(err, label);
        return APP_EINVAL;
    }
    return 0;
}

int
core_class_move(db_conn *db, const core_op *op, const char *school, const core_class_row *in,
                int *out_changed, app_err *err)
{
    *out_changed = 0;
    db_student s;
    int now_class = 0;
    int rc = load_row(db, op, school, in, &s, err);
    if (rc != 0 || (rc = check_row(op, &s, in, &now_class, err)) != 0)
        return rc;
    if (in->new_class == 0 || in->new_class == now_class)
        return 0;
    core_record changes;
    memset(&changes, 0, sizeof(changes));
    unsigned char present[CORE_NFIELDS];
    memset(present, 0, sizeof(present));
    changes.v[CORE_R_CLASS] = app_arena_printf(op->arena, "%d", in->new_class);
    present[CORE_R_CLASS] = 1;
    char key[24];
    snprintf(key, sizeof(key), "%lld", s.id);
    core_student out;
    if ((rc = core_student_patch(db, op, key, s.version, &changes, present, &out, err)) != 0)
        return rc;
    *out_changed = out.version != s.version;
    return 0;
}
