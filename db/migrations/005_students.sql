-- 005: the student registry (issue #4): records, history, requests and their
-- steps (the workflow engine's tables, registration first), problem records,
-- the change feed, photos and semester check-ins.
--
-- The columns of `student` after `verification` are the field catalog of
-- core/record.c, in its order; tests/integration/students_test.c checks that
-- every catalog column exists here. PII (ID numbers, phones) is stored only
-- as XChaCha20-Poly1305 ciphertext (*_enc, under the data key `key_id`) and
-- its masked text (*_mask); look-ups go through keyed BLAKE2b blind indexes.

CREATE TABLE student (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    province       char(6)     NOT NULL, -- partition key
    school         char(10)    NOT NULL REFERENCES school (code),
    class_id       bigint      NOT NULL REFERENCES class (id),
    state          text        NOT NULL CHECK (state IN ('pending', 'enrolled', 'suspended',
                       'transferred_out', 'withdrawn', 'deceased', 'abroad', 'left_other',
                       'missing', 'dropped_out', 'graduated', 'completed', 'incomplete',
                       'registration_rejected')),
    stuno_kind     char(1)     NOT NULL CHECK (stuno_kind IN ('G', 'J', 'L')),
    stuno_text     text        NOT NULL, -- the number (L, J) or its mask (G)
    stuno_enc      bytea,                -- G numbers contain the ID number: ciphertext
    stuno_bidx     bytea       NOT NULL, -- blind index of the full number
    id_bidx        bytea,                -- blind index of (id_type, id_number)
    key_id         bigint      NOT NULL, -- the data key of every *_enc column of the row
    verification   text,                 -- identity check result (DOMAIN rule 23), NULL: not run
    version        int         NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    name text NOT NULL,
    gender text,
    birth_date date,
    birthplace text,
    native_place text,
    ethnicity text,
    nationality text,
    id_type text,
    id_number_enc bytea,
    id_number_mask text,
    overseas_status text,
    political_status text,
    health text,
    name_pinyin text,
    former_name text,
    id_valid_until date,
    hukou_region text,
    hukou_type text,
    specialty text,
    aux_number text,
    seat_number text,
    grade smallint NOT NULL,
    class_no smallint NOT NULL,
    enrolled_month text,
    entry_mode text,
    study_mode text,
    source text,
    current_address text,
    mailing_address text,
    home_address text,
    phone_enc bytea,
    phone_mask text,
    postcode text,
    email text,
    homepage text,
    only_child text,
    preschool text,
    left_behind text,
    migrant_child text,
    orphan text,
    martyr_child text,
    inclusive_ed text,
    disability text,
    gov_funded_seat text,
    needs_aid text,
    boarding_subsidy text,
    distance_km numeric(4,1),
    transport text,
    school_bus text,
    f1_name text,
    f1_relation text,
    f1_relation_note text,
    f1_ethnicity text,
    f1_employer text,
    f1_current_address text,
    f1_hukou_region text,
    f1_phone_enc bytea,
    f1_phone_mask text,
    f1_guardian text,
    f1_id_type text,
    f1_id_number_enc bytea,
    f1_id_number_mask text,
    f1_position text,
    f2_name text,
    f2_relation text,
    f2_relation_note text,
    f2_ethnicity text,
    f2_employer text,
    f2_current_address text,
    f2_hukou_region text,
    f2_phone_enc bytea,
    f2_phone_mask text,
    f2_guardian text,
    f2_id_type text,
    f2_id_number_enc bytea,
    f2_id_number_mask text,
    f2_position text);
CREATE UNIQUE INDEX student_stuno_idx ON student (stuno_bidx);
-- 一人一籍: one active record per identity document (DOMAIN rule 11)
CREATE UNIQUE INDEX student_one_person_idx ON student (id_type, id_bidx)
    WHERE id_bidx IS NOT NULL AND state IN ('pending', 'enrolled', 'suspended');
CREATE INDEX student_similar_idx ON student (province, name, birth_date)
    WHERE state IN ('pending', 'enrolled', 'suspended');
CREATE INDEX student_school_idx ON student (school, id);
CREATE INDEX student_class_idx ON student (class_id, id);
CREATE INDEX student_key_idx ON student (key_id);

-- The timeline of a record: registration, edits (old and new values of
-- non-PII fields; PII changes named without values), requests.
CREATE TABLE student_history (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_id bigint      NOT NULL REFERENCES student (id),
    at         timestamptz NOT NULL DEFAULT now(),
    kind       text        NOT NULL,
    actor_id   bigint,
    actor_org  text,
    school     char(10),
    request_id bigint,
    changes    jsonb       NOT NULL DEFAULT '[]'
);
CREATE INDEX student_history_idx ON student_history (student_id, id);

-- Requests (学籍异动 and registration) and their approval steps. The workflow
-- engine (workflow/) drives them; registration is the first type.
CREATE TABLE request (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type         text        NOT NULL,
    state        text        NOT NULL CHECK (state IN ('open', 'returned', 'approved',
                                 'rejected', 'withdrawn', 'reverted')),
    student_id   bigint      REFERENCES student (id),
    school       char(10)    NOT NULL REFERENCES school (code),
    province     char(6)     NOT NULL,
    payload      jsonb       NOT NULL DEFAULT '{}',
    comment      text,
    evidence     bigint[]    NOT NULL DEFAULT '{}',
    current_step int,        -- NULL once the request has ended
    started_by   bigint,
    started_org  text        NOT NULL,
    version      int         NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
-- one open request per student (DOMAIN rule 12), enforced here
CREATE UNIQUE INDEX request_one_open_idx ON request (student_id)
    WHERE student_id IS NOT NULL AND state IN ('open', 'returned');
CREATE INDEX request_student_idx ON request (student_id, id);

CREATE TABLE request_step (
    request_id bigint      NOT NULL REFERENCES request (id),
    number     int         NOT NULL,
    level      text        NOT NULL,
    org        text        NOT NULL, -- the org that holds the step
    state      text        NOT NULL CHECK (state IN ('pending', 'waiting', 'approved',
                               'rejected', 'returned', 'skipped')),
    due_at     timestamptz,
    decided_by bigint,
    decided_at timestamptz,
    comment    text,
    forced     boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (request_id, number)
);
CREATE INDEX request_step_todo_idx ON request_step (org, due_at) WHERE state = 'waiting';

CREATE TABLE request_action (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id bigint      NOT NULL REFERENCES request (id),
    step       int,
    action     text        NOT NULL,
    actor_id   bigint,
    actor_org  text,
    at         timestamptz NOT NULL DEFAULT now(),
    comment    text,
    evidence   bigint[]    NOT NULL DEFAULT '{}'
);
CREATE INDEX request_action_idx ON request_action (request_id, id);

-- Problem records (问题学籍, DOMAIN rule 24). `authority` decides it.
CREATE TABLE problem (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text        NOT NULL CHECK (kind IN ('duplicate_id', 'suspected_duplicate',
                                     'identity_failed', 'wrong_id')),
    state            text        NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
    student_id       bigint      NOT NULL REFERENCES student (id),
    other_student_id bigint      REFERENCES student (id),
    school           char(10)    NOT NULL,
    other_school     char(10),
    authority        char(6)     NOT NULL,
    reason           text,
    resolution       text,
    version          int         NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    resolved_at      timestamptz
);
CREATE INDEX problem_student_idx ON problem (student_id) WHERE state = 'open';
CREATE INDEX problem_authority_idx ON problem (authority, id);

-- The change feed. Ids are drawn under the audit chain's lock (every write
-- appends an audit row first and holds that lock to commit), so a reader
-- that has seen id N never later meets a smaller id: `after=` is safe.
CREATE SEQUENCE events_id_seq;
CREATE TABLE events (
    id         bigint      PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    type       text        NOT NULL,
    student_id bigint,
    school     char(10),
    authority  char(6),
    province   char(6),
    request_id bigint,
    data       jsonb       NOT NULL DEFAULT '{}'
);
CREATE FUNCTION events_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7263512002);
    NEW.id := nextval('events_id_seq');
    RETURN NEW;
END $$;
CREATE TRIGGER events_id BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_id();

CREATE TABLE student_photo (
    student_id bigint      PRIMARY KEY REFERENCES student (id),
    mime       text        NOT NULL,
    width      int         NOT NULL,
    height     int         NOT NULL,
    data       bytea       NOT NULL,
    version    int         NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Semester check-in (报到注册): term "YYYY-1" (autumn) or "YYYY-2" (spring).
CREATE TABLE checkin (
    student_id bigint      NOT NULL REFERENCES student (id),
    term       text        NOT NULL CHECK (term ~ '^[0-9]{4}-[12]$'),
    school     char(10)    NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    by_user    bigint,
    PRIMARY KEY (student_id, term)
);

-- A refused registration (docs/decisions/0006) has a state of its own.
INSERT INTO code_value (table_name, code, label, sort)
    VALUES ('student_state', 'registration_rejected', '注册未通过', 14);

-- J student numbers (no document): a sequence per county and birth date.
CREATE TABLE stuno_j_seq (
    county char(6) NOT NULL,
    birth  date    NOT NULL,
    last   int     NOT NULL,
    PRIMARY KEY (county, birth)
);
