#!/usr/bin/env python3
"""Memory of one node under parallel worst-case list requests (issue 14, item 4).

Loads BENCH_COMPOSES (40) composes whose `packages` hold BENCH_PACKAGE_BYTES (1 MiB) each
into a private PostgreSQL, then sends BENCH_PARALLEL (8) parallel
`GET /api/1/composes/?per_page=1000` to one `odcs serve` node, BENCH_ROUNDS (3) times, and
reports the node's peak RSS (VmHWM, reset before each round through /proc/<pid>/clear_refs),
the answer times and sizes. Every response of a run must be byte-identical (and parse as the
expected page); the test suite proves that the streamed JSON is the one the unstreamed
renderer writes (ComposeListStreamTests).

Usage (as root, from anywhere):
    Benchmarks/api/list_memory.py                         # the release binary .build-release/release/odcs
    BENCH_BIN=.build/debug/odcs Benchmarks/api/list_memory.py

Knobs: BENCH_BIN, BENCH_COMPOSES=40, BENCH_PACKAGE_BYTES=1048576, BENCH_PARALLEL=8,
BENCH_ROUNDS=3, BENCH_PER_PAGE=1000, BENCH_READ_DELAY_MS=0 (pause between 64 KiB reads: a
slow client), BENCH_RESULTS (a JSON file for the numbers).
"""

import hashlib
import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("BENCH_BIN", str(ROOT / ".build-release" / "release" / "odcs"))
COMPOSES = int(os.environ.get("BENCH_COMPOSES", "40"))
PACKAGE_BYTES = int(os.environ.get("BENCH_PACKAGE_BYTES", str(1 << 20)))
PARALLEL = int(os.environ.get("BENCH_PARALLEL", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
PER_PAGE = int(os.environ.get("BENCH_PER_PAGE", "1000"))
READ_DELAY = int(os.environ.get("BENCH_READ_DELAY_MS", "0")) / 1000


def log(message):
    print(f"[list-memory {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kib(pid, field):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def psql(url, sql):
    return subprocess.run(
        ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url], input=sql, text=True, capture_output=True, check=True, timeout=600
    ).stdout.strip()


def fetch(url, results, index):
    started = time.monotonic()
    digest = hashlib.sha256()
    size = 0
    first = b""
    with urllib.request.urlopen(url, timeout=600) as response:
        while True:
            block = response.read(65536)
            if not block:
                break
            if len(first) < 1 << 20:
                first += block[: (1 << 20) - len(first)]
            digest.update(block)
            size += len(block)
            if READ_DELAY:
                time.sleep(READ_DELAY)
        framing = response.headers.get("Transfer-Encoding") or f"Content-Length {response.headers.get('Content-Length')}"
    results[index] = {"seconds": time.monotonic() - started, "bytes": size, "sha256": digest.hexdigest(), "framing": framing}


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit(f"no odcs binary at {BIN} (build it: swift build -c release --scratch-path .build-release --product odcs)")
    work = tempfile.mkdtemp(prefix="odcs-lm.", dir="/tmp")
    os.chmod(work, 0o711)
    pg_dir, pg_port = work + "/pg", free_port()
    node = None
    try:
        subprocess.run([str(ROOT / "scripts/pg-private.sh"), "start", pg_dir, str(pg_port)], check=True, timeout=120)
        db = f"postgres://app@127.0.0.1:{pg_port}/postgres"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        os.makedirs(work + "/target")
        with open(work + "/odcs.yaml", "w") as config:
            config.write("allowed_source_types: [tag, module, build, repo]\nnum_concurrent_pungi: 0\n")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("ODCS_")}
        log_file = open(work + "/node.log", "w")
        node = subprocess.Popen(
            [BIN, "serve", "--config", work + "/odcs.yaml", "--database-url", db, "--host", "127.0.0.1", "--port", str(port),
             "--target-dir", work + "/target", "--state-dir", work + "/state", "--log-level", "warning"],
            stdout=log_file, stderr=subprocess.STDOUT, env=environment)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/readyz", timeout=5).read()
                break
            except OSError:
                if node.poll() is not None or time.monotonic() > deadline:
                    sys.exit("the node did not start:\n" + pathlib.Path(work + "/node.log").read_text()[-2000:])
                time.sleep(0.1)

        # One compose through the API, then its row copied with a 1 MiB package list.
        body = json.dumps({"source": {"type": "repo", "source": "/srv/repos/bench"}}).encode()
        request = urllib.request.Request(base + "/api/1/composes/", data=body, method="POST")
        template = json.load(urllib.request.urlopen(request, timeout=60))["id"]
        names = []
        total = 0
        while total < PACKAGE_BYTES:
            name = f"package-{len(names):07d}"
            names.append(name)
            total += len(name) + 1
        packages = " ".join(names)
        columns = psql(db, """SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = 'composes' AND column_name NOT IN ('id', 'packages') AND is_generated = 'NEVER'""")
        with tempfile.NamedTemporaryFile("w", dir=work, delete=False) as script:
            script.write(f"UPDATE composes SET packages = $pk${packages}$pk$ WHERE id = {template};\n")
            script.write(f"INSERT INTO composes ({columns}, packages) SELECT {columns}, packages FROM composes t,"
                         f" generate_series(2, {COMPOSES}) WHERE t.id = {template};\n")
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", db, "-f", script.name], check=True, timeout=600)
        log(f"{COMPOSES} composes with {len(packages):,} bytes of packages ({len(names):,} names) each")

        url = f"{base}/api/1/composes/?per_page={PER_PAGE}"
        alone = {}
        fetch(url, alone, 0)
        log(f"one request alone: {alone[0]['bytes']:,} bytes in {alone[0]['seconds']:.2f} s ({alone[0]['framing']})")
        page = json.loads(urllib.request.urlopen(url, timeout=600).read())
        assert len(page["items"]) == COMPOSES and page["meta"]["total"] == COMPOSES, page["meta"]
        assert all(item["packages"] == packages for item in page["items"])
        del page

        rounds = []
        for number in range(1, ROUNDS + 1):
            before = status_kib(node.pid, "VmRSS")
            pathlib.Path(f"/proc/{node.pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
            results = {}
            threads = [threading.Thread(target=fetch, args=(url, results, i)) for i in range(PARALLEL)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.monotonic() - started
            peak = status_kib(node.pid, "VmHWM")
            after = status_kib(node.pid, "VmRSS")
            digests = {r["sha256"] for r in results.values()}
            assert len(results) == PARALLEL and digests == {alone[0]["sha256"]}, "responses differ"
            seconds = sorted(r["seconds"] for r in results.values())
            rounds.append({"round": number, "rss_before_mib": before / 1024, "peak_rss_mib": peak / 1024,
                           "rss_after_mib": after / 1024, "wall_seconds": wall, "answer_seconds": seconds})
            log(f"round {number}: RSS {before / 1024:.0f} MiB before, peak {peak / 1024:.0f} MiB, {after / 1024:.0f} MiB after;"
                f" {PARALLEL} answers of {alone[0]['bytes']:,} bytes in {seconds[0]:.2f}-{seconds[-1]:.2f} s (wall {wall:.2f} s)")
        summary = {"binary": BIN, "composes": COMPOSES, "package_bytes": len(packages), "parallel": PARALLEL,
                   "per_page": PER_PAGE, "read_delay_ms": READ_DELAY * 1000, "response_bytes": alone[0]["bytes"],
                   "framing": alone[0]["framing"], "rounds": rounds,
                   "max_peak_rss_mib": max(r["peak_rss_mib"] for r in rounds)}
        print(json.dumps(summary, indent=2))
        if os.environ.get("BENCH_RESULTS"):
            pathlib.Path(os.environ["BENCH_RESULTS"]).write_text(json.dumps(summary, indent=2) + "\n")
    finally:
        if node is not None:
            node.terminate()
            try:
                node.wait(timeout=30)
            except subprocess.TimeoutExpired:
                node.kill()
                node.wait()
        subprocess.run([str(ROOT / "scripts/pg-private.sh"), "stop", pg_dir], timeout=120)
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
