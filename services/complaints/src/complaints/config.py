"""Settings of the complaints service (environment variables prefixed QINGSHAN_COMPLAINTS_)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from complaints.adapters.platform_client import DEV_PLATFORM_KEYS, SigningKeys
from complaints.adapters.platform_mapping import PlatformConfig, default_platforms
from qingshan_core.pii import DEV_INDEX_KEY, DEV_KEYS, Keyring
from qingshan_core.settings import ServiceSettings


class Settings(ServiceSettings):
    """Every field can be set as QINGSHAN_COMPLAINTS_<FIELD>, e.g. QINGSHAN_COMPLAINTS_MONGO_URI."""

    model_config = SettingsConfigDict(env_prefix="QINGSHAN_COMPLAINTS_", extra="ignore")

    service_name: str = "complaints"
    http_port: int = 8001
    grpc_port: int = 50051
    # PII encryption: `kid:base64key,...` (the last is active) and the blind-index key.
    pii_keys: SecretStr = SecretStr(DEV_KEYS)
    pii_active_key: str | None = None
    pii_index_key: SecretStr = SecretStr(DEV_INDEX_KEY)
    sweep_seconds: float = Field(default=30.0, gt=0)
    # The scan for open cases whose schedule entry a crash lost (service_layer/schedule_repair).
    schedule_repair_seconds: float = Field(default=600.0, gt=0)
    rates_check_seconds: float = Field(default=900.0, gt=0)
    config_refresh_seconds: float = Field(default=60.0, gt=0)
    warning_share: float = Field(default=0.8, gt=0, lt=1)
    rate_target: float = Field(default=1.0, gt=0, le=1)
    duplicate_window_hours: int = Field(default=72, ge=1)
    hotspot_window_hours: int = Field(default=24, ge=1)
    hotspot_threshold: int = Field(default=3, ge=2)
    address_prefixes: str = "重庆市,南川区"
    # Retention (docs/retention.md), in days after a case ended (closed, followed up, merged):
    # then the daily job removes the reporter's identity, later the free text. The reveal audit
    # is kept at least this long (the service never deletes an entry of it).
    retention_identity_days: int = Field(default=180, ge=1)
    retention_content_days: int = Field(default=1095, ge=1)
    retention_reveal_audit_days: int = Field(default=1095, ge=183)
    retention_check_seconds: float = Field(default=86400.0, gt=0)
    # More identity reveals than this by one person in one day raise RevealsUnusual (once).
    reveal_daily_threshold: int = Field(default=20, ge=1)
    # Case numbers are <prefix><yyyymmdd><daily sequence>, e.g. TS2026112900042.
    id_prefix: str = Field(default="TS", pattern=r"^[A-Z]{1,6}$")
    # The closed loop with the city platforms (12345, 12369): where each one is and how it
    # names things (JSON; see adapters/platform_mapping.py), or a JSON document with the same.
    platforms: dict[str, PlatformConfig] = Field(default_factory=default_platforms)
    platforms_file: Path | None = None
    # HMAC keys shared with the platforms, `kid:secret,...` (the last is active).
    platform_keys: SecretStr = SecretStr(DEV_PLATFORM_KEYS)
    # Optional mutual TLS: our client certificate and key, and the platforms' CA.
    platform_tls_cert: Path | None = None
    platform_tls_key: Path | None = None
    platform_tls_ca: Path | None = None
    # The consumer group (qingshan.complaints.<name>) that takes the steps to the dispatcher.
    platform_consumer_name: str = Field(default="platform-steps", pattern=r"^[a-z0-9-]{1,40}$")
    # Retries while a platform is down or busy: exponential from base to cap, full jitter;
    # the platform's Retry-After wins when it asks for longer.
    platform_retry_base_seconds: float = Field(default=2.0, gt=0)
    platform_retry_cap_seconds: float = Field(default=300.0, gt=0)
    platform_poll_seconds: float = Field(default=5.0, gt=0)
    platform_lease_seconds: float = Field(default=60.0, gt=0)
    platform_concurrency: int = Field(default=8, ge=1, le=64)

    def keyring(self) -> Keyring:
        return Keyring.from_spec(
            self.pii_keys.get_secret_value(),
            self.pii_index_key.get_secret_value(),
            self.pii_active_key,
        )

    def signing_keys(self) -> SigningKeys:
        return SigningKeys(self.platform_keys.get_secret_value())

    def platform_configs(self) -> dict[str, PlatformConfig]:
        """The platforms' configuration: the settings, then the document (which wins)."""
        configs = dict(self.platforms)
        if self.platforms_file is not None:
            doc = json.loads(self.platforms_file.read_text(encoding="utf-8"))
            configs.update({k: PlatformConfig.model_validate(v) for k, v in doc.items()})
        return configs

    @property
    def platforms_connected(self) -> bool:
        return any(c.connected for c in self.platform_configs().values())

    @model_validator(mode="after")
    def _refuse_dev_platform_keys(self) -> Settings:
        keys = self.signing_keys()  # also validates the spec
        if self.environment not in ("development", "test") and keys.is_weak():
            raise ValueError(
                "platform_keys: the development key (or one shorter than 32 characters) is "
                f"refused in {self.environment}"
            )
        unknown = set(self.platform_configs()) - {"12345", "12369"}
        if unknown:
            raise ValueError(f"platforms: unknown platform(s) {sorted(unknown)} (12345, 12369)")
        return self

    @model_validator(mode="after")
    def _refuse_dev_pii_keys(self) -> Settings:
        self.refuse_development_keys("pii_keys", self.keyring())  # also validates the keys
        return self
