"""Fixtures of the hostile-input suite: real `odcs serve` nodes it starts itself, each on its
own database of the private PostgreSQL (TEST_DATABASE_URL) and its own volume, beside a
directory outside the volume that nothing may ever touch.

Run through scripts/test, or by hand:
    ODCS_BIN=.build/debug/odcs TEST_DATABASE_URL=postgres://app@127.0.0.1:55433/postgres \
        python3 -m pytest -q Tests/Hostile
"""

import hashlib
import json
import os
import subprocess
import sys

import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Compat"))

from compat_helpers import fixture_rpm_repo, free_port, node_work_dir, stop_process, wait_until  # noqa: E402,F401 (wait_until: for the tests)


def snapshot(root):
    """Everything under `root` as it is on disk, links not followed: (path, kind, size,
    content hash, mtime, link target) per entry. Equal snapshots mean nothing was written,
    removed or replaced."""
    entries = []
    for directory, dirs, files in os.walk(root, followlinks=False):
        for name in sorted(dirs + files):
            path = os.path.join(directory, name)
            info = os.lstat(path)
            relative = os.path.relpath(path, root)
            if os.path.islink(path):
                entries.append((relative, "link", os.readlink(path)))
            elif os.path.isdir(path):
                entries.append((relative, "dir", info.st_mtime_ns))
            else:
                with open(path, "rb") as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()
                entries.append((relative, "file", info.st_size, digest, info.st_mtime_ns))
    return sorted(entries)


class Node:
    """One `odcs serve` process on its own database and target dir."""

    def __init__(self, name, base, env):
        self.name = name
        self.base = base
        self.target = os.path.join(base, "target")
        self.log_path = os.path.join(base, "node.log")
        os.makedirs(self.target, exist_ok=True)
        os.makedirs(os.path.join(base, "state"), exist_ok=True)
        admin = os.environ["TEST_DATABASE_URL"]
        database = "odcs_hostile_" + name.replace("-", "_")
        subprocess.run(
            ["psql", "-X", "-q", admin, "-c", "DROP DATABASE IF EXISTS %s" % database, "-c", "CREATE DATABASE %s" % database],
            check=True,
            capture_output=True,
            env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"),
        )
        self.database_url = admin.rsplit("/", 1)[0] + "/" + database
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [
                os.environ["ODCS_BIN"], "serve", "--host", "127.0.0.1", "--port", str(self.port), "--node-id", "hostile-" + name,
                "--database-url", self.database_url, "--target-dir", self.target,
                "--target-dir-url", self.url + "/composes", "--state-dir", os.path.join(base, "state"),
            ],
            # A node refuses ODCS_* variables it does not know (ODCS_BIN, say): it gets only its own.
            env=dict({key: value for key, value in os.environ.items() if not key.startswith("ODCS_")}, **env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        wait_until(self.ready, 60, "node %s to be ready (log: %s)" % (name, self.log_path))

    def ready(self):
        if self.process.poll() is not None:
            pytest.fail("node %s exited: %s" % (self.name, open(self.log_path).read()[-3000:]))
        try:
            return requests.get(self.url + "/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def api(self, method, path, body=None, **kw):
        return requests.request(method, self.url + path, data=body, timeout=30, allow_redirects=False, **kw)

    def compose(self, compose_id):
        return self.api("GET", "/api/1/composes/%d" % compose_id).json()

    def total(self):
        return self.api("GET", "/api/1/composes/?per_page=1").json()["meta"]["total"]

    def create_done(self, source, **top):
        """A repo compose of `source`, generated for real (never a reuse: each has its own
        directory); returns it once done."""
        body = {"source": {"type": "repo", "source": source}, "flags": ["no_deps", "no_reuse"]}
        body.update(top)
        created = self.api("POST", "/api/1/composes/", json.dumps(body))
        assert created.status_code == 200, created.text
        compose_id = created.json()["id"]
        done = wait_until(
            lambda: (lambda c: c if c["state_name"] in ("done", "failed") else None)(self.compose(compose_id)),
            120,
            "compose %d to finish" % compose_id,
        )
        assert done["state_name"] == "done", done
        return done

    def stop(self):
        stop_process(self.process, self.log)


@pytest.fixture(scope="session")
def work():
    yield from node_work_dir("odcs-hostile-")


@pytest.fixture(scope="session")
def repos(work):
    """The local repository root (`repo_source_roots`), with one real RPM repository in it."""
    root = os.path.join(work, "repos")
    os.makedirs(root, exist_ok=True)
    return root


@pytest.fixture(scope="session")
def fixture_repo(repos):
    return fixture_rpm_repo(repos, "odcs-hostile-hello")


@pytest.fixture(scope="session")
def outside(work):
    """A directory outside every volume, with files and a subdirectory, that must survive every test as it is."""
    path = os.path.join(work, "outside")
    os.makedirs(os.path.join(path, "deeper"), exist_ok=True)
    for name in ("file", "deeper/file"):
        with open(os.path.join(path, name), "w") as handle:
            handle.write("precious\n")
    return path


@pytest.fixture(scope="session")
def start_node(work):
    """start_node(name, **env) -> a running Node; all are stopped at the end of the session."""
    nodes = []

    def _start(name, **env):
        base = os.path.join(work, "node-" + name)
        os.makedirs(base, exist_ok=True)
        node = Node(name, base, {key: str(value) for key, value in env.items()})
        nodes.append(node)
        return node

    yield _start
    for node in nodes:
        node.stop()
