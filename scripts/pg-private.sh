#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL cluster for the tests.
#   scripts/pg-private.sh start DIR PORT   # cluster in DIR/data, socket in DIR, TCP on 127.0.0.1:PORT
#   scripts/pg-private.sh restart DIR [fast|immediate]  # restart (clients are disconnected);
#                                          # immediate: no checkpoint, crash recovery on start
#   scripts/pg-private.sh stop  DIR [PORT] # fast shutdown, then remove DIR
# Keep DIR short (e.g. /tmp/odcs-pg.XXXX): the socket path must stay under 107 bytes.
# The superuser is "app" with trust auth: postgres://app@127.0.0.1:PORT/postgres
# pg_stat_statements is loaded: tests count the statements a node sends (EventHubTests).
# PG_PRIVATE_DURABLE=1: PostgreSQL's default settings instead (fsync, synchronous_commit and
# full_page_writes on, no pg_stat_statements, max_connections 200), for benchmarks that must
# pay for durable commits as a user's server does (Benchmarks/api/versus-odcs.sh).
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR PORT" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1 dir=$2 port=${3:-}

bin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
[ -x "$bin/pg_ctl" ] || { echo "pg-private: no /usr/lib/postgresql/*/bin found" >&2; exit 1; }

# initdb and postgres refuse to run as root: run them as the postgres user then.
if [ "$(id -u)" -eq 0 ]; then
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

case "$cmd" in
start)
    [ -n "$port" ] || usage
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
    chmod 700 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_pg "$bin/initdb" -D "$dir/data" -U app -A trust -E UTF8 --locale=C.UTF-8 -N >/dev/null
    fi
    # max_connections 1000: the parallel Swift suite (hundreds of tests, each with its own pool,
    # plus the nodes the cluster tests start) went past 300 ("sorry, too many clients already"
    # 168-258 times a run), and the refused connects made tests fail at random.
    opts="-k $dir -p $port -c listen_addresses=127.0.0.1"
    if [ "${PG_PRIVATE_DURABLE:-0}" = 1 ]; then
        opts="$opts -c max_connections=200"
        mode="default durability: fsync, synchronous_commit and full_page_writes on"
    else
        opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000 -c shared_preload_libraries=pg_stat_statements"
        mode="fsync=off, synchronous_commit=off"
    fi
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start -o "$opts" \
        >/dev/null || { echo "pg-private: start failed; log follows" >&2; cat "$dir/log" >&2 || true; exit 1; }
    echo "pg-private: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') up on 127.0.0.1:$port (dir $dir; $mode)"
    ;;
restart)
    # Restart of a running cluster (the tests' "database restarts under load" case).
    mode=${port:-fast}
    case "$mode" in fast | immediate) ;; *) usage ;; esac
    as_pg "$bin/pg_ctl" -D "$dir/data" -m "$mode" -w -t 60 restart >/dev/null \
        || { echo "pg-private: restart failed; log follows" >&2; cat "$dir/log" >&2 || true; exit 1; }
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
*) usage ;;
esac
