#!/usr/bin/env bash
# One schemathesis run against a running
# mediation-tracker, signed in as one persona, every check, bounded in time.
#
# usage: .ci/contract/schemathesis.sh BASE_URL TOKEN [LABEL]
#   BASE_URL  the service's origin, e.g. http://127.0.0.1:8080 (no /api/v1: the document's paths
#             are absolute, /api/v1/...)
#   TOKEN     an access token from POST /api/v1/auth/login (access_token; lives 15 minutes, so
#             sign in right before the run)
#   LABEL     names the reports, e.g. sqlite-mediator (default: run)
# env:
#   ST_MAX_TIME    seconds for the whole run, all phases (default 45). The run stops itself at
#                  the budget; an outer `timeout` kills it 60 s later as a last resort.
#   ST_WORKERS     concurrent workers (default 1: with 2, Python 3.11's `ast` module, which hypothesis
#                  uses to describe its filters, races between the threads and raises "AST constructor
#                  recursion depth mismatch", a runtime error of the tool, not of the service)
#   ST_SEED        fixed seed for a reproducible run (default: random; printed and in the JSON report)
#   CONTRACT_VENV  the virtualenv (default target/contract-venv; install.sh creates it)
#   CONTRACT_OUT   where reports go (default target/contract)
# writes: $CONTRACT_OUT/LABEL.junit.xml, LABEL.json (summary: failures by code, stop_reason),
#         LABEL.log (the console output); schemathesis' own .hypothesis/ and .schemathesis/
#         caches land in $CONTRACT_OUT too (the run's working directory), not in the repo.
# exit:   schemathesis' own: 0 when every check passed, 1 on any failure or schema error.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

base_url=${1:?usage: schemathesis.sh BASE_URL TOKEN [LABEL]}
token=${2:?usage: schemathesis.sh BASE_URL TOKEN [LABEL]}
label=${3:-run}
base_url=${base_url%/}
export CONTRACT_VENV=${CONTRACT_VENV:-$root/target/contract-venv}
out=${CONTRACT_OUT:-$root/target/contract}
max_time=${ST_MAX_TIME:-45}
# Drops generated cursors (hooks.py says why).
export SCHEMATHESIS_HOOKS="$here/hooks.py"

"$here/install.sh"
mkdir -p "$out"
out=$(cd "$out" && pwd)

args=(
    --config-file "$here/schemathesis.toml"
    run "$base_url/api/v1/openapi.json"
    --url "$base_url"
    --header "Authorization: Bearer $token"
    --max-time "$max_time"
    --workers "${ST_WORKERS:-1}"
    --request-timeout 10
    --wait-for-schema 30
    --report junit,json
    --report-junit-path "$out/$label.junit.xml"
    --report-json-path "$out/$label.json"
    --no-color
)
if [ -n "${ST_SEED:-}" ]; then
    args+=(--seed "$ST_SEED")
fi

# No `--checks`: every check is on by default, and naming them on the command line would override
# the per-operation settings in schemathesis.toml (a command-line choice wins over the file).
echo "==> schemathesis $label: $base_url, all checks, ${max_time}s"
set +e
(cd "$out" && timeout --signal=INT --kill-after=15 $((max_time + 60)) \
    "$CONTRACT_VENV/bin/st" "${args[@]}") 2>&1 | tee "$out/$label.log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    echo "schemathesis $label: killed by the outer timeout (${max_time}s budget + 60s)" >&2
fi
exit "$rc"
