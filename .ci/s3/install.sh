#!/usr/bin/env bash
# Issue 20: moto's S3 server (PyPI, pinned in requirements.txt) in a virtualenv under target/,
# for the object-storage tests (tests/api/object_storage.rs), as .ci/contract/install.sh does
# for schemathesis.
# usage: .ci/s3/install.sh          (idempotent: reinstalls only when requirements.txt changed)
# env:   S3_VENV  where the virtualenv lives (default: target/s3-venv, where the tests look)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${S3_VENV:-$root/target/s3-venv}
requirements="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$requirements" | cut -d' ' -f1)

if [ -x "$venv/bin/moto_server" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements"
echo "$want" >"$stamp"
echo "S3 test server: moto $("$venv/bin/python" -c 'import moto; print(moto.__version__)')"
