-- 025: the catalog of a university (issue 17, core/uni_catalog.h).
--
-- The version of a teaching plan (培养方案) of a major's cohort, so that
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

-- The catalog files come through the import jobs (core/uni_catalog_file.h).
ALTER TABLE import_job DROP CONSTRAINT import_job_mode_check;
ALTER TABLE import_job ADD CONSTRAINT import_job_mode_check
    CHECK (mode IN ('create', 'update', 'classes', 'uni_students', 'courses', 'plans',
                    'sections'));
