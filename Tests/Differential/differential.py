"""The differential harness: a case is sent to upstream ODCS 0.9.2 and to our node, both
answers are normalised (ids by the case that made the compose, times by a placeholder, URLs by
their host) and compared.

A case either agrees (status and normalised body equal) or records a deliberate difference:
`differ(row, reason, status, message)` names the row of docs/compatibility.md that explains
it and pins our own answer, so that it cannot change silently; a recorded difference that
has gone away fails too (turn it into an agreement). Our node never answers >= 500."""

import json
import re

import pytest
import requests

ABSENT = object()
COMPOSES = "/api/1/composes/"

# SQL that puts a compose (`{id}`) in a state neither side reaches by itself here; NOW is
# each side's clock in its own column type.
STATE_SQL = {
    "wait": None,
    "generating": "UPDATE composes SET state = 1, state_reason = 'Compose is generating', time_started = NOW WHERE id = {id}",
    "done": (
        "UPDATE composes SET state = 2, state_reason = 'Compose is generated successfully', time_started = NOW, "
        "time_done = NOW, pungi_compose_id = 'Fedora-40-20240101.t.0' WHERE id = {id}"
    ),
    "failed": (
        "UPDATE composes SET state = 4, state_reason = 'Error while generating compose: boom', time_started = NOW "
        "WHERE id = {id}"
    ),
    "removed": (
        "UPDATE composes SET state = 3, state_reason = 'Compose is generated successfully\nCompose is expired.', "
        "time_started = NOW, time_done = NOW, time_removed = NOW WHERE id = {id}"
    ),
}


class Differ:
    def __init__(self, row, reason, status, message=None, contains=None):
        self.row = row
        self.reason = reason
        self.status = status
        self.message = message
        self.contains = contains


def differ(row, reason, status, message=None, contains=None):
    """A deliberate difference: `row` names the row of docs/compatibility.md ("#4", or the
    bullet's bold words), and our answer is `status` with `message` (exact) or `contains`."""
    return Differ(row, reason, status, message, contains)


def case(name, method, path, body=ABSENT, raw=None, expect=None, state=None, xfail=None, same=None):
    """One row of a table: `body` is sent as JSON, `raw` (bytes) as it is. `state` makes a fresh
    compose in that state on both sides first, named `{compose}` in the path. `expect` is None
    (agree) or a `differ(...)`. `xfail` (a reason) marks a known bug of ours. `same` maps both
    normalised answers before they are compared (for an order upstream leaves to chance)."""
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    values = dict(name=name, method=method, path=path, body=body, raw=raw, expect=expect, state=state, same=same)
    return pytest.param(values, id=name, marks=marks)


def post(name, body=ABSENT, **kw):
    return case(name, "POST", COMPOSES, body=body, **kw)


class Pair:
    """Upstream and ours, with the ids each side gave to the composes the cases made."""

    def __init__(self, upstream, ours):
        self.sides = {"upstream": upstream, "ours": ours}
        self.names = {"upstream": {}, "ours": {}}
        self.ids = {"upstream": {}, "ours": {}}

    def register(self, side, name, compose_id):
        if compose_id not in self.names[side]:
            self.names[side][compose_id] = name
            self.ids[side][name] = compose_id

    def request(self, side, method, path, body=ABSENT, raw=None):
        server = self.sides[side]
        path = re.sub(r"\{([^}]+)\}", lambda m: str(self.ids[side][m.group(1)]), path)
        data = raw if raw is not None else (None if body is ABSENT else json.dumps(body).encode())
        return requests.request(method, server.url + path, data=data, timeout=60, allow_redirects=False)

    def make(self, name, state, body=None):
        """A compose named `name` in `state` on both sides (created with POST, then moved with SQL)."""
        body = body or {"source": {"type": "module", "source": "testmodule:master"}}
        for side, server in self.sides.items():
            created = self.request(side, "POST", COMPOSES, body)
            assert created.status_code == 200, (side, created.text)
            self.register(side, name, created.json()["id"])
            if STATE_SQL[state]:
                server.sql(STATE_SQL[state].format(id=self.ids[side][name]))

    def send(self, values):
        if values["state"]:
            self.make(values["name"], values["state"])
            values = dict(values, path=values["path"].replace("{compose}", "{%s}" % values["name"]))
        answers = {}
        for side in self.sides:
            response = self.request(side, values["method"], values["path"], values["body"], values["raw"])
            if values["method"] in ("POST", "PATCH") and response.status_code == 200:
                self.register(side, values["name"], response.json()["id"])
            answers[side] = response
        return answers

    def normalise(self, side, response):
        """Status and body with ids named, times as placeholders (the time to live kept for wait
        composes) and the server's own URL replaced."""
        base = self.sides[side].url
        names = self.names[side]

        def name_of(match):
            compose_id = int(match.group(2))
            return match.group(1) + ("<%s>" % names[compose_id] if compose_id in names else match.group(2))

        def text(value):
            value = value.replace(base, "<base>")
            return re.sub(r"(odcs-|id=|id )(\d+)", name_of, value)

        def walk(value):
            if isinstance(value, dict):
                out = {}
                for key, item in value.items():
                    if key == "id" and isinstance(item, int):
                        out[key] = "<%s>" % names.get(item, item)
                    elif key.startswith("time_") and item is not None:
                        out[key] = "<time>"
                    else:
                        out[key] = walk(item)
                if value.get("state_name") == "wait" and isinstance(value.get("time_to_expire"), str):
                    out["time_to_expire"] = "<time_submitted + %ds>" % ttl(value)
                return out
            if isinstance(value, list):
                return [walk(item) for item in value]
            if isinstance(value, str):
                return text(value)
            return value

        try:
            body = response.json()
        except ValueError:
            body = {"<not json>": response.text[:500]}
        return {"status": response.status_code, "body": walk(body)}


def ttl(compose):
    from datetime import datetime

    parse = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    return int((parse(compose["time_to_expire"]) - parse(compose["time_submitted"])).total_seconds())


def brief(answer):
    body = answer["body"]
    if isinstance(body, dict) and "message" in body:
        return "%d %r" % (answer["status"], body["message"][:300])
    return "%d %s" % (answer["status"], json.dumps(body, sort_keys=True)[:300])


def check(pair, values):
    answers = pair.send(values)
    ours = answers["ours"]
    assert ours.status_code < 500, "ours answered %d: %s" % (ours.status_code, ours.text[:500])
    theirs_n = pair.normalise("upstream", answers["upstream"])
    ours_n = pair.normalise("ours", ours)
    if values["same"]:
        theirs_n, ours_n = values["same"](theirs_n), values["same"](ours_n)
    expect = values["expect"]
    if expect is None:
        assert ours_n == theirs_n, "upstream %s\n    ours %s" % (brief(theirs_n), brief(ours_n))
        return
    assert ours_n != theirs_n, "recorded as a difference (%s: %s) but both answer alike: make the case agree" % (
        expect.row,
        expect.reason,
    )
    # Our message with ids named as the cases name them (`Compose (id=<delete-wait>) ...`).
    message = ours_n["body"].get("message") if isinstance(ours_n["body"], dict) else None
    assert ours.status_code == expect.status, (ours.status_code, ours.text[:500])
    if expect.message is not None:
        assert message == expect.message
    if expect.contains is not None:
        assert expect.contains in (message or ours.text)
