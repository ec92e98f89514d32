"""Settings shared by every service: one pydantic-settings class per service, env prefix each."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from qingshan_core.kafka import KafkaSecurity, Mechanism, Protocol
from qingshan_core.pii import Keyring
from qingshan_core.ratelimit import parse_limit, parse_networks

DEV_JWT_SECRET = "qingshan-development-only-secret-change-me"  # refused outside development


def default_http_host() -> str:
    """The listen address of every service in this environment (QINGSHAN_HTTP_HOST: the image
    sets 0.0.0.0); a service's own QINGSHAN_<SVC>_HTTP_HOST overrides it. Loopback otherwise."""
    return os.environ.get("QINGSHAN_HTTP_HOST", "127.0.0.1")


class ServiceSettings(BaseSettings):
    """Base of every service's settings; subclasses set `model_config` with their env prefix."""

    model_config = SettingsConfigDict(env_prefix="QINGSHAN_", extra="ignore")

    # No default: development (which accepts HS256 development tokens) is chosen explicitly.
    environment: Literal["development", "test", "staging", "production"]
    service_name: str = "qingshan"
    http_host: str = Field(default_factory=default_http_host)
    http_port: int = 8000
    grpc_port: int = 50050
    # gRPC limits (qingshan_core.grpc_server): message size either way, calls at once.
    grpc_max_message_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    grpc_max_concurrent_rpcs: int = Field(default=200, ge=1)
    mongo_uri: str = "mongodb://127.0.0.1:27017/"
    mongo_db: str = ""
    # A stalled store answers 503 with Retry-After instead of hanging requests (see
    # qingshan_core.mongo): socket reads/writes and pool waits, server selection / connecting.
    mongo_operation_timeout_ms: int = Field(default=10_000, ge=100)
    mongo_select_timeout_ms: int = Field(default=5_000, ge=100)
    # PEM CA of the store's certificates: when set, the client connects with TLS and checks it.
    mongo_tls_ca_file: str = ""
    kafka_bootstrap: str = "127.0.0.1:9092"
    # Transport security of every Kafka client (producer, consumers, admin): TLS with the CA
    # that signed the brokers' certificates (and optionally a client certificate), and SASL.
    kafka_security_protocol: Protocol = "PLAINTEXT"
    kafka_ssl_ca_file: str = ""
    kafka_ssl_cert_file: str = ""
    kafka_ssl_key_file: str = ""
    kafka_sasl_mechanism: Mechanism = "SCRAM-SHA-512"
    kafka_sasl_username: str = ""
    kafka_sasl_password: SecretStr = SecretStr("")
    # gRPC over TLS when both are set (PEM); plain text otherwise. Reflection is served in
    # development only.
    grpc_tls_cert_file: str = ""
    grpc_tls_key_file: str = ""
    topic_partitions: int = 3
    topic_replication: int = 1
    # The OpenID Connect provider whose tokens the service accepts (a Keycloak realm URL, e.g.
    # https://id.example.gov.cn/realms/qingshan); required outside development and test.
    oidc_issuer: str = ""
    oidc_audience: str = ""  # the `aud` a token must carry; `qingshan-<service>` when empty
    oidc_jwks_url: str = ""  # discovered from the issuer when empty
    # A token naming a kid the cached JWKS lacks refetches it, at most once per this interval.
    oidc_refetch_seconds: float = Field(default=10.0, ge=0, le=600)
    token_max_lifetime_seconds: int = Field(default=3600, gt=0, le=86400)  # exp - iat at most
    token_leeway_seconds: int = Field(default=60, ge=0, le=300)
    # HS256 development tokens (python -m qingshan_core.token, the in-process test harnesses):
    # accepted only when the environment is development or test, never elsewhere.
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_issuer: str = "qingshan"
    jwt_audience: str = "qingshan"
    log_level: str = "INFO"
    log_json: bool = True
    relay_poll_seconds: float = Field(default=0.5, gt=0)
    relay_batch: int = Field(default=200, gt=0)
    # Refusals of one outbox entry (too large, malformed) before it is quarantined.
    relay_poison_attempts: int = Field(default=3, ge=1)
    consumer_max_attempts: int = Field(default=4, ge=1)
    consumer_backoff_seconds: float = Field(default=0.2, ge=0)
    processed_retention_days: int = Field(default=14, ge=1)
    # How often the broker is probed for its metric and /readyz detail (never for readiness).
    broker_check_seconds: float = Field(default=5.0, gt=0)
    # Abuse limits on the public-facing endpoints (qingshan_core.ratelimit); `limits` notation.
    http_rate_limit_enabled: bool = True
    http_rate_limit_per_address: str = "300/minute"
    http_rate_limit_per_public_client: str = "60/minute"  # a public (app) token's subject
    http_rate_limit_per_account: str = "1200/minute"  # staff and integration accounts
    http_rate_limit_storage: str = "async+memory://"  # per replica; async+redis://… to share
    # Reverse proxies (CIDRs) whose X-Forwarded-For names the caller's address; none: the peer.
    trusted_proxies: list[str] = Field(default_factory=list)
    # The fault suite's crash points (qingshan_core.crashpoints); refused outside `test`.
    crash_at: str = ""

    @field_validator(
        "http_rate_limit_per_address",
        "http_rate_limit_per_public_client",
        "http_rate_limit_per_account",
    )
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        parse_limit(value)
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        parse_networks(value)
        return value

    @model_validator(mode="after")
    def _require_an_issuer(self) -> ServiceSettings:
        if not self.accepts_development_tokens and not self.oidc_issuer:
            raise ValueError(
                f"oidc_issuer: required in {self.environment} (set QINGSHAN_<SERVICE>_OIDC_ISSUER "
                "to the identity provider's issuer URL); development tokens are refused there"
            )
        if self.crash_at and self.environment != "test":
            raise ValueError(
                f"crash_at: crash points are for the test environment, not {self.environment}"
            )
        if not self.mongo_db:
            self.mongo_db = f"qingshan_{self.service_name}"
        if bool(self.grpc_tls_cert_file) != bool(self.grpc_tls_key_file):
            raise ValueError("grpc_tls_cert_file and grpc_tls_key_file: set both or neither")
        self.kafka_security  # noqa: B018 (raises ValueError naming what SASL or TLS lacks)
        return self

    @property
    def accepts_development_tokens(self) -> bool:
        """HS256 development tokens: only in an explicit development or test environment."""
        return self.environment in ("development", "test")

    def refuse_development_keys(self, field: str, ring: Keyring) -> None:
        """A ValueError naming `field` when its keyring is the development one outside an
        explicit development or test environment (personal data, stored credentials)."""
        if self.environment not in ("development", "test") and ring.is_development():
            raise ValueError(f"{field}: the development keys are refused in {self.environment}")

    @property
    def kafka_security(self) -> KafkaSecurity:
        """TLS and SASL settings every Kafka client of the service uses."""
        return KafkaSecurity(
            protocol=self.kafka_security_protocol,
            ca_file=self.kafka_ssl_ca_file,
            cert_file=self.kafka_ssl_cert_file,
            key_file=self.kafka_ssl_key_file,
            mechanism=self.kafka_sasl_mechanism,
            username=self.kafka_sasl_username,
            password=self.kafka_sasl_password.get_secret_value(),
        )

    @property
    def grpc_reflection(self) -> bool:
        """Server reflection (lists every method to anyone): development only."""
        return self.environment == "development"

    @property
    def audience(self) -> str:
        """The audience a provider's token must name to be accepted here."""
        return self.oidc_audience or f"qingshan-{self.service_name}"

    @property
    def topic(self) -> str:
        """The one topic this service produces to."""
        return f"qingshan.{self.service_name}.v1"

    @property
    def source(self) -> str:
        """CloudEvents `source` of this service's events."""
        return f"/qingshan/{self.service_name}"
