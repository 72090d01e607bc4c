"""Fixtures of the differential suite: the real ODCS 0.9.2 frontend (gunicorn, from the venv
scripts/install-deps.sh makes) and one of our nodes, configured alike, each on its own database
of the private PostgreSQL (TEST_DATABASE_URL). Neither generates: upstream has no Celery, ours
is API-only, so composes stay in `wait` unless a test writes another state with SQL.

Run through scripts/test, or by hand:
    ODCS_BIN=.build/debug/odcs TEST_DATABASE_URL=postgres://app@127.0.0.1:55433/postgres \
        python3 -m pytest -q Tests/Differential
(ODCS_UPSTREAM_VENV, default /opt/odcs-upstream, names the upstream venv.)
"""

import json
import os
import subprocess
import sys

import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Compat"))

from compat_helpers import free_port, node_work_dir, stop_process, wait_until  # noqa: E402

pytest.register_assert_rewrite("differential")

# What both sides are told alike (upstream's defaults, plus one raw_config source).
SECONDS_TO_LIVE = 86400
MAX_SECONDS_TO_LIVE = 259200
ARCHES = ["x86_64"]
RAW_CONFIG_URLS = {"pungi_cfg": {"url": "https://git.example.com/pungi-cfg.git", "config_filename": "pungi.conf"}}
# The same target_dir_url on both sides: the compose URLs then compare as they are.
TARGET_DIR_URL = "http://composes.example.com/odcs"

# Upstream reads a Python module named config.py in ODCS_CONFIG_DIR (odcs/server/config.py,
# init_config), section ProdConfiguration; pungi_conf_path must name a file that exists.
UPSTREAM_CONFIG = '''
import json, os

class ProdConfiguration(object):
    SECRET_KEY = "differential"
    SQLALCHEMY_DATABASE_URI = os.environ["DIFF_UPSTREAM_DB_URL"]
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    HOST = "127.0.0.1"
    PORT = 5005
    DEBUG = False
    SSL_ENABLED = False
    LOG_BACKEND = "console"
    LOG_LEVEL = "warn"
    AUTH_BACKEND = "noauth"
    TARGET_DIR = os.environ["DIFF_UPSTREAM_TARGET_DIR"]
    TARGET_DIR_URL = %(target_dir_url)r
    PUNGI_CONF_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pungi.conf")
    SECONDS_TO_LIVE = %(seconds_to_live)d
    MAX_SECONDS_TO_LIVE = %(max_seconds_to_live)d
    ARCHES = %(arches)r
    RAW_CONFIG_URLS = json.loads(%(raw_config_urls)r)
'''


def create_database(name):
    admin = os.environ["TEST_DATABASE_URL"]
    subprocess.run(
        ["psql", "-X", "-q", admin, "-c", "DROP DATABASE IF EXISTS %s" % name, "-c", "CREATE DATABASE %s" % name],
        check=True,
        capture_output=True,
        env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"),
    )
    return admin.rsplit("/", 1)[0] + "/" + name


class Server:
    """One HTTP server of the pair: a process, its database and how its clock is written in SQL."""

    def __init__(self, name, base, database_url, argv, env, ready_path, now_sql):
        self.name = name
        self.database_url = database_url
        self.now_sql = now_sql
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.ready_path = ready_path
        self.log_path = os.path.join(base, name + ".log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [arg.replace("PORT", str(self.port)) for arg in argv],
            env=env,
            cwd=base,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        wait_until(self.ready, 90, "%s to be ready (log: %s)" % (name, self.log_path))

    def ready(self):
        if self.process.poll() is not None:
            pytest.fail("%s exited: %s" % (self.name, open(self.log_path).read()[-3000:]))
        try:
            return requests.get(self.url + self.ready_path, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def sql(self, statement):
        """Runs one statement on this server's database (`NOW` stands for its clock)."""
        subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.database_url, "-c", statement.replace("NOW", self.now_sql)],
            check=True,
            capture_output=True,
        )

    def stop(self):
        stop_process(self.process, self.log)


@pytest.fixture(scope="session")
def work():
    yield from node_work_dir("odcs-diff-")


@pytest.fixture(scope="session")
def upstream(work):
    venv = os.environ.get("ODCS_UPSTREAM_VENV", "/opt/odcs-upstream")
    if not os.path.exists(os.path.join(venv, "bin", "gunicorn")):
        pytest.exit("no upstream ODCS 0.9.2 in %s (scripts/install-deps.sh installs it)" % venv, returncode=2)
    base = os.path.join(work, "upstream")
    conf_dir = os.path.join(base, "conf")
    target = os.path.join(base, "target")
    os.makedirs(conf_dir)
    os.makedirs(target)
    with open(os.path.join(conf_dir, "config.py"), "w") as handle:
        handle.write(
            UPSTREAM_CONFIG
            % {
                "target_dir_url": TARGET_DIR_URL,
                "seconds_to_live": SECONDS_TO_LIVE,
                "max_seconds_to_live": MAX_SECONDS_TO_LIVE,
                "arches": ARCHES,
                "raw_config_urls": json.dumps(RAW_CONFIG_URLS),
            }
        )
    open(os.path.join(conf_dir, "pungi.conf"), "w").close()
    database_url = create_database("odcs_diff_upstream")
    env = {
        "PATH": os.path.join(venv, "bin") + ":/usr/bin:/bin",
        "ODCS_CONFIG_DIR": conf_dir,
        "ODCS_CONFIG_SECTION": "ProdConfiguration",
        "DIFF_UPSTREAM_DB_URL": database_url.replace("postgres://", "postgresql://", 1),
        "DIFF_UPSTREAM_TARGET_DIR": target,
    }
    # Upstream's own schema: its alembic migrations, as `odcs-manager db upgrade` runs them.
    migrated = subprocess.run(
        [os.path.join(venv, "bin", "odcs-manager"), "db", "upgrade"], env=env, cwd=base, capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    server = Server(
        "upstream",
        base,
        database_url,
        [os.path.join(venv, "bin", "gunicorn"), "--bind", "127.0.0.1:PORT", "--workers", "1", "odcs.server:app"],
        env,
        "/api/1/about/",
        # Upstream's time columns are timestamps without time zone, in UTC.
        "(now() at time zone 'utc')",
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ours(work):
    base = os.path.join(work, "ours")
    os.makedirs(os.path.join(base, "target"))
    os.makedirs(os.path.join(base, "state"))
    database_url = create_database("odcs_diff_ours")
    env = {key: value for key, value in os.environ.items() if not key.startswith("ODCS_")}
    env.update(
        {
            "ODCS_NUM_CONCURRENT_PUNGI": "0",
            "ODCS_AUTH_BACKEND": "noauth",
            "ODCS_SECONDS_TO_LIVE": str(SECONDS_TO_LIVE),
            "ODCS_MAX_SECONDS_TO_LIVE": str(MAX_SECONDS_TO_LIVE),
            "ODCS_ARCHES": json.dumps(ARCHES),
            "ODCS_RAW_CONFIG_URLS": json.dumps(RAW_CONFIG_URLS),
        }
    )
    server = Server(
        "ours",
        base,
        database_url,
        [
            os.environ["ODCS_BIN"], "serve", "--host", "127.0.0.1", "--port", "PORT", "--node-id", "differential",
            "--database-url", database_url, "--target-dir", os.path.join(base, "target"),
            "--target-dir-url", TARGET_DIR_URL, "--state-dir", os.path.join(base, "state"),
        ],
        env,
        "/readyz",
        "now()",
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pair(upstream, ours):
    from differential import Pair

    return Pair(upstream, ours)
