#!/usr/bin/env bash
# Prints the Python interpreter of the tests: scripts/install-deps.sh installs their packages
# into it and scripts/test runs them with it.
#   $PYTHON, when set;
#   else python3, when pip may install into it (pyenv's, a virtualenv's: CI's machine);
#   else $TEST_VENV/bin/python3 (default /opt/odcs-test-venv), a virtualenv that install-deps.sh
#   makes, because Debian 12's own python3 refuses `pip install` (PEP 668) or has no pip at all.
set -euo pipefail
if [ -n "${PYTHON:-}" ]; then
    echo "$PYTHON"
    exit 0
fi
python=$(command -v python3 || true)
if [ -n "$python" ] && "$python" - <<'PY'; then
import os, sys, sysconfig
managed = os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))
in_venv = sys.prefix != sys.base_prefix
try:
    import pip  # noqa: F401
except ImportError:
    sys.exit(1)
sys.exit(1 if managed and not in_venv else 0)
PY
    echo "$python"
else
    echo "${TEST_VENV:-/opt/odcs-test-venv}/bin/python3"
fi
