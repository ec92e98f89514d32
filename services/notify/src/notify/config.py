"""Settings of the notify service (environment variables prefixed QINGSHAN_NOTIFY_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from qingshan_core.settings import ServiceSettings


class Settings(ServiceSettings):
    """Every field can be set as QINGSHAN_NOTIFY_<FIELD>, e.g. QINGSHAN_NOTIFY_MONGO_URI."""

    model_config = SettingsConfigDict(env_prefix="QINGSHAN_NOTIFY_", extra="ignore")

    service_name: str = "notify"
    http_port: int = 8004
    grpc_port: int = 50054
