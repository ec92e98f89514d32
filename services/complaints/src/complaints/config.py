"""Settings of the complaints service (environment variables prefixed QINGSHAN_COMPLAINTS_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from qingshan_core.settings import ServiceSettings


class Settings(ServiceSettings):
    """Every field can be set as QINGSHAN_COMPLAINTS_<FIELD>, e.g. QINGSHAN_COMPLAINTS_MONGO_URI."""

    model_config = SettingsConfigDict(env_prefix="QINGSHAN_COMPLAINTS_", extra="ignore")

    service_name: str = "complaints"
    http_port: int = 8001
    grpc_port: int = 50051
