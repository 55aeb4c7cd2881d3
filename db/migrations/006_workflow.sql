-- 006: the workflow engine (issue #5): escalation of overdue steps, the
-- other school of a transfer, what an applied effect changed (for revert),
-- and evidence files.

-- An overdue step shows in the inbox of the holder's superior (DOMAIN rule 14).
ALTER TABLE request_step ADD COLUMN escalate_to text;
CREATE INDEX request_step_escalate_idx ON request_step (escalate_to, due_at)
    WHERE state = 'waiting';

-- A transfer's receiving school; `applied` records what the effect changed
-- so that a revert (异动纠错) can put it back.
ALTER TABLE request ADD COLUMN other_school char(10) REFERENCES school (code);
ALTER TABLE request ADD COLUMN applied jsonb;
CREATE INDEX request_started_idx ON request (started_org, id);
CREATE INDEX request_school_idx ON request (school, id);

-- Evidence (DOMAIN rule 19): JPEG, PNG or PDF, at most 2 MB, owned by the
-- org that uploaded it.
CREATE TABLE file (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org        text        NOT NULL,
    mime       text        NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'application/pdf')),
    size       int         NOT NULL CHECK (size BETWEEN 1 AND 2097152),
    sha256     text        NOT NULL,
    data       bytea       NOT NULL,
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now()
);
