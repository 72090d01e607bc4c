#!/usr/bin/env bash
# Two builds of our node side by side on one endpoint (issue 18): BIN_A and BIN_B each on its
# own database of ONE private PostgreSQL, the same BENCH_COMPOSES waiting composes POSTed to
# each, then BENCH_ROUNDS rounds of `wrk -t2 -c50` alternating A and B. Reports, per run,
# req/s and the CPU time per request of the node and of its PostgreSQL backends, read from
# /proc before and after the run: what one change costs or saves, on a machine whose speed
# drifts between runs a minute apart.
#
#   Benchmarks/api/ab.sh BIN_A BIN_B
#
# Knobs (environment):
#   BENCH_ENDPOINT=post_repo   get_by_id | list_wait | post_repo | about (GET /api/1/about/,
#                              no database: the node's floor per request)
#   BENCH_ROUNDS=3 BENCH_DURATION=5 BENCH_CONNECTIONS=50 BENCH_COMPOSES=2000
#   PG_PRIVATE_DURABLE=1       PostgreSQL's default durability (default here: fsync off, as
#                              the tests run it; CPU per request hardly depends on it)
#   BENCH_PROFILE=DIR          after the rounds, one more run of A under `perf record -g`
#                              (node, and its PostgreSQL backends), reports written to DIR
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/Benchmarks/api
BIN_A=${1:?usage: ab.sh BIN_A BIN_B}
BIN_B=${2:?usage: ab.sh BIN_A BIN_B}
ENDPOINT=${BENCH_ENDPOINT:-post_repo}
ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-50}
COMPOSES=${BENCH_COMPOSES:-2000}
BODY='{"source":{"type":"repo","source":"/srv/repos/bench"}}'

export BENCH_NAME=ab
# shellcheck source=/dev/null
. "$HERE/lib.sh"
for tool in wrk psql curl; do command -v "$tool" >/dev/null || die "$tool is missing"; done
if [ ! -x "$BIN_A" ] || [ ! -x "$BIN_B" ]; then die "no odcs binary at $BIN_A or $BIN_B"; fi

TMP=$(mktemp -d /tmp/odcs-ab.XXXXXX)
chmod 711 "$TMP"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    "$ROOT/scripts/pg-private.sh" stop "$TMP/pg" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

PG_PORT=$(free_port 56901)
"$ROOT/scripts/pg-private.sh" start "$TMP/pg" "$PG_PORT" >&2
PG=postgres://app@127.0.0.1:$PG_PORT
declare -A PORT NODE
for side in a b; do
    psql -q "$PG/postgres" -c "CREATE DATABASE ab_$side"
    bin=$BIN_A
    [ "$side" = b ] && bin=$BIN_B
    PORT[$side]=$(free_port $((56911 + ${#PIDS[@]})))
    start_node "$bin" "$PG/ab_$side" "${PORT[$side]}" "$TMP/$side"
    NODE[$side]=$NODE_PID
    PIDS+=("$NODE_PID")
    for _ in $(seq 1 "$COMPOSES"); do
        curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:${PORT[$side]}/api/1/composes/"
    done
done
log "A: $BIN_A ($("$BIN_A" --version)); B: $BIN_B ($("$BIN_B" --version)); $COMPOSES composes each; $ENDPOINT"

ticks() { awk '{ s += $14 + $15 } END { print s + 0 }' "$@" 2>/dev/null || echo 0; }
backends() { for p in $(pgrep -f "postgres: app ab_$1 " || true); do echo "/proc/$p/stat"; done; }
run() {  # side duration -> "req/s node-µs pg-µs"
    local side=$1 duration=$2 base="http://127.0.0.1:${PORT[$1]}" script n0 p0 out n1 p1 requests hz
    case $ENDPOINT in
        about) script=() ;;
        *) script=(-s "$HERE/lua/$ENDPOINT.lua") ;;
    esac
    n0=$(ticks "/proc/${NODE[$side]}/stat")
    # shellcheck disable=SC2046
    p0=$(ticks $(backends "$side"))
    local url=$base
    [ "$ENDPOINT" = about ] && url=$base/api/1/about/
    out=$(BENCH_LUA_DIR=$HERE/lua BENCH_MAX_ID=$COMPOSES BENCH_BODY=$BODY BENCH_OUT=/dev/null \
        wrk -t2 -c "$CONNECTIONS" -d "${duration}s" "${script[@]}" "$url")
    n1=$(ticks "/proc/${NODE[$side]}/stat")
    # shellcheck disable=SC2046
    p1=$(ticks $(backends "$side"))
    requests=$(echo "$out" | awk '/requests in/ { print $1 }')
    hz=$(getconf CLK_TCK)
    echo "$(echo "$out" | awk '/Requests\/sec/ { printf "%d", $2 }') $(((n1 - n0) * 1000000 / hz / requests)) $(((p1 - p0) * 1000000 / hz / requests))"
}

for side in a b; do run "$side" 2 >/dev/null; done  # warm-up
echo "| round | A req/s | A node µs | A PostgreSQL µs | B req/s | B node µs | B PostgreSQL µs |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for round in $(seq 1 "$ROUNDS"); do
    read -r ar an ap <<<"$(run a "$DURATION")"
    read -r br bn bp <<<"$(run b "$DURATION")"
    echo "| $round | $ar | $an | $ap | $br | $bn | $bp |"
done

if [ -n "${BENCH_PROFILE:-}" ] && command -v perf >/dev/null; then
    mkdir -p "$BENCH_PROFILE"
    log "profile: $ENDPOINT against A, ${DURATION}s under perf record (node and its PostgreSQL backends)"
    timeout 60 perf record -F 999 -g -p "${NODE[a]}" -o "$TMP/perf.node" -- sleep "$DURATION" >/dev/null 2>&1 &
    perfs=($!)
    pg_pids=$(pgrep -d, -f "postgres: app ab_a " || true)
    if [ -n "$pg_pids" ]; then
        timeout 60 perf record -F 999 -g -p "$pg_pids" -o "$TMP/perf.pg" -- sleep "$DURATION" >/dev/null 2>&1 &
        perfs+=($!)
    fi
    sleep 0.5
    run a "$DURATION" >"$BENCH_PROFILE/run.txt"
    wait "${perfs[@]}" || true
    for who in node pg; do
        [ -f "$TMP/perf.$who" ] || continue
        perf report -i "$TMP/perf.$who" --stdio -g none --no-children --sort dso 2>/dev/null | grep -v '^#' | sed '/^$/d' | head -n 15 >"$BENCH_PROFILE/$ENDPOINT.$who.by-dso.txt" || true
        perf report -i "$TMP/perf.$who" --stdio -g none --no-children --sort sym --percent-limit 0.3 2>/dev/null | grep -v '^#' | sed '/^$/d' | cut -c1-220 | head -n 120 >"$BENCH_PROFILE/$ENDPOINT.$who.self.txt" || true
        perf report -i "$TMP/perf.$who" --stdio -g none --children --sort sym --percent-limit 2 2>/dev/null | grep -v '^#' | sed '/^$/d' | cut -c1-220 | head -n 120 >"$BENCH_PROFILE/$ENDPOINT.$who.inclusive.txt" || true
        mv "$TMP/perf.$who" "$BENCH_PROFILE/$ENDPOINT.$who.perf.data"  # for `perf report -i`
    done
    log "profile written to $BENCH_PROFILE"
fi
