-- 015: promotion (学年升级) of a school's pupils at the end of a school year
-- (issue 15, docs/decisions/0026). One row per run; one member row per pupil
-- it moved (promoted one grade up, or graduated from the final grade of
-- primary or junior secondary) with where the pupil was, so that the run can
-- be reverted as a whole. The school calendar itself is two region settings
-- (school_year_start, second_term_start) with no table of its own.

CREATE TABLE promotion (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school      char(10)    NOT NULL REFERENCES school (code),
    year        int         NOT NULL CHECK (year BETWEEN 1990 AND 2100), -- the school year ended
    state       text        NOT NULL DEFAULT 'applied' CHECK (state IN ('applied', 'reverted')),
    promoted    int         NOT NULL DEFAULT 0,
    graduated   int         NOT NULL DEFAULT 0,
    suspended   int         NOT NULL DEFAULT 0, -- stayed where they were
    left_out    int         NOT NULL DEFAULT 0, -- open business, problems, senior final grade
    plan        jsonb       NOT NULL DEFAULT '{}', -- counts per grade, the pupils left out
    job_id      bigint,      -- the region run (promotion_job) that made it, if any
    created_by  bigint,
    created_org text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    reverted_by bigint,
    reverted_at timestamptz
);
-- a school's year is promoted once (until that run is reverted)
CREATE UNIQUE INDEX promotion_once_idx ON promotion (school, year) WHERE state = 'applied';
CREATE INDEX promotion_school_idx ON promotion (school, year, id);

CREATE TABLE promotion_member (
    promotion_id   bigint   NOT NULL REFERENCES promotion (id),
    student_id     bigint   NOT NULL REFERENCES student (id),
    from_grade     smallint NOT NULL,
    from_class_id  bigint   NOT NULL,
    class_no       smallint NOT NULL, -- kept
    to_grade       smallint NOT NULL,
    to_class_id    bigint,
    to_state       text     NOT NULL CHECK (to_state IN ('enrolled', 'graduated')),
    certificate_no text,              -- 毕业证书编号 of a graduate
    version_after  int,               -- the record's version the run left
    PRIMARY KEY (promotion_id, student_id)
);
CREATE INDEX promotion_member_student_idx ON promotion_member (student_id);
CREATE UNIQUE INDEX promotion_member_certificate_idx ON promotion_member (certificate_no)
    WHERE certificate_no IS NOT NULL;

-- Promotion of every school of a region, run in the background one school
-- at a time (POST /regions/{code}/promotion).
CREATE TABLE promotion_job (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region      char(6)     NOT NULL REFERENCES region (code),
    year        int         NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    state       text        NOT NULL DEFAULT 'queued'
                            CHECK (state IN ('queued', 'running', 'done', 'failed')),
    total       int         NOT NULL DEFAULT 0, -- schools
    processed   int         NOT NULL DEFAULT 0,
    applied     int         NOT NULL DEFAULT 0, -- schools promoted by this job
    skipped     int         NOT NULL DEFAULT 0, -- already promoted, or refused (see errors)
    promoted    int         NOT NULL DEFAULT 0,
    graduated   int         NOT NULL DEFAULT 0,
    errors      jsonb       NOT NULL DEFAULT '[]', -- [{school, code}]
    last_school char(10),   -- schools are run in code order; the last one done
    heartbeat   timestamptz, -- a running job not beaten for a minute is taken over
    created_by  bigint,
    created_org text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    finished_at timestamptz
);
CREATE INDEX promotion_job_queue_idx ON promotion_job (id) WHERE state IN ('queued', 'running');
