-- 024: courses, teaching plans, sections, selection rounds, selections and
-- exemptions and grades of a university (issue 17, docs/decisions/0039).
-- This is the data model every part of course selection shares; the course
-- requests add their own bookkeeping in later migrations.

-- A course of the university's catalog (课程号, 课程属性 L300, L303), offered
-- by one college.
CREATE TABLE uni_course (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school     char(10)     NOT NULL REFERENCES school (code),
    code       text         NOT NULL CHECK (code ~ '^[0-9A-Za-z]{1,16}$'), -- 课程号
    name       text         NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- 课程属性: 必修 compulsory, 选修 elective, 公共选修 public elective, 体育 PE
    kind       text         NOT NULL CHECK (kind IN ('compulsory', 'elective',
                                'public_elective', 'pe')),
    credits    numeric(4,1) NOT NULL CHECK (credits > 0 AND credits <= 30),
    hours      smallint     NOT NULL CHECK (hours BETWEEN 1 AND 1000), -- 学时
    college    bigint       NOT NULL,                                  -- offering college
    version    int          NOT NULL DEFAULT 1,
    created_at timestamptz  NOT NULL DEFAULT now(),
    FOREIGN KEY (school, college) REFERENCES uni_college (school, id),
    UNIQUE (school, code),
    UNIQUE (school, id)
);

-- A teaching plan (培养方案): the courses a major's cohort takes, each in the
-- n-th term of its study (1 = the autumn term of the entry year, 2 the
-- spring after it, ...). The absolute term of entry n of cohort Y is
-- "(Y + (n-1)/2)-(1 + (n-1)%2)".
CREATE TABLE uni_plan_course (
    school     char(10)    NOT NULL,
    major      bigint      NOT NULL,
    cohort     smallint    NOT NULL,
    course     bigint      NOT NULL,
    term_no    smallint    NOT NULL CHECK (term_no BETWEEN 1 AND 16),
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (school, major) REFERENCES uni_major (school, id),
    FOREIGN KEY (school, cohort) REFERENCES uni_cohort (school, year),
    FOREIGN KEY (school, course) REFERENCES uni_course (school, id),
    PRIMARY KEY (major, cohort, course)
);
CREATE INDEX uni_plan_course_course_idx ON uni_plan_course (course);

-- A section (教学班) of a course in a term: 课程号 + 课序号 identify it (L303).
-- `taken` counts the seats held by selections in state 'selected'; it moves
-- only in the statement that changes such a selection, and the CHECK makes
-- an over-full section impossible whatever the concurrency.
CREATE TABLE uni_section (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school     char(10)    NOT NULL,
    course     bigint      NOT NULL,
    term       text        NOT NULL CHECK (term ~ '^[0-9]{4}-[12]$'),
    number     smallint    NOT NULL CHECK (number BETWEEN 1 AND 999), -- 课序号
    teacher    bigint      REFERENCES app_user (id),                 -- 任课教师 (course_teacher)
    capacity   int         NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
    taken      int         NOT NULL DEFAULT 0,
    cohort     smallint,   -- meant for this cohort; NULL: any
    majors     bigint[],   -- meant for these majors; NULL: any
    version    int         NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (school, course) REFERENCES uni_course (school, id),
    UNIQUE (course, term, number),
    UNIQUE (school, id),
    CHECK (taken BETWEEN 0 AND capacity)
);
CREATE INDEX uni_section_term_idx ON uni_section (school, term, course);
CREATE INDEX uni_section_teacher_idx ON uni_section (teacher) WHERE teacher IS NOT NULL;

-- A selection round of a university for a term (选课轮次, L312–313, L327–328,
-- L302): 预选 preselect (no capacity limit, a lottery when it closes),
-- 补退选 add_drop (first come first served, no lottery), 遗留问题 leftover
-- (the college office adds or changes single courses, no drops). `cohorts`
-- admits year groups (rounds by year group); NULL admits every cohort.
-- The lottery's seed is committed before the round opens and published
-- when it closes: `commitment` = SHA-256 of `reveal`, the seed is derived
-- from the round id and `reveal` (docs/decisions/0039).
CREATE TABLE uni_round (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school     char(10)    NOT NULL REFERENCES school (code),
    term       text        NOT NULL CHECK (term ~ '^[0-9]{4}-[12]$'), -- the term selected for
    kind       text        NOT NULL CHECK (kind IN ('preselect', 'add_drop', 'leftover')),
    opens_at   timestamptz NOT NULL,
    closes_at  timestamptz NOT NULL CHECK (closes_at > opens_at),
    cohorts    smallint[],
    state      text        NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'closed',
                               'drawn')),
    commitment bytea       CHECK (commitment IS NULL OR length(commitment) = 32),
    reveal     bytea       CHECK (reveal IS NULL OR length(reveal) = 32), -- secret until closed
    closed_at  timestamptz,
    drawn_at   timestamptz,
    created_by bigint      REFERENCES app_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    version    int         NOT NULL DEFAULT 1,
    CHECK ((kind = 'preselect') = (commitment IS NOT NULL)),
    CHECK (state <> 'drawn' OR kind = 'preselect')
);
CREATE INDEX uni_round_term_idx ON uni_round (school, term, opens_at);
CREATE INDEX uni_round_due_idx ON uni_round (closes_at) WHERE state = 'scheduled';

-- A student's selection of a section. preselected: made in a pre-selection
-- round, holds no seat; selected: holds a seat (counted in
-- uni_section.taken); not_selected: lost the lottery; dropped: released.
-- `source` says how it came: the student, the lottery, a preload of the
-- plan's courses, the college office (leftover), a late-selection request,
-- or an exemption (dropped by it).
CREATE TABLE uni_selection (
    student    bigint      NOT NULL REFERENCES student (id),
    section    bigint      NOT NULL REFERENCES uni_section (id),
    school     char(10)    NOT NULL,
    course     bigint      NOT NULL,
    term       text        NOT NULL,
    state      text        NOT NULL CHECK (state IN ('preselected', 'selected', 'not_selected',
                               'dropped')),
    source     text        NOT NULL CHECK (source IN ('student', 'lottery', 'preload', 'office',
                               'late', 'retake', 'exemption')),
    round      bigint      REFERENCES uni_round (id),
    draw_rank  int,        -- the lottery's order of this entry (NULL: not drawn)
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (student, section)
);
-- one live selection of a course per student and term
CREATE UNIQUE INDEX uni_selection_course_idx ON uni_selection (student, course, term)
    WHERE state IN ('preselected', 'selected');
CREATE INDEX uni_selection_section_idx ON uni_selection (section, state);

-- A course a student is exempted from (课程免修, or credited by 课程置换 /
-- 课程覆盖): it cannot be selected, and a live selection of it is dropped
-- when the exemption is granted. `request` is the approving request.
CREATE TABLE uni_exemption (
    student    bigint      NOT NULL REFERENCES student (id),
    course     bigint      NOT NULL REFERENCES uni_course (id),
    kind       text        NOT NULL CHECK (kind IN ('exemption', 'substitution', 'coverage')),
    request    bigint      REFERENCES request (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (student, course)
);

-- A grade (成绩, 百分制) of a student in a section: the normal exam, a retake
-- (重修) or a deferred exam (缓考). Posted by the section's teacher, only for
-- a student whose selection of the section is 'selected'. Every change
-- after the first posting is a row of uni_grade_change (by the teacher, or
-- by a grade-review request).
CREATE TABLE uni_grade (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school     char(10)     NOT NULL,
    student    bigint       NOT NULL REFERENCES student (id),
    section    bigint       NOT NULL REFERENCES uni_section (id),
    course     bigint       NOT NULL REFERENCES uni_course (id),
    term       text         NOT NULL CHECK (term ~ '^[0-9]{4}-[12]$'),
    exam       text         NOT NULL DEFAULT 'normal' CHECK (exam IN ('normal', 'retake',
                                'deferred')),
    score      numeric(4,1) NOT NULL CHECK (score BETWEEN 0 AND 100),
    posted_by  bigint       REFERENCES app_user (id),
    posted_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at timestamptz  NOT NULL DEFAULT now(),
    version    int          NOT NULL DEFAULT 1,
    UNIQUE (student, section, exam)
);
CREATE INDEX uni_grade_student_idx ON uni_grade (student, term);
CREATE INDEX uni_grade_course_idx ON uni_grade (student, course);

CREATE TABLE uni_grade_change (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    grade      bigint       NOT NULL REFERENCES uni_grade (id),
    old_score  numeric(4,1) NOT NULL,
    new_score  numeric(4,1) NOT NULL,
    changed_by bigint       REFERENCES app_user (id),
    request    bigint       REFERENCES request (id),
    reason     text         CHECK (reason IS NULL OR length(reason) <= 200),
    changed_at timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX uni_grade_change_grade_idx ON uni_grade_change (grade, id);

INSERT INTO code_table (name, label, source) VALUES ('uni_course_kind', '课程属性', 'xueji');
INSERT INTO code_value (table_name, code, label, sort) VALUES
    ('uni_course_kind', 'compulsory', '必修', 1),
    ('uni_course_kind', 'elective', '选修', 2),
    ('uni_course_kind', 'public_elective', '公共选修', 3),
    ('uni_course_kind', 'pe', '体育', 4);
