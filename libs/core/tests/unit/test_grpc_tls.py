"""gRPC over TLS where configured, and reflection only when asked for (development).

A real grpc.aio server on a free port with a self-signed certificate made here: a client that
trusts the certificate gets the health answer, a plain-text client and a client trusting another
CA get nothing; reflection answers UNIMPLEMENTED unless the server was told to reflect.
"""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from qingshan_core.grpc_server import GrpcServer, GrpcTls
from qingshan_core.oidc import TokenVerifier
from qingshan_core.settings import ServiceSettings

pytestmark = pytest.mark.unit


def self_signed(common_name: str = "localhost") -> tuple[bytes, bytes]:
    """(certificate PEM, private key PEM) valid for localhost and 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


async def health(channel: grpc.aio.Channel) -> int:
    stub = health_pb2_grpc.HealthStub(channel)
    reply = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=3)
    return int(reply.status)


async def test_a_configured_certificate_makes_the_port_tls_only(tmp_path: Path) -> None:
    cert, key = self_signed()
    (tmp_path / "tls.crt").write_bytes(cert)
    (tmp_path / "tls.key").write_bytes(key)
    tls = GrpcTls.from_files(str(tmp_path / "tls.crt"), str(tmp_path / "tls.key"))
    server = GrpcServer(0, TokenVerifier(None), tls=tls, reflection=False)
    port = await server.start()
    try:
        trusted = grpc.ssl_channel_credentials(root_certificates=cert)
        async with grpc.aio.secure_channel(f"localhost:{port}", trusted) as channel:
            assert await health(channel) == health_pb2.HealthCheckResponse.NOT_SERVING
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            with pytest.raises(grpc.aio.AioRpcError) as plain:
                await health(channel)
        assert plain.value.code() == grpc.StatusCode.UNAVAILABLE
        other_ca, _ = self_signed("another-ca")
        untrusted = grpc.ssl_channel_credentials(root_certificates=other_ca)
        async with grpc.aio.secure_channel(f"localhost:{port}", untrusted) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await health(channel)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        await server.stop(grace=0)


async def list_services(port: int) -> set[str]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        call = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo()
        await call.write(reflection_pb2.ServerReflectionRequest(list_services=""))
        answer = await call.read()
        await call.done_writing()
        return {s.name for s in answer.list_services_response.service}


@pytest.mark.parametrize("environment", ["development", "test", "staging", "production"])
async def test_reflection_is_served_in_development_only(environment: str) -> None:
    settings = ServiceSettings(environment=environment, oidc_issuer="https://id.invalid/r")
    server = GrpcServer(0, TokenVerifier(None), reflection=settings.grpc_reflection)
    port = await server.start()
    try:
        if environment == "development":
            assert "grpc.health.v1.Health" in await list_services(port)
        else:
            with pytest.raises(grpc.aio.AioRpcError) as off:
                await list_services(port)
            assert off.value.code() == grpc.StatusCode.UNIMPLEMENTED
    finally:
        await server.stop(grace=0)


def test_a_certificate_without_its_key_is_refused() -> None:
    with pytest.raises(ValueError, match="grpc_tls_cert_file and grpc_tls_key_file"):
        ServiceSettings(environment="test", grpc_tls_cert_file="/etc/tls/tls.crt")
