"""Settings of the projects service (environment variables prefixed QINGSHAN_PROJECTS_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from qingshan_core.settings import ServiceSettings


class Settings(ServiceSettings):
    """Every field can be set as QINGSHAN_PROJECTS_<FIELD>, e.g. QINGSHAN_PROJECTS_MONGO_URI."""

    model_config = SettingsConfigDict(env_prefix="QINGSHAN_PROJECTS_", extra="ignore")

    service_name: str = "projects"
    http_port: int = 8002
    grpc_port: int = 50052
