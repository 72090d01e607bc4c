#!/usr/bin/env bash
# Start or stop a throw-away RabbitMQ node for the tests (Debian's rabbitmq-server package).
#   scripts/rabbitmq-private.sh start DIR PORT   # AMQP on 127.0.0.1:PORT, AMQPS on PORT+1, state in DIR
#   scripts/rabbitmq-private.sh stop DIR         # stop the node and its epmd, then remove DIR
#   scripts/rabbitmq-private.sh restart DIR      # stop the node (keeping DIR) and start it again
#   scripts/rabbitmq-private.sh stop-node DIR    # stop the node, keep DIR (start-node brings it back)
#   scripts/rabbitmq-private.sh start-node DIR
#   scripts/rabbitmq-private.sh stop-app DIR     # rabbitmqctl stop_app: clients get 320 CONNECTION_FORCED
#   scripts/rabbitmq-private.sh start-app DIR
#   scripts/rabbitmq-private.sh ctl DIR ARGS...  # any rabbitmqctl command against this node
# `start` writes DIR/env with TEST_AMQP_URL, TEST_AMQPS_URL, TEST_AMQP_CA_FILE and TEST_RABBITMQ_DIR;
# `source DIR/env` before `swift test`. User odcs/odcs (administrator) on vhost "/".
# The node is private: its own node name, Erlang distribution port (PORT+20000), epmd port
# (PORT+10000), cookie (HOME=DIR) and config, so it never touches the packaged service or another node.
set -euo pipefail

usage() {
    echo "usage: $0 start DIR PORT | stop DIR | restart DIR | stop-node DIR | start-node DIR | stop-app DIR | start-app DIR | ctl DIR ARGS..." >&2
    exit 2
}
[ $# -ge 2 ] || usage
cmd=$1 dir=$2
shift 2

sbin=/usr/lib/rabbitmq/bin
[ -x "$sbin/rabbitmq-server" ] || { echo "rabbitmq-private: $sbin/rabbitmq-server not found; apt-get install -y rabbitmq-server" >&2; exit 1; }

# The node refuses nothing as root, but its files must not end up owned by root, and the
# Erlang cookie must be the same for the server and rabbitmqctl: run both as `rabbitmq`.
if [ "$(id -u)" -eq 0 ]; then
    as_rabbit_prefix=(setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups --)
else
    as_rabbit_prefix=()
fi
as_rabbit() { "${as_rabbit_prefix[@]}" "$@"; }

load_params() {
    [ -f "$dir/params" ] || { echo "rabbitmq-private: $dir/params missing; was the node started with '$0 start $dir PORT'?" >&2; exit 1; }
    # shellcheck disable=SC1091
    . "$dir/params"
    export HOME="$dir" \
        RABBITMQ_NODENAME="odcs-test-$port@localhost" \
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
        RABBITMQ_NODE_PORT="$port" \
        RABBITMQ_DIST_PORT="$((port + 20000))" \
        ERL_EPMD_PORT="$((port + 10000))" \
        ERL_EPMD_ADDRESS=127.0.0.1 \
        RABBITMQ_MNESIA_BASE="$dir/mnesia" \
        RABBITMQ_LOG_BASE="$dir/log" \
        RABBITMQ_PID_FILE="$dir/rabbitmq.pid" \
        RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
        RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
        RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
        RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

ctl() { as_rabbit "$sbin/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" "$@"; }

write_tls_files() {
    local tls=$dir/tls
    mkdir -p "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=odcs-test-ca" \
        -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
        -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$tls/ext.cnf"
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
        -days 2 -extfile "$tls/ext.cnf" -out "$tls/server.pem" 2>/dev/null
}

write_config() {
    cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$port
listeners.ssl.default = 127.0.0.1:$((port + 1))
ssl_options.cacertfile = $dir/tls/ca.pem
ssl_options.certfile = $dir/tls/server.pem
ssl_options.keyfile = $dir/tls/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
loopback_users = none
default_vhost = /
default_user = odcs
default_pass = odcs
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
disk_free_limit.absolute = 50MB
log.file.level = info
log.console = false
EOF
    echo "[]." >"$dir/advanced.config"
    echo "[]." >"$dir/enabled_plugins"
    : >"$dir/rabbitmq-env.conf"
}

start_node() {
    local t0 pid
    if [ -s "$dir/rabbitmq.pid" ] && kill -0 "$(cat "$dir/rabbitmq.pid")" 2>/dev/null; then
        echo "rabbitmq-private: node already running (dir $dir)"
        return 0
    fi
    t0=$(date +%s%N)
    mkdir -p "$dir/log"
    [ "$(id -u)" -ne 0 ] || chown -R rabbitmq:rabbitmq "$dir"
    # The node outlives this script: setsid keeps a Ctrl-C meant for the caller away from it, and
    # it must not inherit the caller's descriptors (a caller waiting for EOF on one would hang).
    (
        for fd in /proc/self/fd/*; do
            n=${fd##*/}
            [ "$n" -gt 2 ] && eval "exec $n>&-" 2>/dev/null
        done
        exec "${as_rabbit_prefix[@]}" setsid "$sbin/rabbitmq-server"
    ) >"$dir/log/stdout.log" 2>&1 </dev/null &
    pid=$!
    # await_startup needs the pid file the server writes a moment after boot begins.
    for _ in $(seq 1 300); do
        [ -s "$dir/rabbitmq.pid" ] && break
        kill -0 "$pid" 2>/dev/null || { echo "rabbitmq-private: server exited during boot; log follows" >&2; tail -n 40 "$dir/log/stdout.log" >&2; exit 1; }
        sleep 0.1
    done
    if ! ctl --timeout 60 await_startup >/dev/null 2>&1; then
        echo "rabbitmq-private: node did not start within 60 s; log follows" >&2
        tail -n 40 "$dir/log/stdout.log" >&2
        exit 1
    fi
    echo "rabbitmq-private: RabbitMQ up on 127.0.0.1:$port (amqps $((port + 1))) in $(( ($(date +%s%N) - t0) / 1000000 )) ms (dir $dir)"
}

stop_node() {
    if [ -s "$dir/rabbitmq.pid" ]; then
        local pid
        pid=$(cat "$dir/rabbitmq.pid")
        # `stop PIDFILE` returns only when the OS process is gone; a node that does not answer
        # (frozen by a test, say) is killed after a minute rather than waited for.
        timeout -k 5 60 "$0" ctl "$dir" stop "$dir/rabbitmq.pid" >/dev/null 2>&1 || kill -KILL "$pid" 2>/dev/null || true
        rm -f "$dir/rabbitmq.pid"
    else
        # No pid file (never written, or removed by a failed second start): ask the node itself.
        ctl stop >/dev/null 2>&1 || true
    fi
}

stop_epmd() {
    # Our private epmd would otherwise linger after the node has gone.
    epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
}

case "$cmd" in
start)
    [ $# -ge 1 ] || usage
    port=$1
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    echo "port=$port" >"$dir/params"
    load_params
    write_tls_files
    write_config
    start_node
    cat >"$dir/env" <<EOF
export TEST_AMQP_URL='amqp://odcs:odcs@127.0.0.1:$port/%2F'
export TEST_AMQPS_URL='amqps://odcs:odcs@localhost:$((port + 1))/%2F'
export TEST_AMQP_CA_FILE='$dir/tls/ca.pem'
export TEST_RABBITMQ_DIR='$dir'
EOF
    chmod 644 "$dir/env"
    cat "$dir/env"
    ;;
stop)
    if [ -f "$dir/params" ]; then
        load_params
        stop_node
        stop_epmd
    fi
    rm -rf "$dir"
    ;;
restart)
    load_params
    stop_node
    start_node
    ;;
stop-node) load_params; stop_node ;;
start-node) load_params; start_node ;;
stop-app) load_params; ctl stop_app ;;
start-app) load_params; ctl start_app ;;
ctl) load_params; ctl "$@" ;;
*) usage ;;
esac
