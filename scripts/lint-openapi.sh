#!/bin/sh
# Lints the OpenAPI contract with Redocly CLI (pinned), using redocly.yaml
# (the `recommended` ruleset). Usage: lint-openapi.sh [SPEC]  (default openapi.yaml)
# npx fetches the CLI from the npm registry once and caches it in ~/.npm.
set -eu
cd "$(dirname "$0")/.."
spec=${1:-openapi.yaml}

# No usage telemetry nor update checks: they would only reach for the network.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
exec npx --yes @redocly/cli@2.77.0 lint --config redocly.yaml "$spec"
