"""The manifests match the services: ports, probe paths, settings and topics come from the code.

Each Deployment's probes and ports are compared with what the service's own Settings and the
shared HTTP/gRPC servers serve; the rendered configuration is fed to the service's Settings
(production rules included); every topic a service produces to, consumes or dead-letters into
has its KafkaTopic.
"""

from __future__ import annotations

import base64
import importlib
import os
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from notify.config import Settings as NotifySettings
from qingshan_core.events import dead_letter_topic
from qingshan_core.grpc_server import GrpcServer
from qingshan_core.oidc import TokenVerifier
from qingshan_core.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("complaints", "projects", "risk", "notify")
Docs = list[dict[str, Any]]

pytestmark = [pytest.mark.unit, pytest.mark.slow]


def settings_class(svc: str) -> type[ServiceSettings]:
    cls: type[ServiceSettings] = importlib.import_module(f"{svc}.config").Settings
    return cls


def one(docs: Docs, kind: str, name: str) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} rendered"
    return found[0]


def container(docs: Docs, svc: str) -> dict[str, Any]:
    containers = one(docs, "Deployment", svc)["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == [svc]
    first: dict[str, Any] = containers[0]
    return first


def env_of(docs: Docs, svc: str) -> dict[str, str]:
    """The variables the container gets: its ConfigMap, then its env (secrets resolved from the
    rendered Secrets where the overlay has them, else a strong stand-in value)."""
    c = container(docs, svc)
    env: dict[str, str] = {}
    for src in c.get("envFrom", []):
        env.update(one(docs, "ConfigMap", src["configMapRef"]["name"])["data"])
    for var in c.get("env", []):
        ref = var.get("valueFrom", {}).get("secretKeyRef")
        if ref is None:
            env[var["name"]] = var["value"]
            continue
        secret = next(
            (d for d in docs if d["kind"] == "Secret" and d["metadata"]["name"] == ref["name"]),
            None,
        )
        if secret is not None:
            env[var["name"]] = base64.b64decode(secret["data"][ref["key"]]).decode()
        else:
            env[var["name"]] = stand_in(var["name"])
    return env


def stand_in(name: str) -> str:
    """A value of the right shape for a secret the cluster's operators provide."""
    raw = base64.urlsafe_b64encode(os.urandom(32)).decode()
    if name.endswith("_MONGO_URI"):
        return "mongodb://u:p@qingshan-mongodb-0.qingshan-mongodb-svc:27017/admin?replicaSet=x"
    if name.endswith("_KEYS"):  # PII_KEYS, CREDENTIAL_KEYS
        return f"k2026:{raw}"
    return raw


@pytest.mark.parametrize("svc", SERVICES)
@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_probes_and_ports_are_the_ones_the_service_serves(
    rendered: dict[str, Docs], overlay: str, svc: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = rendered[overlay]
    env = env_of(docs, svc)
    for key in [k for k in os.environ if k.startswith(f"QINGSHAN_{svc.upper()}_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    s = settings_class(svc)()  # refuses weak secrets outside development
    assert s.http_host == "0.0.0.0", "the service must listen on all interfaces in a pod"
    assert (s.http_port, s.grpc_port) == (
        settings_class(svc).model_fields["http_port"].default,
        settings_class(svc).model_fields["grpc_port"].default,
    )

    c = container(docs, svc)
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert ports == {"http": s.http_port, "grpc": s.grpc_port}
    ready, live = c["readinessProbe"]["httpGet"], c["livenessProbe"]["httpGet"]
    assert (ready["path"], ports[ready["port"]]) == ("/readyz", s.http_port)
    assert (live["path"], ports[live["port"]]) == ("/healthz", s.http_port)
    assert c["startupProbe"]["grpc"] == {"port": s.grpc_port}

    service = one(docs, "Service", svc)["spec"]["ports"]
    assert {(p["port"], ports[p["targetPort"]]) for p in service} == {
        (s.http_port, s.http_port),
        (s.grpc_port, s.grpc_port),
    }
    policy = one(docs, "NetworkPolicy", svc)["spec"]["ingress"]
    assert {p["port"] for rule in policy for p in rule["ports"]} == {s.http_port, s.grpc_port}


@pytest.mark.parametrize("svc", SERVICES)
def test_every_variable_is_a_setting_of_the_service(rendered: dict[str, Docs], svc: str) -> None:
    """A misspelt variable would be ignored silently (extra="ignore"): catch it here."""
    fields = set(settings_class(svc).model_fields)
    prefix = f"QINGSHAN_{svc.upper()}_"
    for overlay, docs in rendered.items():
        names = set(env_of(docs, svc))
        assert all(n.startswith(prefix) for n in names), (overlay, names)
        unknown = {n for n in names if n.removeprefix(prefix).lower() not in fields}
        assert not unknown, f"{overlay}: not settings of {svc}: {sorted(unknown)}"


@pytest.mark.parametrize("svc", SERVICES)
async def test_the_http_paths_probed_are_served_by_the_app(svc: str) -> None:
    """The service's own ASGI app (not started: no store, no broker) answers the probe paths:
    /healthz 200, /readyz 503 until the runtime is up, /metrics with the qingshan_ metrics."""
    app = importlib.import_module(f"{svc}.bootstrap").create_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://pod") as client:
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 503
        metrics = await client.get("/metrics")
        assert metrics.status_code == 200 and "qingshan_http_requests_total" in metrics.text


async def test_the_grpc_port_answers_the_standard_health_check() -> None:
    """What the startup probe calls: grpc.health.v1.Health/Check on the service's gRPC port."""
    server = GrpcServer(0, TokenVerifier(None), host="127.0.0.1")  # health needs no token
    port = await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            reply = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING  # not ready yet
            await server.set_serving(True)
            reply = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
    finally:
        await server.stop(grace=0)


def expected_topics() -> set[str]:
    notify = NotifySettings(environment="test")
    complaints = settings_class("complaints")(environment="test")
    produced = {settings_class(svc)(environment="test").topic for svc in SERVICES}
    group = f"qingshan.notify.{notify.consumer_name}"  # Runtime.group_id
    steps = f"qingshan.complaints.{complaints.platform_consumer_name}"  # type: ignore[attr-defined]
    return produced | set(notify.consume_topics) | {dead_letter_topic(g) for g in (group, steps)}


def test_consumer_groups_are_the_known_ones() -> None:
    """notify's events and complaints' platform steps are the consumer groups today. A new
    ConsumerSpec needs its dead-letter KafkaTopic in deploy/k8s/components/kafka/topics.yaml
    (and then an update here)."""
    declaring = sorted(
        str(p.relative_to(ROOT))
        for p in ROOT.glob("services/*/src/**/*.py")
        if "ConsumerSpec(" in p.read_text(encoding="utf-8")
    )
    assert declaring == [
        "services/complaints/src/complaints/entrypoints/platform_steps.py",
        "services/notify/src/notify/bootstrap.py",
    ]


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_topic_in_use_has_its_kafkatopic(rendered: dict[str, Docs], overlay: str) -> None:
    docs = rendered[overlay]
    topics = {d["spec"]["topicName"]: d["spec"] for d in docs if d["kind"] == "KafkaTopic"}
    assert set(topics) == expected_topics()
    for svc in SERVICES:
        env = env_of(docs, svc)
        own = topics[f"qingshan.{svc}.v1"]
        prefix = f"QINGSHAN_{svc.upper()}_"
        assert int(env[prefix + "TOPIC_PARTITIONS"]) == own["partitions"]
        assert int(env[prefix + "TOPIC_REPLICATION"]) == own["replicas"]


def test_prod_partitions_let_the_consumer_group_scale(rendered: dict[str, Docs]) -> None:
    """notify's replicas share its group's partitions: more replicas than partitions idle."""
    docs = rendered["prod"]
    hpa = one(docs, "HorizontalPodAutoscaler", "notify")["spec"]
    consumed = set(NotifySettings(environment="test").consume_topics)
    for d in docs:
        if d["kind"] == "KafkaTopic" and d["spec"]["topicName"] in consumed:
            assert d["spec"]["partitions"] >= hpa["maxReplicas"], d["metadata"]["name"]
            assert d["spec"]["replicas"] == 3 and d["spec"]["config"]["min.insync.replicas"] == 2


def test_dev_runs_one_replica_and_prod_at_least_three(rendered: dict[str, Docs]) -> None:
    for svc in SERVICES:
        dev = one(rendered["dev"], "HorizontalPodAutoscaler", svc)["spec"]
        prod = one(rendered["prod"], "HorizontalPodAutoscaler", svc)["spec"]
        assert (dev["minReplicas"], dev["maxReplicas"]) == (1, 1)
        assert prod["minReplicas"] >= 3
        assert one(rendered["prod"], "PodDisruptionBudget", svc)["spec"]["minAvailable"] == 2
        pod = one(rendered["prod"], "Deployment", svc)["spec"]["template"]["spec"]
        assert pod["affinity"]["podAntiAffinity"]
