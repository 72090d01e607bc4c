"""The real odcs 0.9.2 client with AuthMech.OpenIDC against a node with `auth_backend: oidc`.

scripts/test starts Tests/Compat/token_issuer.py (discovery + JWKS of an RSA key it made)
and a third node (ODCS_AUTH_URL) that trusts it, on its own database, configured with
alice and the group `packagers` in allowed_clients and `odcs-admin` in admins. The tests
mint real RS256 tokens with PyJWT and the issuer's private key."""

import json
import os
import time

import jwt
import pytest
import requests
from odcs.client.odcs import ODCS, AuthMech, ComposeSourceTag

AUDIENCE = "odcs-compat"
SCOPES = " ".join(
    ["openid"] + ["https://pagure.io/odcs/" + s for s in ("new-compose", "renew-compose", "delete-compose")]
)
UNAUTHORIZED = 401


@pytest.fixture(scope="module")
def issuer():
    """(issuer URL, key id, private key PEM) of the test issuer."""
    ready, key_file = os.environ.get("ODCS_ISSUER_READY"), os.environ.get("ODCS_ISSUER_KEY")
    if not (os.environ.get("ODCS_AUTH_URL") and ready and key_file):
        pytest.skip("ODCS_AUTH_URL/ODCS_ISSUER_READY/ODCS_ISSUER_KEY not set (scripts/test sets them)")
    with open(ready) as handle:
        info = json.load(handle)
    with open(key_file, "rb") as handle:
        return info["issuer"], info["kid"], handle.read()


@pytest.fixture(scope="module")
def auth_url():
    url = os.environ["ODCS_AUTH_URL"]
    return url if url.endswith("/") else url + "/"


@pytest.fixture
def mint(issuer):
    """mint(sub, groups=(), **overrides) -> a signed access token of the test issuer."""
    url, kid, key = issuer

    def _mint(sub, groups=(), **overrides):
        now = int(time.time())
        claims = {
            "iss": url,
            "sub": sub,
            "aud": AUDIENCE,
            "iat": now,
            "nbf": now - 5,
            "exp": now + 300,
            "scope": SCOPES,
            "groups": list(groups),
        }
        claims.update(overrides)
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})

    return _mint


def client(auth_url, token):
    return ODCS(auth_url, auth_mech=AuthMech.OpenIDC, openidc_token=token)


def error_of(excinfo):
    response = excinfo.value.response
    return response.status_code, response.json()


def total(auth_url):
    return requests.get(auth_url + "api/1/composes/", timeout=30).json()["meta"]["total"]


def test_about_reports_the_oidc_backend(auth_url, issuer):
    about = ODCS(auth_url, auth_mech=AuthMech.Anonymous).about()
    assert about["auth_backend"] == "oidc"
    assert "alice" in about["allowed_clients"]["users"]


def test_openidc_client_creates_and_deletes_its_compose(auth_url, mint):
    odcs = client(auth_url, mint("alice"))
    created = odcs.new_compose("f26", "tag", packages=["bash"])
    assert created["owner"] == "alice"
    assert created["state_name"] == "wait"
    deleted = odcs.delete_compose(created["id"])
    assert deleted == {"status": 202, "message": "Compose (id=%d) has been canceled" % created["id"]}
    after = odcs.get_compose(created["id"])
    assert after["state_name"] == "failed"
    assert after["state_reason"] == "Canceled by alice"


def test_group_member_creates_and_owner_filter_finds_it(auth_url, mint):
    odcs = client(auth_url, mint("gina", groups=["packagers"]))
    created = odcs.request_compose(ComposeSourceTag("f27"))
    assert created["owner"] == "gina"
    mine = odcs.find_composes(owner="gina")
    assert mine["meta"]["total"] >= 1
    assert {item["owner"] for item in mine["items"]} == {"gina"}
    assert created["id"] in [item["id"] for item in mine["items"]]


def test_stranger_cannot_cancel_but_admin_can(auth_url, mint):
    created = client(auth_url, mint("alice")).new_compose("f28", "tag")
    with pytest.raises(requests.HTTPError) as excinfo:
        client(auth_url, mint("gina", groups=["packagers"])).delete_compose(created["id"])
    assert error_of(excinfo) == (
        403,
        {
            "error": "Forbidden",
            "message": "Compose (id=%s) can not be canceled, it's owned by someone else.",
            "status": 403,
        },
    )
    deleted = client(auth_url, mint("root", groups=["odcs-admin"])).delete_compose(created["id"])
    assert deleted["status"] == 202
    assert client(auth_url, mint("alice")).get_compose(created["id"])["state_reason"] == "Canceled by root"


@pytest.mark.parametrize(
    "claims, message",
    [
        ({"exp": int(time.time()) - 3600}, "Invalid token passed to ODCS: it has expired."),
        ({"aud": "someone-else"}, "Invalid token passed to ODCS: it is meant for another audience."),
        ({"iss": "https://evil.example.com"}, "Invalid token passed to ODCS: it was issued by another issuer."),
    ],
)
def test_bad_tokens_are_refused_and_change_nothing(auth_url, mint, claims, message):
    before = total(auth_url)
    with pytest.raises(requests.HTTPError) as excinfo:
        client(auth_url, mint("alice", **claims)).new_compose("f26", "tag")
    assert error_of(excinfo) == (UNAUTHORIZED, {"error": "Unauthorized", "message": message, "status": 401})
    assert total(auth_url) == before


def test_missing_token_and_missing_scope(auth_url, mint):
    before = total(auth_url)
    response = requests.post(auth_url + "api/1/composes/", json={"source": {"type": "tag", "source": "f26"}}, timeout=30)
    assert response.status_code == 401
    assert response.json()["message"] == "Missing token passed to ODCS."
    with pytest.raises(requests.HTTPError) as excinfo:
        client(auth_url, mint("alice", scope="openid")).new_compose("f26", "tag")
    assert error_of(excinfo)[1]["message"] == "Request does not have required scope new-compose"
    assert total(auth_url) == before


def test_user_outside_allowed_clients_is_forbidden(auth_url, mint):
    before = total(auth_url)
    with pytest.raises(requests.HTTPError) as excinfo:
        client(auth_url, mint("mallory")).new_compose("f26", "tag")
    assert error_of(excinfo) == (
        403,
        {"error": "Forbidden", "message": "User mallory is not in role allowed_clients.", "status": 403},
    )
    assert total(auth_url) == before
