#!/usr/bin/env python3
"""Native Koji tag composes: wall time and peak memory of one release `odcs serve` node
generating a `tag` compose of 20, 200 and 2,000 synthetic packages, with and without
dependency solving, for one and two arches, against the floor of `createrepo_c` alone over
the same RPMs.

    Benchmarks/koji/run.py                         # builds .build-release first; fixtures once
    Benchmarks/koji/run.py --skip-build --packages 20,200 --repeats 1

See Benchmarks/koji/README.md. Stdlib only; reuses the scheduler benchmark's PostgreSQL and
clean-up machinery (Benchmarks/scheduler/schedlib.py).
Results: Benchmarks/results/koji-<UTC stamp>/ (results.json, summary.md, node logs).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scheduler"))
import schedlib  # noqa: E402
from schedlib import ROOT, Cluster, Node  # noqa: E402

SECOND_ARCH = "aarch64"
CREATEREPO = ["createrepo_c", "--checksum=sha256", "--unique-md-filenames", "--no-database", "--workers=2"]

# Log lines of one compose, in order: the API's and the worker's, and the Koji generator's step
# log (copied to the node's log at info level). Each phase ends at the last line matching its
# pattern, and starts where the previous one ended (the POST for the first).
PHASES = [
    ("submit", r"^compose submitted"),                       # POST: validation, INSERT, NOTIFY
    ("claim", r"^claimed"),                                  # wake-up and claim
    ("koji_package_set", r"^Koji tag \S+ at event"),         # resolve event, getTag/getEvent/listTaggedRPMS
    ("candidates", r"^Package set: "),                       # sigkey choice: one stat() per RPM
    ("dependency_closure", r"^Selected \d+ packages"),        # headers read by libsolv, closure per arch
    ("fetch", r"^Fetched \d+ package files"),                 # hard links into the trees
    ("check_headers", r"^Checked \d+ package headers"),       # payload hash and sigkey of every file
    ("createrepo", r"^Created repodata for "),               # createrepo_c on every tree, 2 at a time
    ("metadata", r"^Wrote .* compose metadata"),             # .repo, composeinfo.json, rpms.json
    ("finish", r"^Compose finished"),
    ("publish", r"^done$"),                                  # rename into place, fenced commit of done
]


def log(msg):
    sys.stderr.write("[koji %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def build(skip):
    """The release `odcs` and `koji-test-hub`, each built unless skipped."""
    binaries = {}
    for product in ("odcs", "koji-test-hub"):
        path = os.path.join(ROOT, ".build-release", "release", product)
        if not skip:
            log("building %s (swift build -c release --scratch-path .build-release --product %s)" % (product, product))
            r = subprocess.run(
                ["swift", "build", "-c", "release", "--scratch-path", ".build-release", "--product", product],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=3600)
            if r.returncode != 0:
                sys.stderr.write(r.stdout.decode(errors="replace")[-4000:])
                raise RuntimeError("release build of %s failed" % product)
        if not os.access(path, os.X_OK):
            raise RuntimeError("no %s binary at %s" % (product, path))
        binaries[product] = path
    return binaries


def vm_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def cpu_ticks():
    """(busy, total) ticks of the whole machine."""
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    return sum(cpu) - cpu[3] - cpu[4], sum(cpu)


def busy_cores(before, after):
    ncpu = os.cpu_count() or 1
    return ncpu * (after[0] - before[0]) / max(1, after[1] - before[1])


def process_cpu_seconds(pid):
    """utime + stime of the process and of its waited-for children (createrepo_c)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def wait_quiet(max_busy, timeout):
    """Waits until the machine has been below `max_busy` busy cores for two 1-s windows in a
    row (another build or test run on the 2 cores would be measured too); returns the busy
    cores of the last window and whether the wait timed out."""
    deadline = time.time() + timeout
    quiet = 0
    while True:
        before = cpu_ticks()
        time.sleep(1.0)
        busy = busy_cores(before, cpu_ticks())
        quiet = quiet + 1 if busy < max_busy else 0
        if quiet >= 2:
            return busy, False
        if time.time() > deadline:
            return busy, True
        if quiet == 0:
            log("machine busy (%.2f cores), waiting for it to be quiet" % busy)


def filesystem(path):
    out = subprocess.run(["df", "-h", "--output=source,fstype,size", path], stdout=subprocess.PIPE, timeout=30).stdout
    return " ".join(out.decode().splitlines()[-1].split())


# ---------------------------------------------------------------- the Koji hub
class Hub:
    """koji-test-hub over a saved synthetic fixture in `directory`, built on first use."""

    def __init__(self, binary, directory, fixture, results_dir, rebuild):
        self.directory = directory
        self.fixture = fixture
        saved = os.path.join(directory, "fixture.json")
        reusable = False
        if os.path.exists(saved) and not rebuild:
            with open(saved) as f:
                reusable = json.load(f).get("fixture") == fixture
        if not reusable:
            shutil.rmtree(directory, ignore_errors=True)  # a half-built or different volume
        os.makedirs(directory, exist_ok=True)
        self.built = not reusable
        self.ready_path = os.path.join(directory, "ready.json")
        if os.path.exists(self.ready_path):
            os.remove(self.ready_path)
        self.log_path = os.path.join(results_dir, "hub-%s.log" % fixture.replace(":", "-").replace(",", "-"))
        started = time.monotonic()
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(
                [binary, "--directory", directory, "--ready", self.ready_path, "--fixture", fixture, "--reuse"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if self.built:
            log("building fixture %s in %s (rpmbuild; minutes for 2,000 packages)" % (fixture, directory))
        deadline = time.time() + 7200
        while not os.path.exists(self.ready_path):
            if self.proc.poll() is not None:
                raise RuntimeError("koji-test-hub exited: " + open(self.log_path).read()[-3000:])
            if time.time() > deadline:
                raise RuntimeError("koji-test-hub not ready after 2 h")
            time.sleep(0.1)
        self.ready_seconds = time.monotonic() - started
        with open(self.ready_path) as f:
            info = json.load(f)
        self.url, self.topdir = info["url"], info["topdir"]
        log("hub %s ready in %.1f s (%s)" % (fixture, self.ready_seconds, "built" if self.built else "reused"))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---------------------------------------------------------------- nodes
class KojiCluster(Cluster):
    """The scheduler benchmark's cluster, with the node's log read through a pipe so that every
    line gets its arrival time (the node's own timestamps have whole seconds only)."""

    def __init__(self, binary, results_dir, target):
        super().__init__(binary, results_dir)
        self.target = target
        self.hub_pid = None  # the Koji hub of the current fixture, for its CPU time

    def start_node(self, index, wait=True):
        port = self.node_port_base + index
        deadline = time.time() + 10
        while not schedlib.port_free(port) and time.time() < deadline:
            time.sleep(0.05)
        node_id = "n%d" % index
        state = os.path.join(self.tmp, "state-%s-%d" % (node_id, len(self.node_logs)))
        os.makedirs(state, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ODCS_")}
        env.update(self.node_env)
        log_path = os.path.join(self.tmp, "node-%s.%d.log" % (node_id, len(self.node_logs)))
        self.node_logs.append(log_path)
        proc = subprocess.Popen(
            [self.binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--node-id", node_id,
             "--database-url", self.url, "--target-dir", self.target, "--target-dir-url", "http://127.0.0.1/odcs",
             "--state-dir", state],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
        node = Node(index, port, node_id, proc, log_path)
        node.lines = []  # (time.monotonic(), text)
        node.reader = threading.Thread(target=read_lines, args=(proc.stderr, log_path, node.lines), daemon=True)
        node.reader.start()
        self.nodes[index] = node
        if wait:
            self.wait_ready(node)
        return node


def read_lines(stream, path, lines):
    """Copies the node's stderr to `path`, each line prefixed with its arrival time."""
    with open(path, "w") as out:
        for raw in iter(stream.readline, b""):
            now = time.monotonic()
            text = raw.decode(errors="replace").rstrip("\n")
            lines.append((now, text))
            out.write("%.3f %s\n" % (now, text))
            out.flush()


class API:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method, path, body=None):
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None,
                          headers={"Content-Type": "application/json"})
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise RuntimeError("%s %s answered %d: %s" % (method, path, resp.status, data[:500]))
        return json.loads(data)

    def close(self):
        self.conn.close()


# ---------------------------------------------------------------- one compose
# How a case asks for packages: every package of the tag with or without dependency solving,
# or one listed package (the last build's main package) and its closure over the whole tag.
DEPS = {
    "on": {"flags": [], "listed": False},
    "off": {"flags": ["no_deps"], "listed": False},
    "listed": {"flags": [], "listed": True},
}


def compose_once(cluster, packages, arches, deps, args):
    """A fresh node, one tag compose of `bench`; returns the measurements."""
    node = cluster.start_node(0)
    time.sleep(args.settle)  # leader elections and the first registry beat are done by then
    baseline_kib = vm_kib(node.pid, "VmRSS")
    idle_busy, noisy = wait_quiet(args.max_busy, args.quiet_timeout)
    node_cpu_before = process_cpu_seconds(node.pid)
    hub_cpu_before = process_cpu_seconds(cluster.hub_pid)
    api = API(node.port)
    body = {"source": {"type": "tag", "source": "bench"}, "flags": ["no_reuse"] + DEPS[deps]["flags"], "arches": arches}
    if DEPS[deps]["listed"]:
        body["source"]["packages"] = ["bench%d" % ((packages + 19) // 20 - 1)]
    lines_before = len(node.lines)
    ticks_before = cpu_ticks()
    t0 = time.monotonic()
    compose = api.request("POST", "/api/1/composes/", body)
    posted = time.monotonic()
    polls = 0
    while compose["state_name"] not in ("done", "failed"):
        time.sleep(args.poll_ms / 1000.0)
        compose = api.request("GET", "/api/1/composes/%d" % compose["id"])
        polls += 1
        if time.monotonic() - t0 > 3600:
            raise RuntimeError("compose %d not finished after 1 h" % compose["id"])
    t_done = time.monotonic()
    ticks_after = cpu_ticks()
    peak_kib = vm_kib(node.pid, "VmHWM")
    node_cpu = process_cpu_seconds(node.pid) - node_cpu_before
    hub_cpu = process_cpu_seconds(cluster.hub_pid) - hub_cpu_before
    api.close()
    cluster.stop_node(0)
    node.reader.join(timeout=10)
    if compose["state_name"] != "done":
        raise RuntimeError("compose %d failed: %s" % (compose["id"], compose.get("state_reason")))
    lines = [(t, text) for t, text in node.lines[lines_before:] if t <= t_done]
    return {
        "id": compose["id"],
        "seconds": t_done - t0,
        "post_seconds": posted - t0,
        "polls": polls,
        "peak_rss_mib": peak_kib / 1024.0,
        "node_cpu_seconds": node_cpu,
        "hub_cpu_seconds": hub_cpu,
        "machine_busy_cores": busy_cores(ticks_before, ticks_after),
        "busy_cores_before": idle_busy,
        "noisy": noisy,
        "baseline_rss_mib": baseline_kib / 1024.0,
        "phases": phases(lines, t0, t_done),
        "solver_ms": solver_ms(lines),
        "log_lines": [("%.3f" % (t - t0), text) for t, text in lines],
    }


def message(text):
    """The message of a node log line (`<time> info odcs: key=value… [Module] message`)."""
    return text.split("] ", 1)[1] if "] " in text else text


def phases(lines, t0, t_done):
    """Seconds per phase, from the arrival times of the compose's log lines; `observed` is
    the rest, until the poll saw the compose done."""
    ends = {}
    for name, pattern in PHASES:
        regex = re.compile(pattern)
        for t, text in lines:
            if regex.search(message(text)):
                ends[name] = t
    result, previous = {}, t0
    for name, _ in PHASES:
        if name in ends:
            result[name] = max(0.0, ends[name] - previous)
            previous = ends[name]
    result["observed"] = t_done - previous
    return result


def solver_ms(lines):
    """The generator's own timing of each arch's dependency closure."""
    found = {}
    for _, text in lines:
        m = re.match(r"Dependency closure for (\S+): .*\((\d+) ms\)", message(text))
        if m:
            found[m.group(1)] = int(m.group(2))
    return found


# ---------------------------------------------------------------- the floor
def trees_of(compose_dir):
    """The compose's trees (directories with repodata/, empty debug trees too) and their RPMs."""
    trees = []
    variant = os.path.join(compose_dir, "compose", "Temporary")
    for dirpath, dirnames, _ in os.walk(variant):
        if "repodata" in dirnames:
            rpms = []
            for sub, _, files in os.walk(os.path.join(dirpath, "Packages")):
                rpms += [os.path.join(sub, f) for f in files if f.endswith(".rpm")]
            trees.append((os.path.relpath(dirpath, variant), sorted(rpms)))
            dirnames[:] = [d for d in dirnames if d not in ("repodata", "Packages")]
    return sorted(trees)


def floor(compose_dir, scratch):
    """createrepo_c alone over the same RPM files: each tree's files hard-linked into a fresh
    directory (same Packages/<letter>/ layout), one createrepo_c after the other."""
    total, per_tree, peak_kib = 0.0, {}, 0
    for tree, rpms in trees_of(compose_dir):
        directory = os.path.join(scratch, tree.replace("/", "_"))
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        source_tree = os.path.join(compose_dir, "compose", "Temporary", tree)
        for rpm in rpms:
            destination = os.path.join(directory, os.path.relpath(rpm, source_tree))  # Packages/<letter>/<file>
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            os.link(rpm, destination)
        started = time.monotonic()
        proc = subprocess.Popen(CREATEREPO + ["--quiet", directory], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError("createrepo_c failed in %s: %s" % (directory, proc.stderr.read().decode(errors="replace")))
        proc.stderr.close()
        per_tree[tree] = {"rpms": len(rpms), "seconds": elapsed}
        total += elapsed
        peak_kib = max(peak_kib, usage.ru_maxrss)
        shutil.rmtree(directory, ignore_errors=True)
    return {"seconds": total, "trees": per_tree, "createrepo_peak_rss_mib": peak_kib / 1024.0}


# ---------------------------------------------------------------- the run
def summarize(samples, key):
    values = [s[key] for s in samples]
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def run_case(cluster, packages, arches, deps, repeats, args, scratch):
    runs = []
    for repeat in range(repeats):
        if args.cold:
            subprocess.run(["sync"], check=True)
            with open("/proc/sys/vm/drop_caches", "w") as f:
                f.write("3\n")
        sample = compose_once(cluster, packages, arches, deps, args)
        compose_dir = os.path.join(cluster.target, "odcs-%d" % sample["id"])
        sample["trees"] = {tree: len(rpms) for tree, rpms in trees_of(compose_dir)}
        sample["floor"] = floor(compose_dir, scratch)
        sample["ratio"] = sample["seconds"] / sample["floor"]["seconds"]
        shutil.rmtree(compose_dir, ignore_errors=True)
        log("%5d pkgs %-14s deps=%-6s run %d: %.3f s (node CPU %.2f s, machine %.2f cores), peak RSS %.1f MiB, "
            "floor %.3f s (%.1fx)%s" % (
                packages, ",".join(arches), deps, repeat + 1, sample["seconds"], sample["node_cpu_seconds"],
                sample["machine_busy_cores"], sample["peak_rss_mib"], sample["floor"]["seconds"], sample["ratio"],
                " NOISY" if sample["noisy"] else ""))
        runs.append(sample)
    floors = [{"seconds": r["floor"]["seconds"]} for r in runs]
    phase_names = list(runs[0]["phases"].keys())
    return {
        "packages": packages, "arches": arches, "deps": deps,
        "seconds": summarize(runs, "seconds"),
        "peak_rss_mib": summarize(runs, "peak_rss_mib"),
        "baseline_rss_mib": summarize(runs, "baseline_rss_mib"),
        "node_cpu_seconds": summarize(runs, "node_cpu_seconds"),
        "hub_cpu_seconds": summarize(runs, "hub_cpu_seconds"),
        "machine_busy_cores": summarize(runs, "machine_busy_cores"),
        "noisy_runs": sum(1 for r in runs if r["noisy"]),
        "floor_seconds": summarize(floors, "seconds"),
        "ratio_median": statistics.median(r["ratio"] for r in runs),
        "phases_median": {p: statistics.median(r["phases"].get(p, 0.0) for r in runs) for p in phase_names},
        "solver_ms_median": {a: statistics.median(r["solver_ms"][a] for r in runs) for a in runs[0]["solver_ms"]},
        "trees": runs[0]["trees"],
        "createrepo_peak_rss_mib": max(r["floor"]["createrepo_peak_rss_mib"] for r in runs),
        "runs": runs,
    }


def summary_markdown(results):
    lines = [
        "# Native Koji tag composes (%s)" % results["stamp"], "",
        "Machine: %s cores, %s; target dir and fixture volume on %s; git %s." % (
            results["machine"]["nproc"], results["machine"]["mem"], results["filesystem"], results["machine"]["git"]), "",
        "| packages | arches | deps | median | min–max | node CPU | hub CPU | peak RSS | createrepo_c floor | ratio | RPMs in trees |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for c in results["cases"]:
        lines.append("| %d | %s | %s | %.3f s | %.3f–%.3f s | %.2f s | %.2f s | %.0f MiB | %.3f s | %.1f× | %s |" % (
            c["packages"], " ".join(c["arches"]), c["deps"], c["seconds"]["median"], c["seconds"]["min"],
            c["seconds"]["max"], c["node_cpu_seconds"]["median"], c["hub_cpu_seconds"]["median"],
            c["peak_rss_mib"]["max"], c["floor_seconds"]["median"], c["ratio_median"],
            ", ".join("%s %d" % kv for kv in sorted(c["trees"].items()))))
    lines += ["", "Phases (median seconds):", "",
              "| packages | arches | deps | " + " | ".join(n for n, _ in PHASES) + " | observed |",
              "|---:|---|---|" + "---:|" * (len(PHASES) + 1)]
    for c in results["cases"]:
        lines.append("| %d | %s | %s | %s |" % (
            c["packages"], " ".join(c["arches"]), c["deps"],
            " | ".join("%.3f" % c["phases_median"].get(n, 0.0) for n in [p for p, _ in PHASES] + ["observed"])))
    baselines = [r["baseline_rss_mib"] for c in results["cases"] for r in c["runs"]]
    noisy = sum(c["noisy_runs"] for c in results["cases"])
    lines += ["", "Node RSS right after start: %.1f–%.1f MiB. Runs started on a busy machine: %d." % (
        min(baselines), max(baselines), noisy)]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packages", default="20,200,2000", help="package counts (comma list)")
    parser.add_argument("--arch-sets", default="x86_64;x86_64,%s" % SECOND_ARCH,
                        help="arch sets of the composes, ';' between sets (default: x86_64;x86_64,%s)" % SECOND_ARCH)
    parser.add_argument("--deps", default="on,off,listed",
                        help="on: every package with dependency solving; off: every package, no_deps; "
                             "listed: one package (the last build's) and its closure")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--poll-ms", type=float, default=10.0, help="GET /api/1/composes/<id> interval")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds between a node's /readyz and the POST")
    parser.add_argument("--max-busy", type=float, default=0.15,
                        help="busy cores (whole machine) below which a compose may start")
    parser.add_argument("--quiet-timeout", type=float, default=900, help="longest wait for a quiet machine, s")
    parser.add_argument("--root", default=os.environ.get("BENCH_KOJI_ROOT", "/var/tmp/odcs-kojibench"),
                        help="fixture volumes (kept for reuse) and the target dir (removed); one filesystem")
    parser.add_argument("--rebuild-fixtures", action="store_true", help="build the fixtures again even if saved")
    parser.add_argument("--cold", action="store_true", help="drop the page cache before each compose (root)")
    parser.add_argument("--skip-build", action="store_true", default=bool(os.environ.get("BENCH_SKIP_BUILD")))
    args = parser.parse_args()
    schedlib.install_signal_handlers()

    counts = [int(x) for x in args.packages.split(",")]
    arch_sets = [s.split(",") for s in args.arch_sets.split(";")]
    all_arches = []
    for arches in arch_sets:
        all_arches += [a for a in arches if a not in all_arches]
    deps_values = args.deps.split(",")
    if any(d not in DEPS for d in deps_values):
        parser.error("--deps takes on, off and listed")

    binaries = build(args.skip_build)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    results_dir = os.path.join(ROOT, "Benchmarks", "results", "koji-" + stamp)
    os.makedirs(results_dir)
    os.makedirs(args.root, exist_ok=True)
    target = os.path.join(args.root, "target-" + stamp)
    scratch = os.path.join(args.root, "floor-" + stamp)

    mem = subprocess.run(["free", "-h"], stdout=subprocess.PIPE).stdout.decode().splitlines()[1].split()[1]
    results = {
        "stamp": stamp, "machine": dict(schedlib.machine_info(), mem=mem), "filesystem": filesystem(args.root),
        "root": args.root, "repeats": args.repeats, "poll_ms": args.poll_ms, "cold_cache": args.cold,
        "createrepo_c": subprocess.run(["createrepo_c", "--version"], stdout=subprocess.PIPE).stdout.decode().strip(),
        # `machine.git` is HEAD when the run started; the binaries may be older than it.
        "binaries_built": {name: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(os.stat(path).st_mtime))
                           for name, path in binaries.items()},
        "fixtures": {}, "cases": [],
    }
    cluster = KojiCluster(binaries["odcs"], results_dir, target)
    hub = None
    try:
        os.makedirs(target)
        os.makedirs(scratch)
        if os.stat(target).st_dev != os.stat(args.root).st_dev:
            raise RuntimeError("the target dir must be on the fixture volume's filesystem (hard links)")
        cluster.start_pg()
        for count in counts:
            fixture = "synthetic:%d:%s" % (count, ",".join(all_arches))
            hub = Hub(binaries["koji-test-hub"], os.path.join(args.root, "fixture-%d-%s" % (count, "-".join(all_arches))),
                      fixture, results_dir, args.rebuild_fixtures)
            cluster.hub_pid = hub.proc.pid
            results["fixtures"][fixture] = {"directory": hub.directory, "built": hub.built, "ready_seconds": hub.ready_seconds}
            cluster.configure(**{
                "koji_url": hub.url, "koji_topdir": hub.topdir, "allowed_arches": json.dumps(all_arches),
                "num_concurrent_pungi": 1, "log_level": "info", "drain_timeout": 0, "poll_interval_ms": 2000,
            })
            for arches in arch_sets:
                for deps in deps_values:
                    results["cases"].append(run_case(cluster, count, arches, deps, args.repeats, args, scratch))
                    with open(os.path.join(results_dir, "results.json"), "w") as f:
                        json.dump(results, f, indent=1)
            hub.stop()
            hub = None
        with open(os.path.join(results_dir, "summary.md"), "w") as f:
            f.write(summary_markdown(results))
        sys.stdout.write(summary_markdown(results))
    finally:
        if hub is not None:
            hub.stop()
        cluster.close()
        shutil.rmtree(target, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
    log("results in %s" % results_dir)


if __name__ == "__main__":
    main()
