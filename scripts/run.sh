#!/bin/sh
# The body of `make run` (and `make demo` with --demo-only): a local PostgreSQL
# in ./var, development keys, migrations, demo data, then xuejid in the foreground.
# Usage: run.sh OUTDIR [--demo-only]      (OUTDIR holds xuejid and xuejictl)
set -eu
cd "$(dirname "$0")/.."

out=${1:?usage: run.sh OUTDIR [--demo-only]}
demo_only=${2:-}

# PostgreSQL in var/ (kept between runs; `make stop` stops it).
mkdir -p var
if [ ! -f var/pg/PG_VERSION ] && [ ! -f var/pg.location ]; then
    sh scripts/pg.sh init var
fi
sh scripts/pg.sh start var

# Development keys, made once; production gets real ones from its environment.
(
    umask 077
    # The xueji-dev- prefix marks them as development keys: production refuses them.
    [ -s var/jwt_secret ] || { printf 'xueji-dev-'; head -c 48 /dev/urandom | base64 -w 0; } > var/jwt_secret
    [ -s var/data_key ] || { printf 'xueji-dev-'; head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n'; } > var/data_key
    [ -s var/audit_signing_key ] || { printf 'xueji-dev-'; head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n'; } > var/audit_signing_key
    chmod 600 var/jwt_secret var/data_key var/audit_signing_key
)

XUEJI_DATABASE_URL=$(sh scripts/pg.sh url var)
export XUEJI_DATABASE_URL
export XUEJI_JWT_SECRET_FILE="$PWD/var/jwt_secret"
export XUEJI_DATA_KEY_FILE="$PWD/var/data_key"
export XUEJI_AUDIT_SIGNING_KEY_FILE="$PWD/var/audit_signing_key"
export XUEJI_ADMIN_PASSWORD="${XUEJI_ADMIN_PASSWORD:-Xueji-Dev-2026!}"
export XUEJI_LISTEN="${XUEJI_LISTEN:-127.0.0.1:8080}"
export XUEJI_ENV=development

# Migrations load the reference data (regions, code tables); demo schools,
# accounts and students are added by `xuejictl demo` once accounts exist.
"$out/xuejid" migrate
# Demo province 河南: schools, classes, accounts (idempotent; prints the accounts),
# and generated enrolled students up to XUEJI_DEMO_STUDENTS (tops up: a rerun adds none).
"$out/xuejictl" demo --students "${XUEJI_DEMO_STUDENTS:-2000}"
demo_password='Xueji-Demo-2026!' # as printed by xuejictl demo
if [ "$demo_only" = --demo-only ]; then
    exit 0
fi

url="http://$(echo "$XUEJI_LISTEN" | sed 's/^0\.0\.0\.0:/127.0.0.1:/')"
cat <<EOT

  xueji is starting on $url
  admin password (XUEJI_ADMIN_PASSWORD): $XUEJI_ADMIN_PASSWORD
  try:         curl -s $url/readyz
               curl -s $url/api/v1/regions/410102
               curl -s '$url/api/v1/regions?parent=410000' 

  demo login:  henan, zhengzhou, luoyang, zhongyuan, jinshui, laocheng, jianxi,
               jianshe.registrar, zz1z.registrar, ly1g.registrar ... (table above),
               every one with the password $demo_password
  for example: TOKEN=\$(curl -s $url/api/v1/auth/login -H 'Content-Type: application/json' -d '{"username":"zhongyuan","password":"$demo_password"}' | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
               curl -s $url/api/v1/schools -H "Authorization: Bearer \$TOKEN"

  Ctrl-C stops the server; \`make stop\` stops PostgreSQL.

EOT
exec "$out/xuejid" serve
