"""/api/1/openapi.json: a valid OpenAPI 3.1 document whose schemas accept the recorded
responses of the real ODCS 0.9.2 (wire-samples) and the live node's own responses, and
docs/api.md rendered from it.

The route side (every router route documented, every documented operation routed) is
checked in Swift: Tests/ODCSAPITests/OpenAPIDocumentTests.swift.
"""

import json
import re
import subprocess
import sys

import pytest
from compat_helpers import REPO_ROOT, WIRE_DIR
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec

SOURCE = REPO_ROOT / "Sources" / "ODCSAPI" / "openapi.json"


@pytest.fixture(scope="module")
def document():
    with open(SOURCE) as f:
        return json.load(f)


def schema_validator(document, schema):
    """A JSON Schema 2020-12 validator for `schema`, resolving #/components/... in the document."""
    root = dict(schema)
    root["components"] = document["components"]
    return Draft202012Validator(root)


def operation_for(document, method, path):
    """The document's operation for a concrete request path, or None."""
    path = path.split("?", 1)[0]
    for template, item in document["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template.rstrip("/"))) + "/?$"
        if re.match(pattern, path) and method.lower() in item:
            return item[method.lower()]
    return None


def response_schema(document, method, path, status):
    """The JSON schema a response must match: the operation's for that status, else (for an
    error status the document does not list, e.g. upstream's 500s) the error body."""
    op = operation_for(document, method, path)
    response = op["responses"].get(str(status)) if op else None
    if response is not None:
        media = response.get("content", {}).get("application/json")
        return media["schema"] if media else None
    if status >= 400:
        return {"$ref": "#/components/schemas/Error"}
    return None


def assert_valid(document, schema, body, what):
    errors = sorted(schema_validator(document, schema).iter_errors(body), key=lambda e: list(e.path))
    assert not errors, "%s: %s" % (what, "; ".join("%s: %s" % (list(e.path), e.message) for e in errors[:5]))


def test_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate_spec(document)


def test_node_serves_the_document(api, document):
    r = api.get("/api/1/openapi.json")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == document
    assert r.content == SOURCE.read_bytes()


def _wire_samples():
    samples = []
    for index in (WIRE_DIR / "INDEX.tsv", WIRE_DIR / "backend" / "INDEX.tsv"):
        for line in index.read_text(encoding="utf-8").splitlines()[1:]:
            if line.strip():
                name, method, path, status = line.split("\t")[:4]
                samples.append((index.parent / (name + ".body"), method, path, int(status)))
    return samples


WIRE_SAMPLES = _wire_samples()


@pytest.mark.parametrize("body_file,method,path,status", WIRE_SAMPLES, ids=[s[0].stem for s in WIRE_SAMPLES])
def test_recorded_upstream_response_matches_the_document(document, body_file, method, path, status):
    schema = response_schema(document, method, path, status)
    raw = body_file.read_bytes()
    if schema is None:
        # Metrics text, an empty 308/OPTIONS body: nothing JSON to check.
        assert not raw.strip().startswith(b"{")
        return
    assert_valid(document, schema, json.loads(raw), body_file.name)


def test_wire_samples_cover_every_upstream_operation(document):
    covered = {(m, operation_for(document, m, p)["operationId"]) for _, m, p, _ in WIRE_SAMPLES if operation_for(document, m, p)}
    assert {op for _, op in covered} >= {"listComposes", "createCompose", "getCompose", "renewCompose", "deleteCompose", "about"}


def test_live_responses_match_the_document(api, document):
    def check(method, path, body=None, expect=None):
        r = api.request(method, path, json.dumps(body) if body is not None else None)
        if expect is not None:
            assert r.status_code == expect, r.text
        schema = response_schema(document, method, path, r.status_code)
        assert schema is not None, "%s %s %d is not documented" % (method, path, r.status_code)
        assert_valid(document, schema, r.json(), "%s %s" % (method, path))
        return r.json()

    full = {
        "source": {"type": "repo", "source": "http://example.com/openapi-live", "packages": ["bash"], "sigkeys": ["0abcdef0"]},
        "flags": ["no_deps"], "results": ["iso"], "arches": ["x86_64"], "seconds_to_live": 600, "label": "Live-1.0",
    }
    created = check("POST", "/api/1/composes/", full, 200)
    cid = created["id"]
    check("GET", "/api/1/composes/%d" % cid, expect=200)
    check("GET", "/api/1/composes/?per_page=2&order_by=-id", expect=200)
    check("GET", "/api/1/composes/?state=wait", expect=400)
    check("GET", "/api/1/about/", expect=200)
    check("GET", "/api/1/nodes/", expect=200)
    check("PATCH", "/api/1/composes/%d" % cid, {"seconds_to_live": 60}, 404)
    check("DELETE", "/api/1/composes/%d" % cid, expect=202)
    check("GET", "/api/1/composes/999999999", expect=404)
    check("POST", "/api/1/composes/", {"source": {"type": "git", "source": "x"}}, 400)
    check("GET", "/api/1/nope", expect=404)


def test_api_reference_is_generated_from_the_document():
    proc = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "gen-api-docs.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
