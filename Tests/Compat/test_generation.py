"""A whole compose life through the real ODCS 0.9.2 client, against a node with workers.

scripts/test starts a second node (ODCS_GEN_URL) on its own database, with repo sources
allowed under ODCS_GEN_WORK. The test builds a real RPM with rpmbuild, makes a repository
with createrepo_c, asks for a repo compose, waits for it, checks the published tree, asks
again (reuse), and deletes it (removal by the expiry workers).
"""

import os
import subprocess
import time

import pytest

from odcs.client.odcs import ODCS, AuthMech
from compat_helpers import fixture_rpm_repo


@pytest.fixture(scope="module")
def gen():
    url = os.environ.get("ODCS_GEN_URL")
    work = os.environ.get("ODCS_GEN_WORK")
    target = os.environ.get("ODCS_GEN_TARGET")
    if not (url and work and target):
        pytest.skip("ODCS_GEN_URL/ODCS_GEN_WORK/ODCS_GEN_TARGET not set (scripts/test sets them)")
    return ODCS(url, auth_mech=AuthMech.Anonymous), work, target


@pytest.fixture(scope="module")
def fixture_repo(gen):
    _, work, _ = gen
    return fixture_rpm_repo(work, "odcs-compat-hello")


def test_repo_compose_is_generated_reused_and_removed(gen, fixture_repo):
    client, _, target = gen
    compose = client.new_compose(fixture_repo, "repo")
    assert compose["state_name"] == "wait"
    done = client.wait_for_compose(compose["id"], timeout=120)
    assert done["state_name"] == "done", done["state_reason"]
    assert done["state_reason"] == "Compose is generated successfully"
    name = "odcs-%d" % compose["id"]
    assert done["result_repo"].endswith("/%s/compose/Temporary" % name)
    assert done["result_repofile"].endswith("/%s/compose/Temporary/%s.repo" % (name, name))

    top = os.path.join(target, name)
    rpm = os.path.join(top, "compose/Temporary/x86_64/os/Packages/o/odcs-compat-hello-1.0-1.noarch.rpm")
    assert os.path.isfile(rpm)
    assert subprocess.run(["rpm", "-qp", "--qf", "%{NAME}", rpm], capture_output=True, text=True).stdout == "odcs-compat-hello"
    assert os.path.isfile(os.path.join(top, "compose/Temporary/x86_64/os/repodata/repomd.xml"))
    with open(os.path.join(top, "compose/Temporary/%s.repo" % name)) as f:
        repofile = f.read()
    assert repofile.startswith("[%s]\nname=ODCS repository for compose %s\nbaseurl=%s/$basearch/os\n" % (name, name, done["result_repo"]))
    with open(os.path.join(top, "COMPOSE_ID")) as f:
        assert f.read().strip() == done["pungi_compose_id"]

    # The same request again: reused, no new tree.
    again = client.wait_for_compose(client.new_compose(fixture_repo, "repo")["id"], timeout=120)
    assert again["state_name"] == "done"
    assert again["result_repo"] == done["result_repo"]
    assert not os.path.exists(os.path.join(target, "odcs-%d" % again["id"]))

    # Delete: expires now; the expiry workers remove the row's files.
    client.delete_compose(compose["id"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and client.get_compose(compose["id"])["state_name"] != "removed":
        time.sleep(0.2)
    removed = client.get_compose(compose["id"])
    assert removed["state_name"] == "removed"
    assert removed["state_reason"].endswith("Removed by anonymous.")
    assert not os.path.exists(top)
