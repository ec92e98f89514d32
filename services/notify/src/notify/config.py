"""Settings of the notify service (environment variables prefixed QINGSHAN_NOTIFY_)."""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from qingshan_core.pii import DEV_KEYS, Keyring
from qingshan_core.settings import ServiceSettings


class Settings(ServiceSettings):
    """Every field can be set as QINGSHAN_NOTIFY_<FIELD>, e.g. QINGSHAN_NOTIFY_MONGO_URI
    (lists and maps as JSON, e.g. QINGSHAN_NOTIFY_RATE_LIMITS='{"sms": 30}')."""

    model_config = SettingsConfigDict(env_prefix="QINGSHAN_NOTIFY_", extra="ignore")

    service_name: str = "notify"
    http_port: int = 8004
    grpc_port: int = 50054

    # What is consumed: one consumer group `qingshan.notify.<consumer_name>` over these topics.
    consume_topics: list[str] = Field(
        default=["qingshan.complaints.v1", "qingshan.risk.v1", "qingshan.projects.v1"]
    )
    consumer_name: str = "events"
    seed_defaults: bool = True

    # The rules, templates and directory read for every event are cached: each replica looks
    # at the configuration's version at most this often (0: no cache, read them every time)
    # and keeps nothing longer than the max age. A replica sees its own changes at once.
    config_cache_seconds: float = Field(default=1.0, ge=0)
    config_cache_max_age_seconds: float = Field(default=60.0, gt=0)

    # Local time rules (quiet hours hold non-critical push messages; daily digests go at 08:00).
    timezone: str = "Asia/Shanghai"
    quiet_start: time = time(22, 0)
    quiet_end: time = time(7, 0)
    digest_daily_at: time = time(8, 0)

    # Email (SMTP).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_from: str = "qingshan-notify@localhost"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)

    # SMS gateway (empty URL: the SMS channel is not configured and SMS deliveries fail).
    sms_gateway_url: str = ""
    sms_api_key: SecretStr = SecretStr("")
    sms_sign: str = "青山生态"
    sms_max_chars: int = Field(default=300, gt=0)

    # Robot credentials at rest (a webhook URL carries its key, DingTalk signs with a secret):
    # AES-256-GCM keys `kid:base64key,...`, the last active; old kids stay readable. Refused at
    # start when they are the development keys outside development and test.
    credential_keys: SecretStr = SecretStr(DEV_KEYS)

    # Robots (WeCom / DingTalk webhooks). None: https required outside development and test.
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_require_https: bool | None = None
    webhook_allowed_hosts: list[str] = Field(default_factory=list)
    # Refuse robot targets that resolve to private, loopback or link-local addresses (checked
    # when saved and again when sent). None: refused outside development and test.
    webhook_refuse_private: bool | None = None

    # Retries, breaker, rate limits (messages per window per channel).
    retry_max_attempts: int = Field(default=5, ge=1)
    retry_base_seconds: float = Field(default=10.0, ge=0)
    retry_factor: float = Field(default=2.0, ge=1)
    retry_cap_seconds: float = Field(default=1800.0, gt=0)
    retry_jitter: float = Field(default=0.2, ge=0, le=1)
    breaker_threshold: int = Field(default=5, ge=1)
    breaker_cooldown_seconds: float = Field(default=60.0, gt=0)
    rate_limits: dict[str, int] = Field(
        default_factory=lambda: {"sms": 60, "wecom": 20, "dingtalk": 20, "email": 120}
    )
    rate_window_seconds: int = Field(default=60, gt=0)

    # Background jobs: the dispatcher also wakes at once when an event planned something.
    dispatch_poll_seconds: float = Field(default=1.0, gt=0)
    jobs_poll_seconds: float = Field(default=5.0, gt=0)
    dispatch_batch: int = Field(default=50, gt=0)
    send_lease_seconds: float = Field(default=60.0, gt=0)
    event_retention_days: int = Field(default=30, ge=1)
    # Deliveries and inbox items lose their rendered text after this many days (the record of
    # who was told what kind of thing, when, stays); docs/retention.md.
    retention_deliveries_days: int = Field(default=365, ge=1)
    retention_check_seconds: float = Field(default=86400.0, gt=0)

    def credential_keyring(self) -> Keyring:
        return Keyring.from_spec(self.credential_keys.get_secret_value(), None)

    @model_validator(mode="after")
    def _refuse_dev_credential_keys(self) -> Settings:
        # also validates the key material
        self.refuse_development_keys("credential_keys", self.credential_keyring())
        return self

    @property
    def private_webhooks_refused(self) -> bool:
        if self.webhook_refuse_private is not None:
            return self.webhook_refuse_private
        return self.environment not in ("development", "test")

    @property
    def https_required(self) -> bool:
        if self.webhook_require_https is not None:
            return self.webhook_require_https
        return self.environment not in ("development", "test")
