#!/usr/bin/env bash
# Installs those of the named Debian packages that are not installed yet (apt-get update, then
# apt-get install; through sudo when not root). When all are installed it only checks.
#
#   scripts/apt-install.sh PACKAGE...
#
# INSTALL_FORCE_MISSING="PACKAGE ..." (space-separated) reports those packages as missing even
# when they are installed, so that the install branch really runs and apt-get reinstalls them.
# CI machines come with everything installed, so without it this branch would never run there;
# Tests/Deploy/test_install.py uses it. (Not ODCS_*: `odcs serve` refuses unknown ODCS_ variables.)
set -euo pipefail

log() { printf '[apt-install] %s\n' "$*"; }
[ $# -gt 0 ] || { echo "usage: $0 PACKAGE..." >&2; exit 2; }

forced=" ${INSTALL_FORCE_MISSING:-} "
missing=()
reinstall=0
for package in "$@"; do
    if [[ $forced == *" $package "* ]]; then
        missing+=("$package")
        reinstall=1
    # `dpkg-query -W` also knows removed packages: only "install ok installed" is installed.
    elif [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" != "install ok installed" ]; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    log "all present: $*"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "apt-install: ${missing[*]} must be installed, and we are neither root nor have sudo: run as root" >&2
    exit 1
fi
options=(-y -q --no-install-recommends)
# A forced package is installed already: without --reinstall apt-get would do nothing.
[ "$reinstall" = 0 ] || options+=(--reinstall)
log "installing ${missing[*]}"
# Another apt-get (unattended-upgrades, a concurrent run) may hold the lock: wait for it.
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -q
# `env`: a variable assignment after sudo, or after an empty prefix, would be run as a command.
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=300 install "${options[@]}" "${missing[@]}"
