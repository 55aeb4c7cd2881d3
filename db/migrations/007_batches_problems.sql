-- 007: requests about many students (batch_transfer, graduation), graduation
-- certificate numbers, and problem-record resolutions (issue #5).

-- Every student a request is about is a member of it: a single-student
-- request has one member (added by the trigger below), a batch request one
-- per student. One open request per student (DOMAIN rule 12) is enforced
-- across both kinds by the partial unique index on members.
CREATE TABLE request_member (
    request_id     bigint  NOT NULL REFERENCES request (id),
    student_id     bigint  NOT NULL REFERENCES student (id),
    open           boolean NOT NULL DEFAULT true,
    outcome        text,   -- graduation: graduated / completed / incomplete
    certificate_no text,   -- graduation: 毕业证书编号, per school and year
    applied        jsonb,  -- what the effect changed for this student (for revert)
    PRIMARY KEY (request_id, student_id)
);
CREATE UNIQUE INDEX request_member_one_open_idx ON request_member (student_id) WHERE open;
CREATE INDEX request_member_student_idx ON request_member (student_id);
CREATE UNIQUE INDEX request_member_certificate_idx ON request_member (certificate_no)
    WHERE certificate_no IS NOT NULL;

INSERT INTO request_member (request_id, student_id, open)
    SELECT id, student_id, state IN ('open', 'returned') FROM request WHERE student_id IS NOT NULL;

CREATE FUNCTION request_member_single() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO request_member (request_id, student_id, open)
        VALUES (NEW.id, NEW.student_id, NEW.state IN ('open', 'returned'));
    RETURN NULL;
END $$;
-- A problem resolution is no business of the student's (it resolves the
-- problem that already blocks every change): its student is no member, so
-- a pending registration may wait for it.
CREATE TRIGGER request_member_single AFTER INSERT ON request
    FOR EACH ROW WHEN (NEW.student_id IS NOT NULL AND NEW.type <> 'problem_resolution')
    EXECUTE FUNCTION request_member_single();
-- the member index now holds rule 12 for every kind of request
DROP INDEX request_one_open_idx;

-- A request that ends releases its members.
CREATE FUNCTION request_member_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE request_member SET open = NEW.state IN ('open', 'returned')
        WHERE request_id = NEW.id AND open <> (NEW.state IN ('open', 'returned'));
    RETURN NULL;
END $$;
CREATE TRIGGER request_member_release AFTER UPDATE OF state ON request
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION request_member_release();

-- Batch requests carry their sending and receiving schools in school and
-- other_school; the problem a resolution is about. One open resolution per
-- problem.
ALTER TABLE request ADD COLUMN problem_id bigint REFERENCES problem (id);
CREATE UNIQUE INDEX request_one_open_resolution_idx ON request (problem_id)
    WHERE problem_id IS NOT NULL AND state IN ('open', 'returned');

-- Graduation certificate numbers: <school code><year><5-digit sequence>.
CREATE TABLE certificate_seq (
    school char(10) NOT NULL REFERENCES school (code),
    year   int      NOT NULL,
    last   int      NOT NULL DEFAULT 0,
    PRIMARY KEY (school, year)
);

-- 删除 (DOMAIN rule 24): a record found to be wrong is deleted by leaving
-- the active states; it stays readable with its history.
ALTER TABLE student DROP CONSTRAINT student_state_check;
ALTER TABLE student ADD CONSTRAINT student_state_check CHECK (state IN ('pending', 'enrolled',
    'suspended', 'transferred_out', 'withdrawn', 'deceased', 'abroad', 'left_other', 'missing',
    'dropped_out', 'graduated', 'completed', 'incomplete', 'registration_rejected', 'deleted'));
INSERT INTO code_value (table_name, code, label, sort)
    VALUES ('student_state', 'deleted', '已删除（问题学籍）', 15);

-- Evidence attached to a problem record (POST /problems/{id}/evidence).
ALTER TABLE problem ADD COLUMN evidence bigint[] NOT NULL DEFAULT '{}';
ALTER TABLE problem ADD COLUMN resolved_by_request bigint REFERENCES request (id);
