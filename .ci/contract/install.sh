#!/usr/bin/env bash
# DRAFT (issue 14): the contract-test tools, pinned, in a virtualenv under target/.
# usage: .ci/contract/install.sh          (idempotent: reinstalls only when requirements.txt changed)
# env:   CONTRACT_VENV  where the virtualenv lives (default: target/contract-venv)
# Needs python3 (3.11 on this machine kind, with venv and pip) and PyPI. A fresh install takes
# ~45 s with a warm pip cache on a busy 2-core machine; budget it outside the 6-minute test bound.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${CONTRACT_VENV:-$root/target/contract-venv}
requirements="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$requirements" | cut -d' ' -f1)

if [ -x "$venv/bin/st" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements"
echo "$want" >"$stamp"
echo "contract tools: $("$venv/bin/st" --version), $("$venv/bin/openapi-python-client" --version), $("$venv/bin/python" --version)"
