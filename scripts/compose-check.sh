#!/bin/sh
# Checks that docker-compose.yml is valid (no Docker daemon needed).
set -eu
cd "$(dirname "$0")/.."
docker-compose -f docker-compose.yml config -q
echo "compose-check: ok"
