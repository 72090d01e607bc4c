#!/usr/bin/env bash
# API speed benchmark: loads one release-built `odcs serve` node with wrk and reports req/s,
# p50/p99 latency and the node's peak RSS for
#   get_by_id   GET  /api/1/composes/<id>                 (ids uniform over the stored rows)
#   list_wait   GET  /api/1/composes/?state=0&per_page=20   (state 0 = wait; `state=wait` is a 400 here)
#   post_repo   POST /api/1/composes/  {"source":{"type":"repo","source":"/srv/repos/bench"}}
# over BENCH_COMPOSES (100,000) stored composes, in a private PostgreSQL cluster.
# See Benchmarks/README.md. Run from anywhere, as root (or a user with sudo for apt-get and
# runuser); everything listens on 127.0.0.1 only and is stopped and removed on exit.
#
# Knobs (environment):
#   BENCH_DURATION=30  BENCH_WARMUP=5  BENCH_CONNECTIONS=50  BENCH_THREADS=2
#   BENCH_COMPOSES=100000              rows in `composes` before the first run
#   BENCH_ENDPOINTS="get_by_id list_wait post_repo"
#   BENCH_SYNCHRONOUS_COMMIT=off       PostgreSQL synchronous_commit (fsync stays on)
#   BENCH_DB_POOL=N                    the node's database.max_connections (default: the node's, 20)
#   BENCH_SKIP_BUILD=1                 reuse .build-release/release/odcs as it is
#   BENCH_BIN=PATH                     benchmark this odcs binary instead (no build)
#   BENCH_WRK_NICE=0                   run wrk under `nice -n N` (negative: wrk ahead of the node)
#   BENCH_PROFILE=1                    after the measured runs, one extra get_by_id run under
#                                      `perf record` (node) and write perf reports
#   BENCH_RESULTS=DIR                  default Benchmarks/results/<UTC timestamp>
#   BENCH_PG_PORT=56432 BENCH_NODE_PORT=56005 (the next free port is taken if busy)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/Benchmarks/api
DURATION=${BENCH_DURATION:-30}
WARMUP=${BENCH_WARMUP:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-50}
THREADS=${BENCH_THREADS:-2}
COMPOSES=${BENCH_COMPOSES:-100000}
ENDPOINTS=${BENCH_ENDPOINTS:-get_by_id list_wait post_repo}
SYNC_COMMIT=${BENCH_SYNCHRONOUS_COMMIT:-off}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=${BENCH_RESULTS:-$ROOT/Benchmarks/results/$STAMP}
WRK_TIMEOUT=$((WARMUP + DURATION + 60))

export BENCH_NAME=bench
# shellcheck source=/dev/null
. "$HERE/lib.sh"

if [ "$(id -u)" -eq 0 ]; then as_pg() { runuser -u postgres -- "$@"; }
else as_pg() { "$@"; }; fi


# ---------------------------------------------------------------- build and tools
mkdir -p "$RESULTS"
if [ -z "${BENCH_BIN:-}" ] && [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    log "building release binary (swift build -c release --scratch-path .build-release --product odcs)"
    (cd "$ROOT" && timeout 2400 swift build -c release --scratch-path .build-release --product odcs) \
        >"$RESULTS/build.log" 2>&1 || { tail -n 30 "$RESULTS/build.log" >&2; die "release build failed (log: $RESULTS/build.log)"; }
fi
BIN=${BENCH_BIN:-$ROOT/.build-release/release/odcs}
[ -x "$BIN" ] || die "no release binary at $BIN"

timeout 600 "$ROOT/scripts/apt-install.sh" wrk >/dev/null
for tool in wrk psql curl jq pgrep runuser; do command -v "$tool" >/dev/null || die "$tool is missing"; done
PGBIN=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
[ -x "$PGBIN/initdb" ] || die "no /usr/lib/postgresql/*/bin (apt-get install postgresql)"

# ---------------------------------------------------------------- clean-up
TMP=$(mktemp -d /tmp/odcs-bench.XXXXXX)     # short: the socket path must stay under 107 bytes
chmod 711 "$TMP"                            # the postgres user must reach $TMP/pg
NODE_PID=""
SAMPLER_PID=""
cleanup() {
    local rc=$?
    set +e
    [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null
    if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
        kill -TERM "$NODE_PID" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$NODE_PID" 2>/dev/null && kill -KILL "$NODE_PID" 2>/dev/null
        wait "$NODE_PID" 2>/dev/null
    fi
    if [ -f "$TMP/pg/data/postmaster.pid" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$TMP/pg/data" -m fast -w -t 60 stop >/dev/null 2>&1
    fi
    [ -f "$TMP/node.log" ] && cp "$TMP/node.log" "$RESULTS/node.log"
    [ -f "$TMP/pg/log" ] && cp "$TMP/pg/log" "$RESULTS/postgres.log"
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- PostgreSQL
PG_PORT=$(free_port "${BENCH_PG_PORT:-56432}")
mkdir -p "$TMP/pg"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$TMP/pg"
chmod 700 "$TMP/pg"
as_pg "$PGBIN/initdb" -D "$TMP/pg/data" -U app -A trust -E UTF8 --locale=C.UTF-8 -N >/dev/null
# fsync stays on (the default); synchronous_commit is BENCH_SYNCHRONOUS_COMMIT (default off:
# a commit does not wait for its WAL flush; a crash can lose the last few hundred ms of commits,
# never corrupt). Everything else is PostgreSQL's default (shared_buffers 128MB, max_connections 100).
PG_OPTS="-k $TMP/pg -p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=$SYNC_COMMIT"
as_pg "$PGBIN/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/log" -w -t 60 start -o "$PG_OPTS" >/dev/null \
    || { cat "$TMP/pg/log" >&2; die "PostgreSQL did not start"; }
PG_URL="postgres://app@127.0.0.1:$PG_PORT/postgres"
PSQL=(timeout 600 psql -X -q -v ON_ERROR_STOP=1 "$PG_URL")
POSTMASTER_PID=$(head -n 1 "$TMP/pg/data/postmaster.pid")
log "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (fsync=on, synchronous_commit=$SYNC_COMMIT)"

# ---------------------------------------------------------------- the node
NODE_PORT=$(free_port "${BENCH_NODE_PORT:-56005}")
BASE=http://127.0.0.1:$NODE_PORT
# Repo sources allowed (upstream's default list has no repo); API-only, so the stored
# composes stay as loaded.
start_node "$BIN" "$PG_URL" "$NODE_PORT" "$TMP" ${BENCH_DB_POOL:+"database: {max_connections: $BENCH_DB_POOL}"}
log "node $("$BIN" --version) pid $NODE_PID on $BASE (schema migrated by the node)"

# ---------------------------------------------------------------- data
BODY='{"source":{"type":"repo","source":"/srv/repos/bench"}}'
curl -fsS -X POST -H 'Content-Type: application/json' -d "$BODY" "$BASE/api/1/composes/" >"$RESULTS/template-compose.json" \
    || die "POST of the template compose failed"
TEMPLATE_ID=$(jq -r '.id // empty' "$RESULTS/template-compose.json")
[ -n "$TEMPLATE_ID" ] || die "no id in the template compose: $(cat "$RESULTS/template-compose.json")"

# Copy every column of the template except the ones that vary; ids come from the sequence.
VARY="'id','state','state_reason','time_submitted','time_started','time_done','time_removed','time_to_expire','removed_by'"
COLUMNS=$("${PSQL[@]}" -At -c "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position)
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'composes'
    AND column_name NOT IN ($VARY) AND is_generated = 'NEVER'")
# State distribution, by g % 20: 16/20 wait (0), 2/20 done (2), 1/20 failed (4), 1/20 removed (3).
# Submission times one second apart, oldest first, ending now; each compose lives one day.
log "loading $((COMPOSES - 1)) composes copied from compose $TEMPLATE_ID"
t0=$(date +%s.%N)
# The load commits synchronously: with synchronous_commit=off, a VACUUM run right after the
# INSERT cannot set the hint bits (the commit is not flushed yet), leaves the visibility map
# empty, and every count(*) then reads the heap (measured: list_wait 126 instead of ~200 req/s).
"${PSQL[@]}" <<EOF
SET synchronous_commit = on;
INSERT INTO composes ($COLUMNS, state, state_reason, time_submitted, time_started, time_done,
                      time_removed, time_to_expire, removed_by)
SELECT $COLUMNS, s.state,
       CASE s.state WHEN 4 THEN 'bench: failed' END,
       s.ts,
       CASE WHEN s.state <> 0 THEN s.ts + interval '10 s' END,
       CASE WHEN s.state <> 0 THEN s.ts + interval '60 s' END,
       CASE WHEN s.state = 3 THEN s.ts + interval '1 day 60 s' END,
       CASE WHEN s.state = 0 THEN s.ts + interval '1 day' ELSE s.ts + interval '1 day 60 s' END,
       NULL
FROM composes t,
     LATERAL (SELECT g,
                     CASE WHEN g % 20 < 16 THEN 0 WHEN g % 20 < 18 THEN 2 WHEN g % 20 = 18 THEN 4 ELSE 3 END AS state,
                     now() - make_interval(secs => ($COMPOSES - g)) AS ts
              FROM generate_series(1, $COMPOSES - 1) AS g) s
WHERE t.id = $TEMPLATE_ID;
VACUUM (ANALYZE) composes;
CHECKPOINT;
EOF
t1=$(date +%s.%N)
# The load wrote one outbox event per compose (the state-change trigger). In service those
# were published long ago: wait until the node's publisher has marked them all (no backend
# configured: it marks them published), then freshen the outbox's statistics, so that the
# measurement does not share the machine with 100,000 events being published.
for _ in $(seq 1 600); do
    [ "$("${PSQL[@]}" -At -c "SELECT count(*) FROM outbox WHERE published_at IS NULL")" = 0 ] && break
    sleep 0.5
done
PENDING=$("${PSQL[@]}" -At -c "SELECT count(*) FROM outbox WHERE published_at IS NULL")
[ "$PENDING" = 0 ] || log "warning: $PENDING outbox events still unpublished after 300 s"
log "outbox published after $(echo "$(date +%s.%N) - $t1" | bc 2>/dev/null || echo "?") s"
"${PSQL[@]}" -q -c "VACUUM (ANALYZE) outbox" -c "CHECKPOINT"
"${PSQL[@]}" -At -F ' ' -c "SELECT state, count(*) FROM composes GROUP BY state ORDER BY state" >"$RESULTS/state-distribution.txt"
ROWS=$("${PSQL[@]}" -At -c "SELECT count(*) FROM composes")
MAX_ID=$("${PSQL[@]}" -At -c "SELECT max(id) FROM composes")
VISIBLE=$("${PSQL[@]}" -At -c "SELECT relallvisible || '/' || relpages FROM pg_class WHERE relname = 'composes'")
echo "$VISIBLE" >"$RESULTS/all-visible-pages.txt"
[ "${VISIBLE%/*}" = "${VISIBLE#*/}" ] || log "warning: only $VISIBLE pages of composes are all-visible after VACUUM"
log "loaded in $(echo "$t1 - $t0" | bc 2>/dev/null || echo "?") s: $ROWS composes, max id $MAX_ID, all-visible pages $VISIBLE; by state: $(tr '\n' ' ' <"$RESULTS/state-distribution.txt")"
[ "$MAX_ID" -eq "$ROWS" ] || log "warning: ids are not 1..$ROWS; get_by_id will see some 404s"

# ---------------------------------------------------------------- environment
{
    echo "date: $STAMP"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "kernel: $(uname -srm)"
    echo "swift: $(swift --version 2>&1 | head -n 1)"
    echo "postgresql: $("$PGBIN/postgres" --version)"
    echo "wrk: $(wrk --version 2>&1 | head -n 1)"
    echo "odcs: $("$BIN" --version) ($(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '?'))"
    echo "settings: db_pool=${BENCH_DB_POOL:-default} wrk_nice=${BENCH_WRK_NICE:-0} duration=${DURATION}s warmup=${WARMUP}s connections=$CONNECTIONS threads=$THREADS composes=$ROWS synchronous_commit=$SYNC_COMMIT fsync=on"
    echo "free -h:"; free -h
} >"$RESULTS/machine.txt"

# ---------------------------------------------------------------- measurement helpers
# utime+stime of a process (all its threads), in clock ticks.
ticks_of() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
busy_ticks() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }   # user nice system irq softirq
steal_ticks() { awk '/^cpu /{ print $9; exit }' /proc/stat; }
all_ticks()  { awk '/^cpu /{ s = 0; for (i = 2; i <= 9; i++) s += $i; print s; exit }' /proc/stat; }
# wrk's CPU: the `times` builtin (run in this shell, not a subshell) gives the user+sys
# seconds of this shell's waited-for children; the difference of two snapshots.
seconds_between_times() {
    awk 'FNR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); t += p[1] * 60 + p[2] }
                    if (NR == FNR) a = t; else b = t }
         END { printf "%.3f", b - a }' "$1" "$2"
}
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# Pg's CPU: the backends are long-lived pool connections, so per-pid deltas over the run are
# exact; a backend that both starts and ends inside the window is missed (none should).
pg_ticks_by_pid() {
    local p
    for p in $POSTMASTER_PID $(pgrep -P "$POSTMASTER_PID"); do
        echo "$p $(ticks_of "$p")"
    done
}

run_wrk() {  # name script seconds outfile
    BENCH_LUA_DIR=$HERE/lua BENCH_MAX_ID=$MAX_ID BENCH_OUT=$4.json \
        timeout "$WRK_TIMEOUT" nice -n "${BENCH_WRK_NICE:-0}" wrk -t "$THREADS" -c "$CONNECTIONS" -d "${3}s" --timeout 10s --latency \
        -s "$HERE/lua/$2.lua" "$BASE" >"$4.txt" 2>&1 || { cat "$4.txt" >&2; die "wrk failed for $1"; }
}

# One request of each kind first: a benchmark of error answers would be worthless.
preflight() {
    local code
    case $1 in
    get_by_id) code=$(curl -sS -o "$RESULTS/$1.sample.json" -w '%{http_code}' "$BASE/api/1/composes/$MAX_ID") ;;
    list_wait) code=$(curl -sS -o "$RESULTS/$1.sample.json" -w '%{http_code}' "$BASE/api/1/composes/?state=0&per_page=20") ;;
    post_repo) code=$(curl -sS -o "$RESULTS/$1.sample.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
                          -d "$BODY" "$BASE/api/1/composes/") ;;
    *) die "unknown endpoint $1 (known: get_by_id list_wait post_repo)" ;;
    esac
    [ "$code" = 200 ] || die "$1: preflight request answered $code: $(head -c 500 "$RESULTS/$1.sample.json")"
}
for ep in $ENDPOINTS; do preflight "$ep"; done
"${PSQL[@]}" -At -F ' ' -c "SELECT state, count(*) FROM composes GROUP BY state ORDER BY state" >"$RESULTS/state-distribution.txt"
ROWS=$("${PSQL[@]}" -At -c "SELECT count(*) FROM composes")

IDLE_RSS_KB=$(status_kb "$NODE_PID" VmRSS)
echo "$IDLE_RSS_KB" >"$RESULTS/idle-rss-kb.txt"
: >"$RESULTS/results.jsonl"

for ep in $ENDPOINTS; do
    # Anything else running on the machine skews the numbers: measure the busy cores for 2 s
    # while our node is idle, and keep it with the results.
    b0=$(busy_ticks); a0=$(all_ticks); sleep 2; b1=$(busy_ticks); a1=$(all_ticks)
    bg=$(awk -v b=$((b1 - b0)) -v a=$((a1 - a0)) -v n="$(nproc)" 'BEGIN { printf "%.2f", (a > 0 ? b / (a / n) : 0) }')
    echo "$ep $bg" >>"$RESULTS/background-cores.txt"
    awk -v x="$bg" 'BEGIN { exit !(x > 0.1) }' && log "warning: $bg cores busy before $ep while the node is idle: other work is running"
    log "$ep: warm-up ${WARMUP}s"
    rm -f "$RESULTS/$ep.warmup.json"
    run_wrk "$ep" "$ep" "$WARMUP" "$RESULTS/$ep.warmup"
    # Reset the node's peak RSS (VmHWM) to its current RSS, so the peak is this run's.
    echo 5 >"/proc/$NODE_PID/clear_refs" 2>/dev/null || log "cannot reset VmHWM (not root?): peak is since start"
    (while kill -0 "$NODE_PID" 2>/dev/null; do
         printf '%s %s %s\n' "$(date +%s.%N)" "$(status_kb "$NODE_PID" VmRSS)" "$(status_kb "$NODE_PID" Threads)"
         sleep 0.5
     done) >"$RESULTS/$ep.rss.tsv" 2>/dev/null &
    SAMPLER_PID=$!
    pg_ticks_by_pid >"$TMP/pg.before"
    times >"$TMP/times.before"; n0=$(ticks_of "$NODE_PID"); b0=$(busy_ticks); a0=$(all_ticks); s0=$(steal_ticks)
    log "$ep: measuring ${DURATION}s at $CONNECTIONS connections, $THREADS threads"
    rm -f "$RESULTS/$ep.json"
    run_wrk "$ep" "$ep" "$DURATION" "$RESULTS/$ep"
    n1=$(ticks_of "$NODE_PID"); b1=$(busy_ticks); a1=$(all_ticks); s1=$(steal_ticks); times >"$TMP/times.after"
    pg_ticks_by_pid >"$TMP/pg.after"
    kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
    hwm=$(status_kb "$NODE_PID" VmHWM)
    pgd=$(awk 'NR == FNR { before[$1] = $2; next } { d += $2 - before[$1] } END { print d + 0 }' "$TMP/pg.before" "$TMP/pg.after")
    # CPU in cores (1.0 = one core busy for the whole run), from clock ticks; the window's
    # length in ticks is all cpus' ticks / nproc. "rest" is everything else that ran.
    awk -v node=$((n1 - n0)) -v pg="$pgd" -v wrk="$(seconds_between_times "$TMP/times.before" "$TMP/times.after")" -v hz="$(getconf CLK_TCK)" \
        -v busy=$((b1 - b0)) -v all=$((a1 - a0)) -v steal=$((s1 - s0)) -v ncpu="$(nproc)" -v hwm="$hwm" -v bg="$bg" \
        -v ep="$ep" -v sampled="$(awk 'max < $2 { max = $2 } END { print max + 0 }' "$RESULTS/$ep.rss.tsv")" '
        BEGIN {
            w = all / ncpu; if (w <= 0) w = 1
            wt = wrk * hz
            printf "{\"endpoint\":\"%s\",\"peak_rss_kb\":%d,\"max_sampled_rss_kb\":%d,\"cpu_node\":%.2f,\"cpu_postgres\":%.2f,\"cpu_wrk\":%.2f,\"cpu_rest\":%.2f,\"cpu_idle\":%.2f,\"cpu_steal\":%.2f,\"background_cores_before\":%s}\n",
                ep, hwm, sampled, node / w, pg / w, wt / w, (busy - node - pg - wt) / w, (all - busy - steal) / w, steal / w, bg
        }' >"$RESULTS/$ep.resources.json"
    cat "$RESULTS/$ep.json" >>"$RESULTS/results.jsonl"
    log "$ep: $(cat "$RESULTS/$ep.json")"
    log "$ep: $(cat "$RESULTS/$ep.resources.json")"
done

# ---------------------------------------------------------------- optional profile
# Where the time goes, after (not during) the measured runs: the node under perf, the node's
# HTTP floor without the database (/healthz), and PostgreSQL alone on get_by_id's statement
# (pgbench, 20 clients like the node's pool: re-parsed per call as the node sends it, and
# prepared once per connection).
if [ "${BENCH_PROFILE:-0}" = 1 ]; then
    if command -v perf >/dev/null; then
        log "profile: get_by_id 15 s under perf record -g (node pid $NODE_PID)"
        timeout 60 perf record -F 499 -g -p "$NODE_PID" -o "$TMP/perf.node.data" -- sleep 15 >/dev/null 2>&1 &
        PERF_PID=$!
        run_wrk get_by_id get_by_id 15 "$RESULTS/profile.get_by_id"
        wait "$PERF_PID" || true
        report() { perf report -i "$TMP/perf.node.data" --stdio -g none "$@" 2>/dev/null | grep -v '^#' | sed 's/ *$//' | cut -c1-240; }
        report --no-children --sort dso | head -n 20 >"$RESULTS/profile.node.by-dso.txt" || true
        report --no-children --sort sym --percent-limit 0.3 | head -n 80 >"$RESULTS/profile.node.self.txt" || true
        report --children --sort sym --percent-limit 2 | head -n 120 >"$RESULTS/profile.node.inclusive.txt" || true
    fi
    log "profile: /healthz 10 s (the node without the database)"
    timeout 60 wrk -t "$THREADS" -c "$CONNECTIONS" -d 10s --latency "$BASE/healthz" >"$RESULTS/profile.healthz.txt" 2>&1 || true
    if [ -x "$PGBIN/pgbench" ]; then
        printf '\\set id random(1, %s)\nSELECT %s FROM composes WHERE id = :id;\n' "$MAX_ID" \
            "$("${PSQL[@]}" -At -c "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'composes'")" \
            >"$TMP/get_by_id.pgbench.sql"
        for mode in extended prepared; do
            log "profile: pgbench -M $mode, get_by_id's SELECT, 20 clients, 10 s"
            timeout 60 "$PGBIN/pgbench" -n -M "$mode" -c 20 -j 2 -T 10 -f "$TMP/get_by_id.pgbench.sql" "$PG_URL" \
                >"$RESULTS/profile.pgbench.$mode.txt" 2>&1 || true
        done
    fi
fi

# ---------------------------------------------------------------- report
TABLE=$RESULTS/summary.md
{
    echo "| endpoint | req/s | p50 | p99 | max | non-2xx / errors | node peak RSS | CPU cores: node / postgres / wrk / rest / idle |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    for ep in $ENDPOINTS; do
        [ -f "$RESULTS/$ep.json" ] || continue
        jq -r --slurpfile r "$RESULTS/$ep.resources.json" '
            def ms: (. / 1000 * 100 | round / 100 | tostring) + " ms";
            ($r[0]) as $r |
            "| \(.endpoint) | \(.rps | round) | \(.p50_us | ms) | \(.p99_us | ms) | \(.max_us | ms) | \(.err_status) / \(.err_connect + .err_read + .err_write + .err_timeout) | \(($r.peak_rss_kb / 1024 * 10 | round) / 10) MiB | \($r.cpu_node) / \($r.cpu_postgres) / \($r.cpu_wrk) / \($r.cpu_rest) / \($r.cpu_idle) |"' \
            "$RESULTS/$ep.json"
    done
    echo
    echo "Node RSS when idle after loading (before the first warm-up): $((IDLE_RSS_KB / 1024)) MiB."
    echo "$ROWS composes stored before the first run (by state: $(tr '\n' ',' <"$RESULTS/state-distribution.txt" | sed 's/,$//; s/,/, /g'))."
    echo "${CONNECTIONS} connections, ${THREADS} wrk threads, ${DURATION} s after a ${WARMUP} s warm-up; wrk and the node share $(nproc) cores."
} >"$TABLE"
if [ -f "$RESULTS/get_by_id.json" ]; then
    jq -r --slurpfile r "$RESULTS/get_by_id.resources.json" '
        "Targets for get_by_id: req/s \(.rps | round) vs >= 6000: \(if .rps >= 6000 then "met" else "MISSED" end); " +
        "p99 \(.p99_us / 1000) ms vs < 25 ms: \(if .p99_us < 25000 then "met" else "MISSED" end); " +
        "peak RSS \($r[0].peak_rss_kb / 1024 | floor) MiB vs < 150 MB: \(if $r[0].peak_rss_kb * 1024 < 150000000 then "met" else "MISSED" end)."' \
        "$RESULTS/get_by_id.json" >>"$TABLE"
fi
log "results in $RESULTS"
cat "$TABLE"
