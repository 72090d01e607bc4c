"""The set-up scripts' install branches, run for real on a machine that has everything.

CI machines come with every package installed, so a branch that installs something missing
would never run there and could rot unseen (run-local.sh's apt step did: it failed as root).
INSTALL_FORCE_MISSING makes a presence check report a package missing, so the real install
branch runs and reinstalls it, cheaply and harmlessly (one small Debian package, pip
installs that find everything satisfied). Then README.md's first command, scripts/run-local.sh,
is run to the point where its node answers /readyz, and stopped with SIGTERM.

Run by scripts/test with Tests/Deploy. The scripts install as root (CI runs as root); as
another user these tests skip, or fail with DEPLOY_REQUIRE_TOOLS=1.
"""

import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Compat"))

from compat_helpers import free_port  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
REQUIRE_TOOLS = os.environ.get("DEPLOY_REQUIRE_TOOLS") == "1"
# Generous bounds for a loaded two-core machine; each run takes a fraction of them.
INSTALL_TIMEOUT = 300
READY_TIMEOUT = 420
STOP_TIMEOUT = 60


def need_root():
    if os.geteuid() == 0:
        return
    message = "the install scripts install as root (CI runs them as root)"
    if REQUIRE_TOOLS:
        pytest.fail(message)
    pytest.skip(message)


def script_environment(**extra):
    """The caller's environment without ODCS_* (scripts/test sets ODCS_BIN for this suite, and
    `odcs serve` refuses an ODCS_ variable that is no configuration key), plus `extra`."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("ODCS_")}
    environment.update(extra)
    return environment


def test_test_python_names_a_virtualenv_when_python3_refuses_pip(tmp_path):
    debian_python = pathlib.Path("/usr/bin/python3")
    managed = list(pathlib.Path("/usr/lib").glob("python3*/EXTERNALLY-MANAGED"))
    if not debian_python.exists() or not managed:
        pytest.skip("no externally managed /usr/bin/python3 (Debian 12's) on this machine")
    environment = script_environment(PATH="/usr/bin:/bin", TEST_VENV=str(tmp_path / "venv"))
    environment.pop("PYTHON", None)
    result = subprocess.run([ROOT / "scripts" / "test-python.sh"], env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "venv" / "bin" / "python3")
    environment["PYTHON"] = "/some/python"
    result = subprocess.run([ROOT / "scripts" / "test-python.sh"], env=environment, capture_output=True, text=True)
    assert result.stdout.strip() == "/some/python"


def test_install_deps_runs_every_install_branch():
    need_root()
    forced = ["zstd", "pip:tests", "pip:deploy", "checkov", "schemathesis"]
    result = subprocess.run(
        [ROOT / "scripts" / "install-deps.sh"],
        env=script_environment(INSTALL_FORCE_MISSING=" ".join(forced)),
        capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    for line in [
        "[apt-install] installing zstd",
        "[install-deps] installing python packages",
        "[install-deps] installing yamllint",
        "[install-deps] installing checkov==",
        "[install-deps] installing schemathesis==",
    ]:
        assert line in log, f"{line!r} missing from the output:\n{log}"


def wait_until_ready(process, url, log_path):
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"run-local.sh exited with {process.returncode} before /readyz answered:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"/readyz did not answer within {READY_TIMEOUT} s:\n{log_path.read_text()}")


def test_run_local_serves_until_sigterm():
    need_root()
    # A short directory the postgres user can reach (pytest's tmp_path is 0700): the node runs
    # PostgreSQL as postgres under STATE_DIR and its socket path must stay under 107 bytes.
    state_dir = pathlib.Path(tempfile.mkdtemp(prefix="odcs-run-local.", dir="/tmp"))
    state_dir.chmod(0o711)
    log_path = state_dir.parent / (state_dir.name + ".log")
    port = free_port()
    process = None
    try:
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [ROOT / "scripts" / "run-local.sh", "--node-id", "run-local-test"],
                env=script_environment(
                    STATE_DIR=str(state_dir / "state"), PORT=str(port),
                    # Debug reuses the build CI made with `swift build --build-tests`: swift build
                    # still runs, as a no-op, where release would cost a cold build.
                    BUILD_CONFIGURATION="debug", INSTALL_FORCE_MISSING="createrepo-c",
                ),
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        wait_until_ready(process, f"http://127.0.0.1:{port}/readyz", log_path)
        output = log_path.read_text()
        assert "[apt-install] installing createrepo-c" in output, output
        assert "Build of product 'odcs' complete" in output, output
        # run-local.sh exec'd the node it built: the process is the debug binary itself.
        assert os.readlink(f"/proc/{process.pid}/exe") == os.path.realpath(ROOT / ".build" / "debug" / "odcs")

        process.send_signal(signal.SIGTERM)
        try:
            returncode = process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the node did not stop within {STOP_TIMEOUT} s of SIGTERM:\n{log_path.read_text()}")
        assert returncode == 0, log_path.read_text()
        # Its embedded PostgreSQL stopped with it.
        assert not (state_dir / "state" / "postgres" / "postmaster.pid").exists(), log_path.read_text()
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        shutil.rmtree(state_dir, ignore_errors=True)
        log_path.unlink(missing_ok=True)
