-- 028: the bookkeeping of the grade requests of a university (issue 17,
-- docs/decisions/0043): an approved 缓考 (deferred exam) and what it lets
-- the teacher post later. 成绩复核 writes uni_grade_change rows citing its
-- request (024); 重修 writes a uni_selection with source 'retake' (024).

-- 缓考: the student sits the exam of `course` (missed in `section`) with the
-- next cohort of the same major: `target_cohort`, and the section of that
-- cohort when the term's sections are known (NULL until then: the teacher of
-- any section of the course meant for that cohort and major may post). A
-- `deferred` grade needs a live row here; a revert of the request sets
-- `revoked`.
CREATE TABLE uni_deferral (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school         char(10)    NOT NULL REFERENCES school (code),
    student        bigint      NOT NULL REFERENCES student (id),
    course         bigint      NOT NULL REFERENCES uni_course (id),
    section        bigint      NOT NULL REFERENCES uni_section (id),
    target_cohort  smallint    NOT NULL,
    target_section bigint      REFERENCES uni_section (id),
    exam_date      date        NOT NULL,
    reason_kind    text        NOT NULL CHECK (reason_kind IN ('illness', 'clash',
                                   'force_majeure')),
    request        bigint      NOT NULL UNIQUE REFERENCES request (id),
    revoked        boolean     NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uni_deferral_student_idx ON uni_deferral (student, course) WHERE NOT revoked;
