"""Fixtures of the volume suite: the seed's "the shared volume fills up" runbook on real small
filesystems. Each node's target dir is a tmpfs mounted here (as root, unmounted afterwards),
its packages are real RPMs of a few MB built with rpmbuild, and the node is a real `odcs serve`
on its own database of the private PostgreSQL.

Run through scripts/test, or by hand (as root):
    ODCS_BIN=.build/debug/odcs TEST_DATABASE_URL=postgres://app@127.0.0.1:55433/postgres \
        python3 -m pytest -q Tests/Volume
"""

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Compat"))

from compat_helpers import ServeNode, big_rpm_repo, mount_tmpfs, node_work_dir  # noqa: E402

MIB = 1024 * 1024
# Each big package: an incompressible file of this size, stored without payload compression.
PACKAGE_SIZE = 8 * MIB
PACKAGES = 8



class Node(ServeNode):
    database_prefix = "odcs_volume_"
    node_prefix = "volume-"


@pytest.fixture(scope="session")
def work():
    if os.geteuid() != 0:
        message = "the volume suite mounts tmpfs volumes: it needs root (scripts/test runs as root)"
        if os.environ.get("VOLUME_REQUIRE_ROOT") == "1":
            pytest.fail(message)
        pytest.skip(message)
    yield from node_work_dir("odcs-volume-")


@pytest.fixture(scope="session")
def repos(work):
    root = os.path.join(work, "repos")
    os.makedirs(root, exist_ok=True)
    return root


@pytest.fixture(scope="session")
def big_repos(repos):
    """PACKAGES repositories, number n holding one noarch RPM `odcs-big-<n>` of PACKAGE_SIZE
    bytes of random data (uncompressed payload), on the machine's disk (not on a test volume:
    composes copy them). A repo compose takes every package of its repositories, so a compose
    of repositories 1 and 2 places two packages. Returns {n: path}."""
    top = os.path.join(repos, "rpmbuild")
    paths = {}
    for number in range(1, PACKAGES + 1):
        name = "odcs-big-%d" % number
        paths[number] = big_rpm_repo(top, os.path.join(repos, name), name, PACKAGE_SIZE, timeout=120)
    return paths


@pytest.fixture(scope="session")
def volume_node(work, repos):
    """volume_node(name, size="60m", **env) -> a Node whose target dir is a fresh tmpfs of
    `size`; stopped and unmounted at the end of the session."""
    started = []

    def _start(name, size="60m", **env):
        base = os.path.join(work, "node-" + name)
        volume = os.path.join(base, "volume")
        unmount = mount_tmpfs(volume, size)
        started.append((None, unmount))
        settings = dict(
            ODCS_ALLOWED_SOURCE_TYPES='["repo"]',
            ODCS_REPO_SOURCE_ROOTS=json.dumps([repos]),
            ODCS_POLL_INTERVAL_MS=200,
            ODCS_LEADER_CHECK_INTERVAL_MS=200,
            ODCS_EXPIRY_INTERVAL_MS=200,
            ODCS_MIN_FREE_SPACE_INTERVAL=1,
        )
        settings.update(env)
        node = Node(name, base, {key: str(value) for key, value in settings.items()}, target=volume)
        started[-1] = (node, unmount)
        return node

    yield _start
    for node, unmount in reversed(started):
        if node is not None:
            node.stop()
        unmount()
