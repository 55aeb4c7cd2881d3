/*
 * core/problem.c - problem records (see core/problem.h).
 */
#include "core/problem.h"

#include "db/problem.h"
#include "db/student.h"

int
core_problem_open(db_conn *db, const char *kind, long long student, long long other,
                  const char *school, const char *other_school, const char *authority,
                  const char *reason, app_err *err)
{
    db_problem p = {.student_id = student,
                    .other_student_id = other,
                    .kind = kind,
                    .state = "open",
                    .school = school,
                    .other_school = other_school,
                    .authority = authority,
                    .reason = reason};
    return db_problem_insert(db, &p, err);
}
