"""Transport security in the rendered manifests, compared with the code.

Kafka: one TLS + SCRAM-SHA-512 listener and ACLs; every service is a KafkaUser whose ACLs are
exactly its own topic, its groups' dead-letter topics, the topics it consumes and its own
consumer groups; its Settings (built from the rendered configuration) connect to that listener
as that user with the Secret Strimzi writes and the cluster CA. MongoDB: TLS required, CA
mounted, a NetworkPolicy of its own. Every NetworkPolicy rule names `from`; every Ingress is TLS.
"""

from __future__ import annotations

from typing import Any

import pytest

from notify.config import Settings as NotifySettings
from qingshan_core.events import dead_letter_topic
from tests.k8s.test_service_contract import container, env_of, one, settings_class

SERVICES = ("complaints", "projects", "risk", "notify")
OVERLAYS = ("dev", "prod")
Docs = list[dict[str, Any]]
Acl = tuple[str, str, str, frozenset[str]]

pytestmark = [pytest.mark.unit, pytest.mark.slow]


def consumed(svc: str) -> tuple[list[str], list[str]]:
    """(topics the service consumes, its consumer groups), as its bootstrap declares them."""
    if svc == "notify":  # the only ConsumerSpec (test_consumer_groups_are_the_known_ones)
        s = NotifySettings(environment="test")
        return list(s.consume_topics), [f"qingshan.notify.{s.consumer_name}"]
    return [], []


def expected_acls(svc: str) -> set[Acl]:
    topics, groups = consumed(svc)
    own = settings_class(svc)(environment="test").topic
    acls: set[Acl] = {("topic", own, "literal", frozenset({"Write", "Read", "Describe", "Create"}))}
    acls |= {
        ("topic", dead_letter_topic(g), "literal", frozenset({"Write", "Describe", "Create"}))
        for g in groups
    }
    acls |= {("topic", t, "literal", frozenset({"Read", "Describe"})) for t in topics}
    acls.add(("group", f"qingshan.{svc}.", "prefix", frozenset({"Read", "Describe"})))
    return acls


def acls_of(user: dict[str, Any]) -> set[Acl]:
    rules = user["spec"]["authorization"]["acls"]
    out = {
        (
            r["resource"]["type"],
            r["resource"]["name"],
            r["resource"].get("patternType", "literal"),
            frozenset(r["operations"]),
        )
        for r in rules
    }
    assert len(out) == len(rules), "a repeated ACL rule"
    assert all(r.get("type", "allow") == "allow" and r.get("host", "*") == "*" for r in rules)
    return out


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("svc", SERVICES)
def test_each_kafka_user_may_do_exactly_what_its_service_does(
    rendered: dict[str, Docs], overlay: str, svc: str
) -> None:
    user = one(rendered[overlay], "KafkaUser", f"qingshan-{svc}")
    assert user["metadata"]["labels"]["strimzi.io/cluster"] == "qingshan"
    assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
    assert acls_of(user) == expected_acls(svc)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_write_on_a_topic_of_another_service(rendered: dict[str, Docs], overlay: str) -> None:
    """What issue 18 saw: any pod could forge IncidentRegistered. Now only risk may write it."""
    writers: dict[str, set[str]] = {}
    for user in (d for d in rendered[overlay] if d["kind"] == "KafkaUser"):
        for kind, name, _, ops in acls_of(user):
            if kind == "topic" and ops & {"Write", "All"}:
                writers.setdefault(name, set()).add(user["metadata"]["name"])
    assert writers["qingshan.risk.v1"] == {"qingshan-risk"}
    assert all(len(users) == 1 for users in writers.values()), writers
    assert {u["metadata"]["name"] for u in rendered[overlay] if u["kind"] == "KafkaUser"} == {
        f"qingshan-{svc}" for svc in SERVICES
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_listens_with_tls_and_scram_only_and_checks_acls(
    rendered: dict[str, Docs], overlay: str
) -> None:
    kafka = one(rendered[overlay], "Kafka", "qingshan")["spec"]
    listeners = kafka["kafka"]["listeners"]
    assert all(
        ls["tls"] is True and ls["authentication"]["type"] == "scram-sha-512" for ls in listeners
    )
    assert kafka["kafka"]["authorization"] == {"type": "simple"}
    assert "userOperator" in kafka["entityOperator"]


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("svc", SERVICES)
def test_services_connect_over_the_tls_listener_as_their_user(
    rendered: dict[str, Docs], overlay: str, svc: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = rendered[overlay]
    for key, value in env_of(docs, svc).items():
        monkeypatch.setenv(key, value)
    s = settings_class(svc)()
    sec = s.kafka_security
    assert (sec.protocol, sec.mechanism, sec.username) == (
        "SASL_SSL",
        "SCRAM-SHA-512",
        f"qingshan-{svc}",
    )
    tls_port = next(
        ls["port"] for ls in one(docs, "Kafka", "qingshan")["spec"]["kafka"]["listeners"]
    )
    assert s.kafka_bootstrap == f"qingshan-kafka-bootstrap:{tls_port}"
    c = container(docs, svc)
    password = next(v for v in c["env"] if v["name"].endswith("_KAFKA_SASL_PASSWORD"))
    # The Secret the User Operator writes for the KafkaUser: its name, key `password`.
    assert password["valueFrom"]["secretKeyRef"] == {"name": sec.username, "key": "password"}
    pod = one(docs, "Deployment", svc)["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    kafka_ca = volumes[mounts[sec.ca_file.rsplit("/", 1)[0]]]
    assert kafka_ca["secret"]["secretName"] == "qingshan-cluster-ca-cert"  # Strimzi's cluster CA
    assert kafka_ca["secret"]["items"] == [{"key": "ca.crt", "path": "ca.crt"}]
    assert sec.ca_file.endswith("/ca.crt")

    mongo = one(docs, "MongoDBCommunity", "qingshan-mongodb")["spec"]["security"]["tls"]
    assert mongo["enabled"] is True and mongo["optional"] is False
    mongo_ca = volumes[mounts[s.mongo_tls_ca_file.rsplit("/", 1)[0]]]
    assert mongo_ca["configMap"]["name"] == mongo["caConfigMapRef"]["name"]
    policy = one(docs, "NetworkPolicy", svc)["spec"]
    kafka_egress = [
        p["port"]
        for rule in policy["egress"]
        for to in rule.get("to", [])
        if to.get("podSelector", {}).get("matchLabels", {}).get("strimzi.io/kind") == "Kafka"
        for p in rule["ports"]
    ]
    assert kafka_egress == [tls_port]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_network_policy_names_who_may_connect(
    rendered: dict[str, Docs], overlay: str
) -> None:
    policies = [d for d in rendered[overlay] if d["kind"] == "NetworkPolicy"]
    assert policies
    for p in policies:
        for rule in p["spec"].get("ingress", []):
            assert rule.get("from"), f"{p['metadata']['name']}: ingress rule without from"
            assert all(peer for peer in rule["from"]), "an empty peer admits everything"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_mongodb_has_a_network_policy_of_its_own(rendered: dict[str, Docs], overlay: str) -> None:
    policy = one(rendered[overlay], "NetworkPolicy", "qingshan-mongodb")["spec"]
    assert policy["podSelector"]["matchLabels"] == {"app": "qingshan-mongodb-svc"}
    (rule,) = policy["ingress"]
    assert [p["port"] for p in rule["ports"]] == [27017]
    peers = [peer["podSelector"]["matchLabels"] for peer in rule["from"]]
    assert peers == [
        {"app.kubernetes.io/part-of": "qingshan", "app.kubernetes.io/component": "service"},
        {"app": "qingshan-mongodb-svc"},
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_console_and_public_apis_are_exposed_over_tls_only(
    rendered: dict[str, Docs], overlay: str
) -> None:
    ingresses = {
        d["metadata"]["name"]: d["spec"] for d in rendered[overlay] if d["kind"] == "Ingress"
    }
    assert set(ingresses) == {"console", "complaints", "risk"}
    for name, spec in ingresses.items():
        hosts = {r["host"] for r in spec["rules"]}
        covered = {h for t in spec["tls"] for h in t["hosts"] if t.get("secretName")}
        assert hosts <= covered, f"{name}: hosts without a TLS certificate: {hosts - covered}"
        backends = {
            p["backend"]["service"]["port"]["name"]
            for r in spec["rules"]
            for p in r["http"]["paths"]
        }
        assert backends == {"http"}, f"{name}: only HTTP ports are exposed, never gRPC"
