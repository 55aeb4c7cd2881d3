-- 022: university status changes (休学, 复学, 退学, 转专业, 调整年级) through the
-- workflow engine (docs/decisions/0033). A step of a university's request is
-- held by an office of the university, not by the whole org: `office` names
-- the staff role that decides it and `college` (when the office is a
-- college's) the college whose office it is. An overdue step escalates to
-- `escalate_to` (an org, as before) and, inside the university, to the office
-- `escalate_office`. Steps of K-12 requests leave the three NULL.
ALTER TABLE request_step ADD COLUMN office text;
ALTER TABLE request_step ADD COLUMN college text;
ALTER TABLE request_step ADD COLUMN escalate_office text;
CREATE INDEX request_step_office_idx ON request_step (org, office, college)
    WHERE state = 'waiting' AND office IS NOT NULL;

-- Notices a university's status change issues: the 调整年级通知单 of a cohort
-- change, whose date starts the 3-day window of course exemption (issue 17).
CREATE TABLE uni_notice (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text        NOT NULL CHECK (kind IN ('cohort_change')),
    student_id bigint      NOT NULL REFERENCES student (id),
    request_id bigint      NOT NULL REFERENCES request (id),
    issued_on  date        NOT NULL,
    from_cohort int        NOT NULL,
    to_cohort  int         NOT NULL,
    revoked    boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uni_notice_student_idx ON uni_notice (student_id, id);
