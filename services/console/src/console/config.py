"""Settings of the console (environment variables prefixed QINGSHAN_CONSOLE_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from qingshan_core.settings import DEV_JWT_SECRET

PACKAGE = Path(__file__).resolve().parent
# `make install` puts the npm packages beside pyproject.toml; the image copies them here too.
ASSETS = PACKAGE.parents[1] / "node_modules"


class Settings(BaseSettings):
    """Where the four services are, how sessions are kept, and the development sign-in."""

    model_config = SettingsConfigDict(env_prefix="QINGSHAN_CONSOLE_", extra="ignore")

    environment: Literal["development", "test", "staging", "production"] = "development"
    service_name: str = "console"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    complaints_url: str = "http://127.0.0.1:8001"
    projects_url: str = "http://127.0.0.1:8002"
    risk_url: str = "http://127.0.0.1:8003"
    notify_url: str = "http://127.0.0.1:8004"
    api_timeout_seconds: float = Field(default=10.0, gt=0)
    # Tokens are verified as the services verify them (the same secret, issuer and audience).
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_issuer: str = "qingshan"
    jwt_audience: str = "qingshan"
    session_cookie: str = "qingshan_session"
    # A session is one token, and tokens live at most an hour (qingshan_core.auth's
    # DEFAULT_MAX_LIFETIME, which the services enforce): a longer one is refused everywhere.
    session_hours: float = Field(default=1.0, gt=0, le=1.0)
    secure_cookies: bool = False  # true behind TLS (the Ingress)
    # The development sign-in (pick a demo person) exists only in development and test; it
    # goes when the identity provider's authorization-code + PKCE sign-in lands.
    dev_signin: bool = True
    assets_dir: Path = ASSETS
    log_level: str = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _refuse_dev_parts(self) -> Settings:
        if self.environment in ("development", "test"):
            return self
        secret = self.jwt_secret.get_secret_value()
        if secret == DEV_JWT_SECRET or len(secret) < 32:
            raise ValueError(f"jwt_secret: the development secret is refused in {self.environment}")
        if self.dev_signin:
            raise ValueError(f"dev_signin: the demo sign-in is refused in {self.environment}")
        return self

    @property
    def upstreams(self) -> dict[str, str]:
        return {
            "complaints": self.complaints_url,
            "projects": self.projects_url,
            "risk": self.risk_url,
            "notify": self.notify_url,
        }
