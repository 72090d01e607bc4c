"""Every request value that can become a path component, a file name, a URL or a command
argument, sent in its hostile forms (`../`, absolute paths, encoded forms, NUL) on POST and
PATCH, gets a 400 naming the field and changes nothing: not the database, not one byte of the
volume, not one byte of a directory outside it (docs/security.md). The node generates for
real, so a value that slipped through would write."""

import http.server
import json
import os
import shutil
import subprocess
import threading

import pytest
from conftest import snapshot, wait_until

FORBIDDEN = "Only alphanumerical characters and ' -/_.:#+?$~^,' characters are allowed in ODCS input variables"

HOSTILE = [
    "../",
    "..",
    ".",
    "../../../../odcs-1/compose/Temporary/x86_64",
    "x86_64/../../..",
    "/etc/passwd",
    "/",
    "%2e%2e%2f%2e%2e%2fetc",
    "..%2F..%2F",
    "....//....//",
    "x86_64\u0000",
    "\u0000",
    "-rf",
    "\u2215etc\u2215passwd",
    "a\nb",
]

# (field, body template): VALUE stands for one hostile value (a JSON string).
FIELDS = [
    ("arches", {"source": {"type": "repo", "source": "REPO"}, "arches": ["x86_64", "VALUE"]}),
    ("multilib_arches", {"source": {"type": "repo", "source": "REPO"}, "multilib_arches": ["VALUE"]}),
    ("sigkeys", {"source": {"type": "repo", "source": "REPO", "sigkeys": ["VALUE"]}}),
    ("builds", {"source": {"type": "build", "builds": ["VALUE"]}}),
    ("modules", {"source": {"type": "build", "builds": ["a-1-1"], "modules": ["VALUE"]}}),
    ("scratch_modules", {"source": {"type": "module", "source": "a:b", "scratch_modules": ["VALUE"]}}),
    ("scratch_build_tasks", {"source": {"type": "build", "builds": ["a-1-1"], "scratch_build_tasks": ["VALUE"]}}),
    ("modular_koji_tags", {"source": {"type": "tag", "source": "f40", "modular_koji_tags": ["VALUE"]}}),
    ("parent_pungi_compose_ids", {"source": {"type": "repo", "source": "REPO"}, "parent_pungi_compose_ids": ["VALUE"]}),
    ("respin_of", {"source": {"type": "repo", "source": "REPO"}, "respin_of": "VALUE"}),
    ("label", {"source": {"type": "repo", "source": "REPO"}, "label": "VALUE"}),
    ("compose_type", {"source": {"type": "repo", "source": "REPO"}, "compose_type": "VALUE"}),
    ("base_module_br_name", {"source": {"type": "module", "source": "a:b", "base_module_br_name": "VALUE"}}),
    ("base_module_br_stream", {"source": {"type": "module", "source": "a:b", "base_module_br_stream": "VALUE"}}),
    ("lookaside_repos", {"source": {"type": "repo", "source": "REPO"}, "lookaside_repos": ["VALUE"]}),
    ("module_defaults_url", {"source": {"type": "module", "source": "a:b", "module_defaults_url": "VALUE", "module_defaults_commit": "main"}}),
    ("module_defaults_commit", {"source": {"type": "module", "source": "a:b", "module_defaults_url": "ALLOWED/defaults.git", "module_defaults_commit": "VALUE"}}),
    ("source", {"source": {"type": "repo", "source": "VALUE"}}),
    ("source", {"source": {"type": "tag", "source": "VALUE"}}),
    ("source", {"source": {"type": "module", "source": "VALUE:stream"}}),
    ("source", {"source": {"type": "pulp", "source": "VALUE"}}),
    ("source", {"source": {"type": "pungi_compose", "source": "VALUE"}}),
    ("source", {"source": {"type": "raw_config", "source": "VALUE#main"}}),
    ("target_dir", {"source": {"type": "repo", "source": "REPO"}, "target_dir": "VALUE"}),
    ("packages", {"source": {"type": "repo", "source": "REPO", "packages": ["bash\u0000VALUE"]}}),
]


def fill(template, value, repo, allowed):
    def walk(node):
        if isinstance(node, dict):
            return {key: walk(item) for key, item in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, str):
            return node.replace("VALUE", value).replace("REPO", repo).replace("ALLOWED", allowed)
        return node

    return walk(template)


class HTTPRepositories(threading.Thread):
    """A static HTTP server for the remote repositories of these tests (loopback only)."""

    def __init__(self, root):
        super().__init__(daemon=True)
        handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=root, **kw)  # noqa: E731
        http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]

    def run(self):
        self.server.serve_forever()


@pytest.fixture(scope="module")
def served(work):
    root = os.path.join(work, "served")
    os.makedirs(os.path.join(root, "allowed"), exist_ok=True)
    server = HTTPRepositories(root)
    server.start()
    yield root, server.url
    server.server.shutdown()


@pytest.fixture(scope="module")
def node(start_node, repos, served):
    _, url = served
    return start_node(
        "input",
        ODCS_ALLOWED_SOURCE_TYPES='["repo"]',
        ODCS_REPO_SOURCE_ROOTS=json.dumps([repos]),
        ODCS_REPO_SOURCE_URL_PREFIXES=json.dumps([url + "/allowed"]),
        ODCS_POLL_INTERVAL_MS=200,
    )


@pytest.fixture(scope="module")
def victim(node, fixture_repo):
    """A done compose of another user: what the arches traversal of the report rewrote."""
    return node.create_done(fixture_repo)


@pytest.fixture
def unchanged(node, victim, outside, repos):
    """Asserts, after the test, that the database, the volume and the directories outside it are as before."""
    before = (node.total(), snapshot(node.target), snapshot(outside), snapshot(repos))
    yield
    after = (node.total(), snapshot(node.target), snapshot(outside), snapshot(repos))
    assert after[0] == before[0], "a compose was created"
    assert after[1] == before[1], "the volume changed"
    assert after[2] == before[2], "a directory outside the volume changed"
    assert after[3] == before[3], "the repository root changed"


def assert_refused(response, field):
    assert response.status_code == 400, (response.status_code, response.text[:500])
    body = response.json()
    assert set(body) == {"status", "error", "message"}, body
    message = body["message"]
    # Upstream's own checks come first for some values; ours name the field.
    assert message.startswith(field + ": ") or message == FORBIDDEN or field.lower() in message.lower(), message


@pytest.mark.parametrize("value", HOSTILE, ids=[repr(v) for v in HOSTILE])
@pytest.mark.parametrize("field,template", FIELDS, ids=["%s-%s" % (f, t["source"]["type"]) for f, t in FIELDS])
def test_post_refuses_every_hostile_form(node, fixture_repo, served, unchanged, field, template, value):
    body = fill(template, value, fixture_repo, served[1] + "/allowed")
    assert_refused(node.api("POST", "/api/1/composes/", json.dumps(body)), field)


PATCHES = [
    ("label", lambda v: {"label": v}),
    ("sigkeys", lambda v: {"sigkeys": [v]}),
    ("builds", lambda v: {"source": {"builds": [v]}}),
    ("modules", lambda v: {"source": {"modules": [v]}}),
]


@pytest.mark.parametrize("value", HOSTILE, ids=[repr(v) for v in HOSTILE])
@pytest.mark.parametrize("field,make", PATCHES, ids=[p[0] for p in PATCHES])
def test_patch_refuses_every_hostile_form(node, victim, unchanged, field, make, value):
    response = node.api("PATCH", "/api/1/composes/%d" % victim["id"], json.dumps(make(value)))
    assert_refused(response, field)
    assert node.compose(victim["id"])["state_name"] == "done"


QUERY_PARAMETERS = [
    "owner", "source_type", "source", "state", "koji_task_id", "pungi_compose_id", "compose_type", "label", "order_by", "page",
    "per_page",
]


@pytest.mark.parametrize("parameter", QUERY_PARAMETERS)
@pytest.mark.parametrize("path", ["/api/1/composes/", "/"])
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(node, unchanged, path, parameter):
    response = node.api("GET", "%s?%s=a%%00b" % (path, parameter))
    assert response.status_code == 400, response.text[:300]
    assert "'%s'" % parameter in response.json()["message"]


def test_a_nul_anywhere_in_the_event_stream_query_is_a_400(node, unchanged):
    for query in ("compose_id=%00", "last_event_id=1%00", "x%00=1"):
        response = node.api("GET", "/api/1/events/?" + query, stream=True)
        assert response.status_code == 400, query
        response.close()


def test_local_repositories_outside_the_roots_are_refused_without_looking(node, unchanged):
    messages = set()
    for path in ("/etc", "/nonexistent/elsewhere", "/root/.ssh"):
        response = node.api("POST", "/api/1/composes/", json.dumps({"source": {"type": "repo", "source": path}}))
        assert_refused(response, "source")
        messages.add(response.json()["message"].replace(path, "PATH"))
    # The same answer whether the path exists or not: no oracle for the server's files.
    assert len(messages) == 1, messages


def test_urls_outside_the_allowed_prefixes_are_refused(node, served, unchanged):
    _, url = served
    for source in (url + "/elsewhere", url + "/allowedx", "https://example.com/repo", url.replace("127.0.0.1", "localhost") + "/x"):
        assert_refused(node.api("POST", "/api/1/composes/", json.dumps({"source": {"type": "repo", "source": source}})), "source")


def test_a_remote_repository_cannot_make_the_node_copy_a_local_file(node, served, outside, fixture_repo):
    """A served repository whose primary.xml gives `xml:base="file:///<outside>/"` (createrepo_c
    --baseurl): the compose fails saying why, and no file of that directory reaches the volume."""
    root, url = served
    rpm = [name for name in os.listdir(fixture_repo) if name.endswith(".rpm")][0]
    evil = os.path.join(root, "allowed", "evil")
    os.makedirs(evil, exist_ok=True)
    shutil.copy(os.path.join(fixture_repo, rpm), evil)
    secret_dir = os.path.join(outside, "secret")
    os.makedirs(secret_dir, exist_ok=True)
    shutil.copy(os.path.join(fixture_repo, rpm), secret_dir)
    subprocess.run(["createrepo_c", "-q", "--baseurl", "file://" + secret_dir + "/", evil], check=True)
    before_outside = snapshot(outside)

    created = node.api("POST", "/api/1/composes/", json.dumps({"source": {"type": "repo", "source": url + "/allowed/evil"}, "flags": ["no_deps"]}))
    assert created.status_code == 200, created.text
    compose_id = created.json()["id"]
    failed = wait_until(
        lambda: (lambda c: c if c["state_name"] in ("done", "failed") else None)(node.compose(compose_id)), 120, "the compose to end"
    )
    assert failed["state_name"] == "failed", failed
    assert "names a local file" in failed["state_reason"], failed["state_reason"]
    secret_inode = os.stat(os.path.join(secret_dir, rpm)).st_ino
    for directory, _, files in os.walk(node.target):
        for name in files:
            assert os.stat(os.path.join(directory, name)).st_ino != secret_inode, os.path.join(directory, name)
            assert name != rpm or "odcs-%d" % compose_id not in directory, os.path.join(directory, name)
    assert snapshot(outside) == before_outside

    # A failed compose keeps its logs for its TTL, and nothing of its trees.
    published = os.path.join(node.target, "odcs-%d" % compose_id)
    assert os.path.isdir(os.path.join(published, "logs"))
    assert not os.path.exists(os.path.join(published, "compose"))
    assert node.api("GET", "/composes/odcs-%d/compose/" % compose_id).status_code == 404
