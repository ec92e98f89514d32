"""Settings of the console (environment variables prefixed QINGSHAN_CONSOLE_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from qingshan_core.ratelimit import parse_limit, parse_networks

PACKAGE = Path(__file__).resolve().parent
# `make install` puts the npm packages beside pyproject.toml; the image copies them here too.
ASSETS = PACKAGE.parents[1] / "node_modules"
# Encrypts the session cookie in development and test only; refused everywhere else.
DEV_SESSION_SECRET = "qingshan-console-development-session-secret"
# The reporter pages' client secret of the development realm (deploy/local/keycloak); refused
# outside development and test like the session secret.
DEV_PUBLIC_CLIENT_SECRET = "console-public-development-secret"


class Settings(BaseSettings):
    """Where the four services are, the identity provider people sign in with, and how the
    session is kept."""

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
    # The OpenID Connect provider people sign in with (authorization code + PKCE), e.g.
    # https://id.example.gov.cn/realms/qingshan; its tokens carry the four services' audiences.
    oidc_issuer: str = ""
    oidc_client_id: str = "qingshan-console"
    oidc_client_secret: SecretStr = SecretStr("")  # empty: a public client (PKCE only)
    oidc_timeout_seconds: float = Field(default=10.0, gt=0)
    # The console's own address as browsers see it (https://… behind the Ingress): the
    # provider redirects back to <public_url>/signin/callback. Empty: the request's own address.
    public_url: str = ""
    # The session (the provider's tokens) lives in an encrypted HttpOnly cookie.
    session_secret: SecretStr = SecretStr(DEV_SESSION_SECRET)
    session_cookie: str = "qingshan_session"
    session_hours: float = Field(default=10.0, gt=0)  # the provider's SSO session ends it sooner
    secure_cookies: bool = False  # true behind TLS (the Ingress); required outside development
    # The reporter pages' `public` token: client credentials of this confidential client at
    # the same provider (console.public_client); its service account holds the role `public`.
    public_client_id: str = "qingshan-console-public"
    public_client_secret: SecretStr = SecretStr(DEV_PUBLIC_CLIENT_SECRET)
    # Abuse limits of the reporter pages per client address (console.limits; `limits`
    # notation). Failed look-ups are tracking codes that name no case (guessing).
    h5_rate_limit_enabled: bool = True
    h5_rate_limit_reports: str = "5/minute"
    h5_rate_limit_lookups: str = "30/minute"
    h5_rate_limit_failed_lookups: str = "10/hour"
    h5_rate_limit_storage: str = "async+memory://"  # per replica; async+redis://… to share
    # Reverse proxies (CIDRs, e.g. the Ingress controller's pods) whose X-Forwarded-For names
    # the reporter's address; none: the peer address (qingshan_core.ratelimit.client_address).
    trusted_proxies: list[str] = Field(default_factory=list)
    assets_dir: Path = ASSETS
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator(
        "h5_rate_limit_reports", "h5_rate_limit_lookups", "h5_rate_limit_failed_lookups"
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
    def _refuse_dev_parts(self) -> Settings:
        if not self.oidc_issuer:
            raise ValueError(
                "oidc_issuer: required (set QINGSHAN_CONSOLE_OIDC_ISSUER to the identity "
                "provider's issuer URL)"
            )
        if self.environment in ("development", "test"):
            return self
        public = self.public_client_secret.get_secret_value()
        if public == DEV_PUBLIC_CLIENT_SECRET or not public:
            raise ValueError(
                f"public_client_secret: the development secret is refused in {self.environment} "
                "(set QINGSHAN_CONSOLE_PUBLIC_CLIENT_SECRET to qingshan-console-public's secret)"
            )
        session = self.session_secret.get_secret_value()
        if session == DEV_SESSION_SECRET or len(session) < 32:
            raise ValueError(
                f"session_secret: the development secret is refused in {self.environment} "
                "(at least 32 characters)"
            )
        if not self.secure_cookies:
            raise ValueError(
                f"secure_cookies: the session cookie must be Secure in {self.environment}"
            )
        return self

    @property
    def upstreams(self) -> dict[str, str]:
        return {
            "complaints": self.complaints_url,
            "projects": self.projects_url,
            "risk": self.risk_url,
            "notify": self.notify_url,
        }
