-- 004: schools, classes, accounts, tokens, settings, audit.

CREATE TABLE school (
    code       char(10)    PRIMARY KEY,            -- 学校标识码 AABBCCCCCC
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    county     char(6)     NOT NULL REFERENCES region (code), -- location
    authority  char(6)     NOT NULL REFERENCES region (code), -- competent bureau (学籍主管部门)
    province   char(6)     NOT NULL REFERENCES region (code), -- partition key
    category   smallint    NOT NULL,
    system     text        NOT NULL DEFAULT '63' CHECK (system IN ('63', '54')),
    closed     boolean     NOT NULL DEFAULT false,
    version    int         NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX school_authority_idx ON school (authority, code);
CREATE INDEX school_county_idx ON school (county, code);

CREATE TABLE class (
    id         bigserial   PRIMARY KEY,
    school     char(10)    NOT NULL REFERENCES school (code),
    grade      smallint    NOT NULL CHECK (grade BETWEEN 11 AND 16 OR grade BETWEEN 21 AND 24
                                           OR grade BETWEEN 31 AND 33),
    number     smallint    NOT NULL CHECK (number BETWEEN 1 AND 99),
    name       text        NOT NULL,
    size_limit int         CHECK (size_limit IS NULL OR size_limit BETWEEN 1 AND 200),
    version    int         NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (school, grade, number)
);

CREATE TABLE app_user (
    id                   bigserial   PRIMARY KEY,
    username             text        NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.@-]{3,64}$'),
    display_name         text        NOT NULL,
    role                 text        NOT NULL CHECK (role IN ('school', 'county', 'city', 'province', 'ministry')),
    org                  text        NOT NULL, -- region code, or school code for role school
    staff_role           text        CHECK (staff_role IN ('registrar', 'grade_leader', 'head_teacher')),
    grade                smallint,
    classes              bigint[]    NOT NULL DEFAULT '{}',
    password_hash        text        NOT NULL,
    must_change_password boolean     NOT NULL DEFAULT true,
    disabled             boolean     NOT NULL DEFAULT false,
    frozen               boolean     NOT NULL DEFAULT false,
    failed_count         int         NOT NULL DEFAULT 0,
    failed_since         timestamptz,
    locked_until         timestamptz,
    tokens_valid_after   timestamptz NOT NULL DEFAULT '-infinity', -- tokens issued before are dead
    last_login_at        timestamptz,
    created_by           bigint      REFERENCES app_user (id),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    version              int         NOT NULL DEFAULT 1,
    CHECK ((role = 'school') = (staff_role IS NOT NULL))
);
CREATE INDEX app_user_org_idx ON app_user (org, id);

-- Refresh tokens are stored only as a keyed hash. Each login starts a family;
-- every refresh rotates (used_at set, a new row in the same family). Presenting
-- a used token again revokes the whole family.
CREATE TABLE refresh_token (
    id         bigserial   PRIMARY KEY,
    family     bigint      NOT NULL,
    user_id    bigint      NOT NULL REFERENCES app_user (id),
    token_hash text        NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    revoked_at timestamptz
);
CREATE INDEX refresh_token_family_idx ON refresh_token (family);
CREATE SEQUENCE refresh_family_seq;

CREATE TABLE service_client (
    client_id   text        PRIMARY KEY,
    name        text        NOT NULL,
    org         char(6)     NOT NULL REFERENCES region (code),
    secret_hash text        NOT NULL,
    disabled    boolean     NOT NULL DEFAULT false,
    created_by  bigint      NOT NULL REFERENCES app_user (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Province rules with inheritance county -> city -> province -> defaults.
CREATE TABLE region_settings (
    region     char(6)     PRIMARY KEY REFERENCES region (code),
    settings   jsonb       NOT NULL DEFAULT '{}',
    version    int         NOT NULL DEFAULT 1,
    updated_by bigint      REFERENCES app_user (id),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The audit trail: append-only and hash-chained (each row's hash covers the
-- previous row's hash), so `xuejictl audit verify` detects edits and deletions.
CREATE SEQUENCE audit_id_seq;
CREATE TABLE audit (
    id          bigint      PRIMARY KEY, -- set by the trigger under the chain lock
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_id    bigint,
    actor_org   text,
    action      text        NOT NULL,
    target_type text,
    target_id   text,
    ip          text,
    user_agent  text,
    request_id  text,
    detail      jsonb       NOT NULL DEFAULT '{}',
    prev_hash   text        NOT NULL,
    hash        text        NOT NULL
);
CREATE INDEX audit_actor_idx ON audit (actor_id, id);
CREATE INDEX audit_target_idx ON audit (target_type, target_id, id);

-- The hash of a row: its fields in a fixed text form (epoch seconds, canonical
-- jsonb text) so that it does not depend on session settings.
CREATE FUNCTION audit_row_hash(r audit) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws('|', r.prev_hash, r.id, extract(epoch FROM r.at),
        r.actor_id, r.actor_org, r.action, r.target_type, r.target_id, r.ip, r.user_agent,
        r.request_id, r.detail::text), 'UTF8')), 'hex')
$$;

CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    prev text;
BEGIN
    -- one writer at a time extends the chain (held until commit)
    PERFORM pg_advisory_xact_lock(7263512002);
    -- ids are drawn under the lock, so id order is chain order
    NEW.id := nextval('audit_id_seq');
    SELECT hash INTO prev FROM audit ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := coalesce(prev, repeat('0', 64));
    NEW.hash := audit_row_hash(NEW);
    RETURN NEW;
END $$;
CREATE TRIGGER audit_chain BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_chain();

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
