-- 016: intake from the graduate pool (毕业库抽取, issue #15; docs/decisions/0027).
--
-- Graduates (state graduated) of primary and junior schools form a pool that
-- schools of the next stage search by document or by name and birth date,
-- within their province. A school claims a graduate with a request of type
-- intake_claim; several schools may claim one graduate at once, so a claim
-- is no member of the one-open-request rule (request_member): a school has at
-- most one open claim per graduate, and the first claim approved ends every
-- other open claim on that graduate in state `superseded`.

ALTER TABLE request DROP CONSTRAINT request_state_check;
ALTER TABLE request ADD CONSTRAINT request_state_check CHECK (state IN ('open', 'returned',
    'approved', 'rejected', 'withdrawn', 'reverted', 'superseded'));

CREATE OR REPLACE FUNCTION request_member_single() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO request_member (request_id, student_id, open)
        SELECT id, student_id, state IN ('open', 'returned') FROM new_requests
        WHERE student_id IS NOT NULL AND type NOT IN ('problem_resolution', 'intake_claim');
    RETURN NULL;
END $$;

-- one open claim per claiming school and graduate; the open claims of a graduate
CREATE UNIQUE INDEX request_claim_open_idx ON request (student_id, school)
    WHERE type = 'intake_claim' AND state IN ('open', 'returned');

-- the pool: by document, and by name and birth date within a province
CREATE INDEX student_pool_id_idx ON student (id_bidx) WHERE state = 'graduated';
CREATE INDEX student_pool_name_idx ON student (province, name, birth_date)
    WHERE state = 'graduated';
