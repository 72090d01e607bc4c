#!/usr/bin/env python3
"""How a node answers while it copies large packages onto its target dir (issue 20, item 1).

One `odcs serve` node on the private PostgreSQL; its repo source is a tmpfs holding PACKAGES
RPMs of SIZE_MB random bytes each (uncompressed payload), its target dir is on the machine's
disk, so every package is copied (no hard link across filesystems). While COMPOSES repo
composes copy them, two threads probe `GET /readyz` (a database round trip) and `GET /healthz`
(none) every 20 ms; the report gives each probe's latency (p50, p99, max), the composes' wall time, and the node's leader elections (a duty that
missed its lock check changes leader).

    ODCS_BIN=.build/release/odcs TEST_DATABASE_URL=postgres://app@127.0.0.1:55470/postgres \
        python3 Benchmarks/volume-io/run.py [--size-mb 400] [--packages 2] [--composes 2] [--generation-nice N]

Needs root (it mounts a tmpfs), rpmbuild and createrepo_c.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Compat"))
from compat_helpers import ServeNode, big_rpm_repo, mount_tmpfs, wait_until  # noqa: E402



class Node(ServeNode):
    database_prefix = "odcs_volume_io_"
    node_prefix = "volume-io-"


def build_packages(repos, count, size, top):
    """Builds on the disk (`top`) into repositories on the tmpfs (`repos`)."""
    return [big_rpm_repo(top, os.path.join(repos, "odcs-io-%d" % n), "odcs-io-%d" % n, size) for n in range(1, count + 1)]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def metric(text, name):
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=400)
    parser.add_argument("--packages", type=int, default=2)
    parser.add_argument("--composes", type=int, default=2)
    parser.add_argument("--generation-nice", type=int, help="the node's generation_nice (default: the node's own)")
    arguments = parser.parse_args()
    size = arguments.size_mb * 1024 * 1024
    work = tempfile.mkdtemp(prefix="odcs-volume-io-", dir="/var/tmp")
    source = os.path.join(work, "source")
    unmount = mount_tmpfs(source, "%dm" % (arguments.size_mb * arguments.packages + 100))
    node = None
    try:
        repos = build_packages(source, arguments.packages, size, os.path.join(work, "rpmbuild"))
        node = Node("bench", os.path.join(work, "node"), {
            "ODCS_ALLOWED_SOURCE_TYPES": '["repo"]',
            "ODCS_REPO_SOURCE_ROOTS": json.dumps([source]),
            "ODCS_POLL_INTERVAL_MS": "200",
            **({} if arguments.generation_nice is None else {"ODCS_GENERATION_NICE": str(arguments.generation_nice)}),
        })
        wait_until(lambda: metric(node.metrics(), "odcs_leader_elections_total") > 0, 30, "the node to lead its duties")
        time.sleep(3)  # let every duty settle on its first leader before counting changes
        elections_before = metric(node.metrics(), "odcs_leader_elections_total")
        latencies = {"/readyz": [], "/healthz": []}
        stop = threading.Event()

        def probe(path):
            session = requests.Session()
            while not stop.is_set():
                started = time.monotonic()
                session.get(node.url + path, timeout=30)
                latencies[path].append(time.monotonic() - started)
                time.sleep(0.02)

        probers = [threading.Thread(target=probe, args=(path,)) for path in latencies]
        for prober in probers:
            prober.start()
        started = time.monotonic()
        ids = [node.create(" ".join(repos)) for _ in range(arguments.composes)]
        done = [node.finished(cid, timeout=600) for cid in ids]
        took = time.monotonic() - started
        stop.set()
        for prober in probers:
            prober.join()
        elections = metric(node.metrics(), "odcs_leader_elections_total") - elections_before
        assert all(d["state_name"] == "done" for d in done), [d["state_reason"] for d in done]
        copied = arguments.composes * arguments.packages * arguments.size_mb
        print("composes: %d x %d packages of %d MB copied (%d MB) in %.1f s" % (
            arguments.composes, arguments.packages, arguments.size_mb, copied, took))
        for path, values in latencies.items():
            print("%s probes: %d, p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (
                path, len(values), 1000 * percentile(values, 0.5), 1000 * percentile(values, 0.99), 1000 * max(values)))
        print("leader elections during the copies: %d" % elections)
    finally:
        if node is not None:
            node.stop()
        unmount()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
