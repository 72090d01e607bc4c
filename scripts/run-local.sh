#!/usr/bin/env bash
# Runs one odcs node on its embedded default: installs the Debian packages it needs, builds
# the release binary and serves the API on 127.0.0.1:5005 with a private PostgreSQL under
# STATE_DIR (default /var/lib/odcs). Extra arguments are passed to `odcs serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

STATE_DIR=${STATE_DIR:-/var/lib/odcs}
PORT=${PORT:-5005}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

missing=()
for package in postgresql createrepo-c libsolv-dev util-linux; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    $SUDO apt-get update -qq
    $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v swift >/dev/null || { echo "run-local: Swift 6.1 or newer must be on PATH" >&2; exit 1; }

swift build -c release --product odcs
mkdir -p "$STATE_DIR/composes"
exec .build/release/odcs serve --state-dir "$STATE_DIR" --port "$PORT" \
    --target-dir "$STATE_DIR/composes" --target-dir-url "http://127.0.0.1:$PORT/composes" "$@"
