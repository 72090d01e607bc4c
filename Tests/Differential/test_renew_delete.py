"""PATCH (renew) and DELETE of a compose in every state, each case on a compose of its own
(`{compose}`, moved to the state with SQL: neither side generates here), and on missing ids."""

import pytest
from differential import case, check, differ

DETAIL = "/api/1/composes/{compose}"
MISSING = "/api/1/composes/999999"


def patch(name, state, body=None, **kw):
    return case(name, "PATCH", DETAIL, body=body if body is not None else {}, state=state, **kw)


def delete(name, state, **kw):
    return case(name, "DELETE", DETAIL, state=state, **kw)


CASES = [
    patch("renew-wait", "wait"),
    patch("renew-generating", "generating"),
    patch("renew-done", "done"),
    patch("renew-done-ttl", "done", {"seconds_to_live": 7200}),
    patch("renew-done-legacy-ttl", "done", {"seconds-to-live": "7200"}),
    patch("renew-done-legacy-ttl-bad", "done", {"seconds-to-live": "abc"}),
    patch("renew-done-ttl-string", "done", {"seconds_to_live": "600s"}),
    patch("renew-done-ttl-negative", "done", {"seconds_to_live": -5},
          expect=differ("#9", "a negative time to live is refused", 400, "seconds_to_live must be a positive number of seconds, got -5")),
    patch("renew-done-same-label", "done", {"label": None}),
    patch("renew-done-new-label", "done", {"label": "Beta-1.0"}),
    patch("renew-done-new-sigkeys", "done", {"sigkeys": ["deadbeef"]}),
    patch("renew-done-same-sigkeys", "done", {"sigkeys": []}),
    patch("renew-done-modules", "done", {"source": {"modules": ["a:b:1:c"]}}),
    patch("renew-done-builds", "done", {"source": {"builds": ["foo-1-1"]}}),
    patch("renew-done-builds-string", "done", {"source": {"builds": "foo-1-1"}}),
    patch("renew-done-empty-builds", "done", {"source": {"builds": []}}),
    patch("renew-done-forbidden-label", "done", {"label": "a=b"}),
    patch("renew-done-dict", "done", {"foo": {"a": "b"}}),
    patch("renew-failed", "failed"),
    patch("renew-removed", "removed"),
    patch("renew-removed-label", "removed", {"label": "Beta-1.0"}),
    case("renew-no-body", "PATCH", DETAIL, state="done"),
    case("renew-missing", "PATCH", MISSING, body={}),
    case("renew-missing-no-body", "PATCH", MISSING),
    case("renew-missing-bad-label", "PATCH", MISSING, body={"label": None}),
    case("renew-missing-bad-ttl", "PATCH", MISSING, body={"seconds_to_live": "x"}),
    case("renew-missing-forbidden", "PATCH", MISSING, body={"label": "a;b"}),
    case("renew-missing-invalid-json", "PATCH", MISSING, raw=b"{",
         expect=differ("#13", "invalid JSON: one message", 400, contains="Failed to decode JSON object")),
    case("renew-text-id", "PATCH", "/api/1/composes/abc", body={}, expect=differ("#5", "an unknown URL is a 404", 404)),
    delete("delete-wait", "wait",
           expect=differ("DELETE of a wait compose cancels it", "every node is a worker", 202, "Compose (id=<delete-wait>) has been canceled")),
    delete("delete-generating", "generating"),
    delete("delete-done", "done"),
    delete("delete-failed", "failed"),
    delete("delete-removed", "removed"),
    case("delete-missing", "DELETE", MISSING),
    case("delete-text-id", "DELETE", "/api/1/composes/abc", expect=differ("#5", "an unknown URL is a 404", 404)),
]


@pytest.mark.parametrize("values", CASES)
def test_renew_delete(pair, values):
    check(pair, values)
