#!/usr/bin/env python3
"""Event streams: what open `GET /api/1/events/` streams cost one node's database and memory.

    Benchmarks/streams/run.py                         # builds .build-release first
    Benchmarks/streams/run.py --skip-build --streams 2000 --duration 90

See Benchmarks/streams/README.md. Stdlib only; reuses the scheduler benchmark's PostgreSQL,
node and clean-up machinery (Benchmarks/scheduler/schedlib.py). Results:
Benchmarks/results/streams-<UTC stamp>/.
"""

import argparse
import json
import os
import selectors
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scheduler"))
import schedlib  # noqa: E402
from schedlib import API, ROOT, Cluster, vm_kib  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
TARGET_EXTRA_TRANSACTIONS = 0.05
TARGET_RSS_MB = 300


def log(msg):
    sys.stderr.write("[streams %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


# ---------------------------------------------------------------- the streams
class Stream:
    """One event stream on a non-blocking socket: de-chunks the body and keeps the event ids."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(b"GET /api/1/events/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        self.sock.setblocking(False)
        self.buffer = b""
        self.head = None
        self.ids = []
        self.closed = False

    def feed(self, data):
        self.buffer += data
        if self.head is None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            self.head = self.buffer[:end].split(b"\r\n")[0].decode()
            self.buffer = self.buffer[end + 4:]
        while True:
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                return
            size = int(self.buffer[:line_end], 16)
            if len(self.buffer) < line_end + 2 + size + 2:
                return
            chunk = self.buffer[line_end + 2:line_end + 2 + size]
            self.buffer = self.buffer[line_end + 2 + size + 2:]
            # Each frame is one chunk: "id: N\nevent: state-changed\ndata: ...\n\n".
            if chunk.startswith(b"id: "):
                self.ids.append(int(chunk[4:chunk.index(b"\n")]))

    def close(self):
        if not self.closed:
            self.closed = True
            self.sock.close()


class StreamSet:
    """N open streams read by one thread with epoll."""

    def __init__(self, port, count):
        self.streams = []
        self.selector = selectors.DefaultSelector()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        for i in range(count):
            stream = Stream(port)
            self.streams.append(stream)
            self.selector.register(stream.sock, selectors.EVENT_READ, stream)
            if i % 200 == 199:
                time.sleep(0.05)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            for key, _ in self.selector.select(timeout=0.2):
                stream = key.data
                try:
                    data = stream.sock.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                with self.lock:
                    if data:
                        stream.feed(data)
                    else:
                        self.selector.unregister(stream.sock)
                        stream.close()

    def ok_heads(self):
        with self.lock:
            return sum(1 for s in self.streams if s.head and " 200 " in s.head + " ")

    def ids(self):
        with self.lock:
            return [list(s.ids) for s in self.streams]

    def ended(self):
        with self.lock:
            return sum(1 for s in self.streams if s.closed)

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)
        for stream in self.streams:
            try:
                self.selector.unregister(stream.sock)
            except (KeyError, ValueError, OSError):
                pass
            stream.close()


def churn(port, clients, seconds, hold):
    """`clients` threads, each connecting, asking for the stream, holding it `hold` s and
    closing, again and again for `seconds`. Returns the number of streams opened."""
    stop = time.time() + seconds
    counts = [0] * clients

    def client(i):
        while time.time() < stop:
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(b"GET /api/1/events/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                s.settimeout(hold)
                try:
                    s.recv(4096)
                except socket.timeout:
                    pass
                time.sleep(max(0.0, hold - 0.01))
                s.close()
                counts[i] += 1
            except OSError:
                time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts)


# ---------------------------------------------------------------- measurements
def metric(port, sample):
    import http.client

    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("GET", "/api/1/metrics/")
        for line in c.getresponse().read().decode().splitlines():
            if line.startswith(sample + " "):
                return float(line.split()[1])
    finally:
        c.close()
    return None


def wait_metric(port, sample, value, timeout):
    """Seconds until the node's `sample` reads `value` (polled every 0.1 s), or None."""
    start = time.time()
    while time.time() - start < timeout:
        if metric(port, sample) == value:
            return time.time() - start
        time.sleep(0.1)
    return None


def transactions(cluster):
    """Commits + rollbacks of the node's database so far (pg_stat_database)."""
    return int(cluster.scalar("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'postgres'"))


def statement_calls(cluster):
    """All calls, and the calls of statements that read the outbox for streams (every outbox
    statement but the publishers' and the pruner's, which name published_at)."""
    row = cluster.rows(
        "SELECT coalesce(sum(calls), 0), coalesce(sum(calls) FILTER (WHERE query LIKE '%outbox%' "
        "AND query NOT LIKE '%published_at%'), 0) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
        "WHERE d.datname = 'postgres' AND query NOT LIKE '%pg_stat%'")[0]
    return int(row[0]), int(row[1])


def ticks(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])


def phase(cluster, node, api, name, seconds, event_interval, settle):
    """`seconds` of one compose created every `event_interval` s, after `settle` s of the
    same; the node's database transactions, statements, RSS and CPU over the window."""
    log("%s: %d s settle, then %d s measured, one event every %.1f s" % (name, settle, seconds, event_interval))
    end_settle = time.time() + settle
    while time.time() < end_settle:
        api.post_compose("bench-settle-%d" % time.time_ns())
        time.sleep(event_interval)
    rss = []
    tx0, (calls0, reads0) = transactions(cluster), statement_calls(cluster)
    node0, pg0 = ticks(node.pid), cluster.cpu_ticks()[1]
    start = time.time()
    first_event = int(cluster.scalar("SELECT coalesce(max(id), 0) FROM outbox"))
    events = 0
    next_post = start
    while time.time() - start < seconds:
        now = time.time()
        if now >= next_post:
            api.post_compose("bench-%s-%d" % (name, events))
            events += 1
            next_post += event_interval
        rss.append(vm_kib(node.pid, "VmRSS"))
        time.sleep(min(0.5, max(0.0, next_post - time.time())))
    elapsed = time.time() - start
    tx1, (calls1, reads1) = transactions(cluster), statement_calls(cluster)
    node1, pg1 = ticks(node.pid), cluster.cpu_ticks()[1]
    last_event = int(cluster.scalar("SELECT coalesce(max(id), 0) FROM outbox"))
    out = {
        "seconds": round(elapsed, 1),
        "events": events,
        "event_ids": [first_event + 1, last_event],
        "transactions": tx1 - tx0,
        "transactions_per_s": round((tx1 - tx0) / elapsed, 2),
        "statements": calls1 - calls0,
        "stream_outbox_reads": reads1 - reads0,
        "node_rss_mb_max": round(max(r for r in rss if r) / 1024, 1),
        "node_cpu_cores": round((node1 - node0) / CLK_TCK / elapsed, 3),
        "postgres_cpu_cores": round((pg1 - pg0) / CLK_TCK / elapsed, 3),
    }
    log("%s: %s" % (name, out))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--streams", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=90, help="measured seconds of each phase")
    parser.add_argument("--settle", type=int, default=15)
    parser.add_argument("--event-interval", type=float, default=1.0, help="seconds between created composes")
    parser.add_argument("--churn-clients", type=int, default=300)
    parser.add_argument("--churn-seconds", type=int, default=20)
    parser.add_argument("--churn-hold", type=float, default=0.2)
    args = parser.parse_args()
    schedlib.install_signal_handlers()

    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    results = os.environ.get("BENCH_RESULTS") or os.path.join(ROOT, "Benchmarks", "results", "streams-" + stamp)
    os.makedirs(results, exist_ok=True)
    binary = schedlib.build(args.skip_build)
    cluster = Cluster(binary, results)
    out = {"machine": schedlib.machine_info(), "args": vars(args), "nofile": os.sysconf("SC_OPEN_MAX")}
    try:
        cluster.start_pg(stat_statements=True)
        # API-only (no worker, so the only state changes are the benchmark's creations); every
        # stream comes from 127.0.0.1, so no cap per client; room for every stream under the
        # node's connection cap (http.max_connections, 1,024 by default).
        cluster.configure(
            **{
                "num_concurrent_pungi": 0, "log_level": "warning", "events.max_streams_per_client": 0,
                "http.max_connections": args.streams + 256,
            }
        )
        node = cluster.start_node(0)
        api = API(node.port)
        out["idle_rss_mb"] = round(vm_kib(node.pid, "VmRSS") / 1024, 1)

        out["none"] = phase(cluster, node, api, "none", args.duration, args.event_interval, args.settle)

        log("opening %d streams" % args.streams)
        streams = StreamSet(node.port, args.streams)
        opened = wait_metric(node.port, "odcs_event_streams_open", float(args.streams), 120)
        if opened is None:
            raise RuntimeError("the node did not report %d open streams" % args.streams)
        out["streams_open_after_s"] = round(opened, 1)
        with open("/proc/%d/clear_refs" % node.pid, "w") as f:
            f.write("5")
        out["open"] = phase(cluster, node, api, "open", args.duration, args.event_interval, args.settle)
        time.sleep(2)
        out["open"]["node_rss_mb_peak_hwm"] = round(vm_kib(node.pid, "VmHWM") / 1024, 1)
        first, last = out["open"]["event_ids"]
        expected = {int(row[0]) for row in cluster.rows("SELECT id FROM outbox WHERE id BETWEEN %d AND %d" % (first, last))}
        received = streams.ids()
        out["open"]["streams_200"] = streams.ok_heads()
        out["open"]["streams_with_every_event"] = sum(1 for ids in received if expected <= set(ids))
        out["open"]["streams_ended_early"] = streams.ended()
        log("every event on %d of %d streams" % (out["open"]["streams_with_every_event"], args.streams))

        log("closing the %d streams" % args.streams)
        started = time.time()
        streams.close()
        gone = wait_metric(node.port, "odcs_event_streams_open", 0.0, 60)
        out["close_all_s"] = round(gone, 2) if gone is not None else None
        out["closed_after_s_total"] = round(time.time() - started, 2)

        log("churn: %d clients connecting for %.1f s each, %d s" % (args.churn_clients, args.churn_hold, args.churn_seconds))
        tx0, t0 = transactions(cluster), time.time()
        out["churn_streams_opened"] = churn(node.port, args.churn_clients, args.churn_seconds, args.churn_hold)
        churn_elapsed = time.time() - t0
        out["churn_transactions_per_s"] = round((transactions(cluster) - tx0) / churn_elapsed, 2)
        gone = wait_metric(node.port, "odcs_event_streams_open", 0.0, 60)
        out["churn_all_closed_after_s"] = round(gone, 2) if gone is not None else None
        after = phase(cluster, node, api, "after-churn", 40, args.event_interval, 0)
        out["after_churn"] = after
    finally:
        cluster.close()

    none, opened = out["none"], out["open"]
    extra = opened["transactions_per_s"] / none["transactions_per_s"] - 1
    out["extra_transactions"] = round(extra, 4)
    out["verdict"] = {
        "transactions": extra <= TARGET_EXTRA_TRANSACTIONS,
        "rss": opened["node_rss_mb_peak_hwm"] < TARGET_RSS_MB,
        "every_event": opened["streams_with_every_event"] == args.streams,
    }
    with open(os.path.join(results, "results.json"), "w") as f:
        json.dump(out, f, indent=2)
    lines = [
        "# Event streams: %d open streams on one node" % args.streams,
        "",
        "| phase | s | events | tx/s | statements | stream outbox reads | node RSS max MB | node cores | postgres cores |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in ("none", "open", "after_churn"):
        p = out[name]
        lines.append("| %s | %s | %d | %.2f | %d | %d | %.1f | %.3f | %.3f |" % (
            name, p["seconds"], p["events"], p["transactions_per_s"], p["statements"], p["stream_outbox_reads"],
            p["node_rss_mb_max"], p["node_cpu_cores"], p["postgres_cpu_cores"]))
    lines += [
        "",
        "- extra transactions with %d streams open: %+.1f %% (target <= %d %%)" % (args.streams, extra * 100, TARGET_EXTRA_TRANSACTIONS * 100),
        "- node RSS: idle %.1f MB, peak (VmHWM) with the streams open %.1f MB (target < %d MB)" % (
            out["idle_rss_mb"], opened["node_rss_mb_peak_hwm"], TARGET_RSS_MB),
        "- streams answered 200: %d; with every event of the window: %d; ended early: %d" % (
            opened["streams_200"], opened["streams_with_every_event"], opened["streams_ended_early"]),
        "- the gauge read %d open streams %.1f s after the last had connected; after closing them all, it read 0 after %s s" % (
            args.streams, out["streams_open_after_s"], out["close_all_s"]),
        "- churn (no compose created meanwhile): %d streams opened by %d clients holding %.1f s each over %d s: %.2f tx/s meanwhile; gauge 0 %s s after" % (
            out["churn_streams_opened"], args.churn_clients, args.churn_hold, args.churn_seconds, out["churn_transactions_per_s"],
            out["churn_all_closed_after_s"]),
        "- verdict: %s" % out["verdict"],
    ]
    with open(os.path.join(results, "summary.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print("results: %s" % results)
    return 0 if all(out["verdict"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
