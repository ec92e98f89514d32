"""The local broker's second listener: SASL_SSL with SCRAM-SHA-512 (what Kubernetes runs).

Standard library and the JDK's keytool only (stack.py runs before the virtualenv exists).
Once per profile (kept in .run/<profile>/kafka-tls/, which `wipe` keeps: making it takes
keytool about 5 s, and a certificate is no data): a self-signed CA, a broker key and
certificate it signs (localhost, 127.0.0.1) in a PKCS12 keystore, and the CA as PEM for the
clients. The SCRAM user is written when the storage is formatted (`--add-scram`); a profile
formatted before this listener existed gets it through the plain listener (kafka-configs) once.
The plain listener stays as it is: the rest of the suite uses it.

Development values only: the passwords below are published here and guard nothing real.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

USERNAME = "qingshan"
PASSWORD = "qingshan-kafka-development-secret"
MECHANISM = "SCRAM-SHA-512"
STOREPASS = "qingshan-local-keystore"
SCRAM = f"{MECHANISM}=[name={USERNAME},password={PASSWORD}]"


def tls_dir(run_dir: Path) -> Path:
    return run_dir / "kafka-tls"


def ca_file(run_dir: Path) -> Path:
    """The PEM CA a client trusts to reach the SASL_SSL listener."""
    return tls_dir(run_dir) / "ca.crt"


def _keytool(*args: str) -> None:
    subprocess.run(
        ["keytool", "-J-XX:TieredStopAtLevel=1", *args, "-storepass", STOREPASS],
        check=True,
        capture_output=True,
    )


def ensure_keystore(run_dir: Path) -> Path:
    """The broker's keystore, made once (CA, then a broker certificate the CA signs)."""
    d = tls_dir(run_dir)
    keystore = d / "broker.p12"
    if keystore.exists() and ca_file(run_dir).exists():
        return keystore
    d.mkdir(parents=True, exist_ok=True)
    for old in d.iterdir():
        old.unlink()
    ec = ("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "3650", "-storetype", "PKCS12")
    ca = ("-keystore", str(d / "ca.p12"), "-alias", "ca")
    _keytool("-genkeypair", *ca, *ec, "-dname", "CN=qingshan local Kafka CA", "-ext", "bc:c")
    _keytool("-exportcert", *ca, "-rfc", "-file", str(ca_file(run_dir)))
    broker = ("-keystore", str(keystore), "-alias", "broker")
    _keytool("-genkeypair", *broker, *ec, "-dname", "CN=localhost")
    _keytool("-certreq", *broker, "-file", str(d / "broker.csr"))
    _keytool(
        "-gencert", *ca, "-infile", str(d / "broker.csr"), "-outfile", str(d / "broker.crt"),
        "-rfc", "-validity", "3650", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
        "-ext", "KU=digitalSignature", "-ext", "EKU=serverAuth",
    )  # fmt: skip
    chain = d / "chain.pem"
    chain.write_text((d / "broker.crt").read_text() + ca_file(run_dir).read_text())
    _keytool("-importcert", *broker, "-file", str(chain), "-noprompt")
    return keystore


def listener_properties(run_dir: Path, port: int) -> dict[str, str]:
    """server.properties entries of the SASL_SSL listener (merged into the plain ones)."""
    keystore = ensure_keystore(run_dir)
    prefix = "listener.name.sasl_ssl."
    return {
        "listener": f"SASL_SSL://127.0.0.1:{port}",
        "sasl.enabled.mechanisms": MECHANISM,
        f"{prefix}sasl.enabled.mechanisms": MECHANISM,
        f"{prefix}scram-sha-512.sasl.jaas.config": (
            "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        ),
        f"{prefix}ssl.keystore.type": "PKCS12",
        f"{prefix}ssl.keystore.location": str(keystore),
        f"{prefix}ssl.keystore.password": STOREPASS,
        f"{prefix}ssl.key.password": STOREPASS,
    }


def user_marker(run_dir: Path) -> Path:
    """Written next to the broker's data once its metadata holds the user."""
    return run_dir / "kafka" / "scram-user"


def format_args() -> list[str]:
    """Extra `kafka-storage format` arguments: the SCRAM user, in the very first metadata."""
    return ["--add-scram", SCRAM]


def user_added(run_dir: Path) -> None:
    user_marker(run_dir).write_text(USERNAME)


def ensure_user(run_dir: Path, bootstrap: str, java: Callable[[list[str]], str]) -> None:
    """A storage formatted without the user gets it once the broker answers."""
    if user_marker(run_dir).exists():
        return
    java(
        ["kafka.admin.ConfigCommand", "--bootstrap-server", bootstrap, "--alter",
         "--add-config", f"{MECHANISM}=[password={PASSWORD}]",
         "--entity-type", "users", "--entity-name", USERNAME]
    )  # fmt: skip
    user_added(run_dir)


def env(run_dir: Path, port: int) -> dict[str, str]:
    """What a client needs (`stack.py env`; make test exports it as QINGSHAN_TEST_*)."""
    return {
        "QINGSHAN_KAFKA_SECURE_BOOTSTRAP": f"127.0.0.1:{port}",
        "QINGSHAN_KAFKA_SECURE_CA_FILE": str(ca_file(run_dir)),
        "QINGSHAN_KAFKA_SECURE_USERNAME": USERNAME,
        "QINGSHAN_KAFKA_SECURE_PASSWORD": PASSWORD,
    }
