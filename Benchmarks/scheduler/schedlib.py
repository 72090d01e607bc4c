"""Shared machinery of the scheduler benchmark (run.py) and the kill soak (soak.py).

A private PostgreSQL (scripts/pg-private.sh), N release `odcs serve` nodes with the journal
test generator, psql through subprocess (stdlib only), the journal parser, and clean-up of
every process started here, whatever happens.
"""

import atexit
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PG_PRIVATE = os.path.join(ROOT, "scripts", "pg-private.sh")

# Composes inserted by the benchmark: source_type 6 (build), flags 64 (no_reuse), one build.
BULK_INSERT = """
INSERT INTO composes (owner, source_type, source, state, results, flags, time_submitted,
                      time_to_expire, builds, arches)
SELECT 'bench', 6, '', 0, 1, 64, now(), now() + interval '1 day', 'pkg-' || g || '-1', 'x86_64'
FROM generate_series(1, {n}) AS g;
SELECT pg_notify('odcs_wait', 'bench');
"""


def pg_bin():
    return os.path.join("/usr/lib/postgresql", sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: [int(x) for x in v.split(".")])[-1], "bin")


def log(msg):
    sys.stderr.write("[sched %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def port_free(port):
    import socket

    with socket.socket() as s:
        # As the node's listener does: a killed node's accepted connections stay in TIME_WAIT
        # for a minute and must not keep its successor from the port.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_port(start):
    for p in range(start, start + 200):
        if port_free(p):
            return p
    raise RuntimeError("no free port near %d" % start)


def build(skip):
    binary = os.environ.get("BENCH_BIN") or os.path.join(ROOT, ".build-release", "release", "odcs")
    if not skip and not os.environ.get("BENCH_BIN"):
        log("building release binary (swift build -c release --scratch-path .build-release --product odcs)")
        r = subprocess.run(
            ["swift", "build", "-c", "release", "--scratch-path", ".build-release", "--product", "odcs"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=3600)
        if r.returncode != 0:
            sys.stderr.write(r.stdout.decode(errors="replace")[-4000:])
            raise RuntimeError("release build failed")
    if not os.access(binary, os.X_OK):
        raise RuntimeError("no odcs binary at %s" % binary)
    return binary


class Node:
    def __init__(self, index, port, node_id, proc, log_path):
        self.index = index
        self.port = port
        self.node_id = node_id
        self.proc = proc
        self.log_path = log_path

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None


class Cluster:
    """One private PostgreSQL and up to N nodes; `close()` (also at exit) stops everything."""

    def __init__(self, binary, results_dir, pg_port=None, node_port=None):
        self.binary = binary
        self.results = results_dir
        self.tmp = tempfile.mkdtemp(prefix="odcs-sch.", dir="/tmp")  # short: socket path < 107 bytes
        os.chmod(self.tmp, 0o711)
        self.pg_dir = os.path.join(self.tmp, "pg")
        self.pg_port = pg_port or free_port(int(os.environ.get("BENCH_PG_PORT", "56532")))
        self.node_port_base = node_port or int(os.environ.get("BENCH_NODE_PORT", "56105"))
        self.nodes = {}  # index -> Node
        self.node_env = {}
        self.node_logs = []
        self._closed = False
        self._pg_started = False
        atexit.register(self.close)
        self.url = "postgres://app@127.0.0.1:%d/postgres" % self.pg_port

    # ---------------------------------------------------------------- PostgreSQL
    def start_pg(self, stat_statements=False):
        r = subprocess.run([PG_PRIVATE, "start", self.pg_dir, str(self.pg_port)], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=180)
        self._pg_started = True
        if r.returncode != 0:
            raise RuntimeError("PostgreSQL did not start: " + r.stdout.decode(errors="replace"))
        log(r.stdout.decode().strip())
        if stat_statements:
            # pg_stat_statements (with planning time) to see where PostgreSQL's time goes;
            # `pg_ctl restart` keeps the options pg-private.sh started the server with.
            self.psql("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
            pg_ctl = [os.path.join(pg_bin(), "pg_ctl"), "-D", os.path.join(self.pg_dir, "data"), "-m", "fast", "-w",
                      "-t", "60", "restart"]
            if os.getuid() == 0:
                pg_ctl = ["runuser", "-u", "postgres", "--"] + pg_ctl
            subprocess.run(pg_ctl, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=120)
            self.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            self.psql("ALTER SYSTEM SET pg_stat_statements.track_planning = on")
            self.psql("SELECT pg_reload_conf()")
        self.postmaster_pid = int(open(os.path.join(self.pg_dir, "data", "postmaster.pid")).readline())

    def top_statements(self, limit=12):
        """The statements PostgreSQL spent most time on since the last reset."""
        return self.rows(
            "SELECT calls, round((total_exec_time + total_plan_time)::numeric, 1), "
            "round(((total_exec_time + total_plan_time) / greatest(calls, 1))::numeric, 3), "
            "round(total_plan_time::numeric, 1), rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) "
            "FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT %d" % limit)

    def psql(self, sql, timeout=600):
        r = subprocess.run(["psql", "-X", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", self.url, "-c", sql],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError("psql failed: %s\n%s" % (sql[:200], r.stderr.decode(errors="replace")))
        return r.stdout.decode()

    def rows(self, sql, timeout=600):
        out = self.psql(sql, timeout=timeout)
        return [line.split("|") for line in out.splitlines() if line]

    def scalar(self, sql):
        out = self.psql(sql).strip()
        return out.splitlines()[0] if out else None

    def bulk_insert(self, n):
        """n waiting composes in one transaction, with the wake-up in the same transaction."""
        r = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-1", self.url, "-f", "-"],
                           input=BULK_INSERT.format(n=n).encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=600)
        if r.returncode != 0:
            raise RuntimeError("bulk insert failed: " + r.stderr.decode(errors="replace"))

    def reset_composes(self):
        self.psql("TRUNCATE composes")
        self.psql("VACUUM ANALYZE composes")
        self.psql("CHECKPOINT")

    # ---------------------------------------------------------------- nodes
    def configure(self, **settings):
        """Settings for nodes started from now on, as config keys (test_generator.work_ms=…)."""
        env = {}
        for key, value in settings.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            env["ODCS_" + key.upper().replace(".", "_")] = str(value)
        self.node_env = env

    def start_node(self, index, wait=True):
        port = self.node_port_base + index
        if not port_free(port):
            deadline = time.time() + 10
            while not port_free(port) and time.time() < deadline:
                time.sleep(0.05)
        node_id = "n%d" % index
        state = os.path.join(self.tmp, "state-" + node_id)
        # BENCH_TARGET_ROOT (e.g. /dev/shm) moves the shared target dir off the disk, to measure
        # the scheduler without the filesystem's metadata I/O (staging dir, rename, journal).
        root = os.environ.get("BENCH_TARGET_ROOT")
        target = os.path.join(root, os.path.basename(self.tmp) + "-target") if root else os.path.join(self.tmp, "target")
        os.makedirs(state, exist_ok=True)
        os.makedirs(target, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ODCS_")}
        env.update(self.node_env)
        log_path = os.path.join(self.tmp, "node-%s.%d.log" % (node_id, len(self.node_logs)))
        self.node_logs.append(log_path)
        out = open(log_path, "wb")
        proc = subprocess.Popen(
            [self.binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--node-id", node_id,
             "--database-url", self.url, "--target-dir", target, "--target-dir-url", "http://127.0.0.1/odcs",
             "--state-dir", state],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        out.close()
        node = Node(index, port, node_id, proc, log_path)
        self.nodes[index] = node
        if wait:
            self.wait_ready(node)
        return node

    def wait_ready(self, node, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not node.alive():
                raise RuntimeError("node %s exited: %s" % (node.node_id, open(node.log_path).read()[-3000:]))
            try:
                c = http.client.HTTPConnection("127.0.0.1", node.port, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    c.close()
                    return
                c.close()
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("node %s not ready after %d s" % (node.node_id, timeout))

    def start_nodes(self, count):
        for i in range(count):
            self.start_node(i, wait=False)
        for i in range(count):
            self.wait_ready(self.nodes[i])

    def kill_node(self, index, sig=signal.SIGKILL):
        node = self.nodes[index]
        if node.alive():
            os.kill(node.pid, sig)
        node.proc.wait(timeout=60)

    def stop_node(self, index, timeout=15):
        node = self.nodes.get(index)
        if node is None:
            return
        if node.alive():
            node.proc.send_signal(signal.SIGTERM)
            try:
                node.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                node.proc.kill()
                node.proc.wait(timeout=30)
        del self.nodes[index]

    def stop_nodes(self):
        for node in list(self.nodes.values()):
            if node.alive():
                node.proc.send_signal(signal.SIGTERM)
        deadline = time.time() + 15
        for node in list(self.nodes.values()):
            try:
                node.proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                node.proc.kill()
                node.proc.wait(timeout=30)
        self.nodes.clear()

    def node_by_id(self, node_id):
        for node in self.nodes.values():
            if node.node_id == node_id:
                return node
        return None

    # ---------------------------------------------------------------- CPU accounting
    def cpu_ticks(self):
        """(node ticks by node id, postgres ticks, total busy ticks, total ticks) from /proc."""

        def ticks(pid):
            try:
                fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
                return int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                return 0

        nodes = {n.node_id: ticks(n.pid) for n in self.nodes.values() if n.alive()}
        pg = ticks(self.postmaster_pid)
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    ppid = int(open("/proc/%s/stat" % entry).read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                if ppid == self.postmaster_pid:
                    pg += ticks(int(entry))
        cpu = [int(x) for x in open("/proc/stat").readline().split()[1:]]
        idle = cpu[3] + cpu[4]
        return nodes, pg, sum(cpu) - idle, sum(cpu)

    # ---------------------------------------------------------------- clean-up
    def save_logs(self, subdir=None):
        dest = os.path.join(self.results, subdir) if subdir else self.results
        os.makedirs(dest, exist_ok=True)
        for path in self.node_logs:
            if os.path.exists(path):
                os.replace(path, os.path.join(dest, os.path.basename(path)))
        self.node_logs = []

    def close(self):
        if self._closed:
            return
        self._closed = True
        for node in list(self.nodes.values()):
            try:
                if node.alive():
                    node.proc.send_signal(signal.SIGTERM)
            except OSError:
                pass
        deadline = time.time() + 10
        for node in list(self.nodes.values()):
            try:
                node.proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                node.proc.kill()
                node.proc.wait()
        self.nodes.clear()
        try:
            self.save_logs("node-logs")
            if os.path.exists(os.path.join(self.pg_dir, "log")):
                os.replace(os.path.join(self.pg_dir, "log"), os.path.join(self.results, "postgres.log"))
        except OSError:
            pass
        if self._pg_started:
            subprocess.run([PG_PRIVATE, "stop", self.pg_dir, str(self.pg_port)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=120)
        shutil_rmtree(self.tmp)
        if os.environ.get("BENCH_TARGET_ROOT"):
            shutil_rmtree(os.path.join(os.environ["BENCH_TARGET_ROOT"], os.path.basename(self.tmp) + "-target"))


def shutil_rmtree(path):
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def install_signal_handlers():
    """SIGTERM/SIGINT become SystemExit, so that finally blocks and atexit run."""

    def handler(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


# ---------------------------------------------------------------- HTTP client
class API:
    """Keep-alive HTTP client for one node."""

    def __init__(self, port, timeout=10):
        self.port = port
        self.timeout = timeout
        self.conn = None

    def post_compose(self, build):
        body = json.dumps({"source": {"type": "build", "source": "", "builds": [build]}, "flags": ["no_reuse"]})
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                self.conn.request("POST", "/api/1/composes/", body=body, headers={"Content-Type": "application/json"})
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.status != 200:
                    raise RuntimeError("POST answered %d: %s" % (resp.status, data[:300]))
                return json.loads(data)["id"]
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# ---------------------------------------------------------------- the journal
def read_journal(path):
    """[(event, compose id, attempt, node, ns)] in file order."""
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 5:
                continue
            out.append((parts[0], int(parts[1]), int(parts[2]), parts[3], int(parts[4])))
    return out


def vm_kib(pid, field):
    """A /proc/<pid>/status field in kB (VmRSS, VmHWM); None when the process is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def machine_info():
    def cmd(args):
        try:
            return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30).stdout.decode().strip()
        except (OSError, subprocess.SubprocessError):
            return "?"

    pgbin = sorted(d for d in os.listdir("/usr/lib/postgresql"))[-1] if os.path.isdir("/usr/lib/postgresql") else None
    return {
        "nproc": cmd(["nproc"]),
        "free_g": cmd(["free", "-g"]),
        "swift": cmd(["swift", "--version"]).splitlines()[0] if cmd(["swift", "--version"]) else "?",
        "postgres": cmd(["/usr/lib/postgresql/%s/bin/postgres" % pgbin, "--version"]) if pgbin else "?",
        "kernel": cmd(["uname", "-r"]),
        "git": cmd(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]),
    }
