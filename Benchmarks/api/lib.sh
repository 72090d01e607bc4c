# shellcheck shell=bash
# Shared by run.sh, versus-odcs.sh and scale.sh (sourced): logging, free ports, and starting
# an API-only benchmark node. Set BENCH_NAME (the log prefix) before sourcing.

log() { printf '[%s %s] %s\n' "${BENCH_NAME:-bench}" "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# The first free port from $1 on.
free_port() {
    local p=$1
    for _ in $(seq 1 50); do port_free "$p" && { echo "$p"; return; }; p=$((p + 1)); done
    die "no free port near $1"
}

# start_node BIN DATABASE_URL PORT DIR [CONFIG_LINE...]: an `odcs serve` on 127.0.0.1:PORT
# that generates nothing (num_concurrent_pungi 0: the stored composes stay as loaded) and
# allows repo sources, with its config, target dir, state dir and node.log under DIR and no
# ODCS_* variable of this shell; waits until it is ready. Sets NODE_PID.
start_node() {
    local bin=$1 database=$2 port=$3 dir=$4
    shift 4
    mkdir -p "$dir/target" "$dir/state"
    printf 'allowed_source_types: [tag, module, build, repo]\nnum_concurrent_pungi: 0\n' >"$dir/odcs.yaml"
    for line in "$@"; do echo "$line" >>"$dir/odcs.yaml"; done
    (
        for v in $(compgen -e | grep '^ODCS_' || true); do unset "$v"; done
        exec "$bin" serve --config "$dir/odcs.yaml" --database-url "$database" --host 127.0.0.1 --port "$port" \
            --target-dir "$dir/target" --state-dir "$dir/state" --log-level warning >"$dir/node.log" 2>&1
    ) &
    NODE_PID=$!
    for _ in $(seq 1 600); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && return 0
        kill -0 "$NODE_PID" 2>/dev/null || { tail -n 40 "$dir/node.log" >&2; die "the node exited"; }
        sleep 0.1
    done
    tail -n 40 "$dir/node.log" >&2
    die "the node is not ready after 60 s"
}
