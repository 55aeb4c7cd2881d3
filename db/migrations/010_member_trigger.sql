-- 010: a request's member row is written once per INSERT statement, not once
-- per row: a batch of registrations (docs/decisions/0011) inserts hundreds of
-- requests in one statement, and a row trigger ran a PL/pgSQL call and an
-- INSERT for each (a third of the request insert's time). Same rule as 007:
-- every request about a student, but a problem resolution, makes it a member.
DROP TRIGGER request_member_single ON request;

CREATE OR REPLACE FUNCTION request_member_single() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO request_member (request_id, student_id, open)
        SELECT id, student_id, state IN ('open', 'returned') FROM new_requests
        WHERE student_id IS NOT NULL AND type <> 'problem_resolution';
    RETURN NULL;
END $$;

CREATE TRIGGER request_member_single AFTER INSERT ON request
    REFERENCING NEW TABLE AS new_requests
    FOR EACH STATEMENT EXECUTE FUNCTION request_member_single();
