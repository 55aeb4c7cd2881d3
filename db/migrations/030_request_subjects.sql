-- 030: a grade request holds its subject, not its student
-- (docs/decisions/0048). 成绩复核 and 重修 are about one grade, 缓考 about
-- one section's exam: a student who failed three courses asks for three
-- retakes in the same two weeks. Such a request carries `subject` (its type
-- and the grade or section, e.g. 'retake:812'); its member row carries it
-- too. One open request per student (DOMAIN rule 12) now holds among the
-- requests without a subject; one open request per student and subject
-- among those with one. That a request with a subject waits for an open one
-- without (and the other way round) is checked at start, under the lock of
-- the student's row that every start takes.
-- (Intake claims stay outside request_member, as migration 016 made them.)
ALTER TABLE request ADD COLUMN subject text;
ALTER TABLE request_member ADD COLUMN subject text;

DROP INDEX request_member_one_open_idx;
CREATE UNIQUE INDEX request_member_one_open_idx ON request_member (student_id)
    WHERE open AND subject IS NULL;
CREATE UNIQUE INDEX request_member_one_open_subject_idx ON request_member (student_id, subject)
    WHERE open AND subject IS NOT NULL;

CREATE OR REPLACE FUNCTION request_member_single() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO request_member (request_id, student_id, open, subject)
        SELECT id, student_id, state IN ('open', 'returned'), subject FROM new_requests
        WHERE student_id IS NOT NULL AND type NOT IN ('problem_resolution', 'intake_claim');
    RETURN NULL;
END $$;
