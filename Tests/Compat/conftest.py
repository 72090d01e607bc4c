"""Fixtures of the ODCS 0.9.2 compatibility suite.

Run against a live node (scripts/test starts one):
    ODCS_URL=http://localhost:5098/ ODCS_DATABASE_URL=postgres://... python3 -m pytest -q Tests/Compat
ODCS_URL should name the host `localhost`: the real `odcs` CLI uses anonymous auth only then.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from compat_helpers import Api, client_sample, compare, db_row_counts, wire_sample  # noqa: E402

from odcs.client.odcs import ODCS, AuthMech  # noqa: E402


def _server_url() -> str:
    url = os.environ.get("ODCS_URL")
    if not url:
        pytest.exit("ODCS_URL is not set: start a node and point ODCS_URL at it", returncode=2)
    return url if url.endswith("/") else url + "/"


@pytest.fixture(scope="session")
def server_url() -> str:
    """The node's base URL, with a trailing slash (the client joins paths onto it)."""
    return _server_url()


@pytest.fixture(scope="session")
def odcs(server_url):
    """The real ODCS 0.9.2 Python client, anonymous."""
    return ODCS(server_url, auth_mech=AuthMech.Anonymous)


@pytest.fixture(scope="session")
def api(server_url):
    """Raw HTTP to the node (requests), for bodies the client would never send."""
    return Api(server_url)


@pytest.fixture(scope="session")
def wire():
    """wire(name) -> WireSample of shared/reference/wire-samples/<name>.*"""
    return wire_sample


@pytest.fixture(scope="session")
def client_wire():
    """client_wire(name) -> the recorded real-client call wire-samples/client/<name>.json"""
    return client_sample


@pytest.fixture(scope="session")
def compare_fn():
    return compare


@pytest.fixture
def db_snapshot(api):
    """snapshot() -> (total of GET /api/1/composes/, row counts of the DB tables)."""
    database_url = os.environ.get("ODCS_DATABASE_URL")

    def snapshot():
        return api.total(), db_row_counts(database_url)

    return snapshot
