-- 020: the semester data check (数据质量核查, 教基一厅〔2015〕2号, issue #15).
-- Each term a school reviews its records and signs off; then its competent
-- authority signs off the school. One row per (school, term, level); a
-- repeated sign-off finds the row and changes nothing (core/datacheck.h).
CREATE TABLE data_check_signoff (
    school  char(10)    NOT NULL REFERENCES school (code),
    term    text        NOT NULL CHECK (term ~ '^[0-9]{4}-[12]$'),
    level   text        NOT NULL CHECK (level IN ('school', 'authority')),
    org     text        NOT NULL, -- the school, or the authority's region code
    by_user bigint,
    at      timestamptz NOT NULL DEFAULT now(),
    counts  jsonb       NOT NULL DEFAULT '{}', -- the check's counts when the school signed
    PRIMARY KEY (school, term, level)
);
CREATE INDEX data_check_signoff_term_idx ON data_check_signoff (term, level, school);
