"""POST /api/1/composes/: every validation branch of upstream's views.py (ComposesListAPI.post),
api_utils.validate_json_data and the field types at every depth, sent to both servers."""

import pytest
from differential import ABSENT, check, differ, post

MODULE = {"type": "module", "source": "testmodule:master"}
# The bullet "Field rules" of docs/compatibility.md: a label names a symlink.
FIELD_RULES = "field rules"
LABEL_RULE = differ(FIELD_RULES, "labels: ASCII letters, digits and '_.+~-', at most 200", 400, contains="is not a label (letters, digits and '_.+~-', at most 200)")


def module(**top):
    """A valid module request with `top` added at the top level."""
    return dict({"source": dict(MODULE)}, **top)


def source(type_="module", **fields):
    """A request whose source has `fields` (a module source unless they say otherwise)."""
    body = {"type": type_}
    if type_ == "module":
        body["source"] = "testmodule:master"
    body.update(fields)
    return {"source": body}


def sorted_source(answer):
    """Upstream de-duplicates `source` through a Python set (random order); we sort (row 1)."""
    body = answer["body"]
    if isinstance(body.get("source"), str):
        body = dict(body, source=" ".join(sorted(body["source"].split(" "))))
    return dict(answer, body=body)


CASES = [
    # The body itself.
    post("empty-body", raw=b"", expect=differ("#13", "invalid JSON: one message", 400, contains="Failed to decode JSON object")),
    post("invalid-json", raw=b"{", expect=differ("#13", "invalid JSON: one message", 400, contains="Failed to decode JSON object")),
    post("empty-object", {}),
    post("empty-list", []),
    post("null", None),
    post("empty-string", ""),
    post("false", False),
    post("zero", 0),
    post("list-body", [1], expect=differ("#44", "a body that is not an object: 400, not 500", 400, "Invalid source configuration provided: [1]")),
    post("string-body", "x", expect=differ("#44", "a body that is not an object: 400, not 500", 400, "Invalid source configuration provided: 'x'")),
    post("number-body", 5, expect=differ("#44", "a body that is not an object: 400, not 500", 400, "Invalid source configuration provided: 5")),
    # source: not an object, no type, unknown type, no source.
    post("no-source", {"foo": "bar"}),
    post("source-string", {"source": "f26"}),
    post("source-list", {"source": ["f26"]}),
    post("source-null", {"source": None}),
    post("source-empty-object", {"source": {}}),
    post("source-no-type", {"source": {"source": "f26"}}),
    post("type-integer", {"source": {"type": 1, "source": "f26"}}),
    post("type-null", {"source": {"type": None, "source": "f26"}}),
    post("type-unknown", {"source": {"type": "foo", "source": "f26"}}),
    post("type-uppercase", {"source": {"type": "TAG", "source": "f26"}}),
    post("tag-no-source", {"source": {"type": "tag"}}),
    post("tag-empty-source", {"source": {"type": "tag", "source": ""}}),
    post("tag-source-integer", {"source": {"type": "tag", "source": 5}}, expect=differ("#8", "source must be a string: 400, not 500", 400, "source should be a string")),
    post("tag-source-list", {"source": {"type": "tag", "source": ["f26"]}}, expect=differ("#8", "source must be a string: 400, not 500", 400, "source should be a string")),
    post("tag-source-object", {"source": {"type": "tag", "source": {"a": "b"}}}),
    post("tag", {"source": {"type": "tag", "source": "f26-build"}}),
    post("tag-double-space", {"source": {"type": "tag", "source": "f26  f27"}},
         expect=differ("#1b", "the empty item of a double space is dropped", 200, contains='"source":"f26 f27"')),
    post("module", {"source": dict(MODULE)}),
    post("module-no-stream", {"source": {"type": "module", "source": "testmodule"}}),
    post("module-nsvc", {"source": {"type": "module", "source": "testmodule:master:1:c0ffee"}}),
    post("module-base-platform", {"source": {"type": "module", "source": "platform:f30"}}),
    post("module-base-bootstrap", {"source": {"type": "module", "source": "bootstrap:master"}}),
    post("module-double-space", {"source": {"type": "module", "source": "a:b  c:d"}}),
    post("module-duplicates", {"source": {"type": "module", "source": "b:x a:y b:x c:z"}}, same=sorted_source),
    post("module-empty-with-scratch", {"source": {"type": "module", "source": "", "scratch_modules": ["a:b:1:c"]}}),
    post("module-empty-no-scratch", {"source": {"type": "module", "source": "", "scratch_modules": []}}),
    post("build-no-source", {"source": {"type": "build"}}),
    post("build", {"source": {"type": "build", "builds": ["foo-1-1", "bar-2-2"]}}),
    post("build-builds-string", {"source": {"type": "build", "builds": "foo-1-1"}}),
    post("build-builds-integers", {"source": {"type": "build", "builds": [1]}},
         expect=differ("#8", "a list of non-strings: 400, not 500", 400, "builds should be a list of strings")),
    post("repo-url", {"source": {"type": "repo", "source": "http://example.com/repo/x86_64"}}),
    post("repo-path", {"source": {"type": "repo", "source": "/srv/repos/x86_64"}}),
    post("pulp", {"source": {"type": "pulp", "source": "rhel-8-for-x86_64-baseos-rpms"}}),
    post("pungi-compose", {"source": {"type": "pungi_compose", "source": "http://example.com/compose/Server"}}),
    post("raw-config", {"source": {"type": "raw_config", "source": "pungi_cfg#c0ffee"}}),
    post("raw-config-two", {"source": {"type": "raw_config", "source": "pungi_cfg#a pungi_cfg#b"}}),
    post("raw-config-no-hash", {"source": {"type": "raw_config", "source": "pungi_cfg"}}),
    post("raw-config-empty-name", {"source": {"type": "raw_config", "source": "#c0ffee"}}),
    post("raw-config-empty-hash", {"source": {"type": "raw_config", "source": "pungi_cfg#"}}),
    post("raw-config-two-hashes", {"source": {"type": "raw_config", "source": "pungi_cfg#a#b"}}),
    post("raw-config-unknown", {"source": {"type": "raw_config", "source": "other#c0ffee"}}),
    # seconds_to_live and its legacy spelling.
    post("ttl", module(seconds_to_live=3600)),
    post("ttl-zero", module(seconds_to_live=0)),
    post("ttl-true", module(seconds_to_live=True)),
    post("ttl-false", module(seconds_to_live=False)),
    post("ttl-negative", module(seconds_to_live=-1),
         expect=differ("#9", "a negative time to live is refused", 400, "seconds_to_live must be a positive number of seconds, got -1")),
    post("ttl-above-max", module(seconds_to_live=10**7)),
    post("ttl-huge", module(seconds_to_live=10**30)),
    post("ttl-float", module(seconds_to_live=1.5)),
    post("ttl-string", module(seconds_to_live="600s")),
    post("ttl-numeric-string", module(seconds_to_live="600")),
    post("ttl-null", module(seconds_to_live=None)),
    post("ttl-list", module(seconds_to_live=[600])),
    post("legacy-ttl-string", module(**{"seconds-to-live": "3600"})),
    post("legacy-ttl-integer", module(**{"seconds-to-live": 7200})),
    post("legacy-ttl-float", module(**{"seconds-to-live": 3600.7})),
    post("legacy-ttl-bad-string", module(**{"seconds-to-live": "abc"})),
    post("legacy-ttl-null", module(**{"seconds-to-live": None})),
    post("both-ttl-spellings", module(seconds_to_live=60, **{"seconds-to-live": 120})),
    # flags, results, arches, multilib.
    post("flags", module(flags=["no_deps", "no_reuse"])),
    post("flags-all", module(flags=["no_deps", "no_inheritance", "include_unpublished_pulp_repos", "check_deps",
                                    "include_done_modules", "ignore_absent_pulp_repos", "no_reuse",
                                    "use_only_compatible_arch", "no_label"])),
    post("flags-no-flags", module(flags=["no_flags"])),
    post("flags-unknown", module(flags=["foo"])),
    post("flags-string", module(flags="no_deps"),
         expect=differ("#8", "a string where a list belongs is refused", 400, "flags should be a list")),
    post("flags-integers", module(flags=[1]), expect=differ("#8", "a list of non-strings: 400, not 500", 400, "flags should be a list of strings")),
    post("flags-empty", module(flags=[])),
    post("results", module(results=["iso", "boot.iso", "ostree"])),
    post("results-repository", module(results=["repository"])),
    post("results-unknown", module(results=["foo"])),
    post("results-string", module(results="iso"),
         expect=differ("#8", "a string where a list belongs is refused", 400, "results should be a list")),
    post("arches", module(arches=["x86_64", "aarch64"])),
    post("arches-empty", module(arches=[])),
    post("arches-string", module(arches="x86_64"),
         expect=differ("#8", "a string where a list belongs is refused", 400, "arches should be a list")),
    post("arches-integers", module(arches=[1]),
         expect=differ("#8", "a list of non-strings: 400, not 500", 400, "arches should be a list of strings")),
    post("multilib", module(multilib_arches=["i686"], multilib_method=["runtime", "devel"])),
    post("multilib-method-unknown", module(multilib_method=["foo"])),
    post("multilib-method-string", module(multilib_method="runtime")),
    post("multilib-method-all-none", module(multilib_method=["none", "all"])),
    post("multilib-arches-string", module(multilib_arches="i686"),
         expect=differ("#8", "a string where a list belongs is refused", 400, "multilib_arches should be a list")),
    # sigkeys, packages, builds and the other source lists.
    post("sigkeys", source(sigkeys=["deadbeef", ""])),
    post("sigkeys-empty", source(sigkeys=[])),
    post("sigkeys-string", source(sigkeys="deadbeef")),
    post("sigkeys-null-element", source(sigkeys=[None])),
    post("sigkeys-integer-element", source(sigkeys=[1]),
         expect=differ("#8", "a list of non-strings: 400, not 500", 400, "sigkeys should be a list of strings")),
    post("sigkeys-short", source(sigkeys=["abc"]),
         expect=differ(FIELD_RULES, "sigkeys are 8 to 40 hex digits", 400, contains='sigkeys: "abc" is not a signing key id')),
    post("sigkeys-top-level", module(sigkeys=["deadbeef"])),
    post("packages", source("tag", source="f26", packages=["bash", "python3-foo"])),
    post("packages-empty", source("tag", source="f26", packages=[])),
    post("packages-string", source("tag", source="f26", packages="bash")),
    post("packages-integers", source("tag", source="f26", packages=[1]),
         expect=differ("#8", "a list of non-strings: 400, not 500", 400, "packages should be a list of strings")),
    post("packages-any-character", source("tag", source="f26", packages=["a=b"])),
    post("builds-in-tag", source("tag", source="f26", builds=["foo-1-1"])),
    post("modules", source("build", builds=["foo-1-1"], modules=["a:b:1:c"])),
    post("modules-string", source("build", modules="a:b:1:c")),
    post("scratch-modules-string", source("module", scratch_modules="a:b:1:c")),
    post("scratch-build-tasks", source("build", builds=["foo-1-1"], scratch_build_tasks=["123", "456"])),
    post("scratch-build-tasks-string", source("build", scratch_build_tasks="123")),
    post("modular-koji-tags", source("tag", source="f26", modular_koji_tags=["f26-modular"])),
    post("module-defaults", source(module_defaults_url="https://example.com/defaults.git", module_defaults_commit="main")),
    post("module-defaults-url-only", source(module_defaults_url="https://example.com/defaults.git")),
    post("module-defaults-commit-only", source(module_defaults_commit="main")),
    post("module-defaults-empty-both", source(module_defaults_url="", module_defaults_commit="")),
    post("koji-event", source("tag", source="f26", koji_event=123)),
    post("koji-event-string", source("tag", source="f26", koji_event="123")),
    post("koji-event-float", source("tag", source="f26", koji_event=1.5)),
    post("base-module-br", source(base_module_br_name="platform", base_module_br_stream="f30",
                                  base_module_br_stream_version_lte=300000, base_module_br_stream_version_gte=290000)),
    post("base-module-br-name-integer", source(base_module_br_name=1)),
    post("base-module-br-stream-null", source(base_module_br_stream=None)),
    post("base-module-br-version-string", source(base_module_br_stream_version_lte="1")),
    post("lookaside-repos", module(lookaside_repos=["http://example.com/lookaside"])),
    post("lookaside-repos-string", module(lookaside_repos="http://example.com/lookaside"),
         expect=differ("#8", "a string where a list belongs is refused", 400, "lookaside_repos should be a list")),
    post("parent-pungi-compose-ids", module(parent_pungi_compose_ids=["Fedora-40-20240101.0"], respin_of="Fedora-40-20240101.1")),
    post("respin-of-integer", module(respin_of=1),
         expect=differ("#8", "respin_of must be a string", 400, "respin_of should be a string")),
    post("unknown-keys-ignored", dict(module(foo="bar"), source=dict(MODULE, unknown_arg="x"))),
    post("unknown-key-null", module(foo=None)),
    # Dicts anywhere but the top-level source.
    post("dict-at-top-level", module(foo={"a": "b"})),
    post("dict-in-source", source(foo={"a": "b"})),
    post("dict-in-list", module(arches=[{"a": "b"}])),
    post("list-in-list", module(arches=[["x86_64"]]),
         expect=differ("#8", "a list of non-strings: 400, not 500", 400, "arches should be a list of strings")),
    # label, compose_type, target_dir.
    post("label", module(label="Beta-1.0")),
    post("label-empty", module(label="")),
    post("label-integer", module(label=5)),
    post("label-null", module(label=None)),
    post("label-long-3000", module(label="x" * 3000), expect=LABEL_RULE),
    post("label-long-1000000", module(label="x" * 1000000), expect=LABEL_RULE),
    post("label-forbidden-equals", module(label="a=b")),
    post("label-newline", module(label="a\nb")),
    post("label-nul", module(label="a\u0000b")),
    post("label-combining-accent", module(label="cafe\u0301")),
    post("label-precomposed-accent", module(label="caf\u00e9"), expect=LABEL_RULE),
    post("label-rtl-mark", module(label="a\u200fb")),
    post("label-emoji", module(label="\U0001f600")),
    post("label-full-width-digits", module(label="\uff11\uff12\uff13"), expect=LABEL_RULE),
    post("label-space", module(label="a b"), expect=LABEL_RULE),
    post("compose-type-production", module(compose_type="production")),
    post("compose-type-unknown", module(compose_type="foo")),
    post("compose-type-integer", module(compose_type=1)),
    post("compose-type-null", module(compose_type=None)),
    post("target-dir-default", module(target_dir="default")),
    post("target-dir-empty", module(target_dir="")),
    post("target-dir-unknown", module(target_dir="foo")),
    post("target-dir-integer", module(target_dir=1)),
    # Forbidden characters in other fields.
    post("source-forbidden", {"source": {"type": "tag", "source": "f26;rm"}}),
    post("source-nul", {"source": {"type": "tag", "source": "f26\u0000"}}),
    post("source-emoji", {"source": {"type": "tag", "source": "f26\U0001f600"}}),
    post("arches-forbidden", module(arches=["x86_64\""])),
    post("source-combining-accent", {"source": {"type": "tag", "source": "f26\u0301"}}),
    post("packages-emoji", source("tag", source="f26", packages=["\U0001f600"])),
    post("packages-nul", source("tag", source="f26", packages=["bash\u0000"]),
         expect=differ("NUL byte", "a NUL in a field names it", 400, 'packages: "bash\\0" contains a control character')),
    post("label-no-break-space", module(label="a\u00a0b")),
    post("label-arabic-indic-digits", module(label="\u0663\u0664"), expect=LABEL_RULE),
    post("compose-type-empty", module(compose_type="")),
    post("koji-event-true", source("tag", source="f26", koji_event=True),
         expect=differ("#45", "true is the integer 1, as for seconds_to_live", 200, contains='"koji_event":1,')),
    post("koji-event-beyond-64-bits", source("tag", source="f26", koji_event=2**70),
         expect=differ("#8", "garbage in is refused", 400, contains="koji_event is an integer beyond the 64 bits")),
    post("ttl-beyond-64-bits", module(seconds_to_live=2**70)),
    post("base-module-br-version-beyond-64-bits", source(base_module_br_stream_version_gte=2**70),
         expect=differ("#8", "garbage in is refused", 400, contains="base_module_br_stream_version_gte is an integer beyond the 64 bits")),
]


@pytest.mark.parametrize("values", CASES)
def test_post(pair, values):
    check(pair, values)
