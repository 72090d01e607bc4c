"""Our own command line client (`odcs compose …`, `odcs about`) against live nodes: every
command, its `--json` output parsed, the tables, tokens, server errors and the exit codes
of `wait` (docs/cli.md): 0 done, 1 failed or removed, 2 timed out, 3 server error.

The API node (ODCS_URL) stores composes but generates none; the generation node
(ODCS_GEN_URL) runs real repo composes from a fixture repository under ODCS_GEN_WORK; the
OIDC node (ODCS_AUTH_URL) needs tokens of the test issuer.
"""

import json
import os
import subprocess
import time

import jwt
import pytest
from compat_helpers import REPO_ROOT, fixture_rpm_repo, parse_time

SUCCESS, FAILED, TIMED_OUT, SERVER_ERROR = 0, 1, 2, 3


@pytest.fixture(scope="module")
def odcs_bin():
    path = os.environ.get("ODCS_BIN") or str(REPO_ROOT / ".build" / "debug" / "odcs")
    if not os.access(path, os.X_OK):
        pytest.skip("no odcs binary at %s (set ODCS_BIN)" % path)
    return path


@pytest.fixture(scope="module")
def run(odcs_bin):
    """run(server, *args, env=None) -> CompletedProcess of `odcs args… --server server`."""
    base_env = {k: v for k, v in os.environ.items() if k not in ("ODCS_SERVER", "ODCS_TOKEN")}

    def _run(server, *args, env=None, timeout=120):
        return subprocess.run(
            [odcs_bin, *args, "--server", server],
            capture_output=True, text=True, timeout=timeout, env={**base_env, **(env or {})}, stdin=subprocess.DEVNULL,
        )

    return _run


def json_of(proc):
    assert proc.returncode == 0, "exit %d: %s %s" % (proc.returncode, proc.stdout, proc.stderr)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise AssertionError("not JSON on stdout: %r (stderr %r)" % (proc.stdout, proc.stderr))


# --------------------------------------------------------------------------- API node


def test_about_json_and_table(run, server_url, api):
    about = json_of(run(server_url, "about", "--json"))
    assert about == api.get("/api/1/about/").json()
    table = run(server_url, "about")
    assert table.returncode == 0, table.stderr
    assert "auth_backend: noauth" in " ".join(table.stdout.split())
    assert about["version"] in table.stdout


def test_create_every_option_reaches_the_request(run, server_url):
    compose = json_of(run(
        server_url, "compose", "create", "repo", "http://example.com/cli-a", "http://example.com/cli-b",
        "--package", "bash", "--package", "coreutils", "--sigkey", "deadbeef", "--sigkey", "none",
        "--arch", "x86_64", "--arch", "aarch64", "--multilib-arch", "i686", "--multilib-method", "runtime",
        "--multilib-method", "devel", "--flag", "no_deps", "--flag", "check_deps", "--result", "iso",
        "--lookaside-repo", "http://example.com/lookaside", "--label", "Beta-1.0", "--compose-type", "nightly",
        "--target-dir", "default", "--seconds-to-live", "600", "--koji-event", "77",
        "--modular-tag", "f40-modular", "--parent-pungi-compose-id", "Fedora-40-1", "--respin-of", "Fedora-40-0",
        "--json"))
    assert compose["state_name"] == "wait"
    assert compose["source_type"] == 3
    assert compose["source"] == "http://example.com/cli-a http://example.com/cli-b"
    assert compose["packages"] == "bash coreutils"
    assert compose["sigkeys"] == "deadbeef "
    assert compose["arches"] == "x86_64 aarch64"
    assert compose["multilib_arches"] == "i686"
    assert compose["multilib_method"] == 3
    assert compose["flags"] == ["no_deps", "check_deps"]
    assert compose["results"] == ["repository", "iso"]
    assert compose["lookaside_repos"] == "http://example.com/lookaside"
    assert compose["label"] == "Beta-1.0"
    assert compose["compose_type"] == "nightly"
    assert compose["target_dir"] == "default"
    assert compose["koji_event"] == 77
    assert compose["modular_koji_tags"] == "f40-modular"
    assert compose["parent_pungi_compose_ids"] == "Fedora-40-1"
    assert compose["respin_of"] == "Fedora-40-0"
    assert parse_time(compose["time_to_expire"]) - parse_time(compose["time_submitted"]) == 600


@pytest.mark.parametrize(
    "args,source_type,field,value",
    [
        (["tag", "f40-build", "--build", "foo-1-1", "--ttl", "60"], 1, "builds", "foo-1-1"),
        (["module", "testmodule:master", "--module-defaults-url", "https://example.com/defaults.git",
          "--module-defaults-commit", "abc123", "--base-module-br-name", "platform", "--base-module-br-stream", "f40",
          "--base-module-br-stream-version-lte", "400000", "--base-module-br-stream-version-gte", "390000"],
         2, "module_defaults_url", "https://example.com/defaults.git abc123"),
        (["module", "--scratch-module", "scratch:1:2:c"], 2, "scratch_modules", "scratch:1:2:c"),
        (["pulp", "rhel-8-for-x86_64-baseos-rpms"], 4, "source", "rhel-8-for-x86_64-baseos-rpms"),
        (["build", "foo-1.0-1", "bar-2.0-1"], 6, "builds", "foo-1.0-1 bar-2.0-1"),
        (
            ["pungi_compose", "https://kojipkgs.example.com/compose/Fedora-40-20240101.n.0/compose/Everything"],
            7, "source", "https://kojipkgs.example.com/compose/Fedora-40-20240101.n.0/compose/Everything",
        ),
        (["tag", "f40-build", "--scratch-build-task", "123"], 1, "scratch_build_tasks", "123"),
    ],
)
def test_create_each_source_type(run, server_url, args, source_type, field, value):
    compose = json_of(run(server_url, "compose", "create", *args, "--json"))
    assert compose["source_type"] == source_type
    assert compose[field] == value


def test_create_table_and_get(run, server_url, api):
    created = run(server_url, "compose", "create", "repo", "http://example.com/cli-table", "--label", "T-1")
    assert created.returncode == 0, created.stderr
    fields = dict(line.split(":", 1) for line in created.stdout.splitlines())
    cid = int(fields["id"])
    assert fields["state"].strip() == "wait"
    assert fields["source_type"].strip() == "repo"
    assert fields["label"].strip() == "T-1"

    got = json_of(run(server_url, "compose", "get", str(cid), "--json"))
    assert got == api.get("/api/1/composes/%d" % cid).json()
    assert "pungi_config_dump" in got
    table = run(server_url, "compose", "get", str(cid))
    assert table.returncode == 0
    assert "source:" in table.stdout and "http://example.com/cli-table" in table.stdout


def test_list_filters_pages_and_table(run, server_url, api):
    for n in range(3):
        api.create(source="http://example.com/cli-list", label="L-%d" % n)
    page = json_of(run(
        server_url, "compose", "list", "--source-type", "repo", "--state", "wait", "--owner", "unknown",
        "--source", "http://example.com/cli-list", "--per-page", "2", "--page", "1", "--order-by", "id", "--json"))
    assert page["meta"]["per_page"] == 2 and page["meta"]["page"] == 1 and page["meta"]["total"] == 3
    assert [c["label"] for c in page["items"]] == ["L-0", "L-1"]
    second = json_of(run(server_url, "compose", "list", "--source", "http://example.com/cli-list", "--per-page", "2",
                         "--page", "2", "--order-by", "id", "--state", "0", "--source-type", "3", "--json"))
    assert [c["label"] for c in second["items"]] == ["L-2"]
    by_label = json_of(run(server_url, "compose", "list", "--label", "L-1", "--compose-type", "test", "--json"))
    assert [c["label"] for c in by_label["items"]] == ["L-1"]

    table = run(server_url, "compose", "list", "--source", "http://example.com/cli-list", "--order-by", "id")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["ID", "STATE", "TYPE", "SOURCE", "OWNER", "EXPIRES", "LABEL"]
    assert [line.split()[1:3] for line in lines[1:4]] == [["wait", "repo"]] * 3
    assert [line.split()[-1] for line in lines[1:4]] == ["L-0", "L-1", "L-2"]
    # Columns are aligned: each header starts where its cells start.
    start = lines[0].index("SOURCE")
    assert all(line[start:].startswith("http://example.com/cli-list") for line in lines[1:4])
    assert lines[-1] == "page 1 of 1, 3 composes"


def test_bad_arguments_are_usage_errors(run, server_url):
    for args in (["compose", "create", "git", "x"], ["compose", "list", "--state", "sleeping"],
                 ["compose", "create", "repo"], ["compose", "list", "--per-page", "0"]):
        proc = run(server_url, *args)
        assert proc.returncode == 64, (args, proc.returncode, proc.stderr)
        assert "Error:" in proc.stderr


def test_server_errors_print_the_message_and_exit_3(run, server_url):
    missing = run(server_url, "compose", "get", "999999999")
    assert missing.returncode == SERVER_ERROR
    assert "No such compose found." in missing.stderr
    bad = run(server_url, "compose", "create", "raw_config", "nope#abc")
    assert bad.returncode == SERVER_ERROR
    assert 'Source "nope" does not exist in server configuration.' in bad.stderr
    unreachable = run("http://127.0.0.1:9", "about")
    assert unreachable.returncode == 4
    assert "cannot reach" in unreachable.stderr


def test_renew_delete_and_wait_exit_codes(run, server_url, api):
    cid = api.create(source="http://example.com/cli-cancel")["id"]
    # Waiting (the API node never generates): renew is refused, wait times out.
    renew = run(server_url, "compose", "renew", str(cid), "--seconds-to-live", "60")
    assert renew.returncode == SERVER_ERROR
    assert "No compose with id %d found" % cid in renew.stderr
    timed_out = run(server_url, "compose", "wait", str(cid), "--timeout", "1")
    assert timed_out.returncode == TIMED_OUT, timed_out.stdout + timed_out.stderr
    assert "still not finished after 1 s" in timed_out.stdout

    deleted = run(server_url, "compose", "delete", str(cid))
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.strip() == "Compose (id=%d) has been canceled" % cid
    failed = run(server_url, "compose", "wait", str(cid))
    assert failed.returncode == FAILED
    assert "compose %d: failed (Canceled by anonymous)" % cid in failed.stdout
    failed_json = run(server_url, "compose", "wait", str(cid), "--json")
    assert failed_json.returncode == FAILED
    assert json.loads(failed_json.stdout)["state_name"] == "failed"

    # A failed compose renews as a new compose.
    again = json_of(run(server_url, "compose", "renew", str(cid), "--ttl", "120", "--json"))
    assert again["id"] != cid and again["state_name"] == "wait" and again["source"] == "http://example.com/cli-cancel"
    twice = json_of(run(server_url, "compose", "delete", str(again["id"]), "--json"))
    assert twice == {"status": 202, "message": "Compose (id=%d) has been canceled" % again["id"]}


def test_completion_scripts_are_current(odcs_bin):
    proc = subprocess.run([str(REPO_ROOT / "scripts" / "gen-completions.sh"), "--check", odcs_bin], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# --------------------------------------------------------------------------- generation node

@pytest.fixture(scope="module")
def gen():
    url, work = os.environ.get("ODCS_GEN_URL"), os.environ.get("ODCS_GEN_WORK")
    if not (url and work):
        pytest.skip("ODCS_GEN_URL/ODCS_GEN_WORK not set (scripts/test sets them)")
    repo = fixture_rpm_repo(work, "odcs-cli-hello")
    return url, work, repo


def test_create_wait_done_then_renew(run, gen):
    url, _, repo = gen
    proc = run(url, "compose", "create", "repo", repo, "--flag", "no_reuse", "--wait", "--timeout", "120", "--json")
    done = json_of(proc)
    assert done["state_name"] == "done", done["state_reason"]
    assert "pungi_config_dump" in done  # the final read is the full compose
    assert "done" in proc.stderr  # progress goes to stderr with --json

    again = run(url, "compose", "wait", str(done["id"]))
    assert again.returncode == SUCCESS, again.stdout + again.stderr
    assert "compose %d: done (Compose is generated successfully)" % done["id"] in again.stdout
    assert "repofile: %s" % done["result_repofile"] in again.stdout

    extended = json_of(run(url, "compose", "renew", str(done["id"]), "--seconds-to-live", "7200", "--json"))
    assert extended["id"] == done["id"]
    assert parse_time(extended["time_to_expire"]) >= parse_time(done["time_to_expire"])
    assert parse_time(extended["time_to_expire"]) - int(time.time()) > 7000

    relabelled = run(url, "compose", "renew", str(done["id"]), "--label", "RC-1", "--wait", "--timeout", "120")
    assert relabelled.returncode == SUCCESS, relabelled.stdout + relabelled.stderr
    assert "label:" in relabelled.stdout and "RC-1" in relabelled.stdout


def test_wait_for_a_failing_compose_exits_1(run, gen):
    url, work, _ = gen
    missing = os.path.join(work, "cli-no-such-repo")
    proc = run(url, "compose", "create", "repo", missing, "--wait", "--timeout", "120")
    assert proc.returncode == FAILED, proc.stdout + proc.stderr
    assert "failed" in proc.stdout


# --------------------------------------------------------------------------- OIDC node

SCOPES = " ".join(["openid"] + ["https://pagure.io/odcs/" + s for s in ("new-compose", "renew-compose", "delete-compose")])


@pytest.fixture(scope="module")
def oidc():
    url, ready, key_file = os.environ.get("ODCS_AUTH_URL"), os.environ.get("ODCS_ISSUER_READY"), os.environ.get("ODCS_ISSUER_KEY")
    if not (url and ready and key_file):
        pytest.skip("ODCS_AUTH_URL/ODCS_ISSUER_READY/ODCS_ISSUER_KEY not set (scripts/test sets them)")
    with open(ready) as f:
        info = json.load(f)
    with open(key_file, "rb") as f:
        key = f.read()
    now = int(time.time())
    claims = {"iss": info["issuer"], "sub": "alice", "aud": "odcs-compat", "iat": now, "nbf": now - 5, "exp": now + 600, "scope": SCOPES}
    return url, jwt.encode(claims, key, algorithm="RS256", headers={"kid": info["kid"]})


def test_tokens_from_option_file_and_environment(run, odcs_bin, oidc, tmp_path):
    url, token = oidc
    anonymous = run(url, "compose", "create", "tag", "f40-cli")
    assert anonymous.returncode == SERVER_ERROR
    assert "401" in anonymous.stderr

    by_option = json_of(run(url, "compose", "create", "tag", "f40-cli", "--token", token, "--json"))
    assert by_option["owner"] == "alice"
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n")
    by_file = json_of(run(url, "compose", "create", "tag", "f40-cli", "--token-file", str(token_file), "--json"))
    assert by_file["owner"] == "alice"
    canceled = run(url, "compose", "delete", str(by_file["id"]), env={"ODCS_TOKEN": token})
    assert canceled.returncode == 0, canceled.stderr
    assert "has been canceled" in canceled.stdout
    # ODCS_SERVER names the server when --server is not given.
    env = {k: v for k, v in os.environ.items() if k != "ODCS_TOKEN"}
    about = subprocess.run([odcs_bin, "about", "--json"], capture_output=True, text=True, timeout=60, env={**env, "ODCS_SERVER": url})
    assert json_of(about)["auth_backend"] == "oidc"
