"""Settings refuse development secrets outside development; logs never carry personal data."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from qingshan_core.logging import configure_logging, get_logger
from qingshan_core.settings import DEV_JWT_SECRET, ServiceSettings

pytestmark = pytest.mark.unit


def test_development_accepts_the_dev_secret():
    s = ServiceSettings(service_name="risk")
    assert s.jwt_secret.get_secret_value() == DEV_JWT_SECRET
    assert s.topic == "qingshan.risk.v1" and s.mongo_db == "qingshan_risk"


@pytest.mark.parametrize("secret", [DEV_JWT_SECRET, "short"])
def test_production_refuses_weak_secrets(secret):
    with pytest.raises(ValidationError, match="jwt_secret"):
        ServiceSettings(environment="production", jwt_secret=secret)


def test_production_accepts_a_real_secret(monkeypatch):
    monkeypatch.setenv("QINGSHAN_ENVIRONMENT", "production")
    monkeypatch.setenv("QINGSHAN_JWT_SECRET", "k" * 48)
    assert ServiceSettings().environment == "production"


def test_personal_data_is_redacted(capsys):
    configure_logging("complaints", json=True)
    get_logger("t").info("complaint.received", phone="13800138000", name="李四", category="noise")
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["phone"] == "[redacted]" and line["name"] == "[redacted]"
    assert line["category"] == "noise" and line["service"] == "complaints"
