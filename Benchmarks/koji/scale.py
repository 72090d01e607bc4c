#!/usr/bin/env python3
"""Fedora-scale tag composes: the scale fixture (scale_fixture.py) at several sizes, served by
koji-test-hub, and per size on one release `odcs serve` node with koji_topdir:

  1. 50 packages + deps, x86_64 with i686 multilib (runtime+devel), empty header cache (cold);
  2. the same request again (warm: the header cache holds the snapshot the first wrote);
  2a. the same request with 20 of the tag's builds replaced by older ones (`builds`): the
     candidate set changed a little, so only the headers the last full snapshot lacks are read;
  2b. the same request without koji_topdir, twice, files over HTTP from a byte-counting web root:
     solved from Koji's repository of the tag (the second time from its snapshot in the header
     cache); RPM bytes downloaded against the compose's own;
  3. the whole tag (no package list, deps on), x86_64, and `createrepo_c --workers 2` alone over
     the same trees (the floor, as in run.py).

Per compose: wall time (POST to the poll that saw `done`), peak RSS of the node (a fresh node
per compose, same target dir, so the cache survives), bytes the node read (`rchar` of
/proc/<pid>/io: files, the hub's answers, the database), and the header-cache log lines.

    Benchmarks/koji/scale.py --skip-build                     # 2,000 / 20,000 / 60,000 binary RPMs
    Benchmarks/koji/scale.py --skip-build --builds 600

Stdlib only; reuses run.py (hub, node, floor) and the scheduler benchmark's PostgreSQL.
Results: Benchmarks/results/koji-scale-<UTC stamp>/ (results.json, summary.md, logs).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as kojirun  # noqa: E402
import scale_fixture  # noqa: E402
from run import API, KojiCluster, log  # noqa: E402
from schedlib import ROOT  # noqa: E402

TAG = "scale-build"


def io_bytes(pid):
    with open("/proc/%d/io" % pid) as f:
        fields = dict(line.split(": ") for line in f.read().splitlines())
    return int(fields["rchar"]), int(fields["read_bytes"])


def fixture(builds, root):
    """Generates (or reuses) the scale fixture; returns (directory, fixture name, seconds)."""
    started = time.monotonic()
    out = subprocess.run([sys.executable, os.path.join(HERE, "scale_fixture.py"), "--builds", str(builds), "--root", root,
                          "--print-dir"], stdout=subprocess.PIPE, check=True, timeout=7200).stdout.decode().split("\n")
    return out[0], out[1], time.monotonic() - started


def compose(cluster, body, poll_ms):
    """A fresh node, one compose; returns its measurements and the node's log lines."""
    node = cluster.start_node(0)
    time.sleep(1.0)
    rchar0, disk0 = io_bytes(node.pid)
    api = API(node.port)
    lines_before = len(node.lines)
    t0 = time.monotonic()
    result = api.request("POST", "/api/1/composes/", body)
    while result["state_name"] not in ("done", "failed"):
        time.sleep(poll_ms / 1000.0)
        try:
            result = api.request("GET", "/api/1/composes/%d" % result["id"])
        except (TimeoutError, ConnectionError):  # a busy node on a loaded machine: ask again
            api.close()
            api = API(node.port)
        if time.monotonic() - t0 > 3600:
            raise RuntimeError("compose %d not finished after 1 h" % result["id"])
        if node.proc.poll() is not None:  # a node that died mid-compose never answers again
            raise RuntimeError("the node exited with status %s during compose %d; its last lines:\n%s" % (
                node.proc.returncode, result["id"], "\n".join(text for _, text in node.lines[-20:])))
    seconds = time.monotonic() - t0
    rchar1, disk1 = io_bytes(node.pid)
    peak_kib = kojirun.vm_kib(node.pid, "VmHWM")
    api.close()
    cluster.stop_node(0)
    node.reader.join(timeout=10)
    if result["state_name"] != "done":
        raise RuntimeError("compose %d failed: %s" % (result["id"], result.get("state_reason")))
    timed = [(t, kojirun.message(text)) for t, text in node.lines[lines_before:]]
    texts = [text for _, text in timed]

    def at(prefix):
        return next((t for t, text in timed if text.startswith(prefix)), None)

    # File placement (link, copy or download) and verification (signature header, payload
    # hash), from the step log's lines around them, per file.
    placing, placed, checked = at("The packages need"), at("Fetched "), at("Checked ")
    fetched = next((text for text in texts if text.startswith("Fetched ")), "")
    files = int(fetched.split()[1]) if fetched else 0
    placement = {}
    if placing is not None and placed is not None and checked is not None and files:
        placement = {"files": files, "place_s": placed - placing, "verify_s": checked - placed, "line": fetched,
                     "place_us_per_file": (placed - placing) / files * 1e6, "verify_us_per_file": (checked - placed) / files * 1e6}
    return {
        "placement": placement,
        "id": result["id"], "seconds": seconds, "peak_rss_mib": peak_kib / 1024.0,
        "read_mib": (rchar1 - rchar0) / 2**20, "read_from_disk_mib": (disk1 - disk0) / 2**20,
        "header_cache": [t for t in texts if t.startswith("Header cache:")],
        "closure": [t for t in texts if t.startswith("Dependency closure for")],
        "package_set": [t for t in texts if t.startswith("Package set:")],
    }


class CountingFileServer:
    """Koji's web root (`koji_topurl`) over the fixture's top dir, counting the bytes it sends:
    RPMs apart from the rest (Koji's repository metadata)."""

    def __init__(self, directory):
        import functools
        import http.server
        import threading
        server = self
        self.rpm_bytes = self.other_bytes = self.rpm_files = 0
        self.lock = threading.Lock()

        class Handler(http.server.SimpleHTTPRequestHandler):
            def copyfile(self, source, outputfile):
                sent = 0
                while True:
                    chunk = source.read(1 << 20)
                    if not chunk:
                        break
                    outputfile.write(chunk)
                    sent += len(chunk)
                with server.lock:
                    if self.path.endswith(".rpm"):
                        server.rpm_bytes += sent
                        server.rpm_files += 1
                    else:
                        server.other_bytes += sent

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=directory))
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def counts(self):
        with self.lock:
            return {"rpm_bytes": self.rpm_bytes, "rpm_files": self.rpm_files, "metadata_bytes": self.other_bytes}

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def node_settings(hub, **files):
    """The node's settings for a size: Koji at `hub`, its files from `koji_topdir` or `koji_topurl`."""
    return {"koji_url": hub.url, **files, "allowed_arches": json.dumps(["x86_64", "i686"]), "num_concurrent_pungi": 1,
            "log_level": "info", "drain_timeout": 0, "poll_interval_ms": 2000}


def changed_builds(directory, count):
    """NVRs of `count` builds that the child tag's latest hides (a package's base-tag build
    rebuilt into the updates tag): listing them changes the candidate set by their RPMs."""
    with open(os.path.join(directory, "fixture.json")) as f:
        data = json.load(f)["data"]
    releases = {}
    for b in data["builds"]:
        releases.setdefault(b["name"], []).append(b)
    older = [sorted(bs, key=lambda b: b["release"])[0] for name, bs in sorted(releases.items()) if len(bs) > 1]
    return ["%s-%s-%s" % (b["name"], b["version"], b["release"]) for b in older[:count]]


def rpm_names_of(compose_dir):
    """The compose's RPMs as (tree, file name), every tree."""
    return sorted((os.path.relpath(d, compose_dir).split("/Packages")[0], f)
                  for d, _, fs in os.walk(compose_dir) for f in fs if f.endswith(".rpm"))


def rpm_bytes_of(compose_dir):
    """The compose's own RPMs: their count and bytes, every tree."""
    files = [os.path.join(d, f) for d, _, fs in os.walk(compose_dir) for f in fs if f.endswith(".rpm")]
    return len(files), sum(os.path.getsize(f) for f in files)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--builds", default="575,5900,20000",
                        help="fixture sizes in builds (about 3.4 binary RPMs each: 1,951 / 19,983 / 67,642)")
    parser.add_argument("--root", default="/var/tmp/odcs-kojibench")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--bin-dir", help="take odcs and koji-test-hub from here (e.g. .build/debug: a smoke run, not a benchmark)")
    parser.add_argument("--poll-ms", type=int, default=20)
    parser.add_argument("--no-whole-tag", action="store_true", help="skip the whole-tag compose and its floor")
    args = parser.parse_args()

    if args.bin_dir:
        binaries = {name: os.path.join(os.path.abspath(args.bin_dir), name) for name in ("odcs", "koji-test-hub")}
    else:
        binaries = kojirun.build(args.skip_build)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    results_dir = os.path.join(ROOT, "Benchmarks", "results", "koji-scale-" + stamp)
    os.makedirs(results_dir)
    results = {"machine": {"cores": os.cpu_count(), "load": os.getloadavg()}, "binaries": binaries, "sizes": []}
    cluster = KojiCluster(binaries["odcs"], results_dir, target=None)
    hub = None
    scratch = os.path.join(args.root, "floor-scale-" + stamp)
    try:
        os.makedirs(args.root, exist_ok=True)
        cluster.start_pg()
        for builds in [int(b) for b in args.builds.split(",")]:
            directory, name, fixture_seconds = fixture(builds, args.root)
            saved = json.load(open(os.path.join(directory, "fixture.json")))
            rpms = len(saved["data"]["rpms"])
            _, per_arch = scale_fixture.latest_counts(saved)
            latest_binary = sum(n for arch, n in per_arch.items() if arch != "src")
            del saved
            hub = kojirun.Hub(binaries["koji-test-hub"], directory, name, results_dir, False)
            cluster.hub_pid = hub.proc.pid
            target = os.path.join(args.root, "target-scale-%s" % stamp)
            shutil.rmtree(target, ignore_errors=True)
            os.makedirs(target)
            # A new, empty target dir is a new volume: forget the last one's identity, or the
            # node refuses it as not the cluster's volume (docs/operations.md).
            cluster.psql("DO $$ BEGIN IF to_regclass('volumes') IS NOT NULL THEN DELETE FROM volumes; END IF; END $$")
            cluster.target = target
            cluster.configure(**node_settings(hub, koji_topdir=hub.topdir))
            size = {"builds": builds, "rpm_files": rpms, "latest_binary_rpms": latest_binary, "fixture": name, "fixture_seconds": fixture_seconds,
                    "hub_ready_seconds": hub.ready_seconds, "composes": {}}
            step = max(1, builds // 50)
            packages = ["pk%05d" % b for b in range(0, builds, step)][:50]
            listed = {"source": {"type": "tag", "source": TAG, "packages": packages}, "flags": ["no_reuse"],
                      "arches": ["x86_64"], "multilib_arches": ["x86_64"], "multilib_method": ["runtime", "devel"]}
            for label in ("cold", "warm"):
                sample = compose(cluster, listed, args.poll_ms)
                size["composes"]["50+deps multilib " + label] = sample
                log("%d builds: 50+deps %s: %.2f s, peak RSS %.0f MiB, read %.0f MiB; %s" % (
                    builds, label, sample["seconds"], sample["peak_rss_mib"], sample["read_mib"], sample["header_cache"]))
            # The tag changed a little (20 builds listed in place of the tag's newer ones): only
            # the headers the last full snapshot lacks are read.
            older = changed_builds(directory, 20)
            sample = compose(cluster, dict(listed, source=dict(listed["source"], builds=older)), args.poll_ms)
            size["composes"]["50+deps multilib, 20 builds changed"] = sample
            log("%d builds: 50+deps with 20 builds changed: %.2f s, peak RSS %.0f MiB; %s" % (
                builds, sample["seconds"], sample["peak_rss_mib"], sample["header_cache"]))
            # Without koji_topdir: solved from Koji's repository of the tag, downloading only
            # the compose's RPMs (issue 17: downloaded ≤ 2× the compose's RPMs + the metadata);
            # the second compose reads the repository's snapshot from the header cache.
            web = CountingFileServer(hub.topdir)
            samples = []
            try:
                cluster.configure(**node_settings(hub, koji_topurl=web.url))
                for _ in range(2):
                    before = web.counts()
                    sample = compose(cluster, listed, args.poll_ms)
                    sample.update({key: value - before[key] for key, value in web.counts().items()})
                    samples.append(sample)
            finally:
                web.stop()
                cluster.configure(**node_settings(hub, koji_topdir=hub.topdir))
            for label, sample in zip(("koji_topurl", "koji_topurl, warm"), samples):
                compose_dir = os.path.join(target, "odcs-%d" % sample["id"])
                sample["compose_rpm_files"], sample["compose_rpm_bytes"] = rpm_bytes_of(compose_dir)
                # The same request with koji_topdir (the cold compose): the same RPMs in every tree.
                sample["same_rpms_as_topdir"] = rpm_names_of(compose_dir) == rpm_names_of(
                    os.path.join(target, "odcs-%d" % size["composes"]["50+deps multilib cold"]["id"]))
                if not sample["same_rpms_as_topdir"]:
                    raise RuntimeError("compose %d (%s) holds other RPMs than the same request with koji_topdir" % (sample["id"], label))
                sample["download_ratio"] = sample["rpm_bytes"] / max(1, sample["compose_rpm_bytes"])
                size["composes"]["50+deps multilib, " + label] = sample
                log("%d builds: 50+deps via %s (same RPMs as with koji_topdir): %.2f s, %d RPMs downloaded (%.1f MiB) for %d compose "
                    "RPMs (%.1f MiB): %.2fx; repository metadata %.1f MiB" % (
                        builds, label, sample["seconds"], sample["rpm_files"], sample["rpm_bytes"] / 2**20, sample["compose_rpm_files"],
                        sample["compose_rpm_bytes"] / 2**20, sample["download_ratio"], sample["metadata_bytes"] / 2**20))
            if not args.no_whole_tag:
                sample = compose(cluster, {"source": {"type": "tag", "source": TAG}, "flags": ["no_reuse"], "arches": ["x86_64"]},
                                 args.poll_ms)
                compose_dir = os.path.join(target, "odcs-%d" % sample["id"])
                sample["trees"] = {tree: len(files) for tree, files in kojirun.trees_of(compose_dir)}
                sample["floor"] = kojirun.floor(compose_dir, scratch)
                sample["ratio"] = sample["seconds"] / sample["floor"]["seconds"]
                size["composes"]["whole tag"] = sample
                log("%d builds: whole tag: %.2f s, floor %.2f s (%.2fx), peak RSS %.0f MiB, read %.0f MiB" % (
                    builds, sample["seconds"], sample["floor"]["seconds"], sample["ratio"], sample["peak_rss_mib"],
                    sample["read_mib"]))
            cache = os.path.join(target, ".cache", "headers")
            size["header_cache_mib"] = sum(
                os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(cache) for f in fs) / 2**20
            results["sizes"].append(size)
            hub.stop()
            hub = None
            shutil.rmtree(target, ignore_errors=True)
            with open(os.path.join(results_dir, "results.json"), "w") as f:
                json.dump(results, f, indent=1)
    finally:
        if hub is not None:
            hub.stop()
        cluster.close()
        shutil.rmtree(scratch, ignore_errors=True)
        if cluster.target:
            shutil.rmtree(cluster.target, ignore_errors=True)
    write_summary(results, results_dir)
    log("results in %s" % results_dir)


def write_summary(results, results_dir):
    lines = ["| builds | latest binary RPMs | compose | seconds | peak RSS MiB | read MiB | headers read | floor s | ratio |",
             "|---|---|---|---|---|---|---|---|---|"]
    downloads = ["", "| builds | latest binary RPMs | RPMs downloaded | MiB | compose's RPMs | MiB | ratio | repository metadata MiB |",
                 "|---|---|---|---|---|---|---|---|"]
    for size in results["sizes"]:
        for label, c in size["composes"].items():
            read = ", ".join(h.split(" RPM headers")[0].replace("Header cache: ", "") for h in c["header_cache"]) or "-"
            floor = c.get("floor", {}).get("seconds")
            lines.append("| %d | %d | %s | %.2f | %.0f | %.0f | %s | %s | %s |" % (
                size["builds"], size["latest_binary_rpms"], label, c["seconds"], c["peak_rss_mib"], c["read_mib"], read,
                "%.2f" % floor if floor else "-", "%.2f" % c["ratio"] if "ratio" in c else "-"))
            if "download_ratio" in c:
                downloads.append("| %d | %d | %d | %.1f | %d | %.1f | %.2f | %.1f |" % (
                    size["builds"], size["latest_binary_rpms"], c["rpm_files"], c["rpm_bytes"] / 2**20, c["compose_rpm_files"],
                    c["compose_rpm_bytes"] / 2**20, c["download_ratio"], c["metadata_bytes"] / 2**20))
    if len(downloads) > 3:
        lines += downloads
    lines += ["", "| builds | compose | files placed | how | placing s (µs/file) | verifying s (µs/file) | compose s |",
              "|---|---|---|---|---|---|---|"]
    for size in results["sizes"]:
        for label, c in size["composes"].items():
            p = c.get("placement")
            if p:
                how = p["line"].split("(", 1)[1].split(")", 1)[0] if "(" in p["line"] else "-"
                lines.append("| %d | %s | %d | %s | %.3f (%.0f) | %.3f (%.0f) | %.2f |" % (
                    size["builds"], label, p["files"], how, p["place_s"], p["place_us_per_file"], p["verify_s"],
                    p["verify_us_per_file"], c["seconds"]))
    with open(os.path.join(results_dir, "summary.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
