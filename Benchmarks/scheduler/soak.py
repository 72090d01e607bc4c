#!/usr/bin/env python3
"""Kill soak: 3 release nodes, composes posted continuously through the API, and every cycle
one random node is killed with SIGKILL and started again. At the end every compose must be
done, and the shared journal must show that no compose was generated to the end by two
attempts (fencing) and that the DB's final attempt is the one that ended.

    Benchmarks/scheduler/soak.py --cycles 100

Exit status: 0 clean, 1 a lost / not-done compose or an unexplained double generation,
2 the harness itself failed. See Benchmarks/scheduler/README.md for the checks.
"""

import argparse
import collections
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schedlib  # noqa: E402
from schedlib import API, Cluster, log, read_journal  # noqa: E402


class Poster(threading.Thread):
    """POSTs composes at `rate`/s to a random live node; a node that refuses is skipped."""

    def __init__(self, cluster, rate, seed):
        super().__init__(daemon=True)
        self.cluster = cluster
        self.rate = rate
        self.stop = threading.Event()
        self.ids = []
        self.errors = 0
        self.rng = random.Random(seed)

    def run(self):
        apis = {}
        n = 0
        start = time.monotonic()
        while not self.stop.is_set():
            due = start + n / self.rate
            now = time.monotonic()
            if due > now:
                self.stop.wait(due - now)
                continue
            nodes = [x for x in list(self.cluster.nodes.values()) if x.alive()]
            if not nodes:
                self.stop.wait(0.05)
                continue
            node = self.rng.choice(nodes)
            api = apis.setdefault(node.port, API(node.port, timeout=5))
            try:
                self.ids.append(api.post_compose("soak-%d-1" % n))
            except Exception:  # noqa: BLE001 - the node was killed mid-request; another gets the next one
                self.errors += 1
                api.close()
            n += 1
        for a in apis.values():
            a.close()


def check(cluster, journal, kills, end_ns):
    """The double-generation and lost-compose checks. Returns (report dict, failed bool)."""
    db = {int(r[0]): (int(r[1]), int(r[2]), r[3]) for r in cluster.rows(
        "SELECT id, state, attempt, coalesce(leased_by, '') FROM composes")}
    starts = collections.defaultdict(list)  # id -> [(attempt, node, ns)]
    ends = collections.defaultdict(list)
    for event, cid, attempt, node, ns in read_journal(journal):
        (starts if event == "start" else ends)[cid].append((attempt, node, ns))
    kills_by_node = collections.defaultdict(list)
    for k in kills:
        kills_by_node[k["node"]].append(k["t_ns"])

    def killed_between(node, t0, t1):
        return any(t0 <= t <= t1 for t in kills_by_node[node])

    states = collections.Counter(s for s, _, _ in db.values())
    not_done = {cid: v for cid, v in db.items() if v[0] != 2}
    double_start = []       # the same (compose, attempt) started twice: two claims of one attempt
    double_end_crash = []   # ends from 2+ attempts, the earlier node killed after its end (no commit)
    double_end_live = []    # ends from 2+ attempts with no kill to explain it: two live generations
    wrong_attempt = []      # done, but the DB's attempt is not the one that ended
    done_without_end = []
    open_unexplained = []   # a start without an end whose node was not killed afterwards
    for cid, (state, attempt, _) in db.items():
        s = starts.get(cid, [])
        e = ends.get(cid, [])
        attempts_started = collections.Counter(a for a, _, _ in s)
        if any(c > 1 for c in attempts_started.values()):
            double_start.append(cid)
        end_attempts = sorted(set(a for a, _, _ in e))
        if len(end_attempts) > 1:
            explained = True
            for a, node, t_end in e:
                if a == max(end_attempts):
                    continue
                # the next start of this compose after that end
                later = [ns for a2, _, ns in s if a2 > a]
                if not (later and killed_between(node, t_end, min(later))):
                    explained = False
            (double_end_crash if explained else double_end_live).append(
                {"id": cid, "ends": e, "starts": s, "db_attempt": attempt})
        if state == 2:
            if not e:
                done_without_end.append(cid)
            elif attempt != max(end_attempts):
                wrong_attempt.append({"id": cid, "db_attempt": attempt, "end_attempts": end_attempts})
        ended = set(end_attempts)
        for a, node, t_start in s:
            if a in ended:
                continue
            later = [ns for a2, _, ns in s if a2 > a] + [end_ns]
            if not killed_between(node, t_start, min(later)):
                open_unexplained.append({"id": cid, "attempt": a, "node": node})
    attempts = collections.Counter(v[1] for v in db.values())
    report = {
        "composes": len(db), "states": {str(k): v for k, v in sorted(states.items())},
        "not_done": len(not_done), "not_done_sample": dict(list(not_done.items())[:20]),
        "double_start": len(double_start), "double_start_ids": double_start[:20],
        "double_generation_unexplained": len(double_end_live), "double_generation_unexplained_sample": double_end_live[:10],
        "double_generation_after_kill_before_commit": len(double_end_crash),
        "double_generation_after_kill_sample": double_end_crash[:10],
        "final_attempt_mismatch": len(wrong_attempt), "final_attempt_mismatch_sample": wrong_attempt[:10],
        "done_without_end": len(done_without_end), "open_attempts_without_kill": len(open_unexplained),
        "open_attempts_without_kill_sample": open_unexplained[:10],
        "attempt_histogram": {str(k): v for k, v in sorted(attempts.items())},
        "journal_starts": sum(len(v) for v in starts.values()), "journal_ends": sum(len(v) for v in ends.values()),
    }
    failed = bool(not_done or double_start or double_end_live or wrong_attempt or done_without_end)
    return report, failed


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cycles", type=int, default=100)
    p.add_argument("--nodes", type=int, default=3)
    p.add_argument("--slots", type=int, default=4, help="num_concurrent_pungi per node")
    p.add_argument("--work-ms", type=int, default=300, help="test_generator.work_ms")
    p.add_argument("--rate", type=float, default=15, help="API posts per second")
    p.add_argument("--min-gap", type=float, default=1.0, help="seconds between a restart and the next kill: min")
    p.add_argument("--max-gap", type=float, default=3.0, help="… and max (uniform)")
    p.add_argument("--down", type=float, default=0.5, help="seconds a killed node stays down")
    p.add_argument("--lease-timeout", type=int, default=6)
    p.add_argument("--rescue-interval-ms", type=int, default=1000)
    p.add_argument("--retry-backoff", type=int, default=1)
    p.add_argument("--leader-check-interval-ms", type=int, default=500)
    p.add_argument("--poll-interval-ms", type=int, default=500)
    p.add_argument("--max-attempts", type=int, default=100)
    p.add_argument("--settle-timeout", type=int, default=300, help="seconds to wait for the last composes at the end")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--strict", action="store_true",
                   help="also fail on re-generations explained by a kill between `end` and the done commit")
    p.add_argument("--set", action="append", help="extra node setting key=value")
    p.add_argument("--log-level", default="info")
    p.add_argument("--skip-build", action="store_true", default=os.environ.get("BENCH_SKIP_BUILD") == "1")
    p.add_argument("--results", default=os.environ.get("BENCH_RESULTS"))
    args = p.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)

    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    results_dir = args.results or os.path.join(schedlib.ROOT, "Benchmarks", "results", "soak-" + stamp)
    os.makedirs(results_dir, exist_ok=True)
    schedlib.install_signal_handlers()
    binary = schedlib.build(args.skip_build)
    cluster = Cluster(binary, results_dir)
    journal = os.path.join(cluster.tmp, "journal-soak.log")
    settings = {
        "num_concurrent_pungi": args.slots, "test_generator.journal": journal, "test_generator.work_ms": args.work_ms,
        "lease_timeout": args.lease_timeout, "rescue_interval_ms": args.rescue_interval_ms,
        "retry_backoff": args.retry_backoff, "leader_check_interval_ms": args.leader_check_interval_ms,
        "poll_interval_ms": args.poll_interval_ms, "max_attempts": args.max_attempts, "drain_timeout": 0,
        "log_level": args.log_level,
    }
    for kv in args.set or []:
        k, v = kv.split("=", 1)
        settings[k] = v
    result = {"stamp": stamp, "seed": seed, "machine": schedlib.machine_info(), "settings": settings,
              "args": vars(args)}
    kills = []
    rc = 2
    poster = None
    try:
        cluster.start_pg()
        cluster.configure(**settings)
        cluster.start_nodes(args.nodes)
        poster = Poster(cluster, args.rate, seed)
        poster.start()
        t_start = time.time()
        time.sleep(2)
        for cycle in range(1, args.cycles + 1):
            time.sleep(rng.uniform(args.min_gap, args.max_gap))
            index = rng.randrange(args.nodes)
            node = cluster.nodes[index]
            leases = int(cluster.scalar(
                "SELECT count(*) FROM composes WHERE state = 1 AND lease_token IS NOT NULL AND leased_by = '%s'"
                % node.node_id))
            leader = cluster.rows("SELECT duty FROM leader WHERE holder = '%s'" % node.node_id)
            t_ns = time.time_ns()
            cluster.kill_node(index)
            kills.append({"cycle": cycle, "node": node.node_id, "t_ns": t_ns, "leases_before": leases,
                          "leader_of": [r[0] for r in leader]})
            time.sleep(args.down)
            cluster.start_node(index)
            if cycle % 10 == 0:
                states = dict(cluster.rows("SELECT state, count(*) FROM composes GROUP BY 1"))
                log("cycle %d/%d: killed %s (%d leases%s); posted %d (%d errors); states %s" % (
                    cycle, args.cycles, node.node_id, leases, ", leader" if leader else "", len(poster.ids),
                    poster.errors, states))
        poster.stop.set()
        poster.join()
        t_stop = time.time()
        log("cycles done in %.0f s; waiting up to %d s for every compose to finish" % (
            t_stop - t_start, args.settle_timeout))
        deadline = time.time() + args.settle_timeout
        while time.time() < deadline:
            pending = int(cluster.scalar("SELECT count(*) FROM composes WHERE state IN (0, 1)"))
            if pending == 0:
                break
            time.sleep(0.5)
        result["settle_s"] = time.time() - t_stop
        result["duration_s"] = time.time() - t_start
        time.sleep(1)  # let the last journal lines land
        end_ns = time.time_ns()
        cluster.stop_nodes()
        report, failed = check(cluster, journal, kills, end_ns)
        result["report"] = report
        result["posted"] = len(poster.ids)
        result["post_errors"] = poster.errors
        result["kills"] = kills
        result["kills_with_leases"] = sum(1 for k in kills if k["leases_before"] > 0)
        result["kills_of_a_leader"] = sum(1 for k in kills if k["leader_of"])
        if args.strict and report["double_generation_after_kill_before_commit"]:
            failed = True
        rc = 1 if failed else 0
        result["verdict"] = "FAIL" if failed else "PASS"
    except BaseException as e:  # noqa: BLE001
        log("error: %r" % e)
        result["error"] = repr(e)
        if poster:
            poster.stop.set()
        rc = 2
    finally:
        if os.path.exists(journal):
            os.replace(journal, os.path.join(results_dir, "journal-soak.log"))
        cluster.close()
    with open(os.path.join(results_dir, "soak.json"), "w") as f:
        json.dump(result, f, indent=1, default=str)
    rep = result.get("report", {})
    print(json.dumps({k: v for k, v in rep.items() if not k.endswith("sample")}, indent=1))
    print("kills %d (%d holding leases, %d of a leader), posted %s (%s errors), duration %.0f s, verdict %s" % (
        len(kills), result.get("kills_with_leases", 0), result.get("kills_of_a_leader", 0), result.get("posted"),
        result.get("post_errors"), result.get("duration_s", 0), result.get("verdict", "ERROR")))
    log("results in %s" % results_dir)
    return rc


if __name__ == "__main__":
    sys.exit(main())
