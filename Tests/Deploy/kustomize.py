"""`kustomize build` for the subset of kustomization.yaml that k8s/ uses.

kubectl and kustomize are not installable on the CI machine, so the deploy tests build the
base and the overlays with this: `resources` (files and directories), `namespace`, `labels`
(pairs, without selectors), `images` (newName/newTag/digest) and `patches` with a target
(kind and name) and an RFC 6902 patch (add, replace, remove). Any other field raises, so a
kustomization that drifts outside the subset fails the test instead of being built wrongly.
"""

import copy
import pathlib

import yaml

KNOWN = {"apiVersion", "kind", "namespace", "labels", "resources", "images", "patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"}


class KustomizeError(Exception):
    pass


def build(directory):
    directory = pathlib.Path(directory)
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - KNOWN
    if unknown:
        raise KustomizeError(f"{directory}: fields outside the supported subset: {sorted(unknown)}")
    objects = []
    for resource in kustomization.get("resources", []):
        path = directory / resource
        if path.is_dir():
            objects.extend(build(path))
        else:
            objects.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    for patch in kustomization.get("patches", []):
        apply_patch(objects, patch, directory)
    for image in kustomization.get("images", []):
        for obj in objects:
            for container in containers(obj):
                if image_name(container["image"]) == image["name"]:
                    ref = image.get("newName", image["name"])
                    if "digest" in image:
                        ref += "@" + image["digest"]
                    elif "newTag" in image:
                        ref += ":" + str(image["newTag"])
                    container["image"] = ref
    for entry in kustomization.get("labels", []):
        if entry.get("includeSelectors") or entry.get("includeTemplates"):
            raise KustomizeError("labels with includeSelectors/includeTemplates are outside the subset")
        for obj in objects:
            obj.setdefault("metadata", {}).setdefault("labels", {}).update(entry["pairs"])
    if "namespace" in kustomization:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = kustomization["namespace"]
    return objects


def image_name(reference):
    """The image's name without tag or digest: registry:5000/a/b:1.0@sha256:... -> registry:5000/a/b."""
    name = reference.split("@")[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def containers(obj):
    spec = obj.get("spec", {})
    if obj["kind"] == "Pod":
        pod = spec
    elif obj["kind"] == "CronJob":
        pod = spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec", {})
    else:
        pod = spec.get("template", {}).get("spec", {})
    return list(pod.get("containers", [])) + list(pod.get("initContainers", []))


def apply_patch(objects, patch, directory):
    target = patch.get("target") or {}
    if set(target) - {"kind", "name"} or "patch" not in patch:
        raise KustomizeError(f"{directory}: only inline RFC 6902 patches with a kind/name target are supported")
    matches = [o for o in objects if o["kind"] == target.get("kind", o["kind"]) and o["metadata"]["name"] == target.get("name", o["metadata"]["name"])]
    if not matches:
        raise KustomizeError(f"{directory}: patch target {target} matches nothing")
    for obj in matches:
        for op in yaml.safe_load(patch["patch"]):
            apply_operation(obj, op)


def apply_operation(obj, op):
    parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].lstrip("/").split("/")]
    parent = obj
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = parts[-1]
    kind = op["op"]
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last)
        if kind == "add":
            parent.insert(index, copy.deepcopy(op["value"]))
        elif kind == "replace":
            parent[index] = copy.deepcopy(op["value"])
        elif kind == "remove":
            del parent[index]
        else:
            raise KustomizeError(f"unsupported patch op {kind}")
    else:
        if kind in ("replace", "remove") and last not in parent:
            raise KustomizeError(f"{kind} of missing {op['path']}")
        if kind in ("add", "replace"):
            parent[last] = copy.deepcopy(op["value"])
        elif kind == "remove":
            del parent[last]
        else:
            raise KustomizeError(f"unsupported patch op {kind}")
