#!/usr/bin/env bash
# Runs one odcs node on its embedded default: installs the Debian packages it needs, builds
# odcs and serves the API on 127.0.0.1:PORT with a private PostgreSQL under STATE_DIR.
# Extra arguments are passed to `odcs serve`. Swift must already be on PATH.
#
# Environment (all optional):
#   STATE_DIR=/var/lib/odcs          the node's state, its PostgreSQL and (in composes/) its target dir
#   PORT=5005                        the API's port
#   BUILD_CONFIGURATION=release      or debug: which `swift build -c` to build and run
#                                    (.build/<configuration>/odcs); the tests use debug, which
#                                    reuses the debug build CI has already made
#   INSTALL_FORCE_MISSING            see scripts/apt-install.sh
# (None of these is ODCS_*: `odcs serve` reads ODCS_* as its configuration and refuses unknown ones.)
set -euo pipefail
cd "$(dirname "$0")/.."

STATE_DIR=${STATE_DIR:-/var/lib/odcs}
PORT=${PORT:-5005}
BUILD_CONFIGURATION=${BUILD_CONFIGURATION:-release}
case "$BUILD_CONFIGURATION" in
debug | release) ;;
*) echo "run-local: BUILD_CONFIGURATION must be debug or release, not '$BUILD_CONFIGURATION'" >&2; exit 2 ;;
esac
command -v swift >/dev/null || { echo "run-local: Swift 6.1 or newer must be on PATH" >&2; exit 1; }

# postgresql: the embedded database; createrepo-c and libsolv-dev: compose generation (libsolv
# is also linked, found with pkg-config); util-linux: setpriv, which runs PostgreSQL as the
# postgres user when we are root; git and ca-certificates: swift build fetches the packages;
# curl and python3-venv: the commands README.md gives to try the node.
scripts/apt-install.sh postgresql createrepo-c libsolv-dev pkg-config util-linux git ca-certificates curl python3-venv

mkdir -p "$STATE_DIR/composes"
# As root the node runs PostgreSQL as the postgres user, which must reach its data directory
# inside STATE_DIR (a 0700 parent, such as a mktemp directory, stops it).
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$STATE_DIR"; then
    echo "run-local: the postgres user cannot reach $STATE_DIR (PostgreSQL runs as postgres when we are root):" \
        "let it search every directory on the way (chmod o+x)" >&2
    exit 1
fi
swift build -c "$BUILD_CONFIGURATION" --product odcs
exec ".build/$BUILD_CONFIGURATION/odcs" serve --state-dir "$STATE_DIR" --port "$PORT" \
    --target-dir "$STATE_DIR/composes" --target-dir-url "http://127.0.0.1:$PORT/composes" "$@"
