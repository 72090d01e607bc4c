"""Whoever can write to the shared volume can plant symlinks: to directories and files outside
it, to other composes, dangling ones, in place of a compose or inside one. Expiry, the orphan
sweep and disk pressure, run by a live node, unlink them and never delete through them: the
directory outside the volume and the other composes are left exactly as they were."""

import json
import os
import shutil

import pytest
from compat_helpers import mount_tmpfs
from conftest import snapshot, wait_until

MIB = 1024 * 1024


def fill(target, size):
    """Something else writing into the volume: a file of `size` bytes in its root."""
    with open(os.path.join(target, "filler"), "wb") as handle:
        handle.write(b"\0" * size)


def plant(target, name, destination):
    path = os.path.join(target, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink(destination, path)


def gone(target, name):
    return not os.path.lexists(os.path.join(target, name))


def replace_with_link(target, compose_id, destination):
    """What an attacker with write access does: the compose's directory becomes a link."""
    directory = os.path.join(target, "odcs-%d" % compose_id)
    shutil.rmtree(directory)
    os.symlink(destination, directory)


def repo_node(start_node, name, repos, **env):
    """A node that generates repo composes from `repos` and takes its leaderships at once."""
    return start_node(
        name,
        ODCS_ALLOWED_SOURCE_TYPES='["repo"]',
        ODCS_REPO_SOURCE_ROOTS=json.dumps([repos]),
        ODCS_POLL_INTERVAL_MS=200,
        ODCS_LEADER_CHECK_INTERVAL_MS=200,
        **env,
    )


@pytest.fixture(scope="module")
def sweeping(start_node, repos):
    # No trash grace period: the test empties the trash (a planted link in it included) at once.
    return repo_node(
        start_node, "sweep", repos, ODCS_EXPIRY_INTERVAL_MS=200, ODCS_ORPHAN_SWEEP_INTERVAL=1, ODCS_ORPHAN_MIN_AGE=0,
        ODCS_TRASH_GRACE=0,
    )


def test_expiry_and_the_orphan_sweep_never_delete_through_a_link(sweeping, fixture_repo, outside, repos):
    node, target = sweeping, sweeping.target
    alive = node.create_done(fixture_repo)
    replaced = node.create_done(fixture_repo, label="replaced")
    holding = node.create_done(fixture_repo, label="holding")
    to_other = node.create_done(fixture_repo, label="other")
    replace_with_link(target, replaced["id"], outside)
    replace_with_link(target, to_other["id"], "odcs-%d" % alive["id"])
    inside = "odcs-%d" % holding["id"]
    plant(target, inside + "/compose/escape", outside)
    plant(target, inside + "/logs/file", os.path.join(outside, "file"))
    plant(target, inside + "/dangling", os.path.join(outside, "nowhere"))
    orphans = {
        "odcs-999011": outside,
        "odcs-999012": os.path.join(outside, "file"),
        "odcs-999013": "odcs-%d" % alive["id"],
        "odcs-999014": "/nonexistent/odcs-test",
        "latest-odcs-999015-1": outside,
        "odcs-999016-1-20200101.n.0": os.path.join(outside, "deeper"),
        ".staging/odcs-999017-1": outside,
        ".trash/odcs-999018-x": outside,
    }
    for name, destination in orphans.items():
        plant(target, name, destination)
    before_outside, before_alive, before_repos = snapshot(outside), snapshot(os.path.join(target, "odcs-%d" % alive["id"])), snapshot(repos)

    for compose in (replaced, holding, to_other):
        assert node.api("DELETE", "/api/1/composes/%d" % compose["id"]).status_code == 202
    for compose in (replaced, holding, to_other):
        wait_until(
            lambda: node.compose(compose["id"])["state_name"] == "removed" and gone(target, "odcs-%d" % compose["id"]),
            60,
            "compose %d to be removed with its directory" % compose["id"],
        )
    for name in orphans:
        wait_until(lambda: gone(target, name), 60, "the orphan sweep to unlink %s" % name)

    assert snapshot(outside) == before_outside
    assert snapshot(os.path.join(target, "odcs-%d" % alive["id"])) == before_alive
    assert snapshot(repos) == before_repos
    assert node.compose(alive["id"])["state_name"] == "done"
    assert os.listdir(os.path.join(target, ".trash")) == []


@pytest.fixture(scope="module")
def pressured(start_node, repos, work):
    # A real small volume (a 60 MB tmpfs, as root) with min_free_space 30 MB: the composes fit,
    # and a filler file then takes the free space below the minimum, so that every done compose
    # older than the minimum age is removed early, one a second; the age gives the test time to
    # plant its links first.
    if os.geteuid() != 0:
        pytest.skip("mounting the tmpfs volume needs root (scripts/test runs as root)")
    volume = os.path.join(work, "pressure-volume")
    unmount = mount_tmpfs(volume, "60m")
    node = repo_node(
        start_node, "pressure", repos, target=volume, ODCS_MIN_FREE_SPACE=30 * MIB, ODCS_MIN_FREE_SPACE_MIN_AGE=5,
        ODCS_MIN_FREE_SPACE_INTERVAL=1,
    )
    yield node
    node.stop()
    unmount()


def test_disk_pressure_never_deletes_through_a_link(pressured, fixture_repo, outside, repos):
    node, target = pressured, pressured.target
    replaced = node.create_done(fixture_repo, label="replaced")
    holding = node.create_done(fixture_repo, label="holding")
    replace_with_link(target, replaced["id"], outside)
    plant(target, "odcs-%d/compose/escape" % holding["id"], outside)
    plant(target, "odcs-%d/compose/file" % holding["id"], os.path.join(outside, "deeper", "file"))
    before_outside, before_repos = snapshot(outside), snapshot(repos)
    fill(target, os.statvfs(target).f_bavail * os.statvfs(target).f_frsize - 20 * MIB)

    for compose in (replaced, holding):
        wait_until(
            lambda: node.compose(compose["id"])["state_name"] == "removed" and gone(target, "odcs-%d" % compose["id"]),
            60,
            "disk pressure to remove compose %d" % compose["id"],
        )
        assert "Removed early" in node.compose(compose["id"])["state_reason"]
    assert snapshot(outside) == before_outside
    assert snapshot(repos) == before_repos
