#!/bin/sh
# Lints the OpenAPI contract twice, with pinned tools fetched by npx (cached in
# ~/.npm after the first run; no global install):
#  1. Redocly CLI with redocly.yaml (the `recommended` ruleset);
#  2. Spectral with .spectral.yaml: spectral:oas and the OWASP API Security
#     Top 10 (2023) ruleset. Errors fail; warnings are listed only with
#     LINT_WARNINGS=1 (`LINT_WARNINGS=1 make lint-openapi`).
# Usage: lint-openapi.sh [SPEC]  (default openapi.yaml)
set -eu
cd "$(dirname "$0")/.."
spec=${1:-openapi.yaml}

# No usage telemetry nor update checks: they would only reach for the network.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
export npm_config_update_notifier=false npm_config_fund=false
npx --yes @redocly/cli@2.77.0 lint --config redocly.yaml "$spec"

only_failures=--display-only-failures
[ "${LINT_WARNINGS:-0}" = 1 ] && only_failures=
# .spectral.yaml extends the OWASP ruleset by its package name, which Spectral
# resolves from NODE_PATH: the node_modules npx installed both packages into.
export SPEC="$spec" ONLY_FAILURES="$only_failures"
exec npx --yes -p @stoplight/spectral-cli@6.16.3 -p @stoplight/spectral-owasp-ruleset@2.0.1 \
    -c 'NODE_PATH=$(dirname "$(dirname "$(command -v spectral)")") \
        spectral lint --ruleset .spectral.yaml --fail-severity error $ONLY_FAILURES "$SPEC"'
