"""The cluster in a box (cluster_box.py), shortened: three nodes behind HAProxy under a load of
odcs clients and event streams, through a rolling restart, a fast and an immediate PostgreSQL
restart and a broker outage. Any client-visible error other than a 503 with Retry-After while
PostgreSQL restarts, or a compose created twice or not done, fails it; the event streams are
judged apart (see test_event_streams_lose_nothing). The numbers go to the output (pytest -s)
and, for the long run, to docs/operations.md."""

import json
import os
import shutil
import tempfile

import pytest

import cluster_box


@pytest.fixture(scope="module")
def run():
    missing = [tool for tool in ("haproxy", "nginx", "psql", "ss") if shutil.which(tool) is None]
    if missing:
        message = "missing %s (scripts/install-deps.sh installs them)" % ", ".join(missing)
        if os.environ.get("CLUSTER_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    if not os.environ.get("ODCS_BIN"):
        pytest.exit("ODCS_BIN must be set (scripts/test sets it)", returncode=2)
    base = tempfile.mkdtemp(prefix="odcs-box-")
    results = cluster_box.run(base, duration=float(os.environ.get("CLUSTER_STEADY_SECONDS", "5")), broker_seconds=5,
                              creators=3, watchers=3)
    print(json.dumps(results, indent=2))
    problems = cluster_box.check(results) + cluster_box.check_events(results)
    yield results
    if problems:
        print("logs kept in", base)
    else:
        shutil.rmtree(base, ignore_errors=True)


def test_rolling_restart_database_restarts_and_broker_outage_fail_no_request(run):
    assert cluster_box.check(run) == []
    assert run["composes_created"] > 0


def test_event_streams_lose_nothing(run):
    assert all(stream["events"] > 0 for stream in run["sse"])
    assert cluster_box.check_events(run) == []
