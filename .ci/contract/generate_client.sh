#!/usr/bin/env bash
# DRAFT (issue 14), not wired into .ci/run: generates the Python client from the document the
# running service serves, into target/contract-client.
#
# usage: .ci/contract/generate_client.sh BASE_URL
#   BASE_URL  the service's origin, e.g. http://127.0.0.1:8080
# env:
#   CONTRACT_VENV    the virtualenv (default target/contract-venv; install.sh creates it)
#   CONTRACT_CLIENT  output root (default target/contract-client)
#   CLIENT_LENIENT=1 generate even when openapi-python-client warns (it then silently leaves out
#                    the operations it could not read); the default fails on any warning
# writes: $CONTRACT_CLIENT/openapi.json           the document as served (keep it with the reports)
#         $CONTRACT_CLIENT/mediation_tracker_client/  the package (--meta none: no pyproject)
# use:    PYTHONPATH=$CONTRACT_CLIENT $CONTRACT_VENV/bin/python story.py
#         from mediation_tracker_client import Client, AuthenticatedClient
#         from mediation_tracker_client.api.auth import login   # one module per operationId, by tag
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

base_url=${1:?usage: generate_client.sh BASE_URL}
base_url=${base_url%/}
export CONTRACT_VENV=${CONTRACT_VENV:-$root/target/contract-venv}
out=${CONTRACT_CLIENT:-$root/target/contract-client}

"$here/install.sh"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Saved first, so a failing generation can be read against the exact document.
curl -fsS --retry 10 --retry-connrefused --retry-delay 1 "$base_url/api/v1/openapi.json" -o "$out/openapi.json"

strict=(--fail-on-warning)
if [ "${CLIENT_LENIENT:-0}" = 1 ]; then
    strict=()
fi
# The generator's post-hooks run `ruff` (installed in the venv), so the venv goes first on PATH;
# without it they are skipped with "ruff is not in PATH" and the code is merely unformatted.
PATH="$CONTRACT_VENV/bin:$PATH" "$CONTRACT_VENV/bin/openapi-python-client" generate \
    --path "$out/openapi.json" \
    --meta none \
    --output-path "$out/mediation_tracker_client" \
    --overwrite \
    "${strict[@]}"

PYTHONPATH="$out" "$CONTRACT_VENV/bin/python" -c \
    'import mediation_tracker_client as c; print("generated", c.__name__, "from", c.__file__)'
