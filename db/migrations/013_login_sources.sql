-- 013: failed logins are counted per account and source address (ADR 0014), so
-- that wrong passwords from one address lock that address out of the account,
-- not the account's own user at another address. The account-wide counters of
-- app_user stay, with a higher threshold, against guessing from many addresses.
CREATE TABLE login_source_failure (
    user_id      bigint      NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    source       text        NOT NULL, -- the IPv4 address or the IPv6 /64 prefix
    failed_count int         NOT NULL,
    failed_since timestamptz NOT NULL,
    locked_until timestamptz,
    PRIMARY KEY (user_id, source)
);

-- Login and refresh answers carry live tokens; they were once kept here in
-- clear. Such answers are no longer stored (API_ROUTE_SECRET): drop the old ones.
DELETE FROM idempotency_key
    WHERE path IN ('/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/token',
                   '/api/v1/users', '/api/v1/clients', '/api/v1/me/password')
       OR path LIKE '/api/v1/users/%/password-reset';
