#!/bin/sh
# Makes sure the Debian 12 packages that build, run and test xueji are installed
# (clang and libclang-rt-14-dev: libFuzzer and the sanitizers of the fuzz targets;
# clang-format-14: make format-check; libcairo2-dev, libpango1.0-dev and
# fonts-wqy-microhei: the information sheets as PDF, docs/decisions/0029;
# poppler-utils: their test renders them with pdftoppm and pdftotext).
# Silent and fast when everything is there; installs what is missing when run
# as root, otherwise prints the command to run and fails.
set -eu

pkgs="build-essential pkg-config libh2o-dev libuv1-dev libssl-dev libpq-dev
libjansson-dev libjwt-dev libsodium-dev zlib1g-dev libexpat1-dev check libsubunit-dev libcurl4-openssl-dev
libcairo2-dev libpango1.0-dev fonts-wqy-microhei poppler-utils
postgresql-15 postgresql-client-15 wrk docker-compose
clang libclang-rt-14-dev clang-format-14"

# `deps.sh cluster` (make cluster, make cluster-test): the provincial cluster's
# engines as well (ADR 0034); make test does not need them.
if [ "${1:-}" = cluster ]; then
    pkgs="$pkgs patroni python3-etcd etcd-server etcd-client haproxy"
fi

# The base image ships Node.js (with npm and npx) from outside Debian; Debian's
# npm would conflict with it, so only ask for node when npx is not there at all.
if ! command -v npx >/dev/null 2>&1; then
    pkgs="$pkgs nodejs npm"
fi

# One dpkg-query for all; unknown packages go to stderr and count as missing.
# shellcheck disable=SC2086 # word splitting of the package list is wanted
installed=" $(dpkg-query -W -f='${Package} ${Status}\n' $pkgs 2>/dev/null |
    awk '$NF == "installed" && $(NF-1) == "ok" { printf "%s ", $1 }') " || true
missing=""
for p in $pkgs; do
    case "$installed" in
        *" $p "*) ;;
        *) missing="$missing $p" ;;
    esac
done

if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "deps: missing packages; install them with:" >&2
        echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
        exit 1
    fi
    echo "deps: installing$missing" >&2
    apt-get update
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi

if [ ! -x /usr/lib/postgresql/15/bin/pg_ctl ]; then
    echo "deps: /usr/lib/postgresql/15/bin/pg_ctl not found after install" >&2
    exit 1
fi
