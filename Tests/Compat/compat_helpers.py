"""Helpers for the ODCS 0.9.2 compatibility suite: wire samples, field-by-field comparison,
and raw HTTP access to the node under test.

The wire samples were recorded from the real ODCS 0.9.2 (see
shared/reference/wire-samples/INDEX.tsv). Their volatile parts (ids, timestamps, the host
in absolute URLs, the compose number in `odcs-<n>`) are normalised before comparing.
"""

import calendar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]


def _find_wire_dir() -> Path:
    """`../shared/reference/wire-samples` from the project root (CI has shared/ beside the
    clone); WIRE_SAMPLES overrides it."""
    if os.environ.get("WIRE_SAMPLES"):
        return Path(os.environ["WIRE_SAMPLES"])
    for base in (REPO_ROOT.parent / "shared", Path("/work/shared")):
        candidate = base / "reference" / "wire-samples"
        if candidate.is_dir():
            return candidate
    raise RuntimeError("wire samples not found: set WIRE_SAMPLES")


WIRE_DIR = _find_wire_dir()

# Fields whose values depend on when and in which order composes were made.
VOLATILE = frozenset(
    ["id", "time_submitted", "time_to_expire", "time_started", "time_done", "time_removed"]
)
TIME_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
HOST = re.compile(r"^https?://[^/]+")


# --------------------------------------------------------------------------- wire samples


@dataclass
class WireSample:
    name: str
    method: str
    path: str
    status: int
    request_body: str  # exactly as sent upstream; "" means no body
    headers: dict  # lower-cased names
    raw_body: bytes

    @property
    def body(self):
        """The response body as JSON (or text when it is not JSON)."""
        text = self.raw_body.decode("utf-8")
        try:
            return json.loads(text)
        except ValueError:
            return text


def _load_index():
    index = {}
    lines = (WIRE_DIR / "INDEX.tsv").read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        if not line.strip():
            continue
        name, method, path, status, body = (line.split("\t") + [""])[:5]
        index[name] = (method, path, int(status), body)
    return index


_INDEX = None


def wire_sample(name: str) -> WireSample:
    global _INDEX
    if _INDEX is None:
        _INDEX = _load_index()
    method, path, status, body = _INDEX[name]
    headers = {}
    head_lines = (WIRE_DIR / f"{name}.headers").read_text(encoding="utf-8").splitlines()
    for line in head_lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    raw = (WIRE_DIR / f"{name}.body").read_bytes()
    return WireSample(name, method, path, status, body, headers, raw)


def client_sample(name: str) -> dict:
    """A recorded call of the real odcs client (wire-samples/client/<name>.json)."""
    return json.loads((WIRE_DIR / "client" / f"{name}.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- comparison


def parse_time(value: str) -> int:
    return calendar.timegm(time.strptime(value, "%Y-%m-%dT%H:%M:%SZ"))


def ttl_of(compose: dict) -> int:
    """time_to_expire - time_submitted, in seconds."""
    return parse_time(compose["time_to_expire"]) - parse_time(compose["time_submitted"])


def normalise_url(value, compose_id=None):
    """Replace scheme://host:port by <host> and, for compose URLs, odcs-<own id> by odcs-<ID>.

    Only the compose's *own* id is replaced, so a URL naming another compose still differs."""
    if not isinstance(value, str):
        return value
    value = HOST.sub("<host>", value)
    if compose_id is not None:
        value = re.sub(r"/odcs-%d(?=/|$)" % compose_id, "/odcs-<ID>", value)
        value = re.sub(r"/odcs-%d\.repo$" % compose_id, "/odcs-<ID>.repo", value)
    return value


URL_FIELDS = frozenset(["result_repo", "result_repofile", "toplevel_url"])


def compose_differences(actual: dict, expected: dict, ignore=(), check_ttl=True):
    """The list of differences between two compose JSON objects, field by field."""
    problems = []
    ignore = set(ignore)
    if not isinstance(actual, dict):
        return [f"actual is not an object: {actual!r}"]
    missing = sorted(set(expected) - set(actual) - ignore)
    extra = sorted(set(actual) - set(expected) - ignore)
    if missing:
        problems.append(f"missing keys: {missing}")
    if extra:
        problems.append(f"unexpected keys: {extra}")
    actual_id = actual.get("id")
    expected_id = expected.get("id")
    for key in sorted(set(actual) & set(expected)):
        if key in ignore:
            continue
        a, e = actual[key], expected[key]
        if key == "id":
            if not (isinstance(a, int) and not isinstance(a, bool)):
                problems.append(f"id: not an integer: {a!r}")
            continue
        if key.startswith("time_") and key in VOLATILE:
            if (a is None) != (e is None):
                problems.append(f"{key}: {a!r} vs expected {e!r} (null-ness differs)")
            elif a is not None and not TIME_FORMAT.match(a):
                problems.append(f"{key}: bad format {a!r}")
            continue
        if key in URL_FIELDS:
            a_n = normalise_url(a, actual_id if isinstance(actual_id, int) else None)
            e_n = normalise_url(e, expected_id if isinstance(expected_id, int) else None)
            if a_n != e_n:
                problems.append(f"{key}: {a!r} vs expected {e!r} (normalised {a_n!r} vs {e_n!r})")
            continue
        if type(a) is not type(e) or a != e:
            problems.append(f"{key}: {a!r} vs expected {e!r}")
    if (
        check_ttl
        and "time_to_expire" not in ignore
        and all(isinstance(c.get(k), str) for c in (actual, expected) for k in ("time_submitted", "time_to_expire"))
    ):
        if ttl_of(actual) != ttl_of(expected):
            problems.append(
                f"time_to_expire - time_submitted: {ttl_of(actual)} s vs expected {ttl_of(expected)} s"
            )
    return problems


def compare(actual, expected, ignore=(), check_ttl=True):
    """Assert that a compose (or error, or about) object matches the expected one: the same
    set of keys and equal values, except for the volatile fields (see compose_differences)."""
    problems = compose_differences(actual, expected, ignore=ignore, check_ttl=check_ttl)
    assert not problems, "differences from upstream:\n  " + "\n  ".join(problems)


REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
}


def assert_error_shape(response, status, message=None, contains=None):
    """Like upstream's error JSON: {"status": <int>, "error": <reason phrase>, "message": <text>}."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers.get("Content-Type", "").split(";")[0] == "application/json", response.headers
    body = response.json()
    assert set(body) == {"status", "error", "message"}, body
    assert body["status"] == status, body
    if status in REASONS:
        assert body["error"] == REASONS[status], body
    assert isinstance(body["message"], str), body
    if message is not None:
        assert body["message"] == message, body
    if contains is not None:
        assert contains in body["message"], body
    return body


# --------------------------------------------------------------------------- the node


class Api:
    """Raw HTTP access to the node, for requests the client cannot send."""

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        self.session = requests.Session()

    def url(self, path: str) -> str:
        return self.base + path

    def request(self, method, path, body=None, content_type="application/json", **kw):
        headers = kw.pop("headers", {})
        if body is not None and content_type is not None:
            headers["Content-Type"] = content_type
        if isinstance(body, str):
            body = body.encode("utf-8")
        return self.session.request(
            method, self.url(path), data=body, headers=headers, allow_redirects=False, timeout=30, **kw
        )

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post_json(self, obj, path="/api/1/composes/"):
        return self.request("POST", path, json.dumps(obj))

    def create(self, source_type="repo", source="http://example.com/compat", **top):
        """Create a compose and return its JSON (asserting 200)."""
        body = {"source": {"type": source_type, "source": source}}
        body.update(top)
        r = self.post_json(body)
        assert r.status_code == 200, r.text
        return r.json()

    def total(self) -> int:
        r = self.get("/api/1/composes/?per_page=1")
        assert r.status_code == 200, r.text
        return r.json()["meta"]["total"]


def db_row_counts(database_url):
    """Row counts of the tables a request may write (composes, users), read with psql;
    None without psql or a database URL. Node heartbeats may change meanwhile, these may not."""
    if not database_url or not shutil.which("psql"):
        return None
    query = "SELECT (SELECT count(*) FROM composes), (SELECT coalesce(max(id), 0) FROM composes), (SELECT count(*) FROM users)"
    out = subprocess.run(
        ["psql", database_url, "-X", "-At", "-F", " ", "-c", query], check=True, capture_output=True, text=True
    ).stdout.split()
    return dict(zip(("composes", "max_compose_id", "users"), map(int, out)))


def server_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


FIXTURE_SPEC = """\
Name: {name}
Version: {version}
Release: 1
Summary: fixture
License: MIT
BuildArch: noarch
%description
fixture
%install
mkdir -p %{{buildroot}}/usr/share/{name}
echo hello > %{{buildroot}}/usr/share/{name}/hello
%files
/usr/share/{name}/hello
"""


def fixture_rpm_repo(work, name, version="1.0"):
    """A repository (createrepo_c) under `work` holding one real noarch RPM `name` built with
    rpmbuild from a spec written here; returns the repository's path."""
    top = os.path.join(work, name + "-rpmbuild")
    os.makedirs(os.path.join(top, "SPECS"), exist_ok=True)
    spec = os.path.join(top, "SPECS", name + ".spec")
    with open(spec, "w") as f:
        f.write(FIXTURE_SPEC.format(name=name, version=version))
    subprocess.run(["rpmbuild", "-bb", "--define", "_topdir " + top, spec], check=True, capture_output=True)
    repo = os.path.join(work, name + "-repo")
    os.makedirs(repo, exist_ok=True)
    rpm = "%s-%s-1.noarch.rpm" % (name, version)
    os.replace(os.path.join(top, "RPMS", "noarch", rpm), os.path.join(repo, rpm))
    subprocess.run(["createrepo_c", "-q", repo], check=True)
    return repo


BIG_SPEC = """\
Name: {name}
Version: 1.0
Release: 1
Summary: a package of {size} random bytes
License: MIT
BuildArch: noarch
%description
big fixture
%install
mkdir -p %{{buildroot}}/usr/share/{name}
head -c {size} /dev/urandom > %{{buildroot}}/usr/share/{name}/blob
%files
/usr/share/{name}/blob
"""


def big_rpm_repo(top, repo, name, size, timeout=600):
    """A repository `repo` (createrepo_c) holding one noarch RPM `name`-1.0-1 of `size` random
    bytes, stored without payload compression so that its file is as large; built with
    rpmbuild under `top`, whose build tree is removed again. Returns `repo`."""
    os.makedirs(os.path.join(top, "SPECS"), exist_ok=True)
    spec = os.path.join(top, "SPECS", name + ".spec")
    with open(spec, "w") as handle:
        handle.write(BIG_SPEC.format(name=name, size=size))
    subprocess.run(
        ["rpmbuild", "-bb", "--define", "_topdir " + top, "--define", "_binary_payload w0.ufdio",
         "--define", "__os_install_post %{nil}", spec],
        check=True, capture_output=True, timeout=timeout,
    )
    os.makedirs(repo, exist_ok=True)
    rpm = "%s-1.0-1.noarch.rpm" % name
    shutil.move(os.path.join(top, "RPMS", "noarch", rpm), os.path.join(repo, rpm))
    for part in ("BUILDROOT", "BUILD"):
        shutil.rmtree(os.path.join(top, part), ignore_errors=True)
    subprocess.run(["createrepo_c", "-q", repo], check=True, timeout=timeout)
    return repo


# Processes the suites start themselves (Tests/Hostile, Tests/Differential, Tests/Deploy).


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout, what):
    """Polls `predicate` until it is truthy; fails naming `what` after `timeout` seconds."""
    import pytest

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail("timed out after %ss waiting for %s" % (timeout, what))
        time.sleep(0.1)


def stop_process(process, log=None, timeout=60):
    """SIGTERM, then SIGKILL after `timeout` seconds; closes its `log` file."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if log is not None:
        log.close()


def node_work_dir(prefix):
    """A session fixture's body: a scratch directory for suites that start `odcs serve`
    themselves, which need ODCS_BIN and TEST_DATABASE_URL (scripts/test sets both)."""
    import pytest
    import tempfile

    if not (os.environ.get("ODCS_BIN") and os.environ.get("TEST_DATABASE_URL")):
        pytest.exit("ODCS_BIN and TEST_DATABASE_URL must be set (scripts/test sets them)", returncode=2)
    base = tempfile.mkdtemp(prefix=prefix)
    yield base
    shutil.rmtree(base, ignore_errors=True)


class ServeNode:
    """One `odcs serve` process the suite starts itself, on its own database of the private
    PostgreSQL (`database_prefix` + name) and its own target dir (`base`/target unless
    `target` is given), with only the ODCS_* variables of `env`. Subclasses name the prefixes."""

    database_prefix = "odcs_node_"
    node_prefix = "node-"

    def __init__(self, name, base, env, target=None, database_url=None, port=None, target_dir_url=None):
        """`database_url`: a database the caller made (several nodes of one cluster share it);
        `port`: a fixed port (a load balancer's server list names it); `target_dir_url`: where
        the composes are served (default: this node's own /composes)."""
        import pytest

        self.name = name
        self.base = base
        self.env = env
        self.target = target or os.path.join(base, "target")
        self.log_path = os.path.join(base, "node.log")
        os.makedirs(self.target, exist_ok=True)
        os.makedirs(os.path.join(base, "state"), exist_ok=True)
        if database_url is None:
            admin = os.environ["TEST_DATABASE_URL"]
            database = self.database_prefix + name.replace("-", "_")
            subprocess.run(
                ["psql", "-X", "-q", admin, "-c", "DROP DATABASE IF EXISTS %s" % database, "-c", "CREATE DATABASE %s" % database],
                check=True,
                capture_output=True,
                env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"),
            )
            database_url = admin.rsplit("/", 1)[0] + "/" + database
        self.database_url = database_url
        self.port = port or free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.target_dir_url = target_dir_url or self.url + "/composes"
        self._pytest = pytest
        self.log = None
        self.start()

    def start(self):
        """Starts the process (again, after `stop`: same port, database and volume) and waits
        until it is ready."""
        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [
                os.environ["ODCS_BIN"], "serve", "--host", "127.0.0.1", "--port", str(self.port), "--node-id", self.node_prefix + self.name,
                "--database-url", self.database_url, "--target-dir", self.target,
                "--target-dir-url", self.target_dir_url, "--state-dir", os.path.join(self.base, "state"),
            ],
            # A node refuses ODCS_* variables it does not know (ODCS_BIN, say): it gets only its own.
            env=dict({key: value for key, value in os.environ.items() if not key.startswith("ODCS_")}, **self.env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        wait_until(self.ready, 60, "node %s to be ready (log: %s)" % (self.name, self.log_path))

    def ready(self):
        if self.process.poll() is not None:
            self._pytest.fail("node %s exited: %s" % (self.name, open(self.log_path).read()[-3000:]))
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

    def create(self, source, flags=("no_deps", "no_reuse"), **top):
        """A repo compose of `source` (POST); returns its id."""
        body = {"source": {"type": "repo", "source": source}, "flags": list(flags)}
        body.update(top)
        created = self.api("POST", "/api/1/composes/", json.dumps(body))
        assert created.status_code == 200, created.text
        return created.json()["id"]

    def finished(self, compose_id, timeout=120):
        """The compose once done or failed."""
        return wait_until(
            lambda: (lambda c: c if c["state_name"] in ("done", "failed") else None)(self.compose(compose_id)),
            timeout,
            "compose %d to finish" % compose_id,
        )

    def create_done(self, source, **top):
        """A repo compose of `source`, generated for real (never a reuse: each has its own
        directory); returns it once done."""
        done = self.finished(self.create(source, **top))
        assert done["state_name"] == "done", done
        return done

    def metrics(self):
        return self.api("GET", "/api/1/metrics/").text

    def stop(self):
        stop_process(self.process, self.log)


def mount_tmpfs(path, size):
    """Mounts a tmpfs of `size` (mount's syntax: "60m") at `path` (as root); each mount and
    umount is bounded by `timeout`. Returns a function that unmounts it."""
    os.makedirs(path, exist_ok=True)
    subprocess.run(["timeout", "30", "mount", "-t", "tmpfs", "-o", "size=%s,mode=0755" % size, "tmpfs", path], check=True)

    def unmount():
        if subprocess.run(["timeout", "30", "umount", path]).returncode != 0:
            # Still busy (a process that did not stop): detach it so that the run ends cleanly.
            subprocess.run(["timeout", "30", "umount", "-l", path])

    return unmount
