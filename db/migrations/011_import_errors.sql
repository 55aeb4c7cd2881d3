-- 011: an import's row errors are rows of their own (docs/decisions/0012).
-- A file of 100,000 bad rows used to append its whole error list to the
-- jsonb column import_job.errors at every batch; now each batch writes its
-- errors here in the transaction of its registrations, the job keeps their
-- number and their counts by code, and GET /imports/{id}/errors pages them.
-- `lost` counts the times a running job was taken over from a worker that
-- was gone: a job that lost two workers is failed, not retried forever.

CREATE TABLE import_error (
    job     bigint NOT NULL REFERENCES import_job (id) ON DELETE CASCADE,
    seq     int    NOT NULL, -- 1, 2, ... in the order the errors were found
    row     int    NOT NULL, -- sheet row (1 is the header; 0: the file as a whole)
    col     text,            -- column letter
    header  text,            -- the column's title in the template
    field   text,            -- JSON pointer of the record field
    code    text   NOT NULL,
    param   text,
    message text   NOT NULL, -- Chinese, as problem+json items word it
    PRIMARY KEY (job, seq)
);
-- errors.xlsx reads them in row order
CREATE INDEX import_error_row_idx ON import_error (job, row, seq);

ALTER TABLE import_job
    ADD COLUMN errors_total int   NOT NULL DEFAULT 0,
    ADD COLUMN error_counts jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN lost         int   NOT NULL DEFAULT 0;

INSERT INTO import_error (job, seq, row, col, header, field, code, message)
SELECT j.id, e.n, coalesce((e.v ->> 'row')::int, 0), e.v ->> 'column', e.v ->> 'header',
       e.v ->> 'field', coalesce(e.v ->> 'code', 'internal_error'), coalesce(e.v ->> 'message', '')
  FROM import_job j, jsonb_array_elements(j.errors) WITH ORDINALITY AS e (v, n);

UPDATE import_job j
   SET errors_total = jsonb_array_length(j.errors),
       error_counts = coalesce((SELECT jsonb_object_agg(code, n)
                                  FROM (SELECT code, count(*) AS n FROM import_error
                                         WHERE job = j.id GROUP BY code) c), '{}');

ALTER TABLE import_job DROP COLUMN errors;
