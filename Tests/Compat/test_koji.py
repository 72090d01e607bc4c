"""Tag and build composes through the real ODCS 0.9.2 client, generated natively against the
Koji test hub (scripts/test starts it as a process over a fixture volume built with rpmbuild:
Pungi's observed rig, `rig-tag` inheriting `rig-base`), and the hub checked with Koji's own
Python client, so that the stand-in speaks Koji's real wire format and lays files out as
koji.PathInfo does.
"""

import configparser
import json
import os
import xml.dom.minidom

import koji
import productmd.compose
import productmd.discinfo
import productmd.treeinfo
import pytest
import requests

from odcs.client.odcs import ODCS, AuthMech


@pytest.fixture(scope="module")
def hub():
    ready = os.environ.get("ODCS_KOJI_READY")
    if not ready:
        pytest.skip("ODCS_KOJI_READY not set (scripts/test sets it)")
    with open(ready) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def gen(hub):
    url, target = os.environ.get("ODCS_GEN_URL"), os.environ.get("ODCS_GEN_TARGET")
    if not (url and target):
        pytest.skip("ODCS_GEN_URL/ODCS_GEN_TARGET not set (scripts/test sets them)")
    return ODCS(url, auth_mech=AuthMech.Anonymous), target


def binaries(target, compose_id, arch="x86_64"):
    packages = os.path.join(target, "odcs-%d" % compose_id, "compose/Temporary/%s/os/Packages" % arch)
    return sorted(name for _, _, files in os.walk(packages) for name in files)


def compose_dir(target, compose):
    """The directory of a done compose, or of the compose it reused (named in result_repo)."""
    name = compose["result_repo"].split("/compose/")[0].rsplit("/", 1)[1]
    return os.path.join(target, name)


def test_koji_client_reads_the_test_hub(hub):
    session = koji.ClientSession(hub["url"])
    assert session.getAPIVersion() == 1
    event = session.getLastEvent()
    rpms, builds = session.listTaggedRPMS("rig-tag", event=event["id"], inherit=True, latest=True)
    assert sorted(b["nvr"] for b in builds) == ["bar-2.0-1", "baz-0.1-1", "foo-1.1-1", "qux-3.0-1"]
    assert session.getTag("nope") is None
    with pytest.raises(koji.GenericError, match="No such event: 999999"):
        session.getEvent(999999)
    with session.multicall() as m:
        found, missing = m.getBuild("foo-1.1-1"), m.getBuild("nope-1-1")
    assert found.result["nvr"] == "foo-1.1-1" and missing.result is None
    tag = session.getTag("rig-tag")
    assert [link["name"] for link in session.getFullInheritance(tag["id"])] == ["rig-base"]
    assert session.tagChangedSinceEvent(event["id"], [tag["id"]]) is False
    # Every RPM is where koji.PathInfo says, signed copies too.
    paths = koji.PathInfo(topdir=hub["topdir"])
    by_id = {b["id"]: b for b in builds}
    for rpm in rpms:
        assert os.path.isfile(os.path.join(paths.build(by_id[rpm["build_id"]]), paths.rpm(rpm))), rpm
    foo = next(r for r in rpms if r["name"] == "foo" and r["arch"] == "x86_64")
    signed = os.path.join(paths.build(by_id[foo["build_id"]]), paths.signed(foo, hub["sigkey"]))
    assert os.path.isfile(signed)


def test_tag_compose_pulls_dependencies_and_is_reused(gen):
    client, target = gen
    compose = client.new_compose("rig-tag", "tag", packages=["foo", "baz"])
    done = client.wait_for_compose(compose["id"], timeout=120)
    assert done["state_name"] == "done", done["state_reason"]
    assert done["koji_event"] is not None
    assert binaries(target, done["id"]) == ["bar-2.0-1.x86_64.rpm", "baz-0.1-1.noarch.rpm", "foo-1.1-1.x86_64.rpm"]
    loaded = productmd.compose.Compose(os.path.join(target, "odcs-%d" % done["id"]))
    assert loaded.info.compose.id == done["pungi_compose_id"]
    assert "foo-0:1.1-1.src" in loaded.rpms.rpms["Temporary"]["x86_64"]

    # Nothing changed in Koji: the same request reuses it (reused_id is never on the wire;
    # the URLs and the missing tree say it).
    again = client.wait_for_compose(client.new_compose("rig-tag", "tag", packages=["baz", "foo"])["id"], timeout=120)
    assert again["state_name"] == "done"
    assert again["result_repo"] == done["result_repo"]
    assert again["pungi_compose_id"] == done["pungi_compose_id"]
    assert not os.path.exists(os.path.join(target, "odcs-%d" % again["id"]))


def test_tag_compose_flags(gen):
    client, target = gen
    nodeps = client.wait_for_compose(client.new_compose("rig-tag", "tag", packages=["foo"], flags=["no_deps"])["id"], timeout=120)
    assert nodeps["state_name"] == "done", nodeps["state_reason"]
    assert binaries(target, nodeps["id"]) == ["foo-1.1-1.x86_64.rpm"]
    strict = client.new_compose("rig-tag", "tag", packages=["foo"], flags=["no_inheritance", "check_deps"])
    failed = client.wait_for_compose(strict["id"], timeout=120)
    assert failed["state_name"] == "failed"
    assert "foo-1.1-1.x86_64 requires libbar" in failed["state_reason"]


def test_a_dependency_without_a_signed_copy_fails_the_compose(gen, hub):
    client, _ = gen
    compose = client.new_compose("rig-tag", "tag", packages=["foo", "baz"], sigkeys=[hub["sigkey"]])
    failed = client.wait_for_compose(compose["id"], timeout=120)
    assert failed["state_name"] == "failed"
    assert "RPM(s) not found for sigs: ('%s',)" % hub["sigkey"] in failed["state_reason"]
    assert failed["state_reason"].endswith("Unsigned packages:\nbar-2.0-1")


def test_build_compose(gen):
    client, target = gen
    compose = client.new_compose("", "build", builds=["foo-1.0-1", "bar-2.0-1"], packages=["foo"])
    done = client.wait_for_compose(compose["id"], timeout=120)
    assert done["state_name"] == "done", done["state_reason"]
    assert binaries(target, done["id"]) == ["bar-2.0-1.x86_64.rpm", "foo-1.0-1.x86_64.rpm"]


def test_the_hub_serves_module_builds_as_koji_does(hub):
    session = koji.ClientSession(hub["url"])
    tagged = session.listTagged("rig-modular", inherit=True, type="module")
    assert [(b["name"], b["version"], b["release"], b["tag_name"]) for b in tagged] == [("rigmod", "1", "1.00000000", "rig-modular")]
    module = session.getBuild(tagged[0]["build_id"])["extra"]["typeinfo"]["module"]
    assert (module["name"], module["stream"], module["version"], module["context"]) == ("rigmod", "1", "1", "00000000")
    assert module["content_koji_tag"] == "module-rigmod-1-1-00000000" and "document: modulemd" in module["modulemd_str"]
    assert [m["name"] for m in session.search("rigmod-1-1.*", "build", "glob")] == ["rigmod-1-1.00000000"]
    # Its modulemd archives, as MBS imports them, where koji.PathInfo.typedir says (Pungi reads them there).
    build = session.getBuild(tagged[0]["build_id"])
    archives = session.listArchives(buildID=build["id"], type="module")
    assert sorted(a["filename"] for a in archives) == ["modulemd.src.txt", "modulemd.txt", "modulemd.x86_64.txt"]
    assert {a["btype"] for a in archives} == {"module"} and session.listArchives(build["id"]) == archives
    typedir = koji.PathInfo(topdir=hub["topdir"]).typedir(build, "module")
    for archive in archives:
        with open(os.path.join(typedir, archive["filename"])) as f:
            text = f.read()
        assert len(text.encode()) == archive["size"] and "document: modulemd" in text
    with open(os.path.join(typedir, "modulemd.x86_64.txt")) as f:
        assert "arch: x86_64\n" in f.read()


def modular_metadata(target, compose_id):
    repodata = os.path.join(target, "odcs-%d" % compose_id, "compose/Temporary/x86_64/os/repodata")
    with open(os.path.join(repodata, "repomd.xml")) as f:
        return f.read()


def test_tag_compose_with_modular_koji_tags_adds_the_modules(gen):
    client, target = gen
    compose = client.new_compose("rig-tag", "tag", packages=["baz"], flags=["no_deps"], modular_koji_tags=["rig-modular"])
    done = client.wait_for_compose(compose["id"], timeout=120)
    assert done["state_name"] == "done", done["state_reason"]
    assert done["modular_koji_tags"] == "rig-modular"
    assert binaries(target, done["id"]) == ["baz-0.1-1.noarch.rpm", "modpkg-1.0-1.module_rig.noarch.rpm"]
    assert '<data type="modules">' in modular_metadata(target, done["id"])
    # productmd reads (and validates) modules.json.
    loaded = productmd.compose.Compose(os.path.join(target, "odcs-%d" % done["id"]))
    modules = loaded.modules.modules["Temporary"]["x86_64"]
    assert list(modules) == ["rigmod:1:1:00000000"]
    # Every artifact of the module's x86_64 modulemd, its source RPM too (as Pungi lists them).
    assert modules["rigmod:1:1:00000000"]["rpms"] == ["modpkg-0:1.0-1.module_rig.noarch", "modpkg-0:1.0-1.module_rig.src"]
    assert modules["rigmod:1:1:00000000"]["metadata"]["koji_tag"] == "module-rigmod-1-1-00000000"
    path = modules["rigmod:1:1:00000000"]["modulemd_path"]["binary"]
    assert os.path.isfile(os.path.join(target, "odcs-%d" % done["id"], "compose", path))

    # Without the modular tag it is another compose, without the module.
    plain = client.wait_for_compose(client.new_compose("rig-tag", "tag", packages=["baz"], flags=["no_deps"])["id"], timeout=120)
    assert plain["state_name"] == "done" and plain["result_repo"] != done["result_repo"]
    assert binaries(target, plain["id"]) == ["baz-0.1-1.noarch.rpm"]
    assert productmd.compose.Compose(os.path.join(target, "odcs-%d" % plain["id"])).modules.modules == {}


def test_module_compose_from_modular_koji_tags_needs_no_mbs(gen):
    client, target = gen
    compose = client.new_compose("rigmod:1", "module", modular_koji_tags=["rig-modular"])
    done = client.wait_for_compose(compose["id"], timeout=120)
    assert done["state_name"] == "done", done["state_reason"]
    assert done["source"] == "rigmod:1:1:00000000"
    assert binaries(target, done["id"]) == ["modpkg-1.0-1.module_rig.noarch.rpm"]
    assert '<data type="modules">' in modular_metadata(target, done["id"])
    # Without modular_koji_tags a module compose asks the MBS, which this node has none of.
    failed = client.wait_for_compose(client.new_compose("rigmod:1", "module")["id"], timeout=120)
    assert failed["state_name"] == "failed"
    assert "mbs_url is not configured" in failed["state_reason"]


def check_install_tree(tree, arch, release):
    """productmd loads .treeinfo and .discinfo as Anaconda and virt-install would, and writes
    the loaded treeinfo back byte for byte (Pungi dumps it with productmd); media.repo
    repeats the .discinfo time as its mediaid."""
    treeinfo = productmd.treeinfo.TreeInfo()
    treeinfo.load(os.path.join(tree, ".treeinfo"))
    assert (treeinfo.release.name, treeinfo.release.short, treeinfo.release.version) == (release, release, "1")
    assert treeinfo.tree.arch == arch and treeinfo.tree.platforms == {arch}
    variant = treeinfo.variants["Temporary"]
    assert (variant.id, variant.uid, variant.type) == ("Temporary", "Temporary", "variant")
    assert (variant.paths.packages, variant.paths.repository) == ("Packages", ".")
    assert os.path.isfile(os.path.join(tree, variant.paths.repository, "repodata", "repomd.xml"))
    with open(os.path.join(tree, ".treeinfo")) as f:
        assert treeinfo.dumps() == f.read()

    discinfo = productmd.discinfo.DiscInfo()
    discinfo.load(os.path.join(tree, ".discinfo"))
    assert (discinfo.description, discinfo.arch, discinfo.disc_numbers) == ("%s 1" % release, arch, ["ALL"])
    assert abs(discinfo.timestamp - treeinfo.tree.build_timestamp) < 60

    media = configparser.ConfigParser()
    media.read(os.path.join(tree, "media.repo"))
    assert dict(media["InstallMedia"]) == {
        "name": "%s 1" % release,
        "mediaid": "%f" % discinfo.timestamp,
        "metadata_expire": "-1",
        "gpgcheck": "0",
        "cost": "500",
    }


def repodata_comps(tree):
    """The comps file (`group` record) of a tree's repodata, parsed, or None."""
    repomd = xml.dom.minidom.parse(os.path.join(tree, "repodata", "repomd.xml"))
    for data in repomd.getElementsByTagName("data"):
        if data.getAttribute("type") == "group":
            href = data.getElementsByTagName("location")[0].getAttribute("href")
            return xml.dom.minidom.parse(os.path.join(tree, href))
    return None


def test_trees_have_pungis_install_files_and_comps(gen):
    client, target = gen
    listed = client.wait_for_compose(client.new_compose("rig-tag", "tag", packages=["foo", "baz"], flags=["no_deps"])["id"], timeout=120)
    whole = client.wait_for_compose(client.new_compose("rig-tag", "tag")["id"], timeout=120)
    for done in (listed, whole):
        assert done["state_name"] == "done", done["state_reason"]
        top = compose_dir(target, done)
        release = os.path.basename(top)
        check_install_tree(os.path.join(top, "compose/Temporary/x86_64/os"), "x86_64", release)
        check_install_tree(os.path.join(top, "compose/Temporary/source/tree"), "src", release)
        assert not os.path.exists(os.path.join(top, "compose/Temporary/x86_64/debug/tree/.treeinfo"))
        assert repodata_comps(os.path.join(top, "compose/Temporary/source/tree")) is None

    # The node serves them where installers look: next to the tree's repodata.
    for name in (".treeinfo", ".discinfo", "media.repo"):
        served = requests.get("%s/x86_64/os/%s" % (listed["result_repo"], name), timeout=30)
        assert served.status_code == 200
        with open(os.path.join(compose_dir(target, listed), "compose/Temporary/x86_64/os", name)) as f:
            assert served.text == f.read()

    # Pungi's filtered comps: the group with its packages mandatory and sorted, or no group.
    comps = repodata_comps(os.path.join(compose_dir(target, listed), "compose/Temporary/x86_64/os"))
    requirements = comps.getElementsByTagName("packagereq")
    assert [(r.getAttribute("type"), r.firstChild.data) for r in requirements] == [("mandatory", "baz"), ("mandatory", "foo")]
    empty = repodata_comps(os.path.join(compose_dir(target, whole), "compose/Temporary/x86_64/os"))
    assert empty.documentElement.tagName == "comps" and not empty.documentElement.childNodes
