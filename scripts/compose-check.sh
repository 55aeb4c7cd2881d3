#!/bin/sh
# Checks that docker-compose.yml is valid, with and without the cluster profile
# (no Docker daemon needed).
set -eu
cd "$(dirname "$0")/.."
docker-compose -f docker-compose.yml config -q
# the provincial cluster's services (ADR 0034)
docker-compose -f docker-compose.yml --profile cluster config -q
echo "compose-check: ok"
