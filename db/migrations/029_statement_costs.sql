-- 029: what one write statement costs (issue 17, docs/decisions/0046).

-- The content hash of an audit row, the same text as 014's but in PL/pgSQL.
-- 014's SQL function is not inlined (its body is not immutable: extract()
-- of a timestamptz is stable), so the trigger ran it through the SQL
-- function executor, which plans its body again in every transaction: about
-- 0.15 ms of each single-row write, two thirds of an audit row's cost. A
-- PL/pgSQL body keeps its plan for the session. `xuejictl audit verify`
-- builds the text in C and does not call this (docs/decisions/0023).
CREATE OR REPLACE FUNCTION audit_row_hash(r audit) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN encode(sha256(convert_to(
        audit_field(r.id::text) || audit_field(r.xid::text)
        || audit_field(extract(epoch FROM r.at)::text) || audit_field(r.actor_id::text)
        || audit_field(r.actor_org) || audit_field(r.action) || audit_field(r.target_type)
        || audit_field(r.target_id) || audit_field(r.ip) || audit_field(r.user_agent)
        || audit_field(r.request_id) || audit_field(r.detail::text), 'UTF8')), 'hex');
END $$;

-- A course selection change is one statement: the seat, the selection row
-- and the audit row, in its own transaction when no other change goes with
-- it, without BEGIN and COMMIT round trips. What a caller used to check
-- between statements (a seat taken must come with its row) the statement
-- checks itself and aborts with xueji_assert, which raises `errcode` with
-- `message` when `ok` is not true and answers true otherwise.
CREATE FUNCTION xueji_assert(ok boolean, errcode text, message text) RETURNS boolean
    LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION '%', message USING ERRCODE = errcode;
    END IF;
    RETURN true;
END $$;

-- The lottery's one UPDATE of every pre-selection of a round (100,000 in
-- the bench) writes each row anew and a new entry in every index of
-- uni_selection: `state` is a key of uni_selection_section_idx and in the
-- predicates of the others, so no update of it is HOT. Of those indexes
-- (section, state) was the dearest: 500 sections and four states make long
-- runs of equal keys, and each insert into them deduplicates a page. No
-- statement of xueji reads uni_selection by section alone (a student's
-- selection of a section is found by the primary key); the sections are
-- never deleted, so the foreign key needs no index on the referencing side.
DROP INDEX uni_selection_section_idx;
