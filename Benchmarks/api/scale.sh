#!/usr/bin/env bash
# The list filters and GET by id at scale (issue 18): one release node over BENCH_COMPOSES
# (1,000,000) stored composes in a service-like mix, on a private PostgreSQL with default
# durability (scripts/pg-private.sh, PG_PRIVATE_DURABLE=1). Every filter of
# `GET /api/1/composes/` (state, owner, source_type, source, label, compose_type,
# koji_task_id, pungi_compose_id), `order_by` on each key in both directions, deep pages and
# GET by id are each loaded with wrk for BENCH_DURATION seconds; the report has req/s, p50
# and p99 per URL.
#
# The mix (ids in submission order, one every 30 s, so a year of composes at 1,000,000):
#   the newest 5,000: 1,000 waiting, 3,500 done, 500 failed (the live ones); all older ones
#   removed. Owners: 2,000, skewed (the busiest about 10 %). Source types: tag 60 %, module
#   15 %, build 10 %, raw_config 10 %, repo 5 %; sources: 5,000 per type, skewed. Labels on
#   10 %, compose types test 70 / nightly 20 / production 10 %, a Koji task id on 30 %, a
#   productmd compose id on every raw_config compose.
# The rows are copied from one compose POSTed through the API (which stays, as id 1); they are loaded with the
# triggers off (session_replication_role = replica), the counts table is then filled as
# migration 6 fills it, and the outbox stays empty (in service those events went out long ago).
#
# Knobs (environment):
#   BENCH_COMPOSES=1000000 BENCH_DURATION=5 BENCH_CONNECTIONS=10 BENCH_THREADS=2
#   BENCH_CONNECTIONS="1 10"  one pass per count, named "c1", "c10" (one connection: each
#                             request alone, what one client waits; ten: identical requests
#                             that arrive together share reads, docs/api-reads.md)
#   BENCH_BIN=PATH            the odcs binary (default .build/release/odcs)
#   BENCH_APPLY_SQL=FILE      after the first pass, run this SQL (timed: a migration's cost on
#                             this table) and measure every URL again
#   BENCH_ONLY="regex"        measure only the URLs whose label matches
#   BENCH_RESULTS=DIR         default Benchmarks/results/scale-<UTC timestamp>
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/Benchmarks/api
COMPOSES=${BENCH_COMPOSES:-1000000}
DURATION=${BENCH_DURATION:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-10}
THREADS=${BENCH_THREADS:-2}
BIN=${BENCH_BIN:-$ROOT/.build/release/odcs}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=${BENCH_RESULTS:-$ROOT/Benchmarks/results/scale-$STAMP}
BODY='{"source":{"type":"repo","source":"/srv/repos/bench"}}'

export BENCH_NAME=scale
# shellcheck source=/dev/null
. "$HERE/lib.sh"

mkdir -p "$RESULTS"
[ -x "$BIN" ] || die "no odcs binary at $BIN (swift build -c release --product odcs)"
timeout 600 "$ROOT/scripts/apt-install.sh" wrk >/dev/null
for tool in wrk psql curl jq; do command -v "$tool" >/dev/null || die "$tool is missing"; done

TMP=$(mktemp -d /tmp/odcs-sc.XXXXXX)
chmod 711 "$TMP"
PG_DIR=$TMP/pg
NODE_PID=""
cleanup() {
    local rc=$?
    set +e
    if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
        kill -TERM "$NODE_PID"
        for _ in $(seq 1 100); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$NODE_PID" 2>/dev/null
        wait "$NODE_PID" 2>/dev/null
    fi
    [ -f "$TMP/node.log" ] && cp "$TMP/node.log" "$RESULTS/node.log"
    [ -f "$PG_DIR/log" ] && cp "$PG_DIR/log" "$RESULTS/postgres.log"
    "$ROOT/scripts/pg-private.sh" stop "$PG_DIR" >/dev/null 2>&1
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PG_PORT=$(free_port "${BENCH_PG_PORT:-56632}")
PG_PRIVATE_DURABLE=1 "$ROOT/scripts/pg-private.sh" start "$PG_DIR" "$PG_PORT" >&2
PG_URL="postgres://app@127.0.0.1:$PG_PORT/postgres"
PSQL=(timeout 3600 psql -X -q -v ON_ERROR_STOP=1 "$PG_URL")

NODE_PORT=$(free_port "${BENCH_NODE_PORT:-56805}")
BASE=http://127.0.0.1:$NODE_PORT
start_node "$BIN" "$PG_URL" "$NODE_PORT" "$TMP"
SCHEMA=$("${PSQL[@]}" -At -c "SELECT max(version) FROM schema_migrations")
log "node $("$BIN" --version) on $BASE, schema version $SCHEMA"

# ---------------------------------------------------------------- data
curl -fsS -X POST -H 'Content-Type: application/json' -d "$BODY" "$BASE/api/1/composes/" >"$TMP/template.json"
TEMPLATE_ID=$(jq -r .id "$TMP/template.json")
VARY="'id','owner','source_type','source','label','compose_type','koji_task_id','pungi_compose_id','state','state_reason','time_submitted','time_started','time_done','time_removed','time_to_expire','removed_by'"
COLUMNS=$("${PSQL[@]}" -At -c "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position)
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'composes'
    AND column_name NOT IN ($VARY) AND is_generated = 'NEVER'")
log "loading $COMPOSES composes (triggers off)"
t0=$(date +%s.%N)
"${PSQL[@]}" <<EOF
SET session_replication_role = replica;
SELECT setseed(0.18);
CREATE TEMP TABLE gen AS
SELECT g,
       CASE WHEN g <= $COMPOSES - 5000 THEN 3
            WHEN g % 10 < 2 THEN 0 WHEN g % 10 < 9 THEN 2 ELSE 4 END AS state,
       'user' || floor(2000 * power(random(), 3))::int AS owner,
       (ARRAY[1,1,1,1,1,1,1,1,1,1,1,1,2,2,2,6,6,5,5,3])[1 + floor(random() * 20)::int] AS source_type,
       floor(5000 * power(random(), 3))::int AS source_n,
       random() AS r1, random() AS r2, random() AS r3,
       now() - make_interval(secs => ($COMPOSES - g) * 30.0) AS ts
FROM generate_series(1, $COMPOSES) g;
INSERT INTO composes (id, $COLUMNS, owner, source_type, source, label, compose_type, koji_task_id, pungi_compose_id,
                      state, state_reason, time_submitted, time_started, time_done, time_removed, time_to_expire, removed_by)
SELECT g.g + $TEMPLATE_ID, $COLUMNS, g.owner, g.source_type,
       CASE g.source_type WHEN 1 THEN 'f-tag-' || g.source_n WHEN 2 THEN 'module-' || g.source_n || ':rawhide'
            WHEN 6 THEN 'pkg-' || g.source_n || '-1.0-1.fc40' WHEN 5 THEN 'pungi_cfg#' || md5(g.source_n::text)
            ELSE '/srv/repos/r' || g.source_n END,
       CASE WHEN g.r1 < 0.1 THEN 'RC-' || (g.g % 500) || '.0' END,
       CASE WHEN g.r2 < 0.7 THEN 'test' WHEN g.r2 < 0.9 THEN 'nightly' ELSE 'production' END,
       CASE WHEN g.r3 < 0.3 THEN 40000000 + g.g END,
       CASE WHEN g.source_type = 5 AND g.state <> 0 THEN 'Bench-40-' || to_char(g.ts, 'YYYYMMDD') || '.n.' || g.g END,
       g.state,
       CASE g.state WHEN 4 THEN 'bench: failed' END,
       g.ts,
       CASE WHEN g.state <> 0 THEN g.ts + interval '10 s' END,
       CASE WHEN g.state <> 0 THEN g.ts + interval '600 s' END,
       CASE WHEN g.state = 3 THEN g.ts + interval '1 day 600 s' END,
       CASE WHEN g.state = 3 THEN g.ts + interval '1 day 600 s' ELSE now() + interval '1 day' END,
       NULL
FROM composes t, gen g WHERE t.id = $TEMPLATE_ID;
SELECT setval(pg_get_serial_sequence('composes', 'id'), (SELECT max(id) FROM composes));
DELETE FROM compose_count_deltas;
INSERT INTO compose_count_deltas SELECT source_type, state, count(*) FROM composes GROUP BY source_type, state;
DELETE FROM outbox;
EOF
"${PSQL[@]}" -c "VACUUM (ANALYZE) composes" -c "VACUUM (ANALYZE) compose_count_deltas" -c "VACUUM (ANALYZE) outbox" -c "CHECKPOINT"
t1=$(date +%s.%N)
"${PSQL[@]}" -At -F ' ' -c "SELECT state, count(*) FROM composes GROUP BY state ORDER BY state" >"$RESULTS/state-distribution.txt"
"${PSQL[@]}" -At -c "SELECT pg_size_pretty(pg_total_relation_size('composes')) || ' (heap ' || pg_size_pretty(pg_relation_size('composes')) || ')'" >"$RESULTS/table-size.txt"
log "loaded in $(echo "$t1 - $t0" | bc) s; by state: $(tr '\n' ' ' <"$RESULTS/state-distribution.txt"); size $(cat "$RESULTS/table-size.txt")"
MAX_ID=$((COMPOSES + TEMPLATE_ID))   # the template compose stays (a waiting one)

# Sample values of each filter: the busiest and a rare one where it matters.
q() { "${PSQL[@]}" -At -c "$1"; }
TOP_OWNER=$(q "SELECT owner FROM composes GROUP BY owner ORDER BY count(*) DESC LIMIT 1")
RARE_OWNER=$(q "SELECT owner FROM composes GROUP BY owner ORDER BY count(*) ASC, owner LIMIT 1")
TOP_SOURCE=$(q "SELECT source FROM composes GROUP BY source ORDER BY count(*) DESC LIMIT 1")
RARE_SOURCE=$(q "SELECT source FROM composes WHERE source_type = 1 GROUP BY source ORDER BY count(*) ASC, source LIMIT 1")
LABEL=$(q "SELECT label FROM composes WHERE label IS NOT NULL ORDER BY id DESC LIMIT 1")
KOJI_TASK=$(q "SELECT koji_task_id FROM composes WHERE koji_task_id IS NOT NULL ORDER BY id LIMIT 1 OFFSET 1000")
PUNGI_ID=$(q "SELECT pungi_compose_id FROM composes WHERE pungi_compose_id IS NOT NULL ORDER BY id LIMIT 1 OFFSET 1000")
enc() { jq -rn --arg v "$1" '$v | @uri'; }

# label|path (the label names the row of the report)
URLS=(
    "state=0|/api/1/composes/?state=0&per_page=20"
    "state=2|/api/1/composes/?state=2&per_page=20"
    "state=3|/api/1/composes/?state=3&per_page=20"
    "state=4|/api/1/composes/?state=4&per_page=20"
    "no filter|/api/1/composes/?per_page=20"
    "owner (busiest)|/api/1/composes/?owner=$(enc "$TOP_OWNER")&per_page=20"
    "owner (rare)|/api/1/composes/?owner=$(enc "$RARE_OWNER")&per_page=20"
    "owner&state=2|/api/1/composes/?owner=$(enc "$TOP_OWNER")&state=2&per_page=20"
    "source_type=1|/api/1/composes/?source_type=1&per_page=20"
    "source_type=5&state=0|/api/1/composes/?source_type=5&state=0&per_page=20"
    "source (busiest)|/api/1/composes/?source=$(enc "$TOP_SOURCE")&per_page=20"
    "source (rare)|/api/1/composes/?source=$(enc "$RARE_SOURCE")&per_page=20"
    "label|/api/1/composes/?label=$(enc "$LABEL")&per_page=20"
    "compose_type=test|/api/1/composes/?compose_type=test&per_page=20"
    "compose_type=production&state=2|/api/1/composes/?compose_type=production&state=2&per_page=20"
    "koji_task_id|/api/1/composes/?koji_task_id=$KOJI_TASK&per_page=20"
    "pungi_compose_id|/api/1/composes/?pungi_compose_id=$(enc "$PUNGI_ID")&per_page=20"
)
for key in id owner source_type koji_event state time_to_expire time_submitted time_done time_removed; do
    URLS+=("order_by=$key|/api/1/composes/?order_by=$key&per_page=20" "order_by=-$key|/api/1/composes/?order_by=-$key&per_page=20")
done
URLS+=(
    "order_by=-time_done&state=2|/api/1/composes/?state=2&order_by=-time_done&per_page=20"
    "page 100 (offset 2k)|/api/1/composes/?per_page=20&page=100"
    "page 5000 (offset 100k)|/api/1/composes/?per_page=20&page=5000"
    "page 25000 (offset 500k)|/api/1/composes/?per_page=20&page=25000"
    "state=3 page 10000 (offset 200k)|/api/1/composes/?state=3&per_page=20&page=10000"
    "per_page=100|/api/1/composes/?per_page=100"
)

{
    echo "date: $STAMP"
    echo "nproc: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "postgresql: $(q 'SHOW server_version'); fsync=$(q 'SHOW fsync') synchronous_commit=$(q 'SHOW synchronous_commit') shared_buffers=$(q 'SHOW shared_buffers')"
    echo "odcs: $("$BIN" --version), $BIN (the clone is at $(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '?')), schema $SCHEMA"
    echo "settings: composes=$COMPOSES duration=${DURATION}s connections=$CONNECTIONS threads=$THREADS"
    echo "load average: $(cat /proc/loadavg)"
} >"$RESULTS/machine.txt"

measure() {  # pass connections
    local pass=$1 connections=$2 label path out code
    for entry in "get by id|GET_BY_ID" "${URLS[@]}"; do
        label=${entry%%|*} path=${entry#*|}
        if [ -n "${BENCH_ONLY:-}" ] && ! [[ $label =~ $BENCH_ONLY ]]; then continue; fi
        out=$RESULTS/$pass.$(echo "$label" | tr -c 'a-zA-Z0-9=_-' '_')
        if [ "$path" = GET_BY_ID ]; then
            code=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE/api/1/composes/$MAX_ID")
            BENCH_LUA_DIR=$HERE/lua BENCH_MAX_ID=$MAX_ID BENCH_OUT=$out.json timeout $((DURATION + 60)) \
                wrk -t "$(threads "$connections")" -c "$connections" -d "${DURATION}s" --timeout 10s --latency -s "$HERE/lua/get_by_id.lua" "$BASE" >"$out.txt" 2>&1
        else
            code=$(curl -sS -o "$out.sample.json" -w '%{http_code}' "$BASE$path")
            BENCH_LUA_DIR=$HERE/lua BENCH_PATH=$path BENCH_LABEL=$label BENCH_OUT=$out.json timeout $((DURATION + 60)) \
                wrk -t "$(threads "$connections")" -c "$connections" -d "${DURATION}s" --timeout 10s --latency -s "$HERE/lua/list_path.lua" "$BASE" >"$out.txt" 2>&1
        fi
        [ "$code" = 200 ] || die "$label: $path answered $code"
        jq -c --arg lbl "$label" --arg url "$path" --arg ps "$pass" \
            '. + {"label": $lbl, "path": $url, "pass": $ps}' "$out.json" >>"$RESULTS/scale.jsonl"
        log "$pass $label: $(jq -r '"\(.rps | round) req/s, p50 \(.p50_us / 1000) ms, p99 \(.p99_us / 1000) ms, non-2xx \(.err_status)"' "$out.json")"
    done
}
: >"$RESULTS/scale.jsonl"
threads() { [ "$1" -lt "$THREADS" ] && echo "$1" || echo "$THREADS"; }  # wrk needs threads <= connections
read -ra COUNTS <<<"$CONNECTIONS"
if [ -n "${BENCH_APPLY_SQL:-}" ] || [ "${#COUNTS[@]}" -eq 1 ]; then
    measure before "${COUNTS[0]}"
else
    for n in "${COUNTS[@]}"; do measure "c$n" "$n"; done
fi
if [ -n "${BENCH_APPLY_SQL:-}" ]; then
    log "applying $BENCH_APPLY_SQL (timed)"
    t0=$(date +%s.%N)
    "${PSQL[@]}" -f "$BENCH_APPLY_SQL"
    t1=$(date +%s.%N)
    echo "$(echo "$t1 - $t0" | bc) s: $BENCH_APPLY_SQL on $COMPOSES composes" | tee "$RESULTS/apply-seconds.txt" >&2
    "${PSQL[@]}" -c "ANALYZE composes"
    measure after "${COUNTS[0]}"
fi

jq -rs '
    def ms: (. / 1000 * 10 | round / 10 | tostring);
    (reduce map(.pass)[] as $p ([]; if index([$p]) then . else . + [$p] end)) as $passes |
    (reduce map(.label)[] as $l ([]; if index([$l]) then . else . + [$l] end)) as $labels |
    "| URL | " + ($passes | map("\(.) req/s | \(.) p50 ms | \(.) p99 ms") | join(" | ")) + " |",
    "|---|" + ($passes | map("---:|---:|---:") | join("|")) + "|",
    ( . as $all | $labels[] as $l | ($all | map(select(.label == $l))) as $rows |
      "| \($rows[0].label) | " + ($passes | map(. as $p | ($rows | map(select(.pass == $p))[0]) as $r |
          if $r then "\($r.rps | round) | \($r.p50_us | ms) | \($r.p99_us | ms)" else " | | " end) | join(" | ")) + " |" )
' "$RESULTS/scale.jsonl" >"$RESULTS/summary.md"
echo "$COMPOSES composes; $CONNECTIONS connections, $THREADS wrk threads, ${DURATION} s per URL." >>"$RESULTS/summary.md"
log "results in $RESULTS"
cat "$RESULTS/summary.md"
