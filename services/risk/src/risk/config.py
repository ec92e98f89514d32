"""Settings of the risk service (environment variables prefixed QINGSHAN_RISK_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from qingshan_core.settings import ServiceSettings


class Settings(ServiceSettings):
    """Every field can be set as QINGSHAN_RISK_<FIELD>, e.g. QINGSHAN_RISK_MONGO_URI."""

    model_config = SettingsConfigDict(env_prefix="QINGSHAN_RISK_", extra="ignore")

    service_name: str = "risk"
    http_port: int = 8003
    grpc_port: int = 50053
