-- 021: universities (issue 16, docs/decisions/0032). A university is a school
-- of category 41 or 42 (学校标识码 starting with 4). Inside it: colleges (学院,
-- one may be the PE college), majors (专业, each in one college), cohorts (年级,
-- the entry year) and administrative classes (行政班: major + cohort + number).
-- Its students are rows of `student` (workflow, history, audit, change feed,
-- PII and 一人一籍 reused) plus one row of `uni_student` each. Staff of a
-- university are app_user rows of role school with a university staff role,
-- scoped to a college where the role is a college's; students sign in with
-- role student. Every university has a teaching calendar (uni_term).

-- An administrative class is backed by a `class` row of the university
-- (grade code 40, "高校", numbered 1..9999 within the university), so that
-- student.class_id keeps pointing at a class; uni_class shares its id.
ALTER TABLE class DROP CONSTRAINT class_grade_check;
ALTER TABLE class ADD CONSTRAINT class_grade_check CHECK (grade BETWEEN 11 AND 16
    OR grade BETWEEN 21 AND 24 OR grade BETWEEN 31 AND 33 OR grade = 40);
ALTER TABLE class DROP CONSTRAINT class_number_check;
ALTER TABLE class ADD CONSTRAINT class_number_check CHECK (number BETWEEN 1 AND 99
    OR (grade = 40 AND number BETWEEN 1 AND 9999));

-- A university student's `student` row is numbered U + the university's code
-- + 学号 (kind U): the national G/J/L numbers belong to the K-12 registry.
ALTER TABLE student DROP CONSTRAINT student_stuno_kind_check;
ALTER TABLE student ADD CONSTRAINT student_stuno_kind_check
    CHECK (stuno_kind IN ('G', 'J', 'L', 'U'));

CREATE TABLE uni_college (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school     char(10)    NOT NULL REFERENCES school (code),
    code       text        NOT NULL CHECK (code ~ '^[0-9A-Za-z]{1,10}$'), -- 院系代码
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    is_pe      boolean     NOT NULL DEFAULT false, -- the PE college (体育学院)
    version    int         NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (school, code),
    UNIQUE (school, id)
);
-- at most one PE college per university
CREATE UNIQUE INDEX uni_college_pe_idx ON uni_college (school) WHERE is_pe;

CREATE TABLE uni_major (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school     char(10)    NOT NULL,
    college    bigint      NOT NULL,
    code       text        NOT NULL CHECK (code ~ '^[0-9A-Za-z]{1,12}$'), -- 专业代码
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    level      text        NOT NULL CHECK (level IN ('undergraduate', 'junior')), -- 本科, 专科
    years      smallint    NOT NULL CHECK (years BETWEEN 2 AND 8),               -- 学制
    version    int         NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (school, college) REFERENCES uni_college (school, id),
    UNIQUE (school, code),
    UNIQUE (school, id)
);
CREATE INDEX uni_major_college_idx ON uni_major (college, id);

-- A cohort is an entry year of a university (2025 级).
CREATE TABLE uni_cohort (
    school     char(10)    NOT NULL REFERENCES school (code),
    year       smallint    NOT NULL CHECK (year BETWEEN 1950 AND 2200),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school, year)
);

CREATE TABLE uni_class (
    id         bigint      PRIMARY KEY REFERENCES class (id), -- the backing class row
    school     char(10)    NOT NULL,
    major      bigint      NOT NULL,
    cohort     smallint    NOT NULL,
    number     smallint    NOT NULL CHECK (number BETWEEN 1 AND 99), -- 1 班, 2 班 of the major's cohort
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    FOREIGN KEY (school, major) REFERENCES uni_major (school, id),
    FOREIGN KEY (school, cohort) REFERENCES uni_cohort (school, year),
    UNIQUE (major, cohort, number)
);
CREATE INDEX uni_class_school_idx ON uni_class (school, cohort, major, number);

-- The university part of a student's record. `state` is the university's
-- state; student.state follows it where the two coincide (studying and
-- sitting_in -> enrolled, suspended -> suspended, withdrawn -> withdrawn,
-- graduated -> graduated, completed -> completed, deceased -> deceased).
-- sitting_in (插班学习): the student studies in `sitting_in_major` /
-- `sitting_in_class` while the record still counts the old major.
CREATE TABLE uni_student (
    student_id          bigint      PRIMARY KEY REFERENCES student (id),
    school              char(10)    NOT NULL,
    student_no          text        NOT NULL CHECK (student_no ~ '^[0-9A-Za-z]{4,20}$'), -- 学号
    college             bigint      NOT NULL,
    major               bigint      NOT NULL,
    cohort              smallint    NOT NULL,
    class_id            bigint      NOT NULL REFERENCES uni_class (id),
    level               text        NOT NULL CHECK (level IN ('undergraduate', 'junior')),
    state               text        NOT NULL DEFAULT 'studying' CHECK (state IN ('studying',
                            'suspended', 'sitting_in', 'withdrawn', 'graduated', 'completed',
                            'deceased')),
    entry_date          date        NOT NULL,
    expected_graduation date        NOT NULL CHECK (expected_graduation > entry_date),
    suspended_until     date,       -- set while state = 'suspended'
    sitting_in_major    bigint      REFERENCES uni_major (id),
    sitting_in_class    bigint      REFERENCES uni_class (id),
    version             int         NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (school, college) REFERENCES uni_college (school, id),
    FOREIGN KEY (school, major) REFERENCES uni_major (school, id),
    FOREIGN KEY (school, cohort) REFERENCES uni_cohort (school, year),
    UNIQUE (school, student_no),
    CHECK ((state = 'sitting_in') = (sitting_in_major IS NOT NULL))
);
CREATE INDEX uni_student_college_idx ON uni_student (college, student_id);
CREATE INDEX uni_student_class_idx ON uni_student (class_id, student_id);

-- The teaching calendar: each term of a university ("YYYY-1" autumn, "YYYY-2"
-- spring, as check-ins) with its first teaching day; week 1 is the week of
-- the first class (core/uni_calendar.h).
CREATE TABLE uni_term (
    school     char(10)    NOT NULL REFERENCES school (code),
    term       text        NOT NULL CHECK (term ~ '^[0-9]{4}-[12]$'),
    first_day  date        NOT NULL,
    weeks      smallint    NOT NULL DEFAULT 20 CHECK (weeks BETWEEN 1 AND 30),
    version    int         NOT NULL DEFAULT 1,
    updated_by bigint      REFERENCES app_user (id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school, term)
);

-- Accounts: the university staff roles (college-scoped ones carry their
-- college) and students (role student, org = the university, one account
-- per student record, username = 学号).
ALTER TABLE app_user DROP CONSTRAINT app_user_role_check;
ALTER TABLE app_user ADD CONSTRAINT app_user_role_check
    CHECK (role IN ('school', 'county', 'city', 'province', 'ministry', 'student'));
ALTER TABLE app_user DROP CONSTRAINT app_user_staff_role_check;
ALTER TABLE app_user ADD CONSTRAINT app_user_staff_role_check CHECK (staff_role IN ('registrar',
    'grade_leader', 'head_teacher', 'college_office', 'teaching_vice_dean', 'dean',
    'course_teacher', 'registrar_section', 'registrar_deputy_head', 'registrar_head',
    'vice_president', 'student_affairs', 'admissions'));
ALTER TABLE app_user ADD COLUMN college bigint REFERENCES uni_college (id);
ALTER TABLE app_user ADD COLUMN student_id bigint REFERENCES student (id);
ALTER TABLE app_user ADD CONSTRAINT app_user_college_check CHECK ((college IS NOT NULL) =
    (staff_role IS NOT NULL AND staff_role IN ('college_office', 'teaching_vice_dean', 'dean',
                                               'course_teacher')));
ALTER TABLE app_user ADD CONSTRAINT app_user_student_check
    CHECK ((role = 'student') = (student_id IS NOT NULL));
CREATE UNIQUE INDEX app_user_student_idx ON app_user (student_id) WHERE student_id IS NOT NULL;
CREATE INDEX app_user_office_idx ON app_user (org, staff_role, college) WHERE staff_role IS NOT NULL;

-- The state labels of the university states (code table uni_student_state).
INSERT INTO code_table (name, label, source) VALUES ('uni_student_state', '高校学籍状态', 'xueji');
INSERT INTO code_value (table_name, code, label, sort) VALUES
    ('uni_student_state', 'studying', '在读', 1),
    ('uni_student_state', 'suspended', '休学', 2),
    ('uni_student_state', 'sitting_in', '插班学习', 3),
    ('uni_student_state', 'withdrawn', '退学', 4),
    ('uni_student_state', 'graduated', '毕业', 5),
    ('uni_student_state', 'completed', '结业', 6),
    ('uni_student_state', 'deceased', '死亡', 7);
