"""`make k8s` passes on the real overlays and fails on a broken manifest, whatever is broken."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = ROOT / "deploy" / "k8s" / "overlays"

pytestmark = [pytest.mark.unit, pytest.mark.slow]


def broken_overlay(tmp_path: Path, base: str, patch: str, target: str) -> Path:
    """An overlay on top of a real one with one JSON patch applied to `target`."""
    rel = os.path.relpath(OVERLAYS / base, tmp_path)
    body = "\n".join("        " + line for line in patch.strip().splitlines())
    (tmp_path / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\n"
        "kind: Kustomization\n"
        f"resources:\n  - {rel}\n"
        "patches:\n"
        f"  - target: {target}\n"
        f"    patch: |-\n{body}\n"
    )
    return tmp_path


def test_make_k8s_passes_on_the_real_overlays(kustomize: str) -> None:
    run = subprocess.run(
        ["make", "--no-print-directory", "k8s"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for overlay in ("dev", "prod"):
        assert f"ok   overlays/{overlay} " in run.stdout


BROKEN = {
    "networkpolicy-without-from": (
        "prod",
        "{kind: NetworkPolicy, name: notify}",
        """
- op: remove
  path: /spec/ingress/0/from
""",
        "NetworkPolicy/notify: ingress rule 0 has no `from`",
    ),
    "deployment-unknown-field": (
        "dev",
        "{kind: Deployment, name: complaints}",
        """
- op: add
  path: /spec/template/spec/containers/0/readinessProbe/httpGett
  value: {path: /readyz, port: http}
""",
        "'httpGett' was unexpected",
    ),
    "deployment-unknown-apiversion": (
        "dev",
        "{kind: Deployment, name: risk}",
        """
- op: replace
  path: /apiVersion
  value: apps/v2
""",
        "Couldn't find schema for kind Deployment with api version apps/v2",
    ),
    "kafkatopic-partitions-not-a-number": (
        "prod",
        "{kind: KafkaTopic, name: qingshan.complaints.v1}",
        """
- op: replace
  path: /spec/partitions
  value: three
""",
        "KafkaTopic/qingshan.complaints.v1: spec.partitions: 'three' is not of type 'integer'",
    ),
    "kafkatopic-misspelt-config": (
        "dev",
        "{kind: KafkaTopic, name: qingshan.notify.events.dlt}",
        """
- op: add
  path: /spec/config/retention.hours
  value: 720
""",
        "'retention.hours' is not one of",
    ),
    "kafka-field-removed-with-node-pools": (
        "prod",
        "{kind: Kafka, name: qingshan}",
        """
- op: add
  path: /spec/kafka/replicas
  value: 3
""",
        "Kafka/qingshan: spec.kafka: Additional properties are not allowed ('replicas'",
    ),
    "nodepool-bad-nested-kubernetes-type": (
        "prod",
        "{kind: KafkaNodePool, name: broker}",
        """
- op: add
  path: /spec/template/pod/affinity/podAntiAffinity/requiredDuringScheduling
  value: []
""",
        "KafkaNodePool/broker: spec.template.pod.affinity.podAntiAffinity",
    ),
    "mongodb-user-without-roles": (
        "dev",
        "{kind: MongoDBCommunity, name: qingshan-mongodb}",
        """
- op: remove
  path: /spec/users/0/roles
""",
        "MongoDBCommunity/qingshan-mongodb: spec.users.0: 'roles' is a required property",
    ),
    "service-selecting-no-pod": (
        "dev",
        "{kind: Service, name: notify}",
        """
- op: replace
  path: /spec/selector/app.kubernetes.io~1name
  value: notifier
""",
        "Service/notify: selector",
    ),
    "writable-root-filesystem": (
        "prod",
        "{kind: Deployment, name: projects}",
        """
- op: replace
  path: /spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem
  value: false
""",
        "Deployment/projects container projects: readOnlyRootFilesystem must be true",
    ),
    "topic-of-unknown-cluster": (
        "dev",
        "{kind: KafkaTopic, name: qingshan.risk.v1}",
        """
- op: replace
  path: /metadata/labels/strimzi.io~1cluster
  value: other
""",
        "strimzi.io/cluster=other is no Kafka rendered here",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_checker_fails_on_a_broken_manifest(
    case: str,
    tmp_path: Path,
    kustomize: str,
    checker: ModuleType,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base, target, patch, expected = BROKEN[case]
    overlay = broken_overlay(tmp_path, base, patch, target)
    args = ["--kustomize", kustomize, "--overlay", str(overlay), "--k8s-version", "1.35.0"]
    assert checker.main(args) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL"), out
    assert expected in out, out


def test_checker_fails_when_kustomize_cannot_build(
    tmp_path: Path, kustomize: str, checker: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - missing.yaml\n")
    assert checker.main(["--kustomize", kustomize, "--overlay", str(tmp_path)]) == 1
    assert "kustomize build failed" in capsys.readouterr().out


def test_the_unbroken_overlay_passes_the_same_way(
    tmp_path: Path, kustomize: str, checker: ModuleType
) -> None:
    """The broken cases fail because of their patch, not because of the wrapping overlay."""
    overlay = broken_overlay(
        tmp_path, "prod", "- op: test\n  path: /kind\n  value: Deployment", "{kind: Deployment}"
    )
    assert checker.main(["--kustomize", kustomize, "--overlay", str(overlay)]) == 0
