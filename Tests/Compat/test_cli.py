"""The real `odcs` 0.9.2 command line tool against our node.

The CLI uses anonymous auth only when the server URL contains "localhost", so the URL is
rewritten to that host name. It prints json.dumps(result, indent=4, sort_keys=True), exits 1
when the printed compose is failed and -1 (255) on an HTTP error."""

import json
import os
import shutil
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
from compat_helpers import compare, ttl_of


def _odcs_executable():
    beside = os.path.join(os.path.dirname(sys.executable), "odcs")
    if os.path.exists(beside):
        return [beside]
    found = shutil.which("odcs")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from odcs.client.cli import main; sys.exit(main())"]


@pytest.fixture(scope="module")
def cli_url(server_url):
    parts = urlsplit(server_url)
    netloc = "localhost" + (":%d" % parts.port if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path or "/", "", ""))


@pytest.fixture(scope="module")
def run_cli(cli_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OIDC_", "KRB5"))}
    env["NO_OIDC_AUTHZ_CODE"] = "1"

    def run(*args):
        proc = subprocess.run(
            _odcs_executable() + ["--server", cli_url, *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        return proc

    return run


def parse_json(proc):
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise AssertionError("not JSON on stdout: %r (stderr %r)" % (proc.stdout, proc.stderr))


def test_cli_about(run_cli, client_wire):
    proc = run_cli("about")
    assert proc.returncode == 0, proc.stderr
    about = parse_json(proc)
    assert set(about) == {"version", "auth_backend", "allowed_clients", "raw_config_urls", "sigkeys"}
    # The version is ours ("0.9.2+swift...").
    assert about["version"].startswith("0.9.2+swift")
    compare(about, client_wire("01-about")["returned"], ignore={"version"})


def test_cli_get_wait_compose_no_wait(run_cli, api, client_wire):
    created = api.create(source="http://example.com/client-repo")
    proc = run_cli("--no-wait", "get", str(created["id"]))
    assert proc.returncode == 0, proc.stderr
    got = parse_json(proc)
    compare(got, client_wire("06-get_compose")["returned"])
    assert got["id"] == created["id"]


def test_cli_get_failed_compose_exits_1(run_cli, api):
    created = api.create(source="http://example.com/cli-failed")
    assert api.request("DELETE", "/api/1/composes/%d" % created["id"]).status_code == 202
    # Without --no-wait a failed compose is printed at once, and the exit code is 1.
    proc = run_cli("get", str(created["id"]))
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    got = parse_json(proc)
    assert (got["id"], got["state_name"], got["state_reason"]) == (created["id"], "failed", "Canceled by anonymous")


def test_cli_get_missing_exits_255(run_cli, client_wire):
    proc = run_cli("--no-wait", "get", "999999")
    assert proc.returncode == 255, (proc.stdout, proc.stderr)
    # The client prints the error body before raising.
    assert json.loads(proc.stdout) == client_wire("07-get_compose-missing")["body"]


def test_cli_renew_failed_with_string_seconds_to_live(run_cli, api):
    created = api.create(source="http://example.com/cli-renew")
    assert api.request("DELETE", "/api/1/composes/%d" % created["id"]).status_code == 202
    # The CLI sends {"seconds-to-live": "3600"} (a JSON string): it must be accepted.
    proc = run_cli("--no-wait", "renew", str(created["id"]), "--seconds-to-live", "3600")
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    renewed = parse_json(proc)
    assert renewed["id"] != created["id"]
    assert (renewed["state"], renewed["state_name"]) == (0, "wait")
    compare(renewed, created, ignore={"time_to_expire"})
    assert ttl_of(renewed) == 3600


def test_cli_renew_wait_compose_exits_255(run_cli, api):
    created = api.create(source="http://example.com/cli-renew-wait")
    proc = run_cli("--no-wait", "renew", str(created["id"]))
    assert proc.returncode == 255, (proc.stdout, proc.stderr)
    assert json.loads(proc.stdout) == {
        "status": 404,
        "error": "Not Found",
        "message": "No compose with id %d found" % created["id"],
    }


def test_cli_delete_wait_compose_cancels(run_cli, api):
    created = api.create(source="http://example.com/cli-delete")
    proc = run_cli("delete", str(created["id"]))
    # Divergence: upstream without Celery answered 400; we have workers, so a wait compose is canceled.
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert parse_json(proc) == {"status": 202, "message": "Compose (id=%d) has been canceled" % created["id"]}


def test_cli_create_build_no_wait(run_cli, client_wire):
    proc = run_cli("--no-wait", "create-build", "foo-1.0-1", "bar-2.0-1")
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    created = parse_json(proc)
    expected = dict(
        client_wire("02-new_compose-repo")["returned"], source_type=6, source="", builds="foo-1.0-1 bar-2.0-1"
    )
    compare(created, expected)
