#!/usr/bin/env bash
# Issue 14: the contract tests, end to end, on each backend.
#
# For each backend: a fresh database, `demo`, `serve`; the Python client generated from the
# document the service serves (openapi-python-client, strict), the furniture-factory story run
# through that client (story.py), then schemathesis once per persona (mediator, partner = police,
# admin last). Every step runs even when an earlier one failed, so one run shows everything that
# is wrong; a table at the end says what passed, and the exit status is non-zero if anything
# failed.
#
# usage: .ci/contract/contract.sh
# env:
#   CONTRACT_BACKENDS  which backends, in order (default "sqlite postgres")
#   CONTRACT_PG_URL    a PostgreSQL (15+) URL whose role may create databases
#                      (default postgres://root@127.0.0.1:5432/test); the run creates its own
#                      database contract_<pid> next to it and drops it at the end
#   MEDIATION_BIN      the service binary (default target/debug/mediation-tracker); it is not
#                      built here. Copy it aside first if someone may rebuild it during the run
#   ST_MAX_TIME        seconds per schemathesis run, i.e. per persona (default 45: 6 runs stay under 6 minutes)
#   CONTRACT_PORTS     the ports to pick a free one from, LOW-HIGH (default 18100-18199)
#   CONTRACT_OUT       reports, logs and data (default target/contract); wiped per backend
#   CONTRACT_CLIENT    where the client is generated (default target/contract-client)
#   CONTRACT_VENV      the tools' virtualenv (default target/contract-venv; install.sh makes it)
# writes: $CONTRACT_OUT/<backend>/  demo.txt (the demo passwords), serve.log, story.log,
#                                   openapi.json (the document as served), data, mail
#         $CONTRACT_OUT/<backend>-<persona>.{json,junit.xml,log}  schemathesis' reports
#         $CONTRACT_OUT/summary.txt  the table printed at the end
# Budget: install ~45 s when requirements.txt changed (otherwise 0), then per backend about
# 3 × ST_MAX_TIME plus ~30 s (demo, start, client, story, seeding).
# The step functions are called through `step BACKEND NAME FUNCTION ARGS`, which shellcheck
# cannot follow (SC2317 "unreachable"):
# shellcheck disable=SC2317
set -uo pipefail # no -e: a failed step is recorded and the next one still runs

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1

backends=${CONTRACT_BACKENDS:-sqlite postgres}
pg_url=${CONTRACT_PG_URL:-postgres://root@127.0.0.1:5432/test}
bin=${MEDIATION_BIN:-$root/target/debug/mediation-tracker}
ports=${CONTRACT_PORTS:-18100-18199}
out=${CONTRACT_OUT:-$root/target/contract}
client=${CONTRACT_CLIENT:-$root/target/contract-client}
export ST_MAX_TIME=${ST_MAX_TIME:-45}
export CONTRACT_VENV=${CONTRACT_VENV:-$root/target/contract-venv}
export CONTRACT_OUT=$out CONTRACT_CLIENT=$client
python=$CONTRACT_VENV/bin/python

# The service refuses to start when the environment holds a MEDIATION_* variable it does not
# know (a typo guard in src/config), and MEDIATION_BIN is ours, not its. Any other MEDIATION_*
# or DATABASE_URL of the caller's would also change what is tested; the service gets exactly the
# variables `service` below passes.
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(MEDIATION_|DATABASE_URL$)')

mkdir -p "$out"
out=$(cd "$out" && pwd)
[[ $bin = /* ]] || bin=$root/$bin

# --- bookkeeping: one row per step -------------------------------------------------------------

rows=()   # "backend|step|result|seconds|detail"
failed=0
detail='' # a step may leave one line here for the table (e.g. schemathesis' failure codes)

record() { # backend step result seconds [detail]
    rows+=("$1|$2|$3|$4|${5:-}")
    case $3 in ok) ;; *) failed=1 ;; esac
}

# step BACKEND NAME COMMAND...: runs the command, times it and records ok or FAIL (exit status).
step() {
    local backend=$1 name=$2 started rc
    shift 2
    printf '\n==> [%s] %s\n' "$backend" "$name"
    started=$(date +%s.%N)
    detail=''
    "$@"
    rc=$?
    record "$backend" "$name" "$( ((rc == 0)) && echo ok || echo "FAIL (exit $rc)")" \
        "$(elapsed "$started")" "$detail"
    return "$rc"
}

skip() { # backend step why: a step that could not run counts as a failure
    printf '\n==> [%s] %s: skipped, %s\n' "$1" "$2" "$3"
    record "$1" "$2" "skipped" "-" "$3"
}

elapsed() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

# --- the service -------------------------------------------------------------------------------

server_pid=''
pg_db=''

# service DIR ARGS...: becomes the binary, in DIR, with exactly this backend's configuration.
# The secrets are random per backend and passed only to the service, never exported to the
# tools. It cds and execs, so call it in a subshell: `(service …)` or `service … &`; then the
# background job's $! is the service's own pid, which stop_server can signal.
service() {
    local dir=$1
    shift
    cd "$dir" && exec env \
        DATABASE_URL="$db_url" \
        MEDIATION_BIND="127.0.0.1:$port" \
        MEDIATION_JWT_SECRET="$jwt_secret" \
        MEDIATION_DATA_KEY="$data_key" \
        MEDIATION_MAIL_DIR="$dir/mail" \
        MEDIATION_STORAGE_DIR="$dir/storage" \
        "$bin" "$@"
}

free_port() { # prints a port of CONTRACT_PORTS nobody listens on, starting at a random one
    local low=${ports%-*} high=${ports#*-} size offset p
    size=$((high - low + 1))
    offset=$((RANDOM % size))
    for ((i = 0; i < size; i++)); do
        p=$((low + (offset + i) % size))
        if python3 -c 'import socket, sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' \
            "$p" 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    echo "no free port in $ports" >&2
    return 1
}

start_server() { # dir: serve in the background, then wait until /readyz answers 200
    local dir=$1
    service "$dir" serve >"$dir/serve.out" 2>"$dir/serve.log" &
    server_pid=$!
    for _ in $(seq 1 60); do
        if curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then
            echo "serving on $base (pid $server_pid)"
            return 0
        fi
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "the service exited before it was ready; the end of $dir/serve.log:" >&2
            tail -n 20 "$dir/serve.log" >&2
            server_pid=''
            return 1
        fi
        sleep 0.5
    done
    echo "no 200 from $base/readyz within 30 s" >&2
    return 1
}

stop_server() { # SIGTERM, then SIGKILL after 10 s: actix drains in-flight requests first
    [ -n "$server_pid" ] || return 0
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 1 20); do
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.5
    done
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=''
    # Nothing may be left answering: a stray service would hold the port and the database.
    if curl -fsS -o /dev/null --max-time 2 "$base/readyz" 2>/dev/null; then
        echo "something still answers on $base after the service was stopped" >&2
        return 1
    fi
}

drop_pg_db() {
    [ -n "$pg_db" ] || return 0
    psql "$pg_url" -qAtc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null
    pg_db=''
}

cleanup() {
    stop_server
    drop_pg_db
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the steps ---------------------------------------------------------------------------------

prepare() { # backend dir: a fresh data directory and, for PostgreSQL, a fresh database
    local backend=$1 dir=$2
    rm -rf "$dir" && mkdir -p "$dir/mail" "$dir/storage" || return 1
    case $backend in
    sqlite)
        db_url="sqlite://$dir/mediation.db"
        ;;
    postgres)
        pg_db=contract_$$
        psql "$pg_url" -v ON_ERROR_STOP=1 -qAtc "CREATE DATABASE $pg_db" || { pg_db=''; return 1; }
        # The same server and role, another database: swap the path, keep any ?query.
        local base_url=${pg_url%%\?*}
        db_url=${base_url%/*}/$pg_db${pg_url#"$base_url"}
        ;;
    *)
        echo "unknown backend $backend (sqlite or postgres)" >&2
        return 1
        ;;
    esac
    jwt_secret=$(head -c 48 /dev/urandom | base64 -w0)
    data_key=$(head -c 32 /dev/urandom | base64 -w0)
    port=$(free_port) || return 1
    base=http://127.0.0.1:$port
    echo "database $db_url, port $port"
}

load_demo() { # dir: `demo` prints each demo user's random password once, so keep its output
    local dir=$1
    (service "$dir" demo) >"$dir/demo.txt" 2>"$dir/demo.log" || { cat "$dir/demo.log" >&2; return 1; }
    grep -q '^mediator@demo.local ' "$dir/demo.txt" || {
        echo "no mediator@demo.local in the demo table" >&2
        return 1
    }
    grep -c '@demo.local ' "$dir/demo.txt" | xargs echo "demo users:"
}

fetch_document() { # dir
    curl -fsS "$base/api/v1/openapi.json" -o "$1/openapi.json" && wc -c <"$1/openapi.json" |
        xargs echo "document bytes:"
}

same_document() { # dir first_dir: the document must not depend on the backend
    if cmp -s "$1/openapi.json" "$2/openapi.json"; then
        echo "byte-identical to $2/openapi.json"
    else
        echo "the document differs between backends:" >&2
        diff <("$python" -m json.tool --sort-keys "$2/openapi.json") \
            <("$python" -m json.tool --sort-keys "$1/openapi.json") | head -n 40 >&2
        return 1
    fi
}

run_story() { # dir
    PYTHONPATH=$client "$python" "$here/story.py" "$base" "$1/demo.txt" 2>&1 | tee "$1/story.log"
    return "${PIPESTATUS[0]}"
}

seed_partner() { # dir: demo makes no referral, so the police would see nothing to fuzz
    PYTHONPATH=$client "$python" "$here/personas.py" seed-partner "$base" "$1/demo.txt"
}

fuzz_as() { # backend dir persona email: sign in right before the run (tokens live 15 minutes)
    local backend=$1 dir=$2 persona=$3 email=$4 token
    token=$(PYTHONPATH=$client "$python" "$here/personas.py" token "$base" "$dir/demo.txt" "$email") ||
        { echo "could not sign in as $email" >&2; return 1; }
    "$here/schemathesis.sh" "$base" "$token" "$backend-$persona"
    local rc=$?
    detail=$(st_failures "$out/$backend-$persona.json")
    return "$rc"
}

st_failures() { # report.json: "N failures: CODE×n …" from schemathesis' JSON report
    [ -f "$1" ] || { echo "no JSON report"; return; }
    "$python" - "$1" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
failures = report.get("failures", [])
errors = len(report.get("errors", []))
codes = " ".join(f"{f['code']}×{f['count']}" for f in failures)
total = sum(f["count"] for f in failures)
line = f"{total} failure(s)" + (f": {codes}" if codes else "")
if errors:
    line += f", {errors} error(s)"
print(f"{line}; {report['test_cases']['generated']} cases, stop: {report.get('stop_reason')}")
PY
}

check_log() { # dir: no panic, no 5xx, and the service still up before it was stopped
    local dir=$1 log=$1/serve.log problems=0 n
    n=$(grep -c 'panicked at' "$log")
    if ((n > 0)); then
        echo "$n panic(s) in $log:" >&2
        grep -m 5 -A 3 'panicked at' "$log" >&2
        problems=1
    fi
    # The access log line of every request (src/http/middleware.rs): "request completed
    # status=NNN route=…"; MEDIATION_LOG_FORMAT is left at text.
    n=$(grep -cE 'request completed.*status=5[0-9]{2}' "$log")
    if ((n > 0)); then
        echo "$n answer(s) with status 5xx in $log:" >&2
        grep -m 10 -E 'request completed.*status=5[0-9]{2}' "$log" >&2
        problems=1
    fi
    n=$(grep -cE ' (ERROR|WARN) .*request failed outside a handler' "$log")
    if ((n > 0)); then
        echo "$n request(s) failed outside a handler in $log" >&2
        problems=1
    fi
    if ((problems == 0)); then
        echo "$(grep -c 'request completed' "$log") requests logged: no panic, no 5xx"
    fi
    return "$problems"
}

# --- the run -----------------------------------------------------------------------------------

run_started=$(date +%s.%N)
step all "install tools" "$here/install.sh"
tools_ok=$?
if [ ! -x "$bin" ]; then
    echo "no service binary at $bin (build it first, or set MEDIATION_BIN)" >&2
    record all "service binary" "FAIL" "-" "missing: $bin"
    backends=''
fi

first_dir=''   # the backend whose document the client is generated from
client_ok=1
for backend in $backends; do
    dir=$out/$backend
    if ! step "$backend" "fresh database" prepare "$backend" "$dir"; then
        skip "$backend" "everything else" "no database"
        drop_pg_db
        continue
    fi
    step "$backend" "demo data" load_demo "$dir"
    if ! step "$backend" "serve" start_server "$dir"; then
        skip "$backend" "everything else" "the service did not start"
        stop_server
        drop_pg_db
        continue
    fi

    step "$backend" "fetch document" fetch_document "$dir"
    if [ -z "$first_dir" ]; then
        first_dir=$dir
        if ((tools_ok != 0)); then
            skip "$backend" "generate client" "the tools did not install"
            client_ok=0
        elif ! step "$backend" "generate client (strict)" "$here/generate_client.sh" "$base"; then
            # The strict failure stays in the table. A lenient client (operations the
            # generator could not read left out) still lets the story show how far it gets, and
            # signs the personas in for schemathesis.
            step "$backend" "generate client (lenient fallback)" \
                env CLIENT_LENIENT=1 "$here/generate_client.sh" "$base" || client_ok=0
        fi
    else
        step "$backend" "document identical to $(basename "$first_dir")'s" \
            same_document "$dir" "$first_dir"
    fi

    if ((client_ok)); then
        step "$backend" "furniture-factory story (generated client)" run_story "$dir"
        step "$backend" "seed referrals for the partner" seed_partner "$dir"
        # The admin last: it can deactivate or move the other personas.
        step "$backend" "schemathesis mediator" fuzz_as "$backend" "$dir" mediator mediator@demo.local
        step "$backend" "schemathesis partner (police)" fuzz_as "$backend" "$dir" partner police@demo.local
        step "$backend" "schemathesis admin" fuzz_as "$backend" "$dir" admin demo-admin@demo.local
    else
        skip "$backend" "story and schemathesis" "no client to run the story and sign in with"
    fi

    if ! kill -0 "$server_pid" 2>/dev/null; then
        record "$backend" "service still up at the end" "FAIL" "-" "it exited; see serve.log"
        server_pid=''
    fi
    step "$backend" "stop the service" stop_server
    step "$backend" "server log: no panic, no 5xx" check_log "$dir"
    drop_pg_db
done

# --- the summary -------------------------------------------------------------------------------

{
    line() { printf '%-9s %-44s %-16s %7s  %s\n' "$@"; }
    echo
    line backend step result seconds detail
    line ------- ---- ------ ------- ------
    for row in "${rows[@]}"; do
        IFS='|' read -r b s r t d <<<"$row"
        line "$b" "$s" "$r" "$t" "$d"
    done
    line all "total" "$( ((failed)) && echo FAILED || echo ok)" "$(elapsed "$run_started")" ""
} | tee "$out/summary.txt"
echo "reports and logs: $out"
exit "$failed"
