-- 009: import jobs (issue #6): an upload is stored with its job, run by a
-- background worker of any xuejid (SELECT ... FOR UPDATE SKIP LOCKED), and
-- resumed from its last committed row when a worker died mid-way.

CREATE TABLE import_job (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school       char(10)    NOT NULL REFERENCES school (code),
    mode         text        NOT NULL CHECK (mode IN ('create', 'update')),
    atomic       boolean     NOT NULL DEFAULT false,
    format       text        NOT NULL CHECK (format IN ('xlsx', 'csv')),
    sha256       text        NOT NULL,
    size         int         NOT NULL,
    data         bytea       NOT NULL,
    state        text        NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'running', 'done', 'failed')),
    total        int         NOT NULL DEFAULT 0, -- data rows (empty rows not counted)
    processed    int         NOT NULL DEFAULT 0, -- data rows done (committed)
    last_row     int         NOT NULL DEFAULT 0, -- sheet row number of the last committed row
    created      int         NOT NULL DEFAULT 0,
    updated      int         NOT NULL DEFAULT 0,
    rejected     int         NOT NULL DEFAULT 0,
    skipped      int         NOT NULL DEFAULT 0, -- empty rows
    errors       jsonb       NOT NULL DEFAULT '[]',
    failure      text,                           -- why a job failed as a whole
    attempts     int         NOT NULL DEFAULT 0,
    created_by   bigint      NOT NULL,
    created_org  text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    heartbeat_at timestamptz,
    finished_at  timestamptz
);
-- the same file for the same school and mode is one job
CREATE UNIQUE INDEX import_job_same_file_idx ON import_job (school, mode, atomic, sha256);
CREATE INDEX import_job_waiting_idx ON import_job (id) WHERE state IN ('queued', 'running');
