#!/bin/sh
# Patroni's post_bootstrap in docker-compose.yml's cluster: once, on the new
# cluster's first primary, the application's role and database. $1 is the
# superuser's connection string; XUEJI_DB_PASSWORD comes from the environment.
set -eu
psql -X -q -v ON_ERROR_STOP=1 -v pw="$XUEJI_DB_PASSWORD" "$1" <<'SQL'
CREATE ROLE xueji LOGIN SUPERUSER PASSWORD :'pw';
CREATE DATABASE xueji OWNER xueji;
SQL
