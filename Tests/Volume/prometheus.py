"""A real Prometheus server (Debian's `prometheus` package) that scrapes one node's
/api/1/metrics/ every second and evaluates deploy/prometheus-rules.yaml every second, so that a
test can ask which of the project's alerts are pending or firing at each stage."""

import os
import shutil
import subprocess
import time

import requests
from compat_helpers import REPO_ROOT, free_port, stop_process, wait_until

RULES = REPO_ROOT / "deploy" / "prometheus-rules.yaml"


class Prometheus:
    def __init__(self, base, node_url):
        binary = shutil.which("prometheus")
        if binary is None:
            raise RuntimeError("no prometheus binary (scripts/install-deps.sh installs Debian's prometheus)")
        os.makedirs(base, exist_ok=True)
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        target = node_url.split("://", 1)[1]
        config = os.path.join(base, "prometheus.yml")
        with open(config, "w") as handle:
            handle.write(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                "rule_files:\n  - %s\n"
                "scrape_configs:\n  - job_name: odcs\n    metrics_path: /api/1/metrics/\n"
                "    static_configs:\n      - targets: ['%s']\n" % (RULES, target)
            )
        self.log_path = os.path.join(base, "prometheus.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [binary, "--config.file=" + config, "--storage.tsdb.path=" + os.path.join(base, "data"),
             "--web.listen-address=127.0.0.1:%d" % self.port],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        wait_until(self._ready, 60, "prometheus to be ready (log: %s)" % self.log_path)

    def _ready(self):
        if self.process.poll() is not None:
            raise RuntimeError("prometheus exited: " + open(self.log_path).read()[-2000:])
        try:
            return requests.get(self.url + "/-/ready", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def query(self, expr):
        """The instant vector of `expr` as {frozenset(labels): value}."""
        answer = requests.get(self.url + "/api/v1/query", params={"query": expr}, timeout=10).json()
        assert answer["status"] == "success", answer
        return {frozenset(sample["metric"].items()): float(sample["value"][1]) for sample in answer["data"]["result"]}

    def value(self, expr):
        values = list(self.query(expr).values())
        return values[0] if len(values) == 1 else None

    def alerts(self):
        """{alertname: state} of the alerts that are pending or firing now, after one more
        rule evaluation than the last scrape."""
        time.sleep(2.5)
        answer = requests.get(self.url + "/api/v1/alerts", timeout=10).json()
        assert answer["status"] == "success", answer
        return {alert["labels"]["alertname"]: alert["state"] for alert in answer["data"]["alerts"]}

    def stop(self):
        stop_process(self.process, self.log, timeout=30)
