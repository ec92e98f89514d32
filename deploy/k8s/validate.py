"""Build every kustomize overlay and check what it renders; exit 1 on any problem (`make k8s`).

- Core resources: `kubernetes-validate --strict` against each target Kubernetes version. Its
  warnings (e.g. no schema for an unknown apiVersion) count as failures.
- Custom resources (Strimzi Kafka/KafkaNodePool/KafkaTopic/KafkaUser, MongoDBCommunity, Keycloak and
  KeycloakRealmImport): the JSON schemas
  in deploy/k8s/schemas/, written from the fields the operators document. Kubernetes types
  nested in them are checked against the Kubernetes schemas of the first target version.
- References, hardening and NetworkPolicies (every ingress rule with `from`): what a schema
  cannot see (a selector matching no pod, a topic of an
  unknown Kafka cluster, a container that may write its root filesystem...).

Usage: validate.py --kustomize PATH [--overlay DIR]... [--k8s-version X.Y.Z]...
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource

HERE = Path(__file__).resolve().parent
OVERLAYS = HERE / "overlays"
SCHEMAS = HERE / "schemas"
# 1.35: the oldest minor release still maintained upstream (Nov 2026); 1.37: the newest.
K8S_VERSIONS = ("1.35.0", "1.37.0")
CUSTOM = {
    ("kafka.strimzi.io/v1", "Kafka"): "strimzi-kafka.v1.json",
    ("kafka.strimzi.io/v1", "KafkaNodePool"): "strimzi-kafkanodepool.v1.json",
    ("kafka.strimzi.io/v1", "KafkaTopic"): "strimzi-kafkatopic.v1.json",
    ("kafka.strimzi.io/v1", "KafkaUser"): "strimzi-kafkauser.v1.json",
    ("mongodbcommunity.mongodb.com/v1", "MongoDBCommunity"): "mongodbcommunity.v1.json",
    ("k8s.keycloak.org/v2alpha1", "Keycloak"): "keycloak.v2alpha1.json",
    ("k8s.keycloak.org/v2alpha1", "KeycloakRealmImport"): "keycloakrealmimport.v2alpha1.json",
}
CUSTOM_GROUPS = {api.split("/")[0] for api, _ in CUSTOM}
Doc = dict[str, Any]


def build(overlay: Path, kustomize: str) -> list[Doc]:
    """Render one overlay with kustomize; raises ValueError with kustomize's message on failure."""
    run = subprocess.run(
        [kustomize, "build", str(overlay)], capture_output=True, text=True, check=False
    )
    if run.returncode != 0:
        raise ValueError(f"kustomize build failed: {run.stderr.strip()}")
    return [d for d in yaml.safe_load_all(run.stdout) if d]


def ref(doc: Doc) -> str:
    meta = doc.get("metadata") or {}
    return f"{doc.get('kind')}/{meta.get('name')}"


def is_custom(doc: Doc) -> bool:
    return str(doc.get("apiVersion", "")).split("/")[0] in CUSTOM_GROUPS


def check_core(docs: list[Doc], versions: Iterable[str]) -> list[str]:
    """kubernetes-validate --strict on the core resources; any ERROR, WARN or FATAL fails."""
    core = [d for d in docs if not is_custom(d)]
    if not core:
        return []
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        yaml.safe_dump_all(core, f, sort_keys=False)
    path = Path(f.name)
    try:
        cmd = [sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet"]
        cmd += [arg for v in versions for arg in ("-k", v)]
        run = subprocess.run([*cmd, str(path)], capture_output=True, text=True, check=False)
    finally:
        path.unlink()
    lines = [ln.replace(str(path), "rendered") for ln in run.stdout.splitlines() if ln.strip()]
    problems = [ln for ln in lines if ln.split(" ", 1)[0] in ("ERROR", "WARN", "FATAL")]
    if run.returncode != 0 and not problems:
        problems.append(f"kubernetes-validate exited {run.returncode}: {run.stderr.strip()}")
    return problems


def _k8s_definitions(version: str) -> Resource[Any]:
    folder = resources.files("kubernetes_validate") / "kubernetes-json-schema"
    text = (folder / f"v{version}-local-strict" / "_definitions.json").read_text()
    return Resource.from_contents(json.loads(text))


def check_custom(docs: list[Doc], k8s_version: str) -> list[str]:
    """The custom resources against the schemas in deploy/k8s/schemas/."""
    registry: Registry[Any] = _k8s_definitions(k8s_version) @ Registry()
    problems = []
    for doc in filter(is_custom, docs):
        name = CUSTOM.get((doc.get("apiVersion", ""), doc.get("kind", "")))
        if name is None:
            problems.append(f"{ref(doc)}: no schema for {doc.get('apiVersion')} {doc.get('kind')}")
            continue
        schema = json.loads((SCHEMAS / name).read_text())
        validator = jsonschema.Draft202012Validator(schema, registry=registry)
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
            where = ".".join(str(p) for p in err.absolute_path) or "(root)"
            message = err.message if len(err.message) <= 160 else err.message[:160] + "..."
            problems.append(f"{ref(doc)}: {where}: {message}")
    return problems


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _pods(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    for d in docs:
        if d.get("kind") == "Deployment":
            yield d, d["spec"]["template"]


def _selector(d: Doc) -> dict[str, str] | None:
    """The pod labels a Service, PodDisruptionBudget, Deployment or NetworkPolicy selects."""
    kind, spec = d["kind"], d.get("spec") or {}
    if kind == "Service":
        return spec.get("selector", {})
    if kind in ("PodDisruptionBudget", "Deployment"):
        return spec.get("selector", {}).get("matchLabels", {})
    if kind == "NetworkPolicy":
        return spec.get("podSelector", {}).get("matchLabels", {})
    return None


def _missing_config_maps(docs: list[Doc], config_maps: set[str]) -> list[str]:
    """Containers' envFrom config maps that are not rendered."""
    problems = []
    for d, template in _pods(docs):
        for c in template["spec"].get("containers", []):
            for src in c.get("envFrom", []):
                name = (src.get("configMapRef") or {}).get("name")
                if name and name not in config_maps:
                    problems.append(f"{ref(d)}: envFrom ConfigMap {name} is not rendered")
    return problems


def check_references(docs: list[Doc]) -> list[str]:
    """Selectors, scale targets, config maps and Strimzi cluster labels point at something."""
    problems = []
    by_kind: dict[str, set[str]] = {}
    for d in docs:
        by_kind.setdefault(d["kind"], set()).add(d["metadata"]["name"])
    pod_labels = [t["metadata"].get("labels", {}) for _, t in _pods(docs)]
    # The MongoDB operator labels a replica set's pods app=<name>-svc (its NetworkPolicy's).
    pod_labels += [
        {"app": f"{d['metadata']['name']}-svc"} for d in docs if d["kind"] == "MongoDBCommunity"
    ]
    for d in docs:
        kind, spec = d["kind"], d.get("spec") or {}
        selector = _selector(d)
        if selector is not None and not any(_matches(selector, lb) for lb in pod_labels):
            problems.append(f"{ref(d)}: selector {selector} matches no Deployment's pods")
        if kind == "HorizontalPodAutoscaler":
            target = spec["scaleTargetRef"]
            if target["name"] not in by_kind.get(target["kind"], set()):
                problems.append(f"{ref(d)}: scales {target['kind']}/{target['name']}, not rendered")
        if kind in ("KafkaTopic", "KafkaNodePool", "KafkaUser"):
            cluster = d["metadata"].get("labels", {}).get("strimzi.io/cluster")
            if cluster not in by_kind.get("Kafka", set()):
                problems.append(f"{ref(d)}: strimzi.io/cluster={cluster} is no Kafka rendered here")
    problems += _missing_config_maps(docs, by_kind.get("ConfigMap", set()))
    if by_kind.get("Kafka") and not by_kind.get("KafkaNodePool"):
        problems.append("Kafka without any KafkaNodePool: KRaft clusters need node pools")
    return problems


def check_network_policies(docs: list[Doc]) -> list[str]:
    """Every ingress rule of every NetworkPolicy names who may connect (`from`): a rule with
    ports only would admit any pod of any namespace."""
    problems = []
    for d in docs:
        if d["kind"] != "NetworkPolicy":
            continue
        for i, rule in enumerate((d.get("spec") or {}).get("ingress") or []):
            if not rule.get("from"):
                problems.append(f"{ref(d)}: ingress rule {i} has no `from` (admits every pod)")
    return problems


def check_hardening(docs: list[Doc]) -> list[str]:
    """Every qingshan pod: non-root, no privilege escalation, no capabilities, RuntimeDefault
    seccomp, read-only root filesystem, no service-account token, requests and limits."""
    problems = []
    for d, template in _pods(docs):
        pod = template["spec"]
        psc = pod.get("securityContext", {})
        if psc.get("runAsNonRoot") is not True:
            problems.append(f"{ref(d)}: pod securityContext.runAsNonRoot must be true")
        if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{ref(d)}: pod seccompProfile must be RuntimeDefault")
        if pod.get("automountServiceAccountToken") is not False:
            problems.append(f"{ref(d)}: automountServiceAccountToken must be false")
        for c in pod.get("containers", []) + pod.get("initContainers", []):
            sc, res = c.get("securityContext", {}), c.get("resources", {})
            where = f"{ref(d)} container {c.get('name')}"
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: allowPrivilegeEscalation must be false")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}: readOnlyRootFilesystem must be true")
            if sc.get("capabilities", {}).get("drop") != ["ALL"]:
                problems.append(f"{where}: capabilities must drop ALL")
            for part in ("requests", "limits"):
                if not {"cpu", "memory"} <= set(res.get(part, {})):
                    problems.append(f"{where}: resources.{part} needs cpu and memory")
    return problems


def check_overlay(
    overlay: Path, kustomize: str, versions: list[str]
) -> tuple[list[Doc], list[str]]:
    """Everything for one overlay: (rendered documents, problems)."""
    try:
        docs = build(overlay, kustomize)
    except ValueError as exc:
        return [], [str(exc)]
    problems = check_core(docs, versions) + check_custom(docs, versions[0])
    problems += check_references(docs) + check_hardening(docs) + check_network_policies(docs)
    return docs, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kustomize", required=True, help="path of the pinned kustomize binary")
    parser.add_argument("--overlay", action="append", type=Path, help="default: every overlay")
    parser.add_argument("--k8s-version", action="append", help=f"default: {K8S_VERSIONS}")
    args = parser.parse_args(argv)
    overlays = args.overlay or sorted(p for p in OVERLAYS.iterdir() if p.is_dir())
    versions = args.k8s_version or list(K8S_VERSIONS)
    failed = False
    for overlay in overlays:
        docs, problems = check_overlay(overlay, args.kustomize, versions)
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(Counter(d["kind"] for d in docs).items()))
        label = overlay.relative_to(HERE) if overlay.is_relative_to(HERE) else overlay
        if problems:
            failed = True
            print(f"FAIL {label}: {len(problems)} problem(s)")
            print("\n".join(f"  - {p}" for p in problems))
        else:
            print(
                f"ok   {label} (Kubernetes {', '.join(versions)}): {len(docs)} resources: {kinds}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
