#!/usr/bin/env bash
# Side by side with the real ODCS 0.9.2 frontend (issue 18): our release node and upstream's
# Flask app under gunicorn (2 gthread workers x 15 threads), each on its own database of ONE
# private PostgreSQL server with PostgreSQL's default durability (fsync and synchronous_commit
# on: scripts/pg-private.sh with PG_PRIVATE_DURABLE=1), both loaded through their own API with
# the same composes (BENCH_COMPOSES waiting repo composes), then loaded with wrk endpoint by
# endpoint, alternating ours and theirs round by round (the order flips every round), so that
# the machine's noise falls on both alike. Endpoints:
#   get_by_id   GET  /api/1/composes/<id>                 (ids uniform over the loaded composes)
#   list_wait   GET  /api/1/composes/?state=0&per_page=20
#   post_repo   POST /api/1/composes/  {"source":{"type":"repo","source":"/srv/repos/bench"}}
# POST rounds run last (they add waiting composes, which the list would then see).
# Reports req/s and p99 of both and their ratio per round, and the median ratio per endpoint.
# Everything listens on 127.0.0.1 and is stopped and removed on exit. Run as root (apt-get,
# runuser for PostgreSQL) or as a user that has wrk, PostgreSQL and the venv already.
#
# Knobs (environment):
#   BENCH_ROUNDS=3 BENCH_DURATION=8 BENCH_WARMUP=2 BENCH_CONNECTIONS=50 BENCH_THREADS=2
#   BENCH_COMPOSES=2000                  waiting composes POSTed to each side before the runs
#   BENCH_ENDPOINTS="get_by_id list_wait post_repo"
#   BENCH_BIN=PATH                       our odcs binary (default .build/release/odcs, built
#                                        with `swift build -c release --product odcs` if missing)
#   ODCS_UPSTREAM_VENV=/opt/odcs-upstream  the venv with odcs[server]==0.9.2 and gunicorn; made
#                                        here with the pins of scripts/install-deps.sh if missing
#   BENCH_GUNICORN_WORKERS=2 BENCH_GUNICORN_THREADS=15
#   BENCH_PROFILE=1                      after the rounds, `perf record` of our node and of
#                                        PostgreSQL during one run of each endpoint against ours
#   BENCH_RESULTS=DIR                    default Benchmarks/results/versus-<UTC timestamp>
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/Benchmarks/api
ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-8}
WARMUP=${BENCH_WARMUP:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-50}
THREADS=${BENCH_THREADS:-2}
COMPOSES=${BENCH_COMPOSES:-2000}
ENDPOINTS=${BENCH_ENDPOINTS:-get_by_id list_wait post_repo}
VENV=${ODCS_UPSTREAM_VENV:-/opt/odcs-upstream}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=${BENCH_RESULTS:-$ROOT/Benchmarks/results/versus-$STAMP}
BODY='{"source":{"type":"repo","source":"/srv/repos/bench"}}'

export BENCH_NAME=versus
# shellcheck source=/dev/null
. "$HERE/lib.sh"

# ---------------------------------------------------------------- tools, binaries, venv
mkdir -p "$RESULTS"
BIN=${BENCH_BIN:-$ROOT/.build/release/odcs}
if [ ! -x "$BIN" ]; then
    [ -z "${BENCH_BIN:-}" ] || die "no odcs binary at $BIN"
    log "building the release binary (swift build -c release --product odcs)"
    (cd "$ROOT" && timeout 2400 swift build -c release --product odcs) >"$RESULTS/build.log" 2>&1 \
        || { tail -n 30 "$RESULTS/build.log" >&2; die "release build failed"; }
fi
timeout 600 "$ROOT/scripts/apt-install.sh" wrk >/dev/null
for tool in wrk psql curl jq python3; do command -v "$tool" >/dev/null || die "$tool is missing"; done
if [ ! -x "$VENV/bin/gunicorn" ] || ! "$VENV/bin/python" -c 'import importlib.metadata as m, sys; sys.exit(m.version("odcs") != "0.9.2")'; then
    # The pins of scripts/install-deps.sh (0.9.2 needs Flask-SQLAlchemy 2.x, so SQLAlchemy 1.4
    # and the Flask/Werkzeug of its time); its apt step brings the -dev packages that
    # pygobject, pycairo and python-ldap build against.
    log "installing odcs[server]==0.9.2 and gunicorn into $VENV (a few minutes)"
    python3 -m venv "$VENV"
    timeout 1200 "$VENV/bin/pip" install -q 'odcs[server]==0.9.2' \
        'Flask==2.2.5' 'Werkzeug==2.3.8' 'Flask-SQLAlchemy==2.5.1' 'SQLAlchemy==1.4.54' 'Flask-Migrate==4.1.0' \
        'alembic==1.19.2' 'gunicorn==27.0.1' 'psycopg2-binary==2.9.13' \
        || die "pip install failed (scripts/install-deps.sh installs the -dev packages it builds against)"
fi

# ---------------------------------------------------------------- clean-up
TMP=$(mktemp -d /tmp/odcs-vs.XXXXXX)
chmod 711 "$TMP"
PG_DIR=$TMP/pg
OURS_PID=""
THEIRS_PID=""
stop_pid() {
    local pid=$1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local rc=$?
    set +e
    stop_pid "$OURS_PID"
    stop_pid "$THEIRS_PID"
    for f in ours.log theirs.log; do [ -f "$TMP/$f" ] && cp "$TMP/$f" "$RESULTS/$f"; done
    [ -f "$PG_DIR/log" ] && cp "$PG_DIR/log" "$RESULTS/postgres.log"
    "$ROOT/scripts/pg-private.sh" stop "$PG_DIR" >/dev/null 2>&1
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- PostgreSQL (default durability)
PG_PORT=$(free_port "${BENCH_PG_PORT:-56532}")
PG_PRIVATE_DURABLE=1 "$ROOT/scripts/pg-private.sh" start "$PG_DIR" "$PG_PORT" >&2
PG_ADMIN="postgres://app@127.0.0.1:$PG_PORT/postgres"
PSQL=(timeout 600 psql -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" "$PG_ADMIN" -c "CREATE DATABASE odcs_ours" -c "CREATE DATABASE odcs_theirs"
OURS_DB="postgres://app@127.0.0.1:$PG_PORT/odcs_ours"
THEIRS_DB="postgres://app@127.0.0.1:$PG_PORT/odcs_theirs"
SETTINGS=$("${PSQL[@]}" "$PG_ADMIN" -At -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings
    WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_connections', 'wal_level')")
log "PostgreSQL: $SETTINGS"
case "$SETTINGS" in *"fsync=on"*"synchronous_commit=on"*) ;; *) die "PostgreSQL is not at default durability: $SETTINGS" ;; esac

# ---------------------------------------------------------------- the real ODCS 0.9.2
THEIRS_PORT=$(free_port "${BENCH_THEIRS_PORT:-56605}")
mkdir -p "$TMP/theirs/conf" "$TMP/theirs/target"
: >"$TMP/theirs/conf/pungi.conf"
# Upstream reads config.py in ODCS_CONFIG_DIR, section ProdConfiguration (as Tests/Differential
# configures it), with repo sources allowed like our node below.
cat >"$TMP/theirs/conf/config.py" <<EOF
import os

class ProdConfiguration(object):
    SECRET_KEY = "bench"
    SQLALCHEMY_DATABASE_URI = "${THEIRS_DB/postgres:/postgresql:}"
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    HOST = "127.0.0.1"
    PORT = 5005
    DEBUG = False
    SSL_ENABLED = False
    LOG_BACKEND = "console"
    LOG_LEVEL = "warn"
    AUTH_BACKEND = "noauth"
    TARGET_DIR = "$TMP/theirs/target"
    PUNGI_CONF_PATH = "$TMP/theirs/conf/pungi.conf"
    ALLOWED_SOURCE_TYPES = ["tag", "module", "build", "repo"]
EOF
THEIRS_ENV=(env -i "PATH=$VENV/bin:/usr/bin:/bin" "ODCS_CONFIG_DIR=$TMP/theirs/conf" ODCS_CONFIG_SECTION=ProdConfiguration)
(cd "$TMP/theirs" && "${THEIRS_ENV[@]}" timeout 300 "$VENV/bin/odcs-manager" db upgrade) >"$RESULTS/theirs-migrate.log" 2>&1 \
    || { cat "$RESULTS/theirs-migrate.log" >&2; die "odcs-manager db upgrade failed"; }
(cd "$TMP/theirs" && exec "${THEIRS_ENV[@]}" "$VENV/bin/gunicorn" --bind "127.0.0.1:$THEIRS_PORT" \
    --workers "${BENCH_GUNICORN_WORKERS:-2}" --worker-class gthread --threads "${BENCH_GUNICORN_THREADS:-15}" \
    odcs.server:app) >"$TMP/theirs.log" 2>&1 &
THEIRS_PID=$!

# ---------------------------------------------------------------- our node
OURS_PORT=$(free_port "${BENCH_OURS_PORT:-56705}")
mkdir -p "$TMP/ours/target" "$TMP/ours/state"
cat >"$TMP/ours/odcs.yaml" <<EOF
# API-only node (no compose generation), repo sources allowed like upstream above.
allowed_source_types: [tag, module, build, repo]
num_concurrent_pungi: 0
EOF
for v in $(compgen -e | grep '^ODCS_' || true); do unset "$v"; done
"$BIN" serve --config "$TMP/ours/odcs.yaml" --database-url "$OURS_DB" --host 127.0.0.1 --port "$OURS_PORT" \
    --target-dir "$TMP/ours/target" --state-dir "$TMP/ours/state" --log-level warning >"$TMP/ours.log" 2>&1 &
OURS_PID=$!

OURS=http://127.0.0.1:$OURS_PORT
THEIRS=http://127.0.0.1:$THEIRS_PORT
for side in ours theirs; do
    base=$OURS pid=$OURS_PID
    [ "$side" = theirs ] && base=$THEIRS pid=$THEIRS_PID
    for _ in $(seq 1 600); do
        curl -fsS -o /dev/null "$base/api/1/about/" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || { tail -n 40 "$TMP/$side.log" >&2; die "$side exited"; }
        sleep 0.1
    done
    curl -fsS -o /dev/null "$base/api/1/about/" || { tail -n 40 "$TMP/$side.log" >&2; die "$side is not ready after 60 s"; }
done
log "ours: $("$BIN" --version) pid $OURS_PID on $OURS; theirs: odcs 0.9.2 gunicorn pid $THEIRS_PID on $THEIRS"

# ---------------------------------------------------------------- the same composes on both
# Through each side's own POST, 8 at a time: the same rows as far as each schema goes.
load() {  # base count
    python3 - "$1" "$2" "$BODY" <<'PY'
import concurrent.futures, http.client, json, sys, urllib.parse
base, count, body = sys.argv[1], int(sys.argv[2]), sys.argv[3]
url = urllib.parse.urlparse(base)
def post(n):
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    ids = []
    for _ in range(n):
        conn.request("POST", "/api/1/composes/", body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            sys.exit("POST answered %d: %s" % (r.status, data[:300]))
        ids.append(json.loads(data)["id"])
    return ids
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    ids = sorted(i for chunk in pool.map(post, [count // 8 + (k < count % 8) for k in range(8)]) for i in chunk)
print(ids[0], ids[-1], len(ids))
PY
}
for side in ours theirs; do
    base=$OURS; [ "$side" = theirs ] && base=$THEIRS
    t0=$(date +%s.%N)
    read -r first last n < <(load "$base" "$COMPOSES")
    if [ "$first" != 1 ] || [ "$last" != "$COMPOSES" ] || [ "$n" != "$COMPOSES" ]; then
        die "$side: loaded ids $first..$last ($n), not 1..$COMPOSES"
    fi
    log "$side: $n composes POSTed in $(echo "$(date +%s.%N) - $t0" | bc) s"
done
for db in "$OURS_DB" "$THEIRS_DB"; do "${PSQL[@]}" "$db" -c "VACUUM (ANALYZE)" -c "CHECKPOINT"; done

# ---------------------------------------------------------------- machine
{
    echo "date: $STAMP"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "kernel: $(uname -srm)"
    echo "postgresql: $(psql -X -At "$PG_ADMIN" -c 'SHOW server_version') ($SETTINGS)"
    echo "wrk: $(wrk --version 2>&1 | head -n 1)"
    echo "ours: $("$BIN" --version), $BIN (the clone is at $(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '?'))"
    echo "theirs: odcs $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("odcs"))'), gunicorn $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("gunicorn"))') --workers ${BENCH_GUNICORN_WORKERS:-2} --worker-class gthread --threads ${BENCH_GUNICORN_THREADS:-15}"
    echo "settings: rounds=$ROUNDS duration=${DURATION}s warmup=${WARMUP}s connections=$CONNECTIONS threads=$THREADS composes=$COMPOSES"
    echo "load average before: $(cat /proc/loadavg)"
} >"$RESULTS/machine.txt"

# ---------------------------------------------------------------- measurement
run_wrk() {  # base script seconds out
    BENCH_LUA_DIR=$HERE/lua BENCH_MAX_ID=$COMPOSES BENCH_OUT=$4.json \
        timeout $(($3 + 60)) wrk -t "$THREADS" -c "$CONNECTIONS" -d "${3}s" --timeout 10s --latency \
        -s "$HERE/lua/$2.lua" "$1" >"$4.txt" 2>&1 || { cat "$4.txt" >&2; die "wrk failed: $4"; }
}
preflight() {  # base endpoint side
    local code
    case $2 in
    get_by_id) code=$(curl -sS -o "$RESULTS/$3.$2.sample.json" -w '%{http_code}' "$1/api/1/composes/$COMPOSES") ;;
    list_wait) code=$(curl -sS -o "$RESULTS/$3.$2.sample.json" -w '%{http_code}' "$1/api/1/composes/?state=0&per_page=20") ;;
    post_repo) code=$(curl -sS -o "$RESULTS/$3.$2.sample.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d "$BODY" "$1/api/1/composes/") ;;
    *) die "unknown endpoint $2" ;;
    esac
    [ "$code" = 200 ] || die "$3 $2: preflight answered $code: $(head -c 300 "$RESULTS/$3.$2.sample.json")"
}
for ep in $ENDPOINTS; do preflight "$OURS" "$ep" ours; preflight "$THEIRS" "$ep" theirs; done

: >"$RESULTS/rounds.jsonl"
for ep in $ENDPOINTS; do
    for round in $(seq 1 "$ROUNDS"); do
        order="ours theirs"; [ $((round % 2)) = 0 ] && order="theirs ours"
        for side in $order; do
            base=$OURS; [ "$side" = theirs ] && base=$THEIRS
            out=$RESULTS/$ep.$side.$round
            rm -f "$out.json" "$out.warmup.json"
            run_wrk "$base" "$ep" "$WARMUP" "$out.warmup"
            run_wrk "$base" "$ep" "$DURATION" "$out"
            jq -c --arg side "$side" --argjson round "$round" '. + {side: $side, round: $round}' "$out.json" >>"$RESULTS/rounds.jsonl"
            log "$ep round $round $side: $(jq -r '"\(.rps | round) req/s, p99 \(.p99_us / 1000) ms, non-2xx \(.err_status), errors \(.err_connect + .err_read + .err_write + .err_timeout)"' "$out.json")"
        done
    done
done

# ---------------------------------------------------------------- optional profile (ours)
if [ "${BENCH_PROFILE:-0}" = 1 ] && command -v perf >/dev/null; then
    PG_POSTMASTER=$(head -n 1 "$PG_DIR/data/postmaster.pid")
    for ep in $ENDPOINTS; do
        log "profile: $ep against ours, 10 s under perf record (node and PostgreSQL)"
        timeout 60 perf record -F 499 -g -p "$OURS_PID" -o "$TMP/perf.node.$ep" -- sleep 10 >/dev/null 2>&1 &
        p1=$!
        pids=$(pgrep -d, -P "$PG_POSTMASTER" || true)
        timeout 60 perf record -F 499 -g -p "$pids" -o "$TMP/perf.pg.$ep" -- sleep 10 >/dev/null 2>&1 &
        p2=$!
        run_wrk "$OURS" "$ep" 10 "$RESULTS/profile.$ep"
        wait "$p1" "$p2" || true
        for who in node pg; do
            perf report -i "$TMP/perf.$who.$ep" --stdio -g none --no-children --sort dso 2>/dev/null | grep -v '^#' | sed '/^$/d' | head -n 15 >"$RESULTS/profile.$ep.$who.by-dso.txt" || true
            perf report -i "$TMP/perf.$who.$ep" --stdio -g none --no-children --sort sym --percent-limit 0.5 2>/dev/null | grep -v '^#' | sed '/^$/d' | cut -c1-200 | head -n 60 >"$RESULTS/profile.$ep.$who.self.txt" || true
            perf report -i "$TMP/perf.$who.$ep" --stdio -g none --children --sort sym --percent-limit 3 2>/dev/null | grep -v '^#' | sed '/^$/d' | cut -c1-200 | head -n 80 >"$RESULTS/profile.$ep.$who.inclusive.txt" || true
        done
    done
fi

# ---------------------------------------------------------------- report
TABLE=$RESULTS/summary.md
jq -rs --arg eps "$ENDPOINTS" '
    def ms: (. / 1000 * 10 | round / 10 | tostring);
    def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    ($eps | split(" ")) as $eps |
    "| endpoint | round | ours req/s | ours p99 ms | theirs req/s | theirs p99 ms | ratio (req/s) | non-2xx ours / theirs |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ( $eps[] as $ep |
      [ .[] | select(.endpoint == $ep) ] as $rows |
      ( [ $rows[].round ] | unique[] ) as $r |
      ( $rows | map(select(.round == $r and .side == "ours"))[0] ) as $o |
      ( $rows | map(select(.round == $r and .side == "theirs"))[0] ) as $t |
      "| \($ep) | \($r) | \($o.rps | round) | \($o.p99_us | ms) | \($t.rps | round) | \($t.p99_us | ms) | \($o.rps / $t.rps * 10 | round / 10)× | \($o.err_status) / \($t.err_status) |" ),
    "",
    "| endpoint | median ratio | ratios | ours p99 ms (max over rounds) | theirs p99 ms (max) |",
    "|---|---:|---|---:|---:|",
    ( $eps[] as $ep |
      [ .[] | select(.endpoint == $ep) ] as $rows |
      [ ( [ $rows[].round ] | unique[] ) as $r |
        ( ($rows | map(select(.round == $r and .side == "ours"))[0].rps) / ($rows | map(select(.round == $r and .side == "theirs"))[0].rps) ) ] as $ratios |
      "| \($ep) | **\($ratios | median * 10 | round / 10)×** | \($ratios | map(. * 10 | round / 10 | tostring + "×") | join(", ")) | \([ $rows[] | select(.side == "ours") | .p99_us ] | max | ms) | \([ $rows[] | select(.side == "theirs") | .p99_us ] | max | ms) |" )
' "$RESULTS/rounds.jsonl" >"$TABLE"
{
    echo
    echo "$COMPOSES waiting composes POSTed to each side first; $CONNECTIONS connections, $THREADS wrk threads, ${DURATION} s after a ${WARMUP} s warm-up per run; $ROUNDS rounds, the order of ours and theirs flipped each round."
    echo "One PostgreSQL ($SETTINGS); $(nproc) cores shared by wrk, both servers and PostgreSQL."
} >>"$TABLE"
log "results in $RESULTS"
cat "$TABLE"
