-- 001: foundation. schema_migrations itself is created by the runner.

-- Idempotency-Key support for POST (API.md "Conventions"). A row is written
-- when the first request with a key starts (status NULL while it runs) and
-- completed with the answer, which later repeats replay. Keys expire after 24 h.
CREATE TABLE idempotency_key (
    scope        text        NOT NULL, -- 'acct:<user id>' or 'ip:<address>': keys are per caller
    key          text        NOT NULL,
    method       text        NOT NULL,
    path         text        NOT NULL,
    body_hash    text        NOT NULL, -- BLAKE2b of method, path and body
    status       int,
    content_type text,
    body         text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_key_created_idx ON idempotency_key (created_at);
