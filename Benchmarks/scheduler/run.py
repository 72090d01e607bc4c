#!/usr/bin/env python3
"""Scheduler benchmark: claim latency, throughput, lease failover and leader takeover of a
cluster of release `odcs serve` nodes sharing one private PostgreSQL. Every compose is
"generated" by the journal test generator (test_generator.journal / work_ms).

    Benchmarks/scheduler/run.py --scenario all
    Benchmarks/scheduler/run.py --scenario throughput --slots 16 --backlog 20000

See Benchmarks/scheduler/README.md. Stdlib only; talks to PostgreSQL through `psql`.
Results: Benchmarks/results/scheduler-<UTC stamp>/ (results.json, summary.md, node logs).
"""

import argparse
import json
import os
import random
import signal
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schedlib  # noqa: E402
from schedlib import API, Cluster, log, percentile, read_journal  # noqa: E402

SCENARIOS = ["latency", "throughput", "failover", "leader"]


def ms(x):
    return "%.1f ms" % x


# ==================================================================== latency
def measure_http_latency(cluster, count, rate, tag):
    """POSTs `count` composes one at a time at `rate`/s, round robin over the nodes; returns
    [(id, ms)] with ms = time_started − time_submitted (both DB clock)."""
    apis = [API(n.port) for n in cluster.nodes.values()]
    ids = []
    interval = 1.0 / rate
    next_at = time.monotonic()
    for i in range(count):
        now = time.monotonic()
        if next_at > now:
            time.sleep(next_at - now)
        next_at += interval
        ids.append(apis[i % len(apis)].post_compose("lat-%s-%d-1" % (tag, i)))
    for a in apis:
        a.close()
    wait_finished(cluster, "id = ANY('{%s}'::bigint[])" % ",".join(map(str, ids)), len(ids), timeout=120)
    rows = cluster.rows(
        "SELECT id, extract(epoch FROM time_started - time_submitted) * 1000 FROM composes "
        "WHERE id = ANY('{%s}'::bigint[]) ORDER BY id" % ",".join(map(str, ids)))
    return [(int(r[0]), float(r[1])) for r in rows]


def wait_finished(cluster, where, expected, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        n = int(cluster.scalar("SELECT count(*) FROM composes WHERE (%s) AND state IN (2, 3, 4)" % where))
        if n >= expected:
            return
        time.sleep(0.2)
    raise RuntimeError("only %s of %d composes finished within %d s" % (n, expected, timeout))


def summarize_latency(samples):
    values = [v for _, v in samples]
    return {
        "n": len(values), "p50_ms": percentile(values, 50), "p90_ms": percentile(values, 90),
        "p99_ms": percentile(values, 99), "max_ms": max(values), "mean_ms": statistics.mean(values),
    }


class BackgroundLoad(threading.Thread):
    """Inserts `rate` composes/s in batches every 100 ms through one long-lived psql."""

    def __init__(self, cluster, rate):
        super().__init__(daemon=True)
        self.cluster = cluster
        self.rate = rate
        self.stop = threading.Event()
        self.inserted = 0

    def run(self):
        import subprocess

        p = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.cluster.url],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            tick = 0.1
            start = time.monotonic()
            while not self.stop.is_set():
                due = int((time.monotonic() - start) * self.rate) - self.inserted
                if due > 0:
                    sql = "BEGIN;" + schedlib.BULK_INSERT.format(n=due) + "COMMIT;\n"
                    p.stdin.write(sql.encode())
                    p.stdin.flush()
                    self.inserted += due
                self.stop.wait(tick)
        finally:
            p.stdin.close()
            p.wait(timeout=60)


def scenario_latency(cluster, args):
    out = {}
    journal_reset(cluster, args, "latency")
    cluster.configure(**base_settings(args, slots=args.slots, work_ms=0))
    cluster.start_nodes(args.nodes)
    log("latency: warm-up (20 composes)")
    measure_http_latency(cluster, 20, args.latency_rate, "warm")
    log("latency: %d composes one at a time at %d/s through the API, workers idle" % (args.latency_count, args.latency_rate))
    idle = measure_http_latency(cluster, args.latency_count, args.latency_rate, "idle")
    out["idle"] = summarize_latency(idle)
    out["idle"]["samples"] = idle
    log("latency idle: %s" % {k: round(v, 2) for k, v in out["idle"].items() if k != "samples"})

    log("latency: the same under a background load of %d composes/s (bulk INSERTs every 100 ms)" % args.load_rate)
    load = BackgroundLoad(cluster, args.load_rate)
    t0 = time.time()
    load.start()
    time.sleep(3)
    under = measure_http_latency(cluster, args.latency_count, args.latency_rate, "load")
    load.stop.set()
    load.join()
    elapsed = time.time() - t0
    wait_finished(cluster, "owner = 'bench'", load.inserted, timeout=300)
    bg = cluster.rows(
        "SELECT extract(epoch FROM time_started - time_submitted) * 1000 FROM composes WHERE owner = 'bench'")
    out["under_load"] = summarize_latency(under)
    out["under_load"]["samples"] = under
    out["under_load"]["background_rate"] = args.load_rate
    out["under_load"]["background_inserted"] = load.inserted
    out["under_load"]["background_achieved_rate"] = load.inserted / elapsed
    out["background_batches"] = summarize_latency([(0, float(r[0])) for r in bg])
    log("latency under load: %s" % {k: round(v, 2) for k, v in out["under_load"].items() if k != "samples"})
    log("background bulk composes: %s" % {k: round(v, 2) for k, v in out["background_batches"].items()})
    cluster.stop_nodes()
    cluster.save_logs("latency")
    return out


# ==================================================================== throughput
def scenario_throughput(cluster, args):
    out = {}
    for nodes in args.throughput_nodes:
        for slots, prefill in [(x, y) for x in args.throughput_slots for y in args.prefill_modes]:
            key = "%dnodes-%dslots-%s" % (nodes, slots, prefill)
            log("throughput: %d node(s), num_concurrent_pungi %d, backlog %d (%s), work_ms 0" % (
                nodes, slots, args.backlog, prefill))
            cluster.reset_composes()
            journal = journal_reset(cluster, args, "throughput-" + key)
            cluster.configure(**base_settings(args, slots=slots, work_ms=0))
            if prefill == "analyzed":
                # The backlog is there, with fresh statistics, before any node starts.
                cluster.bulk_insert(args.backlog)
                cluster.psql("VACUUM ANALYZE composes")
            cluster.start_nodes(nodes)
            if prefill == "live":
                time.sleep(1)
            if args.stat_statements:
                cluster.psql("SELECT pg_stat_statements_reset()")
            explain = None
            ticks0 = cluster.cpu_ticks()
            t0 = time.time()
            if prefill == "live":
                cluster.bulk_insert(args.backlog)
            t_inserted = time.time()
            deadline = time.time() + args.throughput_timeout
            while time.time() < deadline:
                finished = int(cluster.scalar("SELECT count(*) FROM composes WHERE state IN (2, 4)"))
                if finished >= args.backlog:
                    break
                if explain is None and finished >= args.backlog // 2:
                    # Mid-run: what one claim's SELECT reads while the queue drains.
                    explain = cluster.psql(
                        "EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM composes WHERE state = 0 AND "
                        "next_attempt_at <= now() ORDER BY id LIMIT %d" % slots)
                    explain_at = finished
                time.sleep(0.25)
            t1 = time.time()
            ticks1 = cluster.cpu_ticks()
            row = cluster.rows(
                "SELECT count(*) FILTER (WHERE state = 2), count(*) FILTER (WHERE state <> 2), "
                "extract(epoch FROM max(time_done) - min(time_started)), "
                "extract(epoch FROM max(time_done) - min(time_submitted)), "
                "count(DISTINCT leased_by), max(attempt) FROM composes")[0]
            per_node = cluster.rows("SELECT leased_by, count(*) FROM composes GROUP BY 1 ORDER BY 1")
            done, other, span, span_submit, _, max_attempt = int(row[0]), int(row[1]), float(row[2] or 0), float(
                row[3] or 0), row[4], row[5]
            lines = read_journal(journal)
            starts = sum(1 for e in lines if e[0] == "start")
            ends = sum(1 for e in lines if e[0] == "end")
            hz = os.sysconf("SC_CLK_TCK")
            wall = t1 - t0
            node_cpu = sum(ticks1[0].get(k, 0) - v for k, v in ticks0[0].items()) / hz / wall
            pg_cpu = (ticks1[1] - ticks0[1]) / hz / wall
            busy = (ticks1[2] - ticks0[2]) / (ticks1[3] - ticks0[3]) * os.cpu_count()
            r = {
                "nodes": nodes, "slots": slots, "backlog": args.backlog, "done": done, "not_done": other,
                "first_claim_to_last_done_s": span, "composes_per_s": done / span if span else 0,
                "commit_to_last_done_s": span_submit, "insert_s": t_inserted - t0,
                "journal_starts": starts, "journal_ends": ends, "max_attempt": int(max_attempt or 0),
                "per_node": {r_[0]: int(r_[1]) for r_ in per_node},
                "cpu_cores_nodes": node_cpu, "cpu_cores_postgres": pg_cpu, "cpu_cores_busy_total": busy,
            }
            if explain:
                r["explain_mid_run"] = {"finished_when_sampled": explain_at, "plan": explain}
            if args.stat_statements:
                r["top_statements"] = cluster.top_statements()
            out[key] = r
            log("throughput %s: %s" % (key, {k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()
                                             if k not in ("top_statements", "explain_mid_run")}))
            cluster.stop_nodes()
            cluster.save_logs("throughput-" + key)
    return out


# ==================================================================== failover
def scenario_failover(cluster, args):
    out = {}
    for lease_timeout in args.failover_lease_timeouts:
        key = "lease_timeout=%d" % lease_timeout
        log("failover: %s, 3 nodes x %d slots, %d composes of work_ms %d" % (
            key, args.failover_slots, args.failover_composes, args.failover_work_ms))
        cluster.reset_composes()
        journal = journal_reset(cluster, args, "failover-%d" % lease_timeout)
        settings = base_settings(args, slots=args.failover_slots, work_ms=args.failover_work_ms)
        settings["lease_timeout"] = lease_timeout
        cluster.configure(**settings)
        cluster.start_nodes(args.nodes)
        time.sleep(1)
        cluster.bulk_insert(args.failover_composes)
        deadline = time.time() + 60
        while time.time() < deadline:
            started = [e for e in read_journal(journal) if e[0] == "start"]
            if len(started) >= args.failover_composes:
                break
            time.sleep(0.1)
        holders = cluster.rows("SELECT leased_by, count(*) FROM composes WHERE state = 1 GROUP BY 1 ORDER BY 2 DESC")
        leader = cluster.scalar("SELECT holder FROM leader WHERE duty = 'lease_rescue'")
        candidates = [h for h in holders if h[0] != leader] or holders
        victim_id = candidates[0][0]
        victim = cluster.node_by_id(victim_id)
        held = cluster.rows("SELECT id, attempt FROM composes WHERE state = 1 AND leased_by = '%s'" % victim_id)
        held = {int(r[0]): int(r[1]) for r in held}
        # Wait for a heartbeat-phase-neutral moment? No: kill at once, the worst case is part of the spread.
        t_kill = time.time_ns()
        cluster.kill_node(victim.index)
        log("failover: killed %s (pid %d, %d leases; lease_rescue leader is %s)" % (
            victim_id, victim.pid, len(held), leader))
        recovered = {}
        deadline = time.time() + lease_timeout + 120
        while time.time() < deadline and len(recovered) < len(held):
            for e in read_journal(journal):
                if e[0] == "start" and e[1] in held and e[2] > held[e[1]] and e[3] != victim_id and e[1] not in recovered:
                    recovered[e[1]] = (e[4] - t_kill) / 1e9
            time.sleep(0.1)
        rescue_lines = []
        for path in cluster.node_logs:
            try:
                rescue_lines += [l.strip() for l in open(path) if "rescued a compose" in l]
            except OSError:
                pass
        r = {
            "lease_timeout_s": lease_timeout, "victim": victim_id, "victim_was_leader": victim_id == leader,
            "victim_leases": len(held), "recovered": len(recovered),
            "per_compose_s": {str(k): v for k, v in sorted(recovered.items())},
            "max_s": max(recovered.values()) if recovered else None,
            "min_s": min(recovered.values()) if recovered else None,
            "settings": settings, "rescue_log_lines": rescue_lines[:20],
        }
        out[key] = r
        log("failover %s: %d/%d recovered, min %.1f s, max %.1f s" % (
            key, len(recovered), len(held), r["min_s"] or -1, r["max_s"] or -1))
        cluster.stop_nodes()
        cluster.save_logs("failover-%d" % lease_timeout)
    return out


# ==================================================================== leader
def scenario_leader(cluster, args):
    cluster.reset_composes()
    journal_reset(cluster, args, "leader")
    settings = base_settings(args, slots=2, work_ms=0)
    cluster.configure(**settings)
    cluster.start_nodes(args.nodes)
    runs = []
    for rep in range(args.leader_repeats):
        deadline = time.time() + 60
        holder = None
        while time.time() < deadline:
            row = cluster.rows("SELECT term, holder FROM leader WHERE duty = 'lease_rescue'")
            if row and cluster.node_by_id(row[0][1]) and cluster.node_by_id(row[0][1]).alive():
                holder = row[0]
                break
            time.sleep(0.1)
        if holder is None:
            raise RuntimeError("no live lease_rescue leader")
        term, holder_id = int(holder[0]), holder[1]
        duties = {r[0]: int(r[1]) for r in cluster.rows("SELECT duty, term FROM leader WHERE holder = '%s'" % holder_id)}
        node = cluster.node_by_id(holder_id)
        t_kill = time.monotonic()
        cluster.kill_node(node.index)
        taken = {}
        deadline = time.time() + 120
        while time.time() < deadline and len(taken) < len(duties):
            for duty, t, h in cluster.rows("SELECT duty, term, holder FROM leader"):
                if duty in duties and duty not in taken and int(t) > duties[duty]:
                    taken[duty] = (time.monotonic() - t_kill, h, int(t))
            time.sleep(0.02)
        lr = taken.get("lease_rescue")
        runs.append({"killed": holder_id, "old_term": term, "takeover_s": lr[0] if lr else None,
                     "new_holder": lr[1] if lr else None, "new_term": lr[2] if lr else None,
                     "other_duties": {d: v[0] for d, v in taken.items() if d != "lease_rescue"}})
        log("leader run %d: killed %s (term %d) -> %s" % (rep + 1, holder_id, term, runs[-1]))
        cluster.start_node(node.index)
        time.sleep(args.leader_pause)
    cluster.stop_nodes()
    cluster.save_logs("leader")
    vals = [r["takeover_s"] for r in runs if r["takeover_s"] is not None]
    return {"runs": runs, "leader_check_interval_ms": settings.get("leader_check_interval_ms", 3000),
            "max_s": max(vals) if vals else None, "median_s": statistics.median(vals) if vals else None,
            "failed_takeovers": len(runs) - len(vals)}


# ==================================================================== plumbing
def base_settings(args, slots, work_ms):
    s = {
        "num_concurrent_pungi": slots,
        "test_generator.journal": args._journal,
        "test_generator.work_ms": work_ms,
        "log_level": args.log_level,
        "drain_timeout": 0,
    }
    for kv in args.set or []:
        k, v = kv.split("=", 1)
        s[k] = v
    return s


def journal_reset(cluster, args, name):
    path = os.path.join(cluster.tmp, "journal-%s.log" % name)
    args._journal = path
    args._journals.append(path)
    return path


def render_summary(results, args):
    lines = ["# Scheduler benchmark (%s)" % results["stamp"], ""]
    m = results["machine"]
    lines.append("Machine: nproc %s, %s, %s, kernel %s, Sources at %s" % (
        m["nproc"], m["swift"], m["postgres"], m["kernel"], m["git"]))
    lines.append("")
    lines.append("| scenario | measurement | result | target |")
    lines.append("|---|---|---:|---|")
    lat = results.get("latency")
    if lat:
        i, u = lat["idle"], lat["under_load"]
        lines.append("| latency, idle | insert→claim p50 / p99 / max (n=%d) | %s / %s / %s | p50 ≤ 10 ms, p99 ≤ 100 ms |" % (
            i["n"], ms(i["p50_ms"]), ms(i["p99_ms"]), ms(i["max_ms"])))
        lines.append("| latency, %d/s background | insert→claim p50 / p99 / max (n=%d) | %s / %s / %s | |" % (
            u["background_rate"], u["n"], ms(u["p50_ms"]), ms(u["p99_ms"]), ms(u["max_ms"])))
        b = lat["background_batches"]
        lines.append("| latency, %d/s background | the background composes' own p50 / p99 (n=%d) | %s / %s | |" % (
            u["background_rate"], b["n"], ms(b["p50_ms"]), ms(b["p99_ms"])))
    tp = results.get("throughput")
    if tp:
        for key, r in tp.items():
            lines.append("| throughput %s | %d composes, first claim → last done | %.2f s = **%.0f/s** (CPU nodes %.2f, pg %.2f) | ≥ 1,000/s on 3 nodes |" % (
                key, r["done"], r["first_claim_to_last_done_s"], r["composes_per_s"], r["cpu_cores_nodes"],
                r["cpu_cores_postgres"]))
    fo = results.get("failover")
    if fo:
        for key, r in fo.items():
            lines.append("| failover %s | kill -9 → all %d of %s's composes restarted elsewhere | %s (min %s) | ≤ 90 s |" % (
                key, r["victim_leases"], r["victim"], "%.1f s" % r["max_s"] if r["max_s"] is not None else "NOT ALL",
                "%.1f s" % r["min_s"] if r["min_s"] is not None else "-"))
    ld = results.get("leader")
    if ld:
        lines.append("| leader takeover (%d kills, check %s ms) | kill -9 holder → higher term | median %s, max %s | ≤ 15 s |" % (
            len(ld["runs"]), ld["leader_check_interval_ms"],
            "%.2f s" % ld["median_s"] if ld["median_s"] is not None else "-",
            "%.2f s" % ld["max_s"] if ld["max_s"] is not None else "-"))
    for key, r in (tp or {}).items():
        if r.get("top_statements"):
            lines += ["", "PostgreSQL time by statement, throughput %s (pg_stat_statements, exec + plan):" % key, "",
                      "| calls | total ms | ms/call | plan ms | rows | statement |", "|---:|---:|---:|---:|---:|---|"]
            for c, tot, per, plan, nrows, q in r["top_statements"]:
                lines.append("| %s | %s | %s | %s | %s | `%s` |" % (c, tot, per, plan, nrows, q.replace("|", "\\|")))
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenario", default="all", help="latency|throughput|failover|leader|all, or a comma list")
    p.add_argument("--nodes", type=int, default=3, help="nodes for latency, failover, leader (default 3)")
    p.add_argument("--slots", type=int, default=8, help="num_concurrent_pungi for the latency scenario")
    p.add_argument("--latency-count", type=int, default=300)
    p.add_argument("--latency-rate", type=float, default=20, help="API inserts per second (one at a time)")
    p.add_argument("--load-rate", type=int, default=200, help="background composes/s for latency under load")
    p.add_argument("--backlog", type=int, default=20000)
    p.add_argument("--throughput-nodes", default="1,3")
    p.add_argument("--throughput-slots", default="16")
    p.add_argument("--prefill", default="live",
                   help="live: one INSERT of the backlog (+ NOTIFY) while the nodes idle, statistics from the empty "
                        "table; analyzed: insert and ANALYZE before the nodes start. Comma list for both.")
    p.add_argument("--throughput-timeout", type=int, default=900)
    p.add_argument("--no-stat-statements", dest="stat_statements", action="store_false",
                   help="do not load pg_stat_statements (it is on by default, for the throughput breakdown)")
    p.add_argument("--failover-lease-timeouts", default="45,15")
    p.add_argument("--failover-slots", type=int, default=8)
    p.add_argument("--failover-composes", type=int, default=12)
    p.add_argument("--failover-work-ms", type=int, default=600000)
    p.add_argument("--leader-repeats", type=int, default=5)
    p.add_argument("--leader-pause", type=float, default=3)
    p.add_argument("--set", action="append", help="extra node setting key=value (config key), e.g. poll_interval_ms=500")
    p.add_argument("--log-level", default="warning")
    p.add_argument("--skip-build", action="store_true", default=os.environ.get("BENCH_SKIP_BUILD") == "1")
    p.add_argument("--results", default=os.environ.get("BENCH_RESULTS"))
    args = p.parse_args()
    args.throughput_nodes = [int(x) for x in args.throughput_nodes.split(",")]
    args.throughput_slots = [int(x) for x in args.throughput_slots.split(",")]
    args.prefill_modes = args.prefill.split(",")
    args.failover_lease_timeouts = [int(x) for x in args.failover_lease_timeouts.split(",")]
    scenarios = SCENARIOS if args.scenario == "all" else args.scenario.split(",")
    for s in scenarios:
        if s not in SCENARIOS:
            p.error("unknown scenario %s" % s)

    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    results_dir = args.results or os.path.join(schedlib.ROOT, "Benchmarks", "results", "scheduler-" + stamp)
    os.makedirs(results_dir, exist_ok=True)
    schedlib.install_signal_handlers()
    binary = schedlib.build(args.skip_build)
    results = {"stamp": stamp, "machine": schedlib.machine_info(), "args": {
        k: v for k, v in vars(args).items() if not k.startswith("_")}}
    args._journal = None
    args._journals = []
    cluster = Cluster(binary, results_dir)
    rc = 0
    try:
        cluster.start_pg(stat_statements=args.stat_statements)
        # Migrate once with a throw-away node, so that the tables exist for psql.
        cluster.configure(num_concurrent_pungi=0)
        cluster.start_nodes(1)
        cluster.stop_nodes()
        for s in scenarios:
            results[s] = globals()["scenario_" + s](cluster, args)
            with open(os.path.join(results_dir, "results.json"), "w") as f:
                json.dump(results, f, indent=1, default=str)
    except BaseException as e:  # noqa: BLE001 - report, clean up, exit non-zero
        log("error: %r" % e)
        rc = 1
        if not isinstance(e, (SystemExit, KeyboardInterrupt, RuntimeError)):
            import traceback

            traceback.print_exc()
    finally:
        for j in args._journals:
            if os.path.exists(j):
                os.replace(j, os.path.join(results_dir, os.path.basename(j)))
        cluster.close()
    with open(os.path.join(results_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
    summary = render_summary(results, args)
    with open(os.path.join(results_dir, "summary.md"), "w") as f:
        f.write(summary)
    print(summary)
    log("results in %s" % results_dir)
    return rc


if __name__ == "__main__":
    sys.exit(main())
