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

from compat_helpers import ServeNode, fixture_rpm_repo, free_port, node_work_dir, stop_process, wait_until  # noqa: E402,F401 (wait_until: for the tests)


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


class Node(ServeNode):
    """One `odcs serve` process on its own database (odcs_hostile_<name>) and target dir."""

    database_prefix = "odcs_hostile_"
    node_prefix = "hostile-"


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
    """start_node(name, target=None, **env) -> a running Node; all are stopped at the end of the session."""
    nodes = []

    def _start(name, target=None, **env):
        base = os.path.join(work, "node-" + name)
        os.makedirs(base, exist_ok=True)
        node = Node(name, base, {key: str(value) for key, value in env.items()}, target=target)
        nodes.append(node)
        return node

    yield _start
    for node in nodes:
        node.stop()
