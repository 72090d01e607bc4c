"""A cluster in a box, on loopback: HAProxy in front of three `odcs serve` nodes (health checks
on /readyz, as k8s/ probes them), nginx serving /composes/ read-only from the shared target
dir (as k8s/overlays/example does), a private PostgreSQL and a private RabbitMQ. A load of
clients goes through the balancer while the scenarios run one after another:

- rolling: each node in turn gets SIGTERM, leaves rotation, stops and starts again;
- pg-fast, pg-immediate: PostgreSQL restarted (`pg_ctl restart -m fast|immediate`);
- broker: RabbitMQ stopped, then started again.

The load: creators using the real `odcs` client (0.9.2, as Tests/Compat does) that create a
repo compose, wait for it (polling with the client, or with `odcs compose wait` on the event
stream), renew, read and delete it; and raw SSE watchers on /api/1/events/ that resume with
Last-Event-ID whenever their stream ends. Every client-visible error is recorded with the
phase it happened in. A 503 with Retry-After is allowed only while PostgreSQL is down (the
client waits Retry-After and sends the request again); anything else fails the run.

Used by Tests/Cluster/test_cluster.py (short) and scripts/cluster-in-a-box.sh (operators).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Compat"))
from compat_helpers import REPO_ROOT, ServeNode, fixture_rpm_repo, free_port, stop_process, wait_until  # noqa: E402

from odcs.client.odcs import ODCS, AuthMech  # noqa: E402

SCRIPTS = REPO_ROOT / "scripts"
# The balancer's health check: every second, out after 2 failures, back after 2 successes;
# a check may take up to 5 s (a node on a busy machine answers /readyz, which asks the
# database, in hundreds of milliseconds: a 500 ms limit took healthy nodes out of rotation).
CHECK_INTER_MS, CHECK_FALL, CHECK_RISE, CHECK_TIMEOUT_S = 1000, 2, 2, 5
# A stopping node stays out of rotation, still serving, for longer than the balancer needs to
# see it (2 checks a second apart; a stopping node answers 503 at once) and to finish the
# requests it already sent there.
SHUTDOWN_GRACE_SECONDS = 5

HAPROXY_CONFIG = """\
global
    maxconn 4096
    stats socket {base}/haproxy.sock mode 600 level admin
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout http-keep-alive 5s
    timeout check {check_timeout}s
    # A request that never reached a node (its connect failed) goes to another one.
    retries 3
    option redispatch 1
    retry-on conn-failure
frontend odcs
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance roundrobin
    # Which node answered: an event stream that loses an event names its node (Watcher.connections).
    http-response set-header X-Served-By %s
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter {inter}ms fall {fall} rise {rise}
{servers}
listen stats
    bind 127.0.0.1:{stats_port}
    stats enable
    stats uri /stats
"""

NGINX_CONFIG = """\
worker_processes 1;
daemon off;
pid {base}/nginx.pid;
error_log {base}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  types {{ text/plain repo; application/xml xml; }}
  default_type application/octet-stream;
  access_log {base}/nginx-access.log;
  sendfile on;
  server_tokens off;
  client_body_temp_path {base}/nginx-tmp/client;
  proxy_temp_path {base}/nginx-tmp/proxy;
  fastcgi_temp_path {base}/nginx-tmp/fastcgi;
  uwsgi_temp_path {base}/nginx-tmp/uwsgi;
  scgi_temp_path {base}/nginx-tmp/scgi;
  server {{
    listen 127.0.0.1:{port};
    location ~ ^/composes/\\. {{ return 404; }}
    location /composes/ {{
      limit_except GET {{ deny all; }}
      alias {target}/;
      autoindex on;
    }}
  }}
}}
"""


class ClusterNode(ServeNode):
    node_prefix = "box-"


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Recorder:
    """Every client request: when, how long, which phase, and its outcome."""

    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "warm-up"
        self.requests = []  # (start, seconds, phase, op, outcome)
        self.errors = []  # (phase, op, text)
        self.marks = {}  # phase -> (start, end)

    def set_phase(self, phase):
        with self.lock:
            now = time.monotonic()
            if self.phase in self.marks:
                self.marks[self.phase] = (self.marks[self.phase][0], now)
            self.phase = phase
            self.marks[phase] = (now, None)

    def record(self, start, op, outcome, text=None, phase=None):
        """`phase`: the one the request started in (default: the current one)."""
        with self.lock:
            phase = phase or self.phase
            self.requests.append((start, time.monotonic() - start, phase, op, outcome))
            if outcome == "error":
                self.errors.append((phase, op, text))

    def call(self, op, function, stop):
        """`function()` until it answers: a 503 with Retry-After (allowed only while the
        database is away) is waited out and sent again; any other error is recorded and
        returned as None."""
        while True:
            start, phase = time.monotonic(), self.phase
            try:
                result = function()
            except requests.HTTPError as error:
                response = error.response
                retry_after = response.headers.get("Retry-After") if response is not None else None
                status = response.status_code if response is not None else None
                # Allowed while PostgreSQL restarts: the request started or ended in it.
                restart = phase if phase.startswith("pg-") else self.phase
                if status == 503 and retry_after is not None and restart.startswith("pg-"):
                    self.record(start, op, "503", phase=restart)
                    if stop.wait(float(retry_after)):
                        return None
                    continue
                body = response.text[:300] if response is not None else ""
                self.record(start, op, "error", "HTTP %s %s" % (status, body), phase=phase)
                return None
            except (requests.RequestException, OSError) as error:
                self.record(start, op, "error", "%s: %s" % (type(error).__name__, error), phase=phase)
                return None
            self.record(start, op, "ok", phase=phase)
            return result

    def summary(self, phase):
        start, end = self.marks.get(phase, (None, None))
        rows = [r for r in self.requests if r[2] == phase]
        latencies = [r[1] for r in rows]
        return {
            "requests": len(rows),
            "failures": sum(1 for r in rows if r[4] == "error"),
            "retried_503": sum(1 for r in rows if r[4] == "503"),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
            "max_ms": round(max(latencies, default=0) * 1000, 1),
            "seconds": round((end or time.monotonic()) - start, 1) if start else 0,
        }


class Watcher(threading.Thread):
    """A raw SSE client of /api/1/events/ through the balancer: it reads events, and when its
    stream ends (a node stopping ends its streams) it connects again with Last-Event-ID."""

    def __init__(self, url, recorder, stop):
        super().__init__(daemon=True)
        self.url, self.recorder, self.stop = url, recorder, stop
        self.seen = []
        self.first = None
        self.reconnects = 0
        # Per connection: the node that served it, the Last-Event-ID it sent, the first and
        # last ids it got, and when it opened (monotonic seconds).
        self.connections = []
        self.connected = threading.Event()

    def run(self):
        while not self.stop.is_set():
            headers = {"Accept": "text/event-stream"}
            if self.seen:
                headers["Last-Event-ID"] = str(self.seen[-1])
            start = time.monotonic()
            try:
                with requests.get(self.url + "/api/1/events/", headers=headers, stream=True, timeout=(5, 40)) as response:
                    if response.status_code != 200:
                        self.recorder.record(start, "events", "error", "HTTP %d %s" % (response.status_code, response.text[:200]))
                        self.stop.wait(1)
                        continue
                    self.recorder.record(start, "events", "ok")
                    self.connected.set()
                    connection = {"node": response.headers.get("X-Served-By"), "after": self.seen[-1] if self.seen else None,
                                  "first": None, "last": None, "opened": round(start, 3)}
                    self.connections.append(connection)
                    count = len(self.seen)
                    try:
                        self.read(response)
                    finally:
                        got = self.seen[count:]
                        connection["first"], connection["last"] = (got[0], got[-1]) if got else (None, None)
            except (requests.RequestException, OSError) as error:
                if self.stop.is_set():
                    return
                self.recorder.record(start, "events", "error", "stream: %s: %s" % (type(error).__name__, error))
            self.reconnects += 1

    def read(self, response):
        event_id = None
        for line in response.iter_lines(chunk_size=1, decode_unicode=True):
            if self.stop.is_set():
                return
            if line.startswith("id:"):
                event_id = int(line[3:].strip())
            elif line == "" and event_id is not None:
                if self.first is None:
                    self.first = event_id
                self.seen.append(event_id)
                event_id = None


class Cluster:
    def __init__(self, base, nodes=3):
        self.base = base
        os.chmod(base, 0o755)  # nginx's workers (nobody) read the target dir, postgres its dir
        self.procs = []
        self.pg_dir = os.path.join(base, "pg")
        self.pg_port = free_port()
        self.rmq_dir = os.path.join(base, "rmq")
        self.target = os.path.join(base, "target")
        self.repos = os.path.join(base, "repos")
        os.makedirs(self.target)
        os.makedirs(self.repos)
        self.node_count = nodes
        self.nodes = []

    # --------------------------------------------------------------- start and stop

    def start(self):
        # Default durability (fsync, synchronous_commit): an immediate restart is a crash, and
        # only a durable server keeps every commit it acknowledged. With the test suites' fast
        # settings a compose a client had been answered for could vanish (CI saw 182 created,
        # 180 in the database, and 404s for the two).
        subprocess.run([str(SCRIPTS / "pg-private.sh"), "start", self.pg_dir, str(self.pg_port)], check=True,
                       env=dict(os.environ, PG_PRIVATE_DURABLE="1"))
        self.admin_url = "postgres://app@127.0.0.1:%d/postgres" % self.pg_port
        self.database_url = "postgres://app@127.0.0.1:%d/odcs_box" % self.pg_port
        self.psql("CREATE DATABASE odcs_box", url=self.admin_url)
        self.rmq_port = self.rabbitmq_port()
        subprocess.run([str(SCRIPTS / "rabbitmq-private.sh"), "start", self.rmq_dir, str(self.rmq_port)], check=True, capture_output=True)
        self.repo = fixture_rpm_repo(self.repos, "odcs-box-hello")
        self.start_nginx()
        ports = [free_port() for _ in range(self.node_count)]
        env = {
            "ODCS_HTTP_SHUTDOWN_GRACE_SECONDS": str(SHUTDOWN_GRACE_SECONDS),
            "ODCS_ALLOWED_SOURCE_TYPES": '["repo"]',
            "ODCS_REPO_SOURCE_ROOTS": json.dumps([self.repos]),
            "ODCS_DRAIN_TIMEOUT": "30",
            "ODCS_EXPIRY_INTERVAL_MS": "1000",
            "ODCS_MESSAGING_BACKEND": "amqp",
            "ODCS_MESSAGING_BROKER_URLS": json.dumps(["amqp://odcs:odcs@127.0.0.1:%d/%%2F" % self.rmq_port]),
            # Every stream comes from the balancer's address.
            "ODCS_EVENTS_MAX_STREAMS_PER_CLIENT": "0",
        }
        for index, port in enumerate(ports):
            base = os.path.join(self.base, "node%d" % index)
            os.makedirs(base)
            self.nodes.append(
                ClusterNode(
                    "n%d" % index, base, env, target=self.target, database_url=self.database_url, port=port,
                    target_dir_url="http://127.0.0.1:%d/composes" % self.nginx_port,
                )
            )
        self.start_haproxy(ports)
        self.url = "http://127.0.0.1:%d" % self.lb_port
        wait_until(lambda: all(status == "UP" for status in self.server_states().values()), 30, "every node UP in HAProxy")

    def stop(self):
        for node in self.nodes:
            node.stop()
        for process, log in reversed(self.procs):
            stop_process(process, log, timeout=20)
        subprocess.run([str(SCRIPTS / "rabbitmq-private.sh"), "stop", self.rmq_dir], capture_output=True)
        subprocess.run([str(SCRIPTS / "pg-private.sh"), "stop", self.pg_dir], capture_output=True)

    def spawn(self, name, argv):
        log = open(os.path.join(self.base, name + ".log"), "w")
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.procs.append((process, log))
        return process

    def start_nginx(self):
        self.nginx_port = free_port()
        os.makedirs(os.path.join(self.base, "nginx-tmp"))
        config = os.path.join(self.base, "nginx.conf")
        Path(config).write_text(NGINX_CONFIG.format(base=self.base, port=self.nginx_port, target=self.target))
        self.spawn("nginx", ["nginx", "-c", config, "-p", self.base])
        wait_until(lambda: self.get_ok("http://127.0.0.1:%d/composes/" % self.nginx_port), 20, "nginx to serve /composes/")

    def start_haproxy(self, ports):
        self.lb_port, self.stats_port = free_port(), free_port()
        servers = "\n".join("    server n%d 127.0.0.1:%d check" % (i, port) for i, port in enumerate(ports))
        config = os.path.join(self.base, "haproxy.cfg")
        Path(config).write_text(
            HAPROXY_CONFIG.format(
                base=self.base, port=self.lb_port, stats_port=self.stats_port, servers=servers,
                inter=CHECK_INTER_MS, fall=CHECK_FALL, rise=CHECK_RISE, check_timeout=CHECK_TIMEOUT_S,
            )
        )
        subprocess.run(["haproxy", "-c", "-q", "-f", config], check=True)
        self.spawn("haproxy", ["haproxy", "-db", "-f", config])

    @staticmethod
    def get_ok(url):
        try:
            return requests.get(url, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def server_states(self):
        """HAProxy's view of each node: UP, DOWN, "UP 1/2" (going down), ..."""
        try:
            text = requests.get("http://127.0.0.1:%d/stats;csv" % self.stats_port, timeout=2).text
        except requests.RequestException:
            return {}
        lines = text.splitlines()
        header = lines[0].lstrip("# ").split(",")
        states = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(",")))
            if row.get("pxname") == "nodes" and row.get("svname", "").startswith("n"):
                states[row["svname"]] = row["status"]
        return states

    def rabbitmq_port(self):
        """A base port whose AMQP, AMQPS, epmd and distribution ports are all free."""
        for _ in range(50):
            port = free_port()
            if port + 20000 < 65536 and all(self.port_free(p) for p in (port + 1, port + 10000, port + 20000)):
                return port
        raise RuntimeError("no free ports for RabbitMQ")

    @staticmethod
    def port_free(port):
        import socket

        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
                return True
            except OSError:
                return False

    def psql(self, sql, url=None):
        return subprocess.run(
            ["psql", "-X", "-q", "-At", "-F", " ", url or self.database_url, "-c", sql],
            check=True, capture_output=True, text=True, env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"),
        ).stdout.strip()

    # --------------------------------------------------------------- per-node costs

    def connections_per_node(self):
        """Each node's open connections to PostgreSQL (by process, from `ss`)."""
        out = subprocess.run(["ss", "-tnpH", "state", "established", "dport", "=", ":%d" % self.pg_port],
                             capture_output=True, text=True).stdout
        return {
            "n%d" % index: out.count("pid=%d," % node.process.pid) for index, node in enumerate(self.nodes)
        }

    def counters(self):
        """(committed transactions of the cluster's database, newest outbox event id, now)."""
        commits = int(self.psql("SELECT xact_commit FROM pg_stat_database WHERE datname = 'odcs_box'"))
        return commits, int(self.psql("SELECT coalesce(max(id), 0) FROM outbox")), time.monotonic()

    @staticmethod
    def rates(before, after):
        """Transactions and events per second between two `counters()`; the two psql calls
        of each sample count as transactions of their own, so they are taken off."""
        seconds = after[2] - before[2]
        return round((after[0] - before[0] - 2) / seconds, 1), round((after[1] - before[1]) / seconds, 2)

    # --------------------------------------------------------------- scenarios

    def rolling_restart(self):
        """Each node in turn: SIGTERM, out of rotation while it still serves, stopped, started
        again, back in rotation. Returns the seconds each node was out of rotation."""
        out = []
        for index, node in enumerate(self.nodes):
            name = "n%d" % index
            started = time.monotonic()
            node.process.terminate()
            # It must leave rotation before it stops accepting.
            wait_until(
                lambda: self.server_states().get(name, "").startswith("DOWN") or node.process.poll() is not None,
                30, "HAProxy to take %s out of rotation" % name,
            )
            assert node.process.poll() is None, "%s stopped before HAProxy took it out of rotation" % name
            stop_process(node.process, node.log, timeout=60)
            assert node.process.returncode == 0, "%s exited %s on SIGTERM" % (name, node.process.returncode)
            node.start()
            wait_until(lambda: self.server_states().get(name) == "UP", 30, "HAProxy to put %s back" % name)
            out.append(round(time.monotonic() - started, 1))
        return out

    def restart_postgres(self, mode):
        """Restarts PostgreSQL; returns the seconds until every node is ready again."""
        started = time.monotonic()
        subprocess.run([str(SCRIPTS / "pg-private.sh"), "restart", self.pg_dir, mode], check=True)
        wait_until(lambda: all(node.ready() for node in self.nodes), 60, "every node ready after the restart")
        wait_until(lambda: all(status == "UP" for status in self.server_states().values()), 30, "every node UP in HAProxy")
        return round(time.monotonic() - started, 1)

    def broker_outage(self, seconds):
        """Stops RabbitMQ for `seconds`; returns (events written meanwhile, seconds from the
        broker's return until every event is published)."""
        before = int(self.psql("SELECT coalesce(max(id), 0) FROM outbox"))
        subprocess.run([str(SCRIPTS / "rabbitmq-private.sh"), "stop-node", self.rmq_dir], check=True, capture_output=True)
        # The outage itself is the scenario's length, not a wait for something to happen.
        time.sleep(seconds)
        held = int(self.psql("SELECT count(*) FROM outbox WHERE id > %d AND published_at IS NULL" % before))
        subprocess.run([str(SCRIPTS / "rabbitmq-private.sh"), "start-node", self.rmq_dir], check=True, capture_output=True)
        back = time.monotonic()
        wait_until(lambda: self.psql("SELECT count(*) FROM outbox WHERE published_at IS NULL") == "0", 120,
                   "every event to be published after the broker's return")
        return held, round(time.monotonic() - back, 1)


def creator(cluster, recorder, stop, index, created, outcomes):
    """Creates, waits for, renews, reads and deletes repo composes through the balancer with
    the real odcs client; every other compose is waited for with `odcs compose wait`."""
    client = ODCS(cluster.url + "/", auth_mech=AuthMech.Anonymous)
    number = 0
    while not stop.is_set():
        number += 1
        flags = ["no_deps"] + (["no_reuse"] if number % 2 else [])
        compose = recorder.call("create", lambda: client.new_compose(cluster.repo, "repo", flags=flags, seconds_to_live=600), stop)
        if compose is None:
            continue
        compose_id = compose["id"]
        created.append(compose_id)
        if number % 3 == 0:
            start = time.monotonic()
            waited = subprocess.run(
                # A wait that outlives the compose's generation by minutes is a hang: exit 2.
                [os.environ["ODCS_BIN"], "compose", "wait", str(compose_id), "--server", cluster.url, "--timeout", "60"],
                capture_output=True, text=True, timeout=120,
            )
            recorder.record(start, "compose-wait", "ok" if waited.returncode == 0 else "error",
                            "odcs compose wait %d: exit %d %s" % (compose_id, waited.returncode, waited.stderr[-300:]))
        # A compose in flight is followed to its end even after the load stops.
        deadline = time.monotonic() + 300
        state = None
        while time.monotonic() < deadline:
            got = recorder.call("get", lambda: client.get_compose(compose_id), stop)
            state = got and got["state_name"]
            # removed: it reused a compose that its own client deleted meanwhile, and followed
            # it (upstream's transition propagates to every compose that reuses another).
            if state in ("done", "failed", "removed"):
                break
            time.sleep(0.3)  # the client's poll interval
        outcomes[compose_id] = state
        if state != "done":
            continue
        recorder.call("renew", lambda: client.renew_compose(compose_id, seconds_to_live=900), stop)
        recorder.call("get", lambda: client.get_compose(compose_id), stop)
        recorder.call("delete", lambda: client.delete_compose(compose_id), stop)


def run(base, duration, broker_seconds=8, creators=4, watchers=4, report=print):
    """The whole run; returns its report (a dict). Raises AssertionError on any failure."""
    cluster = Cluster(base)
    recorder = Recorder()
    stop, stop_watchers = threading.Event(), threading.Event()
    threads = []
    try:
        cluster.start()
        report("cluster up: balancer %s, nodes %s, nginx :%d, PostgreSQL :%d, RabbitMQ :%d" % (
            cluster.url, [n.port for n in cluster.nodes], cluster.nginx_port, cluster.pg_port, cluster.rmq_port))
        created, outcomes = [], {}
        # Idle: what three nodes cost the database with nothing to do.
        before = cluster.counters()
        stop.wait(max(5.0, duration))
        idle_tx, _ = cluster.rates(before, cluster.counters())
        results = {"idle_tx_per_s_per_node": round(idle_tx / len(cluster.nodes), 1)}
        sse = [Watcher(cluster.url, recorder, stop_watchers) for _ in range(watchers)]
        for watcher in sse:
            watcher.start()
            wait_until(watcher.connected.is_set, 30, "an event stream to open")
        for index in range(creators):
            thread = threading.Thread(target=creator, args=(cluster, recorder, stop, index, created, outcomes), daemon=True)
            thread.start()
            threads.append(thread)

        def steady(name):
            recorder.set_phase(name)
            stop.wait(duration)

        before = cluster.counters()
        steady("steady")
        results["steady_tx_per_s"], results["steady_events_per_s"] = cluster.rates(before, cluster.counters())
        results["db_connections_per_node"] = cluster.connections_per_node()
        recorder.set_phase("rolling")
        results["rolling_out_of_rotation_s"] = cluster.rolling_restart()
        steady("after-rolling")
        for mode in ("fast", "immediate"):
            recorder.set_phase("pg-" + mode)
            results["pg_%s_recovery_s" % mode] = cluster.restart_postgres(mode)
            steady("after-pg-" + mode)
        recorder.set_phase("broker")
        results["broker_held_events"], results["broker_recovery_s"] = cluster.broker_outage(broker_seconds)
        steady("after-broker")
        recorder.set_phase("drain")
        stop.set()
        for thread in threads:
            thread.join(timeout=330)
            assert not thread.is_alive(), "a client did not finish its compose"
        # Every compose is settled; every stream has every event.
        last = int(cluster.psql("SELECT coalesce(max(id), 0) FROM outbox"))
        for watcher in sse:
            wait_until(lambda: watcher.seen and watcher.seen[-1] >= last, 60, "a stream to reach event %d" % last)
        stop_watchers.set()
        results["phases"] = {phase: recorder.summary(phase) for phase in recorder.marks}
        results["composes_created"] = len(created)
        rows = cluster.psql("SELECT id, state FROM composes ORDER BY id").splitlines()
        results["composes_in_database"] = len(rows)
        # A compose that reused one deleted by its own client was removed with it: not a failure.
        followed = {int(x) for x in cluster.psql(
            "SELECT c.id FROM composes c JOIN composes r ON r.id = c.reused_id WHERE c.state = 3 AND r.state = 3").split()}
        results["composes_followed_removal"] = len(followed)
        not_done = {cid: state for cid, state in outcomes.items() if state != "done" and cid not in followed}
        if not_done:
            # What a failure needs to be explained: the rows as the database holds them.
            not_done = {cid: cluster.psql(
                "SELECT state, reused_id, time_removed, removed_by, state_reason FROM composes WHERE id = %d" % cid)
                for cid in not_done}
        results["composes_not_done"] = not_done
        results["errors"] = recorder.errors[:50]
        results["error_count"] = len(recorder.errors)
        ids = [int(x) for x in cluster.psql("SELECT id FROM outbox ORDER BY id").split()]
        results["sse"] = []
        for watcher in sse:
            expected = [i for i in ids if watcher.first < i <= last]
            got = [i for i in watcher.seen if watcher.first < i <= last]
            lost = sorted(set(expected) - set(got))
            results["sse"].append({
                "events": len(watcher.seen), "reconnects": watcher.reconnects,
                "lost": len(lost), "lost_ids": lost[:20], "repeated": len(got) - len(set(got)),
                "served_by": [connection["node"] for connection in watcher.connections],
            })
        if any(stream["lost"] for stream in results["sse"]):
            # What a lost event needs to be explained: the rows, and what the nodes' readers said.
            lost = sorted({i for stream in results["sse"] for i in stream["lost_ids"]})
            results["lost_rows"] = cluster.psql(
                "SELECT id, compose_id, created_at FROM outbox WHERE id IN (%s)" % ",".join(map(str, lost))).splitlines()
            # The connections that should have carried each lost event: the node that served
            # them, what they resumed after and what they got.
            results["lost_connections"] = [
                {"stream": index, "lost": lost_id, **connection}
                for index, watcher in enumerate(sse) for lost_id in results["sse"][index]["lost_ids"]
                for connection in watcher.connections
                if (connection["after"] or 0) < lost_id and (connection["last"] is None or connection["last"] >= lost_id)]
            results["reader_skips"] = [
                line.strip()[:300] for index in range(len(cluster.nodes))
                for line in open(os.path.join(base, "node%d" % index, "node.log"), errors="replace")
                if "were skipped" in line or "fell behind" in line]
        results["requests"] = len(recorder.requests)
        return results
    finally:
        stop.set()
        stop_watchers.set()
        cluster.stop()


# Errors of the event streams (raw watchers, `odcs compose wait`), judged by check_events.
EVENT_OPS = ("events", "compose-wait")


def check(results):
    """The verdict on the API and the composes: what the issue allows and nothing more."""
    problems = []
    errors = [error for error in results["errors"] if error[1] not in EVENT_OPS]
    if errors:
        problems.append("%d client-visible errors: %s" % (len(errors), errors[:10]))
    if results["composes_in_database"] != results["composes_created"]:
        problems.append("%d composes created, %d in the database" % (results["composes_created"], results["composes_in_database"]))
    if results["composes_not_done"]:
        problems.append("composes not done: %s" % results["composes_not_done"])
    for phase, summary in results["phases"].items():
        if summary["retried_503"] and not phase.startswith("pg-"):
            problems.append("503s outside a database restart, in %s" % phase)
    return problems


def check_events(results):
    """The verdict on the event streams: no stream error, no event lost or repeated, every
    `odcs compose wait` back with its compose's end."""
    problems = ["%s: %s (%s)" % (op, text, phase) for phase, op, text in results["errors"] if op in EVENT_OPS]
    for index, stream in enumerate(results["sse"]):
        if stream["lost"] or stream["repeated"]:
            problems.append("stream %d lost %d events (%s) and repeated %d" % (
                index, stream["lost"], stream["lost_ids"], stream["repeated"]))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--odcs-bin", default=os.environ.get("ODCS_BIN", str(REPO_ROOT / ".build" / "debug" / "odcs")))
    parser.add_argument("--steady-seconds", type=float, default=30, help="load between the scenarios")
    parser.add_argument("--broker-seconds", type=float, default=15, help="length of the broker outage")
    parser.add_argument("--creators", type=int, default=6)
    parser.add_argument("--watchers", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args()
    os.environ["ODCS_BIN"] = args.odcs_bin
    base = tempfile.mkdtemp(prefix="odcs-box-")
    try:
        results = run(base, args.steady_seconds, args.broker_seconds, args.creators, args.watchers)
        print(json.dumps(results, indent=2))
        problems = check(results) + check_events(results)
        for problem in problems:
            print("FAIL:", problem)
        return 1 if problems else 0
    finally:
        if args.keep:
            print("logs in", base)
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
