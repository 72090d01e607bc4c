"""The real odcs 0.9.2 Python client (odcs.client.odcs.ODCS) against our node.

Each call mirrors one recorded in wire-samples/client/ where there is one, and the answer is
compared field by field with what the real ODCS 0.9.2 returned."""

import math
from urllib.parse import urlencode

import pytest
import requests
from compat_helpers import compare, server_origin, ttl_of
from odcs.client.odcs import (
    ComposeSourceBuild,
    ComposeSourceGeneric,
    ComposeSourceModule,
    ComposeSourcePulp,
    ComposeSourceRawConfig,
    ComposeSourceTag,
)

ABOUT_KEYS = {"version", "auth_backend", "allowed_clients", "raw_config_urls", "sigkeys"}


def http_error_body(excinfo):
    response = excinfo.value.response
    return response.status_code, response.json()


@pytest.fixture
def repo_template(client_wire):
    """The upstream answer to new_compose("http://example.com/client-repo", "repo")."""
    return dict(client_wire("02-new_compose-repo")["returned"])


# ------------------------------------------------------------------------------ about


def test_about_has_exactly_the_five_keys(odcs, client_wire):
    about = odcs.about()
    assert set(about) == ABOUT_KEYS
    # Our version is ours ("0.9.2+swift..."), the rest is the upstream noauth default.
    assert about["version"].startswith("0.9.2+swift"), about["version"]
    compare(about, client_wire("01-about")["returned"], ignore={"version"})


# ------------------------------------------------------------------------------ create


def test_new_compose_repo_like_upstream(odcs, client_wire):
    created = odcs.new_compose("http://example.com/client-repo", "repo")
    compare(created, client_wire("02-new_compose-repo")["returned"])


def test_new_compose_empty_source_is_400(odcs, client_wire):
    expected = client_wire("03-new_compose-repo-empty-source")
    with pytest.raises(requests.HTTPError) as excinfo:
        odcs.new_compose("", "repo")
    status, body = http_error_body(excinfo)
    assert status == expected["status"] == 400
    assert body == expected["body"]


def test_new_compose_with_options_like_upstream(odcs, client_wire):
    created = odcs.new_compose(
        "http://example.com/client-repo",
        "repo",
        packages=["bash"],
        sigkeys=["deadbeef"],
        lookaside_repos=["http://example.com/la"],
        label="RC-1.0",
        compose_type="production",
        seconds_to_live=600,
        flags=["no_deps"],
        results=["boot.iso"],
        arches=["x86_64", "ppc64le"],
    )
    compare(created, client_wire("04-new_compose-repo-options")["returned"])
    assert ttl_of(created) == 600


def test_request_compose_repo_like_upstream(odcs, client_wire):
    created = odcs.request_compose(
        ComposeSourceGeneric("http://example.com/client-repo2", "repo"), arches=["x86_64"], seconds_to_live=3600
    )
    compare(created, client_wire("05-request_compose-repo")["returned"])
    assert ttl_of(created) == 3600


# One entry per source type: (type, new_compose args, request_compose source, expected overrides).
PUNGI_COMPOSE_URL = "http://example.com/compose/Fedora-40-20240101.n.0/compose"
SOURCE_TYPES = [
    (
        "tag",
        dict(source="f40-build", source_type="tag"),
        lambda: ComposeSourceTag("f40-build"),
        dict(source_type=1, source="f40-build"),
    ),
    (
        "module",
        dict(source="testmodule:master testmodule2:master:1", source_type="module"),
        lambda: ComposeSourceModule(["testmodule:master", "testmodule2:master:1"]),
        # De-duplicated and sorted ('2' < ':'), which is also the order upstream happened to give.
        dict(source_type=2, source="testmodule2:master:1 testmodule:master"),
    ),
    (
        "repo",
        dict(source="http://example.com/client-repo", source_type="repo"),
        lambda: ComposeSourceGeneric("http://example.com/client-repo", "repo"),
        dict(source_type=3, source="http://example.com/client-repo"),
    ),
    (
        "pulp",
        dict(source="rhel-8-for-x86_64-baseos-rpms", source_type="pulp"),
        lambda: ComposeSourcePulp(["rhel-8-for-x86_64-baseos-rpms"]),
        dict(source_type=4, source="rhel-8-for-x86_64-baseos-rpms"),
    ),
    (
        "build",
        dict(source="", source_type="build", builds=["foo-1.0-1", "bar-2.0-1"]),
        lambda: ComposeSourceBuild(["foo-1.0-1", "bar-2.0-1"]),
        dict(source_type=6, source="", builds="foo-1.0-1 bar-2.0-1"),
    ),
    (
        "pungi_compose",
        dict(source=PUNGI_COMPOSE_URL, source_type="pungi_compose"),
        lambda: ComposeSourceGeneric(PUNGI_COMPOSE_URL, "pungi_compose"),
        dict(source_type=7, source=PUNGI_COMPOSE_URL),
    ),
]


@pytest.mark.parametrize("kind,args,make_source,overrides", SOURCE_TYPES, ids=[s[0] for s in SOURCE_TYPES])
def test_new_compose_every_source_type(odcs, repo_template, kind, args, make_source, overrides):
    created = odcs.new_compose(**args)
    compare(created, dict(repo_template, **overrides))


@pytest.mark.parametrize("kind,args,make_source,overrides", SOURCE_TYPES, ids=[s[0] for s in SOURCE_TYPES])
def test_request_compose_every_source_type(odcs, repo_template, kind, args, make_source, overrides):
    created = odcs.request_compose(make_source())
    compare(created, dict(repo_template, **overrides))
    # And the stored compose reads back the same, with the full-only pungi_config_dump.
    fetched = odcs.get_compose(created["id"])
    compare(fetched, dict(created, pungi_config_dump=None))


RAW_CONFIG_UNKNOWN = 'Source "foo" does not exist in server configuration.'


def test_new_compose_raw_config_unknown_source(odcs):
    with pytest.raises(requests.HTTPError) as excinfo:
        odcs.new_compose("foo#abc", "raw_config")
    assert http_error_body(excinfo) == (400, {"status": 400, "error": "Bad Request", "message": RAW_CONFIG_UNKNOWN})


def test_request_compose_raw_config_unknown_source(odcs):
    with pytest.raises(requests.HTTPError) as excinfo:
        odcs.request_compose(ComposeSourceRawConfig("foo", "abc"))
    assert http_error_body(excinfo) == (400, {"status": 400, "error": "Bad Request", "message": RAW_CONFIG_UNKNOWN})


# ------------------------------------------------------------------------------ get


def test_get_compose_like_upstream(odcs, client_wire):
    created = odcs.new_compose("http://example.com/client-repo", "repo")
    fetched = odcs.get_compose(created["id"])
    compare(fetched, client_wire("06-get_compose")["returned"])
    assert fetched["id"] == created["id"]
    assert fetched["time_submitted"] == created["time_submitted"]
    assert fetched["time_to_expire"] == created["time_to_expire"]


def test_get_compose_missing(odcs, client_wire):
    expected = client_wire("07-get_compose-missing")
    with pytest.raises(requests.HTTPError) as excinfo:
        odcs.get_compose(999999)
    assert http_error_body(excinfo) == (expected["status"], expected["body"])


# ------------------------------------------------------------------------------ find


def test_find_composes_state_0(odcs, client_wire, server_url):
    odcs.new_compose("http://example.com/client-repo", "repo")
    odcs.new_compose("http://example.com/client-repo", "repo")
    found = odcs.find_composes(state=0, per_page=2)
    sample = client_wire("08-find_composes-state-0")["returned"]
    assert set(found) == set(sample) == {"items", "meta"}
    assert set(found["meta"]) == set(sample["meta"])
    assert len(found["items"]) == 2
    for item in found["items"]:
        assert item["state"] == 0 and item["state_name"] == "wait"
        compare(item, sample["items"][0], ignore={"source", "time_to_expire"})
        assert "pungi_config_dump" not in item
    ids = [item["id"] for item in found["items"]]
    assert ids == sorted(ids, reverse=True), "default order is -id"
    meta = found["meta"]
    assert meta["page"] == 1 and meta["per_page"] == 2
    assert meta["pages"] == math.ceil(meta["total"] / 2)
    base = server_origin(server_url) + "/api/1/composes/"
    assert meta["first"] == base + "?page=1&per_page=2&state=0"
    assert meta["last"] == base + "?page=%d&per_page=2&state=0" % meta["pages"]
    assert meta["prev"] is None
    assert meta["next"] == (base + "?page=2&per_page=2&state=0" if meta["pages"] > 1 else None)
    everything = odcs.find_composes(state=0, per_page=100000)
    assert len(everything["items"]) == meta["total"]


def test_find_composes_source_type_3_order_by_id(odcs, client_wire, server_url):
    odcs.new_compose("http://example.com/client-repo", "repo")
    odcs.new_compose("f40-build", "tag")
    found = odcs.find_composes(source_type=3, order_by="id", page=1, per_page=2)
    sample = client_wire("09-find_composes-source_type-3")["returned"]
    assert set(found["meta"]) == set(sample["meta"])
    assert [i["source_type"] for i in found["items"]] == [3] * len(found["items"])
    ids = [item["id"] for item in found["items"]]
    assert ids == sorted(ids), "order_by=id is ascending"
    base = server_origin(server_url) + "/api/1/composes/"
    # Upstream keeps the request's other arguments after page and per_page, in request order.
    assert found["meta"]["first"] == base + "?page=1&per_page=2&source_type=3&order_by=id"


def test_find_composes_owner_and_descending_order(odcs):
    odcs.new_compose("http://example.com/client-repo", "repo")
    found = odcs.find_composes(owner="unknown", order_by="-time_submitted", per_page=5)
    assert found["items"], found
    assert {i["owner"] for i in found["items"]} == {"unknown"}
    stamps = [i["time_submitted"] for i in found["items"]]
    assert stamps == sorted(stamps, reverse=True)
    assert odcs.find_composes(owner="nobody-at-all")["meta"]["total"] == 0


def test_find_composes_paging(odcs, server_url):
    for _ in range(3):
        odcs.new_compose("http://example.com/client-paging", "repo")
    first = odcs.find_composes(source="http://example.com/client-paging", per_page=2)
    total = first["meta"]["total"]
    assert total >= 3
    pages = math.ceil(total / 2)
    second = odcs.find_composes(source="http://example.com/client-paging", page=2, per_page=2)
    meta = second["meta"]
    assert (meta["page"], meta["per_page"], meta["pages"], meta["total"]) == (2, 2, pages, total)
    # Werkzeug 2.3 builds the query with urlencode(safe="!$'()*,/:;?@"): ':' and '/' stay as they are.
    def page_url(n):
        query = urlencode([("page", n), ("per_page", 2), ("source", "http://example.com/client-paging")], safe="!$'()*,/:;?@")
        return server_origin(server_url) + "/api/1/composes/?" + query

    assert meta["first"] == page_url(1) == server_origin(server_url) + "/api/1/composes/?page=1&per_page=2&source=http://example.com/client-paging"
    assert meta["last"] == page_url(pages)
    assert meta["prev"] == page_url(1)
    assert meta["next"] == (page_url(3) if pages > 2 else None)
    seen = {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    assert not seen, "pages overlap"


def test_find_composes_state_name_is_400(odcs):
    # Divergence: upstream answers 500 (PostgreSQL integer cast); we answer 400.
    with pytest.raises(requests.HTTPError) as excinfo:
        odcs.find_composes(state="wait")
    status, body = http_error_body(excinfo)
    assert status == 400 and body["error"] == "Bad Request" and set(body) == {"status", "error", "message"}


# ------------------------------------------------------------------------------ renew / delete


def test_renew_wait_compose_is_404(odcs, client_wire):
    created = odcs.new_compose("http://example.com/client-repo", "repo")
    with pytest.raises(requests.HTTPError) as excinfo:
        odcs.renew_compose(created["id"], seconds_to_live=60)
    expected = client_wire("11-renew_compose-wait")
    assert http_error_body(excinfo) == (
        404,
        dict(expected["body"], message="No compose with id %d found" % created["id"]),
    )


def test_delete_wait_cancels_then_renew_makes_a_new_compose(odcs):
    created = odcs.new_compose("http://example.com/client-cancel", "repo")
    # Divergence: upstream (no Celery) answered 400; with workers a wait compose is canceled.
    deleted = odcs.delete_compose(created["id"])
    assert deleted == {"status": 202, "message": "Compose (id=%d) has been canceled" % created["id"]}

    canceled = odcs.get_compose(created["id"])
    assert (canceled["state"], canceled["state_name"]) == (4, "failed")
    assert canceled["state_reason"] == "Canceled by anonymous"
    assert canceled["time_done"] is None and canceled["time_removed"] is None
    compare(
        canceled,
        dict(created, state=4, state_name="failed", state_reason="Canceled by anonymous", pungi_config_dump=None),
        check_ttl=False,
    )

    renewed = odcs.renew_compose(created["id"])
    assert renewed["id"] not in (created["id"],) and renewed["id"] > created["id"]
    assert (renewed["state"], renewed["state_name"], renewed["state_reason"]) == (0, "wait", None)
    compare(renewed, created)  # same options, fresh default TTL, its own URLs
    assert odcs.get_compose(created["id"])["state_name"] == "failed", "the old compose stays failed"

    again = odcs.renew_compose(created["id"], seconds_to_live=600)
    assert again["id"] not in (created["id"], renewed["id"])
    compare(again, created, ignore={"time_to_expire"})
    assert ttl_of(again) == 600
