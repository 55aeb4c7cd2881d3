-- 014: writes without a global lock (ADR 0023). Until now every audit row and
-- every event took pg_advisory_xact_lock(7263512002) and held it to COMMIT,
-- so all writers committed one at a time. Now:
--   * an audit row carries the hash of its own content, computed in the
--     writing transaction, and the id of that transaction (xid); the sealer
--     of xuejid later gives the rows whose transactions are certainly over
--     (xid below the oldest running transaction) consecutive sequence
--     numbers and appends a seal signed with a key outside the database;
--   * an event gets its id from a plain sequence and no feed position
--     (pos NULL); a positioning pass (core/feed.c, one at a time under its own
--     advisory lock, never taken by writers) later gives the events it sees
--     committed the next positions in id order, and the feed is read by
--     position, so a reader that follows the cursor never skips nor repeats
--     an event (docs/decisions/0024).
-- Audit rows written before this migration get xid 0; events keep their id
-- as their position, so every cursor handed out before stays valid.

-- ---- audit ----
DROP TRIGGER audit_chain ON audit;
DROP FUNCTION audit_chain();

ALTER TABLE audit ADD COLUMN xid xid8;
ALTER TABLE audit ADD COLUMN seq bigint UNIQUE; -- set once, by the sealer
ALTER TABLE audit DROP COLUMN prev_hash;

-- One field of the canonical text of a row: NULL is '-', any other value
-- 'octet length:value', so that no two rows share a text.
CREATE FUNCTION audit_field(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN v IS NULL THEN '-' ELSE octet_length(v)::text || ':' || v END
$$;

-- The canonical text of a row. `xuejictl audit verify` builds the same text
-- in C from the same columns (db_audit_canon), never by calling this.
DROP FUNCTION audit_row_hash(audit);
CREATE FUNCTION audit_row_hash(r audit) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(
        audit_field(r.id::text) || audit_field(r.xid::text)
        || audit_field(extract(epoch FROM r.at)::text) || audit_field(r.actor_id::text)
        || audit_field(r.actor_org) || audit_field(r.action) || audit_field(r.target_type)
        || audit_field(r.target_id) || audit_field(r.ip) || audit_field(r.user_agent)
        || audit_field(r.request_id) || audit_field(r.detail::text), 'UTF8')), 'hex')
$$;

ALTER TABLE audit DISABLE TRIGGER audit_append_only;
UPDATE audit SET xid = '0';
UPDATE audit a SET hash = audit_row_hash(a);
ALTER TABLE audit ENABLE TRIGGER audit_append_only;

ALTER TABLE audit ALTER COLUMN xid SET NOT NULL;
ALTER TABLE audit ALTER COLUMN id SET DEFAULT nextval('audit_id_seq');
ALTER SEQUENCE audit_id_seq OWNED BY audit.id;
CREATE INDEX audit_unsealed_idx ON audit (xid, id) WHERE seq IS NULL;
CREATE INDEX audit_at_idx ON audit (at, id);
-- GET /audit of a county, city or school: the rows its own org wrote, newest first
CREATE INDEX audit_org_idx ON audit (actor_org, id);

-- No lock: the row's id, transaction and content hash, nothing shared.
CREATE FUNCTION audit_hash() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.id := coalesce(NEW.id, nextval('audit_id_seq'));
    NEW.xid := pg_current_xact_id();
    NEW.seq := NULL;
    NEW.hash := audit_row_hash(NEW);
    RETURN NEW;
END $$;
CREATE TRIGGER audit_hash BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_hash();

-- Append-only, except that the sealer sets `seq` once on a row it seals.
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit' THEN
        IF OLD.seq IS NULL AND NEW.seq IS NOT NULL
           AND (NEW.id, NEW.xid, NEW.at, NEW.actor_id, NEW.actor_org, NEW.action,
                NEW.target_type, NEW.target_id, NEW.ip, NEW.user_agent, NEW.request_id,
                NEW.detail, NEW.hash)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.xid, OLD.at, OLD.actor_id, OLD.actor_org, OLD.action,
                OLD.target_type, OLD.target_id, OLD.ip, OLD.user_agent, OLD.request_id,
                OLD.detail, OLD.hash) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

-- A seal: rows first_seq..last_seq, the hash of their row hashes in seq
-- order (rows_hash), the previous seal's hash, and an Ed25519 signature of
-- this seal's hash by the key of XUEJI_AUDIT_SIGNING_KEY (key_id names it).
-- upto_xid is the transaction horizon the sealer used: every row of a
-- transaction below it is sealed here or earlier.
CREATE TABLE audit_seal (
    id        bigint      PRIMARY KEY CHECK (id > 0),
    first_seq bigint      NOT NULL UNIQUE,
    last_seq  bigint      NOT NULL UNIQUE CHECK (last_seq >= first_seq),
    upto_xid  xid8        NOT NULL,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    prev_hash text        NOT NULL,
    rows_hash text        NOT NULL,
    hash      text        NOT NULL,
    key_id    text        NOT NULL,
    signature text        NOT NULL
);
CREATE TRIGGER audit_seal_append_only BEFORE UPDATE OR DELETE ON audit_seal
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_seal
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- ---- change feed ----
DROP TRIGGER events_id ON events;
DROP FUNCTION events_id();
-- pos: the feed position, NULL until a positioning pass gives it (once).
ALTER TABLE events ADD COLUMN pos bigint UNIQUE;
UPDATE events SET pos = id;
ALTER TABLE events ALTER COLUMN id SET DEFAULT nextval('events_id_seq');
ALTER SEQUENCE events_id_seq OWNED BY events.id;
CREATE INDEX events_unpositioned_idx ON events (id) WHERE pos IS NULL;
