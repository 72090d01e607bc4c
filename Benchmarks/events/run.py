#!/usr/bin/env python3
"""Compose events: throughput and latency from a compose state change's commit to the
RabbitMQ broker's publisher confirm, through the outbox and the nodes' OutboxPublisher.

    Benchmarks/events/run.py                              # builds .build-release first
    Benchmarks/events/run.py --skip-build --configs 1x200 --rates 2000 --duration 10 --burst 0

See Benchmarks/events/README.md. Stdlib only; reuses the scheduler benchmark's PostgreSQL,
node and clean-up machinery (Benchmarks/scheduler/schedlib.py) and a private RabbitMQ
(scripts/rabbitmq-private.sh). Results: Benchmarks/results/events-<UTC stamp>/.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scheduler"))
sys.path.insert(0, HERE)
import schedlib  # noqa: E402
from amqpadmin import AMQPAdmin  # noqa: E402
from schedlib import ROOT, Cluster, percentile, vm_kib  # noqa: E402

RABBITMQ_PRIVATE = os.path.join(ROOT, "scripts", "rabbitmq-private.sh")
QUEUE = "odcs-bench"
TOPIC = "odcs.bench"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# About the size of one event's message body (a compose's JSON); measured per run too.
FLOOR_BODY_BYTES = 1700

# One generator transaction: `upd` waiting composes become failed (4) and `ins` new ones are
# created (state 0, wait): one event each, written by the outbox trigger. Its xid goes to
# bench_tx, so that the commit time of every event is known afterwards
# (track_commit_timestamp), and `created_at` (the transaction's now()) finds its row.
TICK_SQL = """BEGIN;
UPDATE composes SET state = 4, state_reason = 'bench', time_done = now()
 WHERE id IN (SELECT id FROM composes WHERE state = 0 ORDER BY id LIMIT {upd});
INSERT INTO composes (owner, source_type, source, state, results, flags, time_submitted, time_to_expire, builds, arches)
SELECT 'bench', 6, '', 0, 1, 64, now(), now() + interval '1 day', 'pkg-' || g || '-1', 'x86_64'
  FROM generate_series(1, {ins}) AS g;
INSERT INTO bench_tx (xid, started, scheduled, phase) VALUES (pg_current_xact_id()::xid, now(), {scheduled}, '{phase}');
COMMIT;
"""

BENCH_TABLE = """
CREATE TABLE IF NOT EXISTS bench_tx (xid xid NOT NULL, started timestamptz NOT NULL, scheduled float8, phase text NOT NULL);
CREATE INDEX IF NOT EXISTS bench_tx_started_idx ON bench_tx (started);
"""

# Per measured event: when its transaction committed, when a publisher's round that claimed it
# began (published_at is that transaction's now()), and when that round committed — after the
# broker's confirms, so an upper bound of the confirm time by the UPDATE and COMMIT that follow it.
EVENTS_SQL = """
SELECT o.id, o.compose_id, o.state,
       extract(epoch FROM pg_xact_commit_timestamp(b.xid)),
       extract(epoch FROM o.published_at),
       extract(epoch FROM pg_xact_commit_timestamp(o.xmin)),
       o.attempts
  FROM outbox o JOIN bench_tx b ON b.started = o.created_at
 WHERE b.phase = '{phase}'
 ORDER BY o.id
"""


def log(msg):
    sys.stderr.write("[events %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


# ---------------------------------------------------------------- processes and CPU
def proc_stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()


def children_map():
    kids = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(proc_stat(int(entry))[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(entry))
    return kids


def tree_ticks(pid, kids):
    """utime + stime of `pid` and every live descendant (dead children are lost: fine for
    long-lived servers and their backends, which live through a whole case)."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            f = proc_stat(p)
            total += int(f[11]) + int(f[12])
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(kids.get(p, []))
    return total


def machine_ticks():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    return {"busy": sum(cpu) - cpu[3] - cpu[4], "total": sum(cpu), "steal": cpu[7] if len(cpu) > 7 else 0,
            "irq": cpu[5] + cpu[6]}


def busy_cores_for(seconds):
    a = machine_ticks()
    time.sleep(seconds)
    b = machine_ticks()
    return (os.cpu_count() or 1) * (b["busy"] - a["busy"]) / max(1, b["total"] - a["total"])


def wait_quiet(max_busy, timeout):
    """Waits until the whole machine was below `max_busy` busy cores for two 1-s windows (other
    people's builds on the 2 cores would be measured too). Returns (busy cores, timed out)."""
    deadline = time.time() + timeout
    quiet = 0
    while True:
        busy = busy_cores_for(1.0)
        quiet = quiet + 1 if busy < max_busy else 0
        if quiet >= 2:
            return busy, False
        if time.time() > deadline:
            return busy, True
        if quiet == 0:
            log("machine busy (%.2f cores), waiting for it to be quiet" % busy)


# ---------------------------------------------------------------- RabbitMQ
class Broker:
    """A private RabbitMQ node (scripts/rabbitmq-private.sh) with one durable queue bound to
    amq.topic with the benchmark's routing key, so that confirms come after a durable enqueue
    of a persistent message, as for a real consumer's queue."""

    def __init__(self, directory, port, queue_mode="durable"):
        self.dir = directory
        self.port = port
        self.queue_mode = queue_mode  # durable, transient (a non-durable queue) or none (nothing bound)
        self.started = False

    def start(self):
        self.started = True
        r = subprocess.run([RABBITMQ_PRIVATE, "start", self.dir, str(self.port)], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=180)
        if r.returncode != 0:
            raise RuntimeError("RabbitMQ did not start: " + r.stdout.decode(errors="replace"))
        log(r.stdout.decode().splitlines()[0])
        with open(os.path.join(self.dir, "rabbitmq.pid")) as f:
            self.pid = int(f.read().strip())
        if self.queue_mode != "none":
            admin = self.admin()
            admin.declare_queue(QUEUE, durable=self.queue_mode == "durable")
            admin.bind_queue(QUEUE, "amq.topic", TOPIC)
            admin.close()

    @property
    def url(self):
        return "amqp://odcs:odcs@127.0.0.1:%d/%%2F" % self.port

    def admin(self):
        return AMQPAdmin("127.0.0.1", self.port, "odcs", "odcs")

    def messages(self):
        if self.queue_mode == "none":
            return None
        admin = self.admin()
        try:
            return admin.declare_queue(QUEUE, durable=self.queue_mode == "durable", passive=True)
        finally:
            admin.close()

    def purge(self):
        if self.queue_mode == "none":
            return 0
        admin = self.admin()
        try:
            return admin.purge_queue(QUEUE)
        finally:
            admin.close()

    def confirm_floor(self, batches, rounds, body_bytes):
        """Round times of a Python publisher doing what one node's round does on the wire:
        `batch` persistent messages of `body_bytes` pipelined, then all confirms awaited."""
        out = {}
        admin = self.admin()
        try:
            body = b"x" * body_bytes
            for batch in batches:
                admin.confirm_rounds("amq.topic", TOPIC, body, batch, 3)  # warm-up
                times = admin.confirm_rounds("amq.topic", TOPIC, body, batch, rounds)
                out[str(batch)] = {"rounds": rounds, "p50_ms": ms(percentile(times, 50)), "p90_ms": ms(percentile(times, 90)),
                                   "max_ms": ms(max(times)), "msgs_per_s": round(batch * rounds / sum(times), 1)}
        finally:
            admin.close()
        self.purge()
        return out

    def version(self):
        r = subprocess.run([RABBITMQ_PRIVATE, "ctl", self.dir, "version"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        return r.stdout.decode().strip()

    def stop(self, results_dir):
        if not self.started:
            return
        self.started = False
        log_dir = os.path.join(self.dir, "log")
        try:
            for name in os.listdir(log_dir):
                if name.endswith(".log"):
                    with open(os.path.join(log_dir, name), "rb") as src:
                        data = src.read()[-2_000_000:]
                    with open(os.path.join(results_dir, "rabbitmq-" + name), "wb") as dst:
                        dst.write(data)
        except OSError:
            pass
        subprocess.run([RABBITMQ_PRIVATE, "stop", self.dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120)


def broker_port(start):
    """A port free together with PORT+1 (amqps), PORT+10000 (epmd) and PORT+20000 (distribution)."""
    for p in range(start, start + 200):
        if all(schedlib.port_free(x) for x in (p, p + 1, p + 10000, p + 20000)):
            return p
    raise RuntimeError("no free RabbitMQ port set near %d" % start)


# ---------------------------------------------------------------- PostgreSQL sessions
class PsqlSession:
    """One long-lived psql reading statements from a pipe: the load generator and the backlog
    sampler each keep one session, so that neither pays a process start per statement."""

    def __init__(self, url, err_path, output=False):
        self.err = open(err_path, "ab")
        self.proc = subprocess.Popen(
            ["psql", "-X", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", url],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE if output else subprocess.DEVNULL, stderr=self.err,
            bufsize=0)

    def send(self, sql):
        self.proc.stdin.write(sql.encode())

    def query_line(self, sql):
        self.send(sql)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("psql session ended")
        return line.decode().strip()

    def close(self, timeout=120):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=timeout)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.err.close()
        return self.proc.returncode


class BacklogSampler(threading.Thread):
    """`count(*)` of unpublished events every `interval` s: (epoch, backlog) pairs."""

    def __init__(self, url, err_path, interval=0.5):
        super().__init__(daemon=True)
        self.session = PsqlSession(url, err_path, output=True)
        self.interval = interval
        self.samples = []
        self.stop_flag = threading.Event()

    def run(self):
        while not self.stop_flag.is_set():
            t = time.time()
            line = self.session.query_line(
                "SELECT extract(epoch FROM clock_timestamp()), count(*) FROM outbox WHERE published_at IS NULL;\n")
            at, count = line.split("|")
            self.samples.append((float(at), int(count)))
            self.stop_flag.wait(max(0.0, self.interval - (time.time() - t)))

    def stop(self):
        self.stop_flag.set()
        self.join(timeout=30)
        self.session.close()

    def sample(self):
        return self.samples[-1][1] if self.samples else None


# ---------------------------------------------------------------- the bench
class EventBench:
    def __init__(self, args, binary, results_dir):
        self.args = args
        self.results = results_dir
        self.tmp = tempfile.mkdtemp(prefix="odcs-evbench.", dir=args.tmp_root)
        os.chmod(self.tmp, 0o711)
        self.cluster = Cluster(binary, results_dir)
        self.broker = Broker(os.path.join(self.tmp, "rmq"), broker_port(args.rabbitmq_port), args.queue)
        self.psql = self.cluster.psql
        self.rows = self.cluster.rows
        self.scalar = self.cluster.scalar

    def start(self):
        self.broker.start()
        self.cluster.start_pg(stat_statements=True)
        # Commit times of both sides (the generator's and the publisher's transactions), and the
        # plan of any statement slower than 1 s in the log (a claim's plan can change mid-run).
        self.psql("ALTER SYSTEM SET track_commit_timestamp = on")
        self.psql("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', 'auto_explain'")
        # ALTER SYSTEM knows a module's settings only once the module is loaded in the session.
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.cluster.url, "-c", "LOAD 'auto_explain'",
                        "-c", "ALTER SYSTEM SET auto_explain.log_min_duration = '1s'"], check=True, timeout=60,
                       stdout=subprocess.DEVNULL)
        for item in self.args.pg_set or []:
            key, _, value = item.partition("=")
            self.psql("ALTER SYSTEM SET %s = '%s'" % (key, value))
        if self.args.stats == "autovacuum":
            # The best a deployment can do for fresh statistics: look at every table every second.
            self.psql("ALTER SYSTEM SET autovacuum_naptime = '1s'")
        # -l: without it the restarted server logs to pg_ctl's output, which is discarded.
        pg_ctl = [os.path.join(schedlib.pg_bin(), "pg_ctl"), "-D", os.path.join(self.cluster.pg_dir, "data"), "-l",
                  os.path.join(self.cluster.pg_dir, "log"), "-m", "fast", "-w", "-t", "60", "restart"]
        if os.getuid() == 0:
            pg_ctl = ["runuser", "-u", "postgres", "--"] + pg_ctl
        subprocess.run(pg_ctl, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=120)
        self.cluster.postmaster_pid = int(open(os.path.join(self.cluster.pg_dir, "data", "postmaster.pid")).readline())
        if self.scalar("SHOW track_commit_timestamp") != "on":
            raise RuntimeError("track_commit_timestamp did not come on")

    def close(self):
        self.cluster.close()  # nodes, PostgreSQL, its temp dir; logs to the results dir
        self.broker.stop(self.results)
        schedlib.shutil_rmtree(self.tmp)

    # ------------------------------------------------------------ nodes
    def start_nodes(self, count, batch):
        settings = {
            "messaging_backend": "amqp",
            "messaging_broker_urls": json.dumps([self.broker.url]),
            "messaging_topic": TOPIC,
            "num_concurrent_pungi": 0,
            "outbox_batch_size": batch,
            "outbox_poll_interval_ms": self.args.poll_interval_ms,
            "drain_timeout": 0,
            "log_level": "info",
        }
        for item in self.args.set or []:
            key, _, value = item.partition("=")
            settings[key] = value
        self.cluster.configure(**settings)
        self.cluster.start_nodes(count)
        self.psql(BENCH_TABLE)
        self.node_settings = settings
        self.node_count = count

    def stop_nodes(self, subdir):
        self.cluster.stop_nodes()
        self.cluster.save_logs(subdir)

    # ------------------------------------------------------------ state
    def reset(self):
        """Empty composes, outbox and the queue, so that each case starts from the same state."""
        self.psql("TRUNCATE composes, outbox, bench_tx RESTART IDENTITY")
        if self.args.stats == "stale":
            self.psql("ALTER TABLE outbox SET (autovacuum_enabled = false)")
        else:
            self.psql("ALTER TABLE outbox RESET (autovacuum_enabled)")
        self.psql("VACUUM ANALYZE composes")
        self.psql("VACUUM ANALYZE outbox")
        self.psql("CHECKPOINT")
        self.broker.purge()

    def settle_statistics(self):
        """`stale` (default): ANALYZE the outbox now, when every event so far is published, and
        let nothing analyze it during the case: what the planner knows in service when load
        arrives after a quiet spell (autovacuum last saw no unpublished event). `autovacuum`:
        leave it to autovacuum (naptime 1 s)."""
        if self.args.stats == "stale":
            self.psql("ANALYZE outbox")

    def backlog(self):
        return int(self.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL"))

    def wait_drained(self, timeout, sampler=None):
        """Until no event is unpublished. With a sampler running, its samples are used: polling
        count(*) here as well would add PostgreSQL work that grows with the backlog."""
        deadline = time.time() + timeout
        # A sample in flight when this is called may have been taken before the caller's last
        # commit: only a sample begun after this call counts (the second new one at the earliest).
        first = len(sampler.samples) if sampler is not None else 0
        while time.time() < deadline:
            if sampler is not None:
                seen = len(sampler.samples)
                while len(sampler.samples) == seen and time.time() < deadline:
                    time.sleep(0.05)
                if len(sampler.samples) >= first + 2 and sampler.sample() == 0:
                    return True
            elif self.backlog() == 0:
                return True
            else:
                time.sleep(0.1)
        return False

    def one_tx(self, ins, upd, phase):
        """One generator transaction through its own psql (warm-up, pool and burst)."""
        r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.cluster.url, "-f", "-"],
                           input=TICK_SQL.format(ins=ins, upd=upd, scheduled="NULL", phase=phase).encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
        if r.returncode != 0:
            raise RuntimeError("generator transaction failed: " + r.stderr.decode(errors="replace"))

    # ------------------------------------------------------------ accounting
    def resource_snapshot(self, sampler=None):
        kids = children_map()
        return {
            "t": time.time(),
            "machine": machine_ticks(),
            "nodes": {n.node_id: tree_ticks(n.pid, kids) for n in self.cluster.nodes.values()},
            "postgres": tree_ticks(self.cluster.postmaster_pid, kids),
            "broker": tree_ticks(self.broker.pid, kids),
            # The driver and the psql clients it has waited for (the generator's session included).
            "self": sum(os.times()[:4]) * CLK_TCK + (tree_ticks(sampler.session.proc.pid, kids) if sampler else 0),
        }

    def resources_between(self, a, b):
        seconds = b["t"] - a["t"]
        ncpu = os.cpu_count() or 1
        total = b["machine"]["total"] - a["machine"]["total"]
        cores = lambda ticks: round(ticks / CLK_TCK / seconds, 3)  # noqa: E731
        nodes = {k: cores(b["nodes"][k] - a["nodes"].get(k, 0)) for k in b["nodes"]}
        return {
            "seconds": round(seconds, 2),
            "nodes": nodes,
            "nodes_total": round(sum(nodes.values()), 3),
            "postgres": cores(b["postgres"] - a["postgres"]),
            "broker": cores(b["broker"] - a["broker"]),
            "driver": cores(b["self"] - a["self"]),
            "machine_busy": round(ncpu * (b["machine"]["busy"] - a["machine"]["busy"]) / max(1, total), 3),
            # Interrupt time (loopback networking's softirqs) is nobody's process time: left out.
            "irq": round(ncpu * (b["machine"]["irq"] - a["machine"]["irq"]) / max(1, total), 3),
            "others": round(ncpu * (b["machine"]["busy"] - a["machine"]["busy"] - b["machine"]["irq"] + a["machine"]["irq"])
                            / max(1, total) - sum(nodes.values())
                            - cores(b["postgres"] - a["postgres"]) - cores(b["broker"] - a["broker"])
                            - cores(b["self"] - a["self"]), 3),
            "steal": round(ncpu * (b["machine"]["steal"] - a["machine"]["steal"]) / max(1, total), 3),
        }

    def reset_peaks(self):
        for n in self.cluster.nodes.values():
            try:
                with open("/proc/%d/clear_refs" % n.pid, "w") as f:
                    f.write("5")  # VmHWM := VmRSS, so each case gets its own peak
            except OSError:
                pass

    def peaks(self):
        return {n.node_id: {"vmhwm_kib": vm_kib(n.pid, "VmHWM"), "vmrss_kib": vm_kib(n.pid, "VmRSS")}
                for n in self.cluster.nodes.values()}

    # ------------------------------------------------------------ cases
    def prepare_case(self, name):
        self.reset()
        busy, noisy = wait_quiet(self.args.max_busy, self.args.quiet_timeout)
        self.psql("SELECT pg_stat_statements_reset()")
        self.reset_peaks()
        return {"name": name, "background_cores": round(busy, 3), "noisy": noisy}

    def finish_case(self, case, phase, sampler, res_a, res_b, t_gen_end, drained):
        sampler.stop()
        case["resources"] = self.resources_between(res_a, res_b)
        case["noisy"] = case["noisy"] or case["resources"]["others"] > self.args.max_other
        case["node_peaks"] = self.peaks()
        case["drained"] = drained
        if not drained:
            # Stop the publishers (and their claims still running in PostgreSQL) so that the
            # counts below hold still; the nodes start again for the next case.
            self.cluster.stop_nodes()
            self.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                      "AND backend_type = 'client backend'")
        rows = self.rows(EVENTS_SQL.format(phase=phase))
        events = [(int(r[0]), int(r[1]), int(r[2]), float(r[3]), float(r[4]) if r[4] else None,
                   float(r[5]) if r[4] else None, int(r[6])) for r in rows]
        case.update(analyse(events, case.get("t_start"), t_gen_end, self.args.warmup))
        case["backlog_samples"] = [(round(t - case["t_start"], 2), n) for t, n in sampler.samples]
        after = [n for t, n in sampler.samples if t >= case["t_start"]]
        case["backlog_peak"] = max(after) if after else None
        gen_end_samples = [n for t, n in sampler.samples if t <= t_gen_end]
        case["backlog_at_generation_end"] = gen_end_samples[-1] if gen_end_samples else None
        unpublished = int(self.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
        total_events = int(self.scalar("SELECT count(*) FROM outbox"))
        case["outbox_total"] = total_events
        case["outbox_unpublished"] = unpublished
        case["queue_messages"] = self.broker.messages()
        case["queue_vs_published"] = case["queue_messages"] - (total_events - unpublished)
        case["snapshot_bytes_avg"] = float(self.scalar("SELECT coalesce(avg(octet_length(snapshot::text)), 0) FROM outbox"))
        case["attempts_gt0"] = int(self.scalar("SELECT count(*) FROM outbox WHERE attempts > 0"))
        case["top_statements"] = self.cluster.top_statements(8)
        if not drained:
            # Empty first: a node started over the remaining backlog would claim it with the same
            # plan, for minutes, and the next case's TRUNCATE would wait for that claim.
            self.psql("TRUNCATE composes, outbox, bench_tx RESTART IDENTITY")
            self.cluster.start_nodes(self.node_count)
        return case

    def run_rate(self, rate, config):
        args = self.args
        name = "%s rate %d" % (config, rate)
        case = self.prepare_case(name)
        per_tick = rate * args.tick_ms / 1000.0
        upd = int(round(per_tick * args.update_share))
        ins = int(round(per_tick)) - upd
        # A pool of waiting composes for the updates to take, older than anything measured;
        # its events are published before the measurement starts.
        pool = int(upd * (args.pool_seconds * 1000.0 / args.tick_ms))
        if pool:
            self.one_tx(pool, 0, "pool")
            if not self.wait_drained(300):
                raise RuntimeError("the pool's events were not published within 300 s")
        self.settle_statistics()
        case.update({"offered_rate": rate, "tick_ms": args.tick_ms, "inserts_per_tick": ins, "updates_per_tick": upd,
                     "pool": pool, "duration": args.duration})
        sampler = BacklogSampler(self.cluster.url, os.path.join(self.results, "psql.err"), args.sample_interval)
        sampler.start()
        time.sleep(args.sample_interval * 2)
        gen = PsqlSession(self.cluster.url, os.path.join(self.results, "psql.err"))
        res_a = self.resource_snapshot(sampler)
        ticks = int(args.duration * 1000 / args.tick_ms)
        t0 = time.time()
        case["t_start"] = t0
        late = 0
        for i in range(ticks):
            scheduled = t0 + i * args.tick_ms / 1000.0
            delay = scheduled - time.time()
            if delay > 0:
                time.sleep(delay)
            else:
                late += 1
            gen.send(TICK_SQL.format(ins=ins, upd=upd, scheduled="%.6f" % scheduled, phase="run"))
        if gen.close() != 0:
            raise RuntimeError("the generator's psql failed; see psql.err")
        t_gen_end = time.time()
        drained = self.wait_drained(args.drain_timeout, sampler)
        time.sleep(args.sample_interval)
        res_b = self.resource_snapshot(sampler)
        case["late_ticks"] = late
        lag = self.rows("SELECT extract(epoch FROM pg_xact_commit_timestamp(xid)) - scheduled FROM bench_tx "
                        "WHERE phase = 'run' ORDER BY scheduled")
        lags = [float(r[0]) for r in lag]
        case["generator_commit_lag_ms"] = {"p50": ms(percentile(lags, 50)), "p99": ms(percentile(lags, 99)),
                                           "max": ms(max(lags))}
        return self.finish_case(case, "run", sampler, res_a, res_b, t_gen_end, drained)

    def run_burst(self, count, config):
        name = "%s burst %d" % (config, count)
        case = self.prepare_case(name)
        case.update({"burst": count})
        # Some published events first, as in the rate cases (and in service): the statistics of
        # an outbox whose events are all published.
        self.one_tx(self.args.burst_pool, 0, "pool")
        if not self.wait_drained(300):
            raise RuntimeError("the pool's events were not published within 300 s")
        self.settle_statistics()
        sampler = BacklogSampler(self.cluster.url, os.path.join(self.results, "psql.err"), self.args.sample_interval)
        sampler.start()
        time.sleep(self.args.sample_interval * 2)
        res_a = self.resource_snapshot(sampler)
        case["t_start"] = time.time()
        self.one_tx(count, 0, "burst")
        t_gen_end = time.time()
        drained = self.wait_drained(self.args.drain_timeout, sampler)
        time.sleep(self.args.sample_interval)
        res_b = self.resource_snapshot(sampler)
        return self.finish_case(case, "burst", sampler, res_a, res_b, t_gen_end, drained)

    def explain_claim(self, backlog, stale_backlog, batch):
        """The publisher's claim over a standing backlog, nodes stopped: EXPLAIN ANALYZE of the claim
        as the node sends it (its text from pg_stat_statements) with the outbox's statistics fresh
        (ANALYZEd with the backlog in it) and stale (ANALYZEd when every event was published, as in
        the rate cases). Half of a backlog's events are the creations of backlog/2 composes, half
        their next state change. A check compares the events it claims with those of the first
        version's claim (DISTINCT ON over the whole backlog, the reference semantics: the oldest
        unpublished event of each compose, in id order), which is explained too where it finishes
        in reasonable time."""
        query = self.psql("SELECT query FROM pg_stat_statements WHERE query LIKE '%FOR UPDATE OF o SKIP LOCKED%' "
                          "AND query LIKE '%p.compose_id = o.compose_id%' "
                          "AND query NOT LIKE '%pg_stat_statements%' LIMIT 1").strip()
        if not query:
            return None
        # pg_stat_statements shows constants as parameters: the limit ($1) and NULL::composes.
        # The head subquery's LIMIT 1 is normalized too: put it back, then the batch size.
        current = re.sub(r"\$\d+::composes", "NULL::composes", query)
        current = re.sub(r"LIMIT \$\d+\)", "LIMIT 1)", current)
        current = re.sub(r"LIMIT \$\d+", "LIMIT %d" % batch, current)
        reference, n = re.subn(
            r"AND o\.id = \(SELECT p\.id FROM outbox p WHERE p\.compose_id = o\.compose_id AND p\.published_at IS NULL\s+"
            r"ORDER BY p\.compose_id, p\.id LIMIT 1\)",
            "AND o.id IN (SELECT DISTINCT ON (compose_id) id FROM outbox WHERE published_at IS NULL ORDER BY compose_id, id)",
            current)
        out = {"batch": batch, "query": query, "reference_query": reference if n == 1 else None}

        def explain(sql):
            text = self.psql("BEGIN; SET LOCAL jit = off; EXPLAIN (ANALYZE, BUFFERS) " + sql + "; ROLLBACK;", timeout=1800)
            m = re.search(r"Execution Time: ([0-9.]+) ms", text)
            return {"execution_ms": float(m.group(1)) if m else None, "plan": text}

        def claimed_ids(sql):
            plain = "SELECT o.id AS eid " + sql[sql.index("FROM outbox o"):].replace("FOR UPDATE OF o SKIP LOCKED", "")
            return self.scalar("SET jit = off; SELECT md5(string_agg(eid::text, ',' ORDER BY eid)) || ' ' || count(*) "
                               "FROM (%s) q" % plain)

        def load(events, published_first):
            self.psql("TRUNCATE composes, outbox, bench_tx RESTART IDENTITY")
            self.psql("ALTER TABLE outbox SET (autovacuum_enabled = false)")
            if published_first:
                # Earlier events, all published, then ANALYZE: the planner believes nothing is pending.
                self.one_tx(published_first, 0, "explain")
                self.psql("UPDATE outbox SET published_at = now(), delivered = '{amqp}'")
                self.psql("VACUUM ANALYZE outbox")
            self.one_tx(events - events // 2, 0, "explain")
            self.one_tx(0, events // 2, "explain")
            if not published_first:
                self.psql("VACUUM ANALYZE outbox")

        for label, events, published_first in (("fresh", backlog, 0), ("stale", stale_backlog, 2000),
                                               ("stale_large", backlog, 2000)):
            load(events, published_first)
            entry = {"backlog": events, "published_before": published_first}
            entry["claim"] = explain(current)
            entry["claim_repeat"] = explain(current)
            if n == 1 and label != "stale_large":  # the reference would run for many minutes there
                entry["reference"] = explain(reference)
                entry["same_events"] = claimed_ids(current) == claimed_ids(reference)
            out[label] = entry
            log("claim over %d events (%s statistics): %s ms (reference %s ms, same events: %s)" % (
                events, label, (entry.get("claim_repeat") or {}).get("execution_ms"),
                (entry.get("reference") or {}).get("execution_ms"), entry.get("same_events")))
        self.psql("ALTER TABLE outbox RESET (autovacuum_enabled)")
        return out


def ms(seconds):
    return round(seconds * 1000.0, 1)


def analyse(events, t_start, t_gen_end, warmup):
    """Throughput and latency of one case's events.

    commit: the generator's commit; claim: the start of the publisher transaction that claimed the
    event (its published_at); confirmed: that transaction's commit, after the broker's confirms."""
    published = [e for e in events if e[5] is not None]
    out = {"events": len(events), "published": len(published), "unpublished_at_end": len(events) - len(published)}
    if not published:
        return out
    inf = float("inf")
    first_commit = min(e[3] for e in events)
    last_confirm = max(e[5] for e in published)
    out["overall_rate"] = round(len(published) / max(1e-9, last_confirm - first_commit), 1)
    out["first_commit_to_last_confirm_s"] = round(last_confirm - first_commit, 3)
    # An event still unpublished when the case ended counts as infinitely late.
    lat = [e[5] - e[3] if e[5] is not None else inf for e in events]
    wait = [e[4] - e[3] for e in published]
    round_ = [e[5] - e[4] for e in published]
    out["latency_ms"] = dist(lat)
    out["commit_to_claim_ms"] = dist(wait)
    out["claim_to_confirm_commit_ms"] = dist(round_)
    if t_start is not None and t_gen_end is not None and t_gen_end - t_start > warmup + 1:
        lo, hi = t_start + warmup, t_gen_end
        confirmed_in = [e for e in published if lo <= e[5] < hi]
        committed_in = [e for e in events if lo <= e[3] < hi]
        out["steady_window_s"] = round(hi - lo, 2)
        out["steady_offered_rate"] = round(len(committed_in) / (hi - lo), 1)
        out["steady_confirmed_rate"] = round(len(confirmed_in) / (hi - lo), 1)
        steady_lat = [e[5] - e[3] if e[5] is not None else inf for e in events if lo <= e[3] < hi]
        out["steady_latency_ms"] = dist(steady_lat)
        # Per-second confirmations, to show whether the rate held or sagged.
        per_second = {}
        for e in published:
            per_second[int(e[5] - t_start)] = per_second.get(int(e[5] - t_start), 0) + 1
        out["confirmed_per_second"] = [per_second.get(s, 0) for s in range(0, int(max(per_second) + 1))]
    rounds = {}
    for e in published:
        rounds.setdefault(e[5], []).append(e)
    sizes = [len(v) for v in rounds.values()]
    out["rounds"] = len(rounds)
    out["events_per_round"] = {"mean": round(sum(sizes) / len(sizes), 1), "max": max(sizes)}
    durations = [v[0][5] - v[0][4] for v in rounds.values()]
    out["round_duration_ms"] = dist(durations)
    return out


def dist(values):
    """Percentiles in ms; None stands for an event never published (the case's drain timed out)."""
    if not values:
        return None
    finite = [v for v in values if v != float("inf")]

    def q(v):
        return None if v == float("inf") else ms(v)

    return {"n": len(values), "unpublished": len(values) - len(finite), "p50": q(percentile(values, 50)),
            "p90": q(percentile(values, 90)), "p99": q(percentile(values, 99)), "max": q(max(values)),
            "mean_published": ms(sum(finite) / len(finite)) if finite else None}


# ---------------------------------------------------------------- report
def summary_markdown(results):
    lines = ["# Compose events (outbox → RabbitMQ), %s" % results["stamp"], "",
             "Machine: nproc %s, %s RAM, %s, %s, %s, %s. Sources at %s." % (
                 results["machine"]["nproc"], results["machine"].get("mem", "?"), results["machine"]["swift"],
                 results["machine"]["postgres"], results.get("rabbitmq", "?"), results["machine"]["kernel"],
                 results["machine"]["git"]), "",
             "Latency = publisher's commit (after the broker's confirms) − generator's commit. "
             "CPU in cores (2.0 = the machine).", "",
             "| case | offered/s | confirmed/s (steady) | overall/s | p50 | p99 | max | backlog peak | "
             "at gen end | nodes CPU | PG CPU | broker CPU | others | node peak RSS | queue − published | rounds × mean size |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for c in results["cases"]:
        lat = c.get("latency_ms") or {}
        r = c.get("resources", {})
        rss = max((p["vmhwm_kib"] or 0) for p in c.get("node_peaks", {}).values()) / 1024 if c.get("node_peaks") else 0
        lines.append("| %s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.0f MiB | %s | %s × %s |" % (
            c["name"], " (noisy)" if c.get("noisy") else "",
            c.get("steady_offered_rate", c.get("burst", "")), c.get("steady_confirmed_rate", "—"),
            c.get("overall_rate", "—"), lat.get("p50"), lat.get("p99"), lat.get("max"), c.get("backlog_peak"),
            c.get("backlog_at_generation_end"), r.get("nodes_total"), r.get("postgres"), r.get("broker"),
            r.get("others"), rss, c.get("queue_vs_published"), c.get("rounds"),
            (c.get("events_per_round") or {}).get("mean")))
    lines.append("")
    for c in results["cases"]:
        lines.append("- %s: commit→claim %s; claim→confirmed commit %s; round %s; generator lag %s; attempts>0: %s; "
                     "drained: %s; background %.2f cores" % (
                         c["name"], fmt(c.get("commit_to_claim_ms")), fmt(c.get("claim_to_confirm_commit_ms")),
                         fmt(c.get("round_duration_ms")), c.get("generator_commit_lag_ms"), c.get("attempts_gt0"),
                         c.get("drained"), c.get("background_cores", 0)))
    return "\n".join(lines) + "\n"


def fmt(d):
    if not d:
        return "—"
    return "p50 %s / p99 %s / max %s ms" % (d["p50"], d["p99"], d["max"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", default="1x200,2x200,1x1000",
                        help="node count × outbox_batch_size, comma list (default 1x200,2x200,1x1000)")
    parser.add_argument("--rates", default="1000,2000,3000,4000", help="offered events/s, comma list")
    parser.add_argument("--duration", type=float, default=25.0, help="seconds of generation per rate")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds at the start left out of the steady window")
    parser.add_argument("--burst", type=int, default=50000, help="events inserted in one transaction (0: no burst case)")
    parser.add_argument("--max-other", type=float, default=0.25,
                        help="a case during which processes other than the bench's used more cores than this is noisy")
    parser.add_argument("--repeat-noisy", type=int, default=2, help="run a noisy case again, at most this many times")
    parser.add_argument("--tick-ms", type=float, default=20.0, help="one generator transaction every this many ms")
    parser.add_argument("--update-share", type=float, default=0.5,
                        help="share of each tick's events that are state changes (wait→failed) of earlier composes; "
                             "the rest are new composes")
    parser.add_argument("--pool-seconds", type=float, default=2.0,
                        help="waiting composes inserted (and published) before a rate case, in seconds of updates")
    parser.add_argument("--sample-interval", type=float, default=0.5, help="backlog sample interval, s")
    parser.add_argument("--drain-timeout", type=float, default=120.0, help="longest wait for the backlog after a case, s")
    parser.add_argument("--poll-interval-ms", type=int, default=500, help="outbox_poll_interval_ms of the nodes")
    parser.add_argument("--queue", choices=("durable", "transient", "none"), default="durable",
                        help="the queue bound to the events' routing key: durable (default; confirms after the "
                             "persistent message is on disk), transient (a non-durable queue), none (nothing bound)")
    parser.add_argument("--floor-rounds", type=int, default=30,
                        help="rounds of the broker floor (a Python publisher, batches of 100/200/1000); 0: skip")
    parser.add_argument("--stats", choices=("stale", "autovacuum"), default="stale",
                        help="the outbox's planner statistics during a case: stale (default; ANALYZEd when all its "
                             "events were published, autovacuum off for the table) or autovacuum (autovacuum_naptime 1 s)")
    parser.add_argument("--pg-set", action="append",
                        help="a PostgreSQL setting for the whole run, key=value (ALTER SYSTEM), e.g. enable_nestloop=off")
    parser.add_argument("--burst-pool", type=int, default=2000, help="events published before the burst")
    parser.add_argument("--set", action="append", help="extra node setting key=value (config key names)")
    parser.add_argument("--explain-backlog", type=int, default=50000,
                        help="EXPLAIN ANALYZE the claim over this many waiting events at the end (0: skip)")
    parser.add_argument("--explain-stale-backlog", type=int, default=5000,
                        help="the same with stale statistics, for the current claim (quadratic: keep it small)")
    parser.add_argument("--max-busy", type=float, default=0.3, help="busy cores below which a case may start")
    parser.add_argument("--quiet-timeout", type=float, default=600.0, help="longest wait for a quiet machine, s")
    parser.add_argument("--rabbitmq-port", type=int, default=int(os.environ.get("BENCH_RABBITMQ_PORT", "5790")))
    parser.add_argument("--tmp-root", default="/var/tmp", help="where the broker's and the run's temp dir go")
    parser.add_argument("--skip-build", action="store_true", default=bool(os.environ.get("BENCH_SKIP_BUILD")))
    args = parser.parse_args()
    schedlib.install_signal_handlers()

    configs = []
    for c in args.configs.split(","):
        n, _, b = c.partition("x")
        configs.append((int(n), int(b)))
    rates = [int(r) for r in args.rates.split(",") if r]

    binary = schedlib.build(args.skip_build)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    results_dir = os.path.join(ROOT, "Benchmarks", "results", "events-" + stamp)
    os.makedirs(results_dir)
    mem = subprocess.run(["free", "-h"], stdout=subprocess.PIPE).stdout.decode().splitlines()[1].split()[1]
    results = {"stamp": stamp, "machine": dict(schedlib.machine_info(), mem=mem), "args": vars(args),
               "binary_built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(os.stat(binary).st_mtime)), "cases": []}
    bench = EventBench(args, binary, results_dir)

    def save():
        with open(os.path.join(results_dir, "results.json"), "w") as f:
            json.dump(results, f, indent=1)

    try:
        bench.start()
        results["rabbitmq"] = "RabbitMQ " + bench.broker.version()
        results["broker_port"] = bench.broker.port
        results["queue"] = args.queue
        if args.floor_rounds:
            busy, noisy = wait_quiet(args.max_busy, args.quiet_timeout)
            results["broker_floor"] = bench.broker.confirm_floor([100, 200, 1000], args.floor_rounds, FLOOR_BODY_BYTES)
            results["broker_floor_background"] = {"cores": round(busy, 3), "noisy": noisy}
            log("broker floor (Python publisher, confirms awaited per batch): %s" % results["broker_floor"])
        for nodes, batch in configs:
            config = "%dx%d" % (nodes, batch)
            log("config %s: %d node(s), outbox_batch_size %d" % (config, nodes, batch))
            bench.start_nodes(nodes, batch)
            results.setdefault("node_settings", {})[config] = bench.node_settings
            # Warm-up: the first round opens each node's AMQP connection.
            bench.reset()
            bench.one_tx(500, 0, "warmup")
            if not bench.wait_drained(120):
                raise RuntimeError("warm-up events were not published")
            def measured(label, run):
                """Runs a case; a noisy one (someone else's work on the 2 cores) is kept aside and run again."""
                for attempt in range(args.repeat_noisy + 1):
                    log("%s: %s%s" % (config, label, " (again: the last one was noisy)" if attempt else ""))
                    case = run()
                    case.update({"config": config, "nodes": nodes, "batch": batch, "attempt": attempt + 1})
                    lat = case.get("latency_ms") or {}
                    log("  confirmed %s/s steady, %s/s overall, p50 %s ms, p99 %s ms, backlog peak %s, others %.2f cores" % (
                        case.get("steady_confirmed_rate"), case.get("overall_rate"), lat.get("p50"), lat.get("p99"),
                        case.get("backlog_peak"), case["resources"]["others"]))
                    if not case["noisy"] or attempt == args.repeat_noisy:
                        results["cases"].append(case)
                        break
                    results.setdefault("noisy_cases", []).append(case)
                save()

            for rate in rates:
                measured("%d events/s for %.0f s" % (rate, args.duration), lambda: bench.run_rate(rate, config))
            if args.burst:
                measured("burst of %d events" % args.burst, lambda: bench.run_burst(args.burst, config))
            bench.stop_nodes("nodes-" + config)
        if args.explain_backlog:
            results["claim_explain"] = bench.explain_claim(args.explain_backlog, args.explain_stale_backlog, configs[0][1])
            save()
        with open(os.path.join(results_dir, "summary.md"), "w") as f:
            f.write(summary_markdown(results))
        sys.stdout.write(summary_markdown(results))
    finally:
        save()
        bench.close()
    log("results in %s" % results_dir)


if __name__ == "__main__":
    main()
