"""Bad input is refused with 4xx and the upstream message where upstream has one, and leaves
the database as it was (the list total and, through psql, the row counts)."""

import json

import pytest
from compat_helpers import assert_error_shape

FORBIDDEN = "Only alphanumerical characters and ' -/_.:#+?$~^,' characters are allowed in ODCS input variables"
REPO = {"type": "repo", "source": "http://example.com/repo"}


def body(**top):
    """A valid repo request with top-level overrides."""
    return json.dumps(dict({"source": dict(REPO)}, **top))


def source(**fields):
    """A request whose source dict is REPO with overrides."""
    return json.dumps({"source": dict(REPO, **fields)})


# (id, raw body, status, exact message or None, substring or None)
UPSTREAM_MESSAGES = [
    ("malformed-json", "{", 400, None, "Failed to decode JSON object"),
    ("not-json", "this is not json", 400, None, "Failed to decode JSON object"),
    ("empty-object", "{}", 400, "No JSON POST data submitted", None),
    ("empty-list", "[]", 400, "No JSON POST data submitted", None),
    ("null", "null", 400, "No JSON POST data submitted", None),
    ("empty-string", '""', 400, "No JSON POST data submitted", None),
    ("source-not-dict", '{"source": "f26"}', 400, "Invalid source configuration provided: {'source': 'f26'}", None),
    ("packages-not-list", source(packages="bash"), 400, "packages should be a list", None),
    ("builds-not-list", json.dumps({"source": {"type": "build", "builds": "foo-1-1"}}), 400, "builds should be a list", None),
    ("sigkeys-not-list", source(sigkeys="abc"), 400, "sigkeys should be a list", None),
    ("type-not-string", source(type=3), 400, "type should be a string", None),
    ("label-not-string", body(label=5), 400, "label should be a string", None),
    ("label-null", body(label=None), 400, "label should be a string", None),
    ("koji-event-string", source(koji_event="1"), 400, "koji_event should be an integer", None),
    ("stl-float", body(seconds_to_live=1.5), 400, "seconds_to_live should be an integer", None),
    ("stl-abc", body(seconds_to_live="abc"), 400, "seconds_to_live should be an integer", None),
    (
        "legacy-stl-abc",
        body(**{"seconds-to-live": "abc"}),
        400,
        "Invalid seconds_to_live specified in request: "
        "{'source': {'type': 'repo', 'source': 'http://example.com/repo'}, 'seconds-to-live': 'abc'}",
        None,
    ),
    ("semicolon", source(source="http://example.com/repo;rm -rf"), 400, FORBIDDEN, None),
    ("equals", body(lookaside_repos=["http://example.com/?a=b"]), 400, FORBIDDEN, None),
    ("ampersand", source(source="http://example.com/a&b"), 400, FORBIDDEN, None),
    ("newline-in-label", body(label="a\nb"), 400, FORBIDDEN, None),
    ("nested-dict", source(extra={"a": 1}), 400, "Only 'source' key is allowed to contain dict.", None),
    ("dict-in-list", body(flags=[{"a": 1}]), 400, "Only 'source' key is allowed to contain dict.", None),
    ("top-level-dict", body(extra={"a": 1}), 400, "Only 'source' key is allowed to contain dict.", None),
    (
        "null-unknown-key",
        body(foo=None),
        400,
        "Only dict, list, str, unicode, int, float and bool types are allowed in ODCS input variables, "
        "but 'foo' has '<class 'NoneType'>' type",
        None,
    ),
    ("missing-type", '{"source": {"source": "x"}}', 400, "Missing type in source configuration, received: {'source': 'x'}", None),
    ("unknown-type", source(type="git"), 400, 'Unknown source type "git"', None),
    ("unknown-flag", body(flags=["bogus"]), 400, "('Unknown flag %s', 'bogus')", None),
    ("unknown-result", body(results=["bogus"]), 400, "('Unknown result %s', 'bogus')", None),
    ("unknown-multilib", body(multilib_method=["foo"]), 400, 'Unknown multilib method "foo"', None),
    ("empty-tag-source", json.dumps({"source": {"type": "tag", "source": ""}}), 400, "No source provided for 1", None),
    (
        "module-one-part",
        json.dumps({"source": {"type": "module", "source": "testmodule"}}),
        400,
        'Module definition must be in "n:s", "n:s:v" or "n:s:v:c" format, but got testmodule',
        None,
    ),
    (
        "module-double-space",
        json.dumps({"source": {"type": "module", "source": "a:b  c:d"}}),
        400,
        'Module definition must be in "n:s", "n:s:v" or "n:s:v:c" format, but got ',
        None,
    ),
    (
        "base-module",
        json.dumps({"source": {"type": "module", "source": "platform:f39"}}),
        400,
        "ODCS currently cannot create compose with base modules, but platform was requested.",
        None,
    ),
    (
        "raw-config-no-hash",
        json.dumps({"source": {"type": "raw_config", "source": "foo"}}),
        400,
        'Source must be in "source_name#commit_hash" format for "raw_config" source_type.',
        None,
    ),
    (
        "raw-config-two",
        json.dumps({"source": {"type": "raw_config", "source": "a#b c#d"}}),
        400,
        'Only single source is allowed for "raw_config" source_type',
        None,
    ),
    (
        "raw-config-unknown",
        json.dumps({"source": {"type": "raw_config", "source": "foo#abc"}}),
        400,
        'Source "foo" does not exist in server configuration.',
        None,
    ),
    (
        "module-defaults-url-alone",
        source(module_defaults_url="git://example.com/defaults.git"),
        400,
        'The "module_defaults_url" and "module_defaults_commit" must be used together.',
        None,
    ),
    ("target-dir-nfs", body(target_dir="nfs"), 400, 'Unknown "target_dir" "nfs"', None),
]

# Our own refusals (upstream accepts these); each says why. Every value that becomes a path
# component, file name, URL or command argument has a strict shape (docs/security.md); the
# hostile forms of each field are in test_hostile.py.
OURS = [
    # Path traversal in a repo source: upstream's character check lets '/' and '..' through; we refuse it.
    (
        "source-dotdot",
        source(source="/srv/repos/../../etc"),
        400,
        """source: "/srv/repos/../../etc" is not a normal absolute path (no '.', '..' or empty components)""",
        None,
    ),
    # A label names a symlink: '/' would escape its directory, so we refuse it (upstream accepts it).
    ("label-slash", body(label="a/b"), 400, """label: "a/b" is not a label (letters, digits and '_.+~-', at most 200)""", None),
    # Same for '..' as a label (upstream accepts it).
    ("label-dotdot", body(label=".."), 400, """label: ".." is not a label (letters, digits and '_.+~-', at most 200)""", None),
    # compose_type names a directory: same rule (upstream accepts it and fails later in Pungi).
    (
        "compose-type-traversal",
        body(compose_type="../x"),
        400,
        """compose_type: "../x" is not a compose type (letters, digits and '_-', at most 64)""",
        None,
    ),
    # An arch names directories of the compose: upstream writes outside the compose with this one.
    (
        "arches-traversal",
        body(arches=["x86_64", "../../../../odcs-1/compose/Temporary/x86_64"]),
        400,
        """arches: "../../../../odcs-1/compose/Temporary/x86_64" is not an arch name (letters, digits and '_', at most 32)""",
        None,
    ),
    # A sigkey names a directory of the Koji volume (data/signed/<key>/).
    ("sigkey-not-hex", source(sigkeys=["../x"]), 400, None, 'sigkeys: "../x" is not a signing key id'),
    # Upstream accepts a negative TTL (the compose is born expired); we refuse it.
    ("stl-negative", body(seconds_to_live=-5), 400, "seconds_to_live must be a positive number of seconds, got -5", None),
    # Upstream splits a string into characters ("x 8 6 _ 6 4"); we refuse it (Appendix B 8).
    ("arches-string", body(arches="x86_64"), 400, "arches should be a list", None),
]


@pytest.mark.parametrize("case", UPSTREAM_MESSAGES + OURS, ids=[c[0] for c in UPSTREAM_MESSAGES + OURS])
def test_bad_post_changes_nothing(api, db_snapshot, case):
    _, raw, status, message, contains = case
    before = db_snapshot()
    response = api.request("POST", "/api/1/composes/", body=raw)
    assert_error_shape(response, status, message=message, contains=contains)
    assert db_snapshot() == before


def test_huge_body_is_413(api, db_snapshot):
    before = db_snapshot()
    raw = body(label="a" * ((1 << 20) + 16))
    response = api.request("POST", "/api/1/composes/", body=raw)
    assert_error_shape(response, 413)
    assert db_snapshot() == before


def test_huge_body_without_content_length_is_413(api, db_snapshot):
    before = db_snapshot()
    chunk = b'{"source": {"type": "repo", "source": "x"}, "label": "' + b"a" * (1 << 16)

    def chunks():  # requests sends a generator with Transfer-Encoding: chunked
        yield chunk
        for _ in range(20):
            yield b"a" * (1 << 16)
        yield b'"}'

    response = api.session.post(api.url("/api/1/composes/"), data=chunks(), timeout=30)
    assert_error_shape(response, 413)
    assert db_snapshot() == before


@pytest.fixture
def failed_compose(api):
    created = api.create(source="http://example.com/bad-patch")
    assert api.request("DELETE", "/api/1/composes/%d" % created["id"]).status_code == 202
    return created


PATCH_CASES = [
    ("malformed-json", "{", None, "Failed to decode JSON object"),
    ("label-null", json.dumps({"label": None}), "label should be a string", None),
    ("stl-600s", json.dumps({"seconds_to_live": "600s"}), "seconds_to_live should be an integer", None),
    ("legacy-stl-abc", json.dumps({"seconds-to-live": "abc"}), "Invalid seconds_to_live specified in request: {'seconds-to-live': 'abc'}", None),
    ("sigkeys-not-list", json.dumps({"sigkeys": "abc"}), "sigkeys should be a list", None),
    ("builds-not-list", json.dumps({"source": {"builds": "foo-1-1"}}), "builds should be a list", None),
    ("forbidden-label", json.dumps({"label": "a;b"}), FORBIDDEN, None),
    ("nested-dict", json.dumps({"label": "x", "extra": {"a": 1}}), "Only 'source' key is allowed to contain dict.", None),
    # A label names a symlink: we refuse '/' (upstream accepts it).
    ("label-slash", json.dumps({"label": "a/b"}), """label: "a/b" is not a label (letters, digits and '_.+~-', at most 200)""", None),
]


@pytest.mark.parametrize("case", PATCH_CASES, ids=[c[0] for c in PATCH_CASES])
def test_bad_patch_changes_nothing(api, db_snapshot, failed_compose, case):
    # A good PATCH on a failed compose would create a new compose: a bad one must not.
    _, raw, message, contains = case
    before = db_snapshot()
    response = api.request("PATCH", "/api/1/composes/%d" % failed_compose["id"], body=raw)
    assert_error_shape(response, 400, message=message, contains=contains)
    assert db_snapshot() == before
    after = api.get("/api/1/composes/%d" % failed_compose["id"]).json()
    assert (after["state_name"], after["label"]) == ("failed", failed_compose["label"])


def test_patch_and_delete_missing_compose(api, db_snapshot):
    before = db_snapshot()
    assert_error_shape(api.request("PATCH", "/api/1/composes/999999", body="{}"), 404, message="No compose with id 999999 found")
    assert_error_shape(api.request("DELETE", "/api/1/composes/999999"), 404, message="No such compose found.")
    assert db_snapshot() == before
