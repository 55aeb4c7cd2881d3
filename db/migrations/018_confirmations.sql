-- 018: parent confirmations (家长确认, issue #15). A school records, term by
-- term, that the information sheet (学生信息表) it printed came back signed
-- by the parents, with the date they signed and optionally the scan of the
-- signed sheet as evidence (ids of table file, uploaded by the school).
-- One confirmation per pupil and term; the report counts the enrolled pupils
-- of each class with and without one.
CREATE TABLE student_confirmation (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_id bigint      NOT NULL REFERENCES student (id),
    school     char(10)    NOT NULL REFERENCES school (code),
    term       text        NOT NULL CHECK (term ~ '^[0-9]{4}-[12]$'),
    signed_on  date        NOT NULL,
    evidence   bigint[]    NOT NULL DEFAULT '{}',
    by_user    bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (student_id, term)
);
CREATE INDEX student_confirmation_school_term ON student_confirmation (school, term);
