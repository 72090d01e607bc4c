"""The seed's runbook "the shared volume fills up", on real small volumes (tmpfs mounts of
60 MB) with real 8 MB packages and a real node, and the alert rules of
deploy/prometheus-rules.yaml evaluated by a real Prometheus scraping that node at each stage:

1. composes fill the volume: before a compose places its packages the node makes room by
   removing the oldest done composes early, in age order, so the free space never falls below
   min_free_space;
2. something else fills it: the disk_pressure duty removes the oldest done composes until the
   free space is back above min_free_space (the time from pressure to room is printed);
3. it is truly full: a compose fails at once with a reason that says so, its staging is
   cleaned up, the node stays healthy and ready, and a later compose succeeds once there is room;
4. an admin removes composes early through the API and through both command line tools.
"""

import json
import os
import re
import subprocess
import sys
import time

import pytest
from compat_helpers import wait_until
from conftest import MIB, PACKAGE_SIZE
from prometheus import Prometheus

MIN_FREE = 25 * MIB
VOLUME_ALERTS = {"OdcsVolumeFillingUp", "OdcsVolumeLowSpace", "OdcsDiskPressureRemovals", "OdcsComposesRefusedSpace"}


def free(path):
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def sample(text, name, **labels):
    """The value of one series in a Prometheus text exposition, or None."""
    wanted = ",".join('%s="%s"' % item for item in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        series, value = line.rsplit(" ", 1)
        metric, _, rest = series.partition("{")
        if metric != name:
            continue
        found = ",".join(sorted(part for part in rest.rstrip("}").split(",") if part))
        if found == wanted:
            return float(value)
    return None


def fill(volume, leave, name="filler"):
    """Something other than the node writes into the volume until `leave` bytes are free."""
    with open(os.path.join(volume, name), "ab") as handle:
        handle.write(b"\0" * max(0, free(volume) - leave))


def volume_alerts(prometheus):
    return {name: state for name, state in prometheus.alerts().items() if name in VOLUME_ALERTS}


def scraped_now(node, prometheus):
    """Waits until Prometheus holds the node's current free space and counters, and returns
    that exposition. The free space moves while a failed compose's logs are written or the
    duty measures again, so each try reads the node afresh and compares it with what
    Prometheus has scraped; the values must agree on one reading."""
    series = (
        ('odcs_target_dir_free_bytes{target_dir="default"}', "odcs_target_dir_free_bytes", {"target_dir": "default"}),
        ("odcs_disk_pressure_removed_total", "odcs_disk_pressure_removed_total", {}),
        ("odcs_space_refused_total", "odcs_space_refused_total", {}),
    )

    def agreed():
        text = node.metrics()
        if all(prometheus.value(expr) == sample(text, name, **labels) for expr, name, labels in series):
            return text
        return None

    return wait_until(agreed, 30, "prometheus to scrape the node's current free space and counters")


def estimated_bytes(volume, compose_id):
    """What the compose's step log says its packages would need, before any was placed."""
    logs = os.path.join(volume, "odcs-%d" % compose_id, "logs", "global")
    for name in os.listdir(logs):
        match = re.search(r"The packages need (\d+) bytes", open(os.path.join(logs, name)).read())
        if match:
            return int(match.group(1))
    raise AssertionError("no estimate in the step log of compose %d" % compose_id)


def published(volume, compose_id):
    return os.path.exists(os.path.join(volume, "odcs-%d" % compose_id))


@pytest.fixture(scope="module")
def fill_node(volume_node):
    return volume_node("fill", ODCS_MIN_FREE_SPACE=MIN_FREE, ODCS_MIN_FREE_SPACE_MIN_AGE=0)


def test_the_runbook_on_a_volume_that_fills_up(fill_node, big_repos, work):
    node, volume = fill_node, fill_node.target
    prometheus = Prometheus(os.path.join(work, "prometheus-fill"), node.url)
    try:
        # Stage 0: an empty 60 MB volume. 60 MB is below the rule's 20 GiB, so OdcsVolumeLowSpace
        # is pending (for: 5m) from the start on a volume this small; nothing else is.
        wait_until(lambda: sample(node.metrics(), "odcs_target_dir_free_bytes", target_dir="default"), 30, "the first measure")
        text = scraped_now(node, prometheus)
        assert sample(text, "odcs_disk_pressure_removed_total") == 0
        assert volume_alerts(prometheus) == {"OdcsVolumeLowSpace": "pending"}

        # Stage 1: six composes of one 8 MB package each. The first four fit; each later one
        # first has the oldest done compose removed early, and the free space never falls
        # below min_free_space.
        composes = []
        for number in range(1, 7):
            before = free(volume)
            done = node.finished(node.create(big_repos[number]))
            assert done["state_name"] == "done", done["state_reason"]
            composes.append(done["id"])
            assert free(volume) >= MIN_FREE, (number, free(volume))
            if number == 1:
                # The estimate made before the package was placed covers what the compose took.
                used, estimate = before - free(volume), estimated_bytes(volume, done["id"])
                print("\ncompose of one %d-byte package: estimated %d bytes, took %d" % (PACKAGE_SIZE, estimate, used))
                assert PACKAGE_SIZE < used <= estimate
        states = {cid: node.compose(cid) for cid in composes}
        assert [states[cid]["state_name"] for cid in composes] == ["removed", "removed", "done", "done", "done", "done"]
        for removed, by in ((composes[0], composes[4]), (composes[1], composes[5])):
            reason = states[removed]["state_reason"]
            assert "Removed early: the target dir had " in reason and "compose %d needed " % by in reason, reason
            assert "min_free_space is %d bytes" % MIN_FREE in reason, reason
            assert not published(volume, removed)
        assert states[composes[0]]["time_removed"] <= states[composes[1]]["time_removed"]
        text = scraped_now(node, prometheus)
        assert sample(text, "odcs_disk_pressure_removed_total") == 2
        assert sample(text, "odcs_space_refused_total") == 0
        # Each early removal went through the trash at once, before its grace period (trash_grace,
        # 600 s by default) was over: the space was needed.
        assert sample(text, "odcs_trash_forced_total") == 2
        alerts = volume_alerts(prometheus)
        assert alerts.get("OdcsDiskPressureRemovals") == "firing", alerts
        assert alerts.get("OdcsVolumeLowSpace") == "pending", alerts
        assert "OdcsComposesRefusedSpace" not in alerts, alerts

        # Stage 2: something else fills the volume to 15 MB free. The disk_pressure duty (every
        # second here) removes the oldest done composes, 3 then 4, until 25 MB are free again.
        started = time.monotonic()
        fill(volume, 15 * MIB)
        wait_until(lambda: free(volume) >= MIN_FREE, 60, "disk pressure to make room")
        print("room made %.2f s after the volume fell below min_free_space" % (time.monotonic() - started))
        states = {cid: node.compose(cid) for cid in composes}
        assert [states[cid]["state_name"] for cid in composes] == ["removed"] * 4 + ["done", "done"]
        for cid in composes[2:4]:
            assert "Removed early: the target dir had " in states[cid]["state_reason"], states[cid]
            assert "below min_free_space (%d bytes)." % MIN_FREE in states[cid]["state_reason"], states[cid]
            assert not published(volume, cid)
        assert states[composes[2]]["time_removed"] <= states[composes[3]]["time_removed"]
        assert all(published(volume, cid) for cid in composes[4:])
        text = scraped_now(node, prometheus)
        assert sample(text, "odcs_disk_pressure_removed_total") == 4
        assert sample(text, "odcs_trash_forced_total") == 4

        # Stage 3: truly full. The filler leaves 2 MB; the duty removes the last done composes,
        # which is not enough. A new compose then fails at once, with a reason, without its
        # packages: nothing is left in .staging, the node stays healthy and ready.
        fill(volume, 2 * MIB)
        wait_until(lambda: all(node.compose(cid)["state_name"] == "removed" for cid in composes[4:]), 60, "the last removals")
        assert free(volume) < MIN_FREE
        started = time.monotonic()
        failed = node.finished(node.create(big_repos[7]))
        took = time.monotonic() - started
        print("a compose that does not fit failed %.2f s after it was submitted" % took)
        assert failed["state_name"] == "failed", failed
        reason = failed["state_reason"]
        assert reason.startswith("Error while generating compose: Not enough space in the target dir for its 1 package: "), reason
        assert "min_free_space keeps %d bytes free; no done compose old enough could be removed" % MIN_FREE in reason, reason
        assert os.listdir(os.path.join(volume, ".staging")) == []
        kept = os.path.join(volume, "odcs-%d" % failed["id"])
        assert not os.path.exists(os.path.join(kept, "compose")), os.listdir(kept)
        assert node.api("GET", "/readyz").status_code == 200
        assert node.api("GET", "/healthz").status_code == 200
        text = scraped_now(node, prometheus)
        assert sample(text, "odcs_space_refused_total") == 1
        alerts = volume_alerts(prometheus)
        assert alerts.get("OdcsComposesRefusedSpace") == "firing", alerts

        # Stage 4: the operator frees the volume (the runbook: grow it, or remove what else
        # filled it); the next compose succeeds. One larger than the whole volume fails at once
        # without removing anything.
        os.remove(os.path.join(volume, "filler"))
        done = node.finished(node.create(big_repos[8]))
        assert done["state_name"] == "done", done
        assert published(volume, done["id"])
        too_big = node.finished(node.create(" ".join(big_repos[n] for n in range(1, 9))))
        assert too_big["state_name"] == "failed", too_big
        assert "bytes needed, more than the volume (" in too_big["state_reason"], too_big
        assert node.compose(done["id"])["state_name"] == "done"
        assert os.listdir(os.path.join(volume, ".staging")) == []
    finally:
        prometheus.stop()


def odcs_python_cli():
    """Upstream's `odcs` command (the compat suite's), beside this interpreter or on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "odcs")
    return [beside] if os.path.exists(beside) else [sys.executable, "-c", "import sys; from odcs.client.cli import main; sys.exit(main())"]


def test_an_admin_removes_composes_early_through_the_api_and_both_command_lines(volume_node, big_repos):
    # A trash grace period of 5 s: removed composes stay in .trash/ that long (downloads in
    # progress finish), then their space comes back.
    node = volume_node("admin", ODCS_MIN_FREE_SPACE=MIN_FREE, ODCS_MIN_FREE_SPACE_MIN_AGE=3600, ODCS_TRASH_GRACE=5)
    volume = node.target
    composes = [node.create_done(big_repos[number])["id"] for number in (1, 2, 3)]
    before = free(volume)
    # The REST API (noauth: everyone is anonymous, who passes the admins check).
    assert node.api("DELETE", "/api/1/composes/%d" % composes[0]).status_code == 202
    # Upstream's Python client (anonymous only for a localhost URL).
    local = "http://localhost:%d/" % node.port
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ODCS_", "OIDC_", "KRB5"))}
    upstream = subprocess.run(
        odcs_python_cli() + ["--server", local, "delete", str(composes[1])],
        capture_output=True, text=True, timeout=60, env=dict(env, NO_OIDC_AUTHZ_CODE="1"), stdin=subprocess.DEVNULL,
    )
    assert upstream.returncode == 0, upstream.stderr
    # This project's command line tool.
    ours = subprocess.run(
        [os.environ["ODCS_BIN"], "compose", "delete", str(composes[2]), "--server", local],
        capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL,
    )
    assert ours.returncode == 0, ours.stderr
    for cid in composes:
        # The row is marked removed first, then its directory goes (into the trash).
        wait_until(lambda: node.compose(cid)["state_name"] == "removed" and not published(volume, cid), 30,
                   "compose %d to be removed with its directory" % cid)
        assert node.compose(cid)["state_reason"].endswith("Removed by anonymous."), node.compose(cid)
    trash = os.path.join(volume, ".trash")
    removed_at = time.monotonic()
    wait_until(lambda: os.listdir(trash) == [], 60, "the trash to be emptied after its grace period")
    print("trash emptied %.1f s after the last removal (grace 5 s)" % (time.monotonic() - removed_at))
    assert free(volume) >= before + 3 * PACKAGE_SIZE
    assert sample(node.metrics(), "odcs_trash_removed_total") == 3


def test_an_extra_target_dir_on_its_own_volume_is_measured_and_relieved_apart(volume_node, big_repos, work):
    private = os.path.join(work, "private-volume")
    from compat_helpers import mount_tmpfs

    unmount = mount_tmpfs(private, "60m")
    try:
        node = volume_node(
            "extra", ODCS_MIN_FREE_SPACE=MIN_FREE, ODCS_MIN_FREE_SPACE_MIN_AGE=0,
            ODCS_EXTRA_TARGET_DIRS=json.dumps({"private": private}),
        )
        volume = node.target
        # The default's composes are the oldest; the private volume's pressure must not touch them.
        public = [node.create_done(big_repos[number])["id"] for number in (1, 2)]
        hidden = [node.create_done(big_repos[number], target_dir="private")["id"] for number in (3, 4)]
        assert all(os.path.exists(os.path.join(private, "odcs-%d" % cid)) for cid in hidden)
        fill(private, 10 * MIB)
        wait_until(lambda: free(private) >= MIN_FREE, 60, "disk pressure on the private volume")
        assert [node.compose(cid)["state_name"] for cid in hidden] == ["removed", "removed"]
        assert [node.compose(cid)["state_name"] for cid in public] == ["done", "done"]
        assert all(published(volume, cid) for cid in public)
        text = node.metrics()
        # One gauge per volume: the private one's free space is its own, below the default's.
        private_free = sample(text, "odcs_target_dir_free_bytes", target_dir="private")
        default_free = sample(text, "odcs_target_dir_free_bytes", target_dir="default")
        assert MIN_FREE <= private_free < default_free, (private_free, default_free)
        node.stop()
    finally:
        unmount()
