"""Settings: no default environment, an issuer outside development; logs carry no personal data."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from qingshan_core.logging import configure_logging, get_logger
from qingshan_core.settings import DEV_JWT_SECRET, ServiceSettings

pytestmark = pytest.mark.unit


def test_development_accepts_the_dev_secret():
    s = ServiceSettings(environment="development", service_name="risk")
    assert s.jwt_secret.get_secret_value() == DEV_JWT_SECRET and s.accepts_development_tokens
    assert s.topic == "qingshan.risk.v1" and s.mongo_db == "qingshan_risk"
    assert s.audience == "qingshan-risk"


def test_the_environment_has_no_default(monkeypatch):
    monkeypatch.delenv("QINGSHAN_ENVIRONMENT", raising=False)
    with pytest.raises(ValidationError, match="environment"):
        ServiceSettings()


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_outside_development_an_issuer_is_required(environment):
    with pytest.raises(ValidationError, match="oidc_issuer"):
        ServiceSettings(environment=environment)
    s = ServiceSettings(environment=environment, oidc_issuer="https://id.example.cn/realms/q")
    assert not s.accepts_development_tokens


def test_production_reads_its_issuer_from_the_environment(monkeypatch):
    monkeypatch.setenv("QINGSHAN_ENVIRONMENT", "production")
    monkeypatch.setenv("QINGSHAN_OIDC_ISSUER", "https://id.example.cn/realms/qingshan")
    monkeypatch.setenv("QINGSHAN_OIDC_AUDIENCE", "qingshan")
    s = ServiceSettings()
    assert s.environment == "production" and s.audience == "qingshan"


def test_personal_data_is_redacted(capsys):
    configure_logging("complaints", json=True)
    get_logger("t").info("complaint.received", phone="13800138000", name="李四", category="noise")
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["phone"] == "[redacted]" and line["name"] == "[redacted]"
    assert line["category"] == "noise" and line["service"] == "complaints"
