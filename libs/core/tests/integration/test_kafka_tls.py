"""qingshan_core's Kafka clients over the local broker's SASL_SSL listener (SCRAM-SHA-512, a CA
of the stack's own), the transport Kubernetes runs: topics created, an event produced and
consumed by a consumer group, and a wrong password, an untrusted CA or a plain connection
refused. `make test` exports the listener's address, CA file and development user."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
from aiokafka.errors import KafkaError

from qingshan.testing.v1.testing_pb2 import SampleChanged
from qingshan_core import kafka
from qingshan_core.consumer import ConsumerConfig, ConsumerRunner
from qingshan_core.events import Envelope
from qingshan_core.settings import ServiceSettings

pytestmark = pytest.mark.integration
TYPE = "qingshan.testing.v1.SampleChanged"


@pytest.fixture(scope="module")
def secure() -> dict[str, str]:
    keys = ("BOOTSTRAP", "CA_FILE", "USERNAME", "PASSWORD")
    found = {k: os.environ.get(f"QINGSHAN_TEST_KAFKA_SECURE_{k}", "") for k in keys}
    if not all(found.values()):
        pytest.fail("the SASL_SSL listener is not exported; run `make test`", pytrace=False)
    return found


def security(secure: dict[str, str], **change: str) -> kafka.KafkaSecurity:
    """The listener's security as a service's settings build it (QINGSHAN_<SVC>_KAFKA_*)."""
    values = {
        "kafka_security_protocol": "SASL_SSL",
        "kafka_ssl_ca_file": secure["CA_FILE"],
        "kafka_sasl_mechanism": "SCRAM-SHA-512",
        "kafka_sasl_username": secure["USERNAME"],
        "kafka_sasl_password": secure["PASSWORD"],
        **change,
    }
    return ServiceSettings(environment="test", **values).kafka_security  # type: ignore[arg-type]


async def test_produce_and_consume_over_tls_with_scram(secure, mongo_db) -> None:
    sec, bootstrap = security(secure), secure["BOOTSTRAP"]
    topic = f"tls-{uuid.uuid4().hex[:8]}"
    assert await kafka.ensure_topics(bootstrap, [topic], partitions=1, security=sec) == [topic]
    sent = Envelope.wrap(SampleChanged(aggregate_id="a", seq=7), source="/t", subject="a")
    producer = kafka.create_producer(bootstrap, "tls-producer", security=sec)
    await producer.start()
    try:
        await kafka.publish(producer, topic, sent)
    finally:
        await producer.stop()

    got: list[tuple[str, int]] = []

    async def handle(env: Envelope, msg: SampleChanged) -> None:
        got.append((env.id, msg.seq))

    config = ConsumerConfig(f"{topic}.group", [topic], bootstrap, security=sec)
    runner = ConsumerRunner(config, {TYPE: handle}, mongo_db)  # type: ignore[dict-item]
    task = asyncio.create_task(runner.run())
    try:
        async with asyncio.timeout(30):
            while not got:
                assert not task.done(), task
                await asyncio.sleep(0.1)
    finally:
        runner.stop()
        await asyncio.wait_for(task, 20)
    assert got == [(sent.id, 7)]
    since = sent.time
    found = await kafka.published_ids(bootstrap, [topic], {sent.id}, since, security=sec)
    assert found == {sent.id}


async def test_a_wrong_password_is_refused(secure) -> None:
    bootstrap = secure["BOOTSTRAP"]
    assert await kafka.broker_reachable(bootstrap, timeout=5, security=security(secure))
    wrong = security(secure, kafka_sasl_password="not-the-password")
    assert not await kafka.broker_reachable(bootstrap, timeout=5, security=wrong)
    producer = kafka.create_producer(bootstrap, "tls-wrong", security=wrong)
    with pytest.raises(KafkaError):
        await producer.start()
    await producer.stop()


async def test_an_untrusted_certificate_or_plain_text_gets_nowhere(secure) -> None:
    bootstrap = secure["BOOTSTRAP"]
    # The system trust store never signed the stack's broker certificate.
    system_ca = security(secure, kafka_ssl_ca_file="")
    assert not await kafka.broker_reachable(bootstrap, timeout=5, security=system_ca)
    assert not await kafka.broker_reachable(bootstrap, timeout=5)  # PLAINTEXT on a TLS port


def test_sasl_without_credentials_is_a_settings_error() -> None:
    with pytest.raises(ValueError, match="SASL username and password"):
        ServiceSettings(environment="test", kafka_security_protocol="SASL_SSL")
