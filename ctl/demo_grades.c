/*
 * ctl/demo_grades.c - grades of term 2025-2 for the demo university's
 * students (docs/decisions/0043), so that a demo student can read GET
 * /me/grades and try 成绩复核 / 重修: five courses of its colleges (DG....),
 * a 2025-2 section per course and cohort 2023-2025 taught by the college's
 * demo teacher, the selections (preloaded) of the students of each course's
 * college (the PE course: every student), and a score per selection, some
 * below 60. Set-based SQL in one transaction; rows that exist are left
 * alone, so running it twice changes nothing.
 */
#include "ctl/ctl.h"
#include "db/db.h"

#include <stdio.h>

#define UNI_CODE "4141019901"
#define TERM "2025-2"

/* each step uses $1 (the university) and, all but the first, $2 (the term) */
static const char *const STEPS[] = {
    /* the courses, offered by the demo colleges (01 数学, 02 计算机, 09 体育) */
    "INSERT INTO uni_course (school, code, name, kind, credits, hours, college)"
    " SELECT $1::text, v.code, v.name, v.kind, v.credits, v.hours, c.id FROM (VALUES"
    " ('01', 'DG0101', '高等数学（二）', 'compulsory', 5.0, 80),"
    " ('01', 'DG0102', '线性代数', 'compulsory', 3.0, 48),"
    " ('02', 'DG0201', '程序设计基础', 'compulsory', 4.0, 64),"
    " ('02', 'DG0202', '数据结构', 'compulsory', 4.0, 64),"
    " ('09', 'DG0901', '体育（二）', 'pe', 1.0, 32))"
    " v (college, code, name, kind, credits, hours)"
    " JOIN uni_college c ON c.school = $1::text AND c.code = v.college"
    " ON CONFLICT (school, code) DO NOTHING",
    /* a section per course and cohort, the college's teacher */
    "INSERT INTO uni_section (school, course, term, number, teacher, capacity, cohort)"
    " SELECT $1::text, k.id, $2::text, y - 2022, (SELECT u.id FROM app_user u WHERE u.org = $1::text"
    " AND u.staff_role = 'course_teacher' AND u.college = k.college ORDER BY u.id LIMIT 1),"
    " 1000, y FROM uni_course k, generate_series(2023, 2025) y"
    " WHERE k.school = $1::text AND k.code LIKE 'DG%' ON CONFLICT (course, term, number) DO NOTHING",
    /* the selections: the course's college's students of that cohort, PE every student */
    "INSERT INTO uni_selection (student, section, school, course, term, state, source)"
    " SELECT s.student_id, x.id, $1::text, x.course, $2::text, 'selected', 'preload'"
    " FROM uni_section x JOIN uni_course k ON k.id = x.course"
    " JOIN uni_student s ON s.school = $1::text AND s.cohort = x.cohort"
    " AND (k.kind = 'pe' OR s.college = k.college)"
    " WHERE x.school = $1::text AND x.term = $2::text AND k.code LIKE 'DG%' ON CONFLICT DO NOTHING",
    "UPDATE uni_section x SET taken = (SELECT count(*) FROM uni_selection l WHERE"
    " l.section = x.id AND l.state = 'selected') WHERE x.school = $1::text AND x.term = $2::text"
    " AND x.course IN (SELECT id FROM uni_course WHERE school = $1::text AND code LIKE 'DG%')",
    /* a score per selection, 52-100, the same every run */
    "INSERT INTO uni_grade (school, student, section, course, term, exam, score, posted_by)"
    " SELECT $1::text, l.student, l.section, l.course, $2::text, 'normal',"
    " 52 + (l.student * 37 + l.course * 11) % 49, x.teacher FROM uni_selection l"
    " JOIN uni_section x ON x.id = l.section JOIN uni_course k ON k.id = l.course"
    " WHERE l.school = $1::text AND l.term = $2::text AND l.state = 'selected' AND k.code LIKE 'DG%'"
    " ON CONFLICT (student, section, exam) DO NOTHING",
};

int
ctl_demo_grades(db_conn *db)
{
    app_err err = {0};
    const char *p[] = {UNI_CODE, TERM};
    int rc = db_begin(db, &err);
    for (size_t i = 0; rc == 0 && i < sizeof(STEPS) / sizeof(STEPS[0]); i++)
        rc = db_exec_once(db, STEPS[i], i == 0 ? 1 : 2, p, NULL, &err);
    db_res *r = NULL;
    if (rc == 0)
        rc = db_exec_once(db,
                          "SELECT count(*), count(*) FILTER (WHERE score < 60) FROM uni_grade"
                          " WHERE school = $1::text AND term = $2::text",
                          2, p, &r, &err);
    if (rc == 0)
        rc = db_commit(db, &err);
    if (rc != 0) {
        db_rollback(db);
        db_res_free(r);
        fprintf(stderr, "xuejictl: demo: grades: %s\n",
                err.detail[0] ? err.detail : app_code_name(err.code));
        return 1;
    }
    printf("\ndemo university %s: %lld grades of term %s (%lld below 60: 重修 candidates);"
           " a student reads them at GET /api/v1/me/grades?term=%s\n",
           UNI_CODE, db_res_int(r, 0, 0), TERM, db_res_int(r, 0, 1), TERM);
    db_res_free(r);
    return 0;
}
