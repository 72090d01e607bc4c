"""GET /api/1/composes/ (every filter, every order_by key, pagination) and GET of one compose,
on five composes made alike on both sides. Every list query names their label, so composes
the other cases make (which the two sides need not agree on) stay out of the lists."""

import pytest
from differential import check, case, differ

# Each seeded compose's place in every ordering: distinct values, none in id order.
PLACES = [3, 0, 4, 1, 2]
SEEDS = [
    {"source": {"type": "tag", "source": "f26", "koji_event": 300}},
    {"source": {"type": "module", "source": "testmodule:master", "koji_event": 100}},
    {"source": {"type": "build", "builds": ["foo-1-1"], "koji_event": 500}, "compose_type": "production"},
    {"source": {"type": "repo", "source": "http://example.com/repo", "koji_event": 200}},
    {"source": {"type": "pulp", "source": "rhel-8-for-x86_64-baseos-rpms", "koji_event": 400}},
]
SEED_SQL = (
    "UPDATE composes SET owner = 'owner-{p}', state = {p}, koji_task_id = {task}, "
    "pungi_compose_id = 'Fedora-40-2024010{p}.t.0', time_to_expire = NOW + interval '{p} hours', "
    "time_submitted = NOW - interval '{p} hours', time_done = NOW - interval '{p} minutes', "
    "time_removed = NOW - interval '{q} minutes' WHERE id = {id}"
)

LIST = "/api/1/composes/?label=listset"
ORDER_KEYS = ["id", "owner", "koji_event", "state", "time_to_expire", "time_submitted", "time_done", "time_removed"]
BAD_ORDER = differ("#4", "the allowed keys name source_type", 400,
                   "An invalid order_by key was suplied, allowed keys are: ['id', 'owner', 'source_type', 'koji_event', "
                   "'state', 'time_to_expire', 'time_submitted', 'time_done', 'time_removed']")
ROUTE_404 = differ("#5", "an unknown URL is a 404", 404)


def get(name, path, **kw):
    return case(name, "GET", path, **kw)


CASES = (
    [get("list", LIST)]
    + [get("order-by-" + key, LIST + "&order_by=" + key) for key in ORDER_KEYS]
    + [get("order-by-desc-" + key, LIST + "&order_by=-" + key) for key in ORDER_KEYS]
    + [
        get("order-by-source-type", LIST + "&order_by=source_type",
            expect=differ("#4", "order_by=source_type is accepted", 200)),
        get("order-by-desc-source-type", LIST + "&order_by=-source_type",
            expect=differ("#4", "order_by=source_type is accepted", 200)),
        get("order-by-source-Type", LIST + "&order_by=source_Type",
            expect=differ("#4", "order_by=source_Type is accepted", 200)),
        get("order-by-empty", LIST + "&order_by=", expect=BAD_ORDER),
        get("order-by-dash", LIST + "&order_by=-", expect=BAD_ORDER),
        get("order-by-unknown", LIST + "&order_by=foo", expect=BAD_ORDER),
        get("order-by-desc-unknown", LIST + "&order_by=-foo", expect=BAD_ORDER),
        get("order-by-double-dash", LIST + "&order_by=--id", expect=BAD_ORDER),
        get("order-by-upper-case", LIST + "&order_by=ID", expect=BAD_ORDER),
        get("filter-owner", LIST + "&owner=owner-1"),
        get("filter-owner-empty", LIST + "&owner="),
        get("filter-source-type", LIST + "&source_type=2"),
        get("filter-source-type-name", LIST + "&source_type=module",
            expect=differ("#12", "a source type name is a 400", 400, contains="source_type")),
        get("filter-source", LIST + "&source=f26"),
        get("filter-state", LIST + "&state=2"),
        get("filter-state-name", LIST + "&state=done", expect=differ("#12", "a state name is a 400", 400, contains="state")),
        get("filter-koji-task-id", LIST + "&koji_task_id=1003"),
        get("filter-koji-task-id-text", LIST + "&koji_task_id=abc",
            expect=differ("#12", "a non-numeric koji_task_id is a 400", 400, contains="koji_task_id")),
        get("filter-pungi-compose-id", LIST + "&pungi_compose_id=Fedora-40-20240102.t.0"),
        get("filter-compose-type", LIST + "&compose_type=production"),
        get("filter-label-unknown", "/api/1/composes/?label=no-such-label"),
        get("filter-nul", LIST + "&owner=a%00b", expect=differ("NUL byte", "a NUL in a parameter names it", 400)),
        get("ignored-id-parameter", LIST + "&id=1"),
        get("unknown-parameter-kept", LIST + "&foo=bar&_x=1"),
        get("per-page-2", LIST + "&per_page=2"),
        get("page-2", LIST + "&per_page=2&page=2"),
        get("page-3", LIST + "&per_page=2&page=3"),
        get("page-past-end", LIST + "&page=99"),
        get("per-page-zero", LIST + "&per_page=0"),
        get("per-page-negative", LIST + "&per_page=-1"),
        get("per-page-text", LIST + "&per_page=abc"),
        get("per-page-float", LIST + "&per_page=1.5"),
        get("per-page-above-cap", LIST + "&per_page=1001",
            expect=differ("per_page", "per_page is capped at 1000", 200, contains='"per_page":1000')),
        get("page-text", LIST + "&page=abc"),
        get("page-zero", LIST + "&page=0"),
        get("page-negative", LIST + "&page=-3"),
        get("page-huge", LIST + "&page=10000000000",
            expect=differ("per_page", "page is capped at 10^9", 200, contains='"page":1000000000')),
        get("detail", "/api/1/composes/{seed-0}"),
        get("detail-wait", "/api/1/composes/{seed-1}"),
        get("detail-missing", "/api/1/composes/999999"),
        get("detail-zero", "/api/1/composes/0"),
        get("detail-text", "/api/1/composes/abc", expect=ROUTE_404),
        get("detail-negative", "/api/1/composes/-1", expect=ROUTE_404),
        get("detail-trailing-slash", "/api/1/composes/{seed-0}/", expect=differ("#14", "served with or without the slash", 200)),
        get("detail-beyond-64-bits", "/api/1/composes/99999999999999999999", expect=ROUTE_404),
        get("unknown-url", "/api/1/nope", expect=ROUTE_404),
        case("wrong-method", "PUT", "/api/1/composes/", expect=differ("#5", "a wrong method is a 405", 405)),
        get("about", "/api/1/about/", expect=differ("/api/1/about/ version", "version 0.9.2+swift.<ours>", 200, contains='"version":"0.9.2+swift.')),
        get("about-no-slash", "/api/1/about", expect=differ("#14", "served without a redirect", 200)),
        get("list-no-slash", "/api/1/composes?label=listset", expect=differ("#14", "served without a redirect", 200)),
    ]
)


@pytest.fixture(scope="module")
def seeded(pair):
    for index, body in enumerate(SEEDS):
        name = "seed-%d" % index
        pair.make(name, "wait", dict(body, label="listset"))
        place = PLACES[index]
        for side, server in pair.sides.items():
            server.sql(SEED_SQL.format(p=place, q=4 - place, task=1000 + place, id=pair.ids[side][name]))
    return pair


@pytest.mark.parametrize("values", CASES)
def test_get(seeded, values):
    check(seeded, values)
