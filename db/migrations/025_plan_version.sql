-- 025: the version of a teaching plan (培养方案) of a major's cohort, so that
-- PUT /schools/{code}/plans/{major}/{cohort} replaces its entries
-- (uni_plan_course, migration 024) with If-Match as every other write does.
-- A plan without a row here has version 0 and no entries.
CREATE TABLE uni_plan (
    school     char(10)    NOT NULL,
    major      bigint      NOT NULL,
    cohort     smallint    NOT NULL,
    version    int         NOT NULL DEFAULT 1,
    updated_by bigint      REFERENCES app_user (id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (school, major) REFERENCES uni_major (school, id),
    FOREIGN KEY (school, cohort) REFERENCES uni_cohort (school, year),
    PRIMARY KEY (major, cohort)
);
