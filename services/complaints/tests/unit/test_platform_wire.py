"""The wire to the platforms, without servers: signatures, what an answer means, the field
mapping as configuration, the backoff, and the settings' refusal of development keys."""

from __future__ import annotations

import hashlib
import hmac
import random
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from complaints.adapters.platform_client import SigningKeys, classify, retry_after, tls_context
from complaints.adapters.platform_mapping import PlatformConfig, step_body
from complaints.config import Settings
from complaints.domain.model import Satisfaction
from complaints.service_layer.platform_steps import Backoff
from qingshan.complaints.v1 import events_pb2 as pb

pytestmark = pytest.mark.unit
STRONG = "k1:" + "s" * 40


def test_signature_covers_timestamp_nonce_and_the_exact_body() -> None:
    keys = SigningKeys("old:" + "o" * 40 + "," + STRONG)
    body = '{"工单号":"GD1"}'.encode()
    h = keys.sign(body)
    assert h["X-Qingshan-Key-Id"] == "k1"  # the last key is the active one
    mac = hmac.new(
        b"s" * 40,
        f"{h['X-Qingshan-Timestamp']}\n{h['X-Qingshan-Nonce']}\n".encode() + body,
        hashlib.sha256,
    ).hexdigest()
    assert h["X-Qingshan-Signature"] == mac
    assert keys.sign(body)["X-Qingshan-Nonce"] != h["X-Qingshan-Nonce"]
    assert keys.sign(body, "old")["X-Qingshan-Key-Id"] == "old"
    with pytest.raises(ValueError):
        keys.sign(body, "nope")
    with pytest.raises(ValueError):
        SigningKeys("no-colon")


def _answer(status: int, body: str = "{}", **headers: str) -> httpx.Response:
    return httpx.Response(status, text=body, headers=headers)


def test_answers_mean_delivered_retry_or_refused() -> None:
    assert classify(_answer(200, '{"result":"ok"}')).outcome == "delivered"
    assert classify(_answer(200, '{"duplicate":true}')).outcome == "duplicate"
    busy = classify(_answer(503, "busy", **{"Retry-After": "7"}))
    assert (busy.outcome, busy.retry_after) == ("retry", 7.0)
    assert classify(_answer(429)).outcome == "retry"
    assert classify(_answer(500)).outcome == "retry"
    refused = classify(_answer(422, '{"code":"STEP_REFUSED","message":"原因不符合"}'))
    assert (refused.outcome, refused.status) == ("refused", 422)
    assert "原因不符合" in refused.body
    assert classify(_answer(404)).outcome == "refused"
    assert classify(_answer(409)).outcome == "refused"
    later = (datetime.now(UTC) + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 25 <= (retry_after(later) or 0) <= 31
    assert retry_after(None) is None and retry_after("soon") is None


def _step(**over: object) -> pb.PlatformStepQueued:
    fields: dict[str, object] = {
        "complaint_id": "TS1",
        "platform": "12345",
        "order_number": "GD1",
        "seq": 4,
        "step": "reply",
        "unit_id": "town-a",
        "reply_text": "已整改",
        "category": "noise",
    }
    msg = pb.PlatformStepQueued(**(fields | over))  # type: ignore[arg-type]
    msg.occurred_at.FromDatetime(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    msg.deadline.FromDatetime(datetime(2026, 3, 9, 15, 59, 59, tzinfo=UTC))
    return msg


def test_the_default_mapping_uses_the_fields_seen_in_practice() -> None:
    body = step_body(PlatformConfig(), _step())
    assert body == {
        "工单号": "GD1",
        "办理环节": "回复",
        "序号": 4,
        "诉求类型": "生态环境-噪声",
        "办理时间": "2026-03-02 09:00:00",
        "办理时限": "2026-03-09 23:59:59",
        "承办单位": "town-a",
        "办理结果": "已整改",
    }
    ext = step_body(PlatformConfig(), _step(step="extend", extension="3个工作日", extension_days=3))
    assert ext["办理环节"] == "延期申请" and ext["延期时长"] == "3个工作日"
    assert ext["延期天数"] == 3 and "办理结果" not in ext
    close = step_body(PlatformConfig(), _step(step="close", substantiated="true"))
    assert close["是否属实"] == "属实" and "办理结果" not in close


def test_a_province_renames_fields_and_codes_by_configuration() -> None:
    cfg = PlatformConfig.model_validate(
        {
            "base_url": "https://12345.example.gov.cn/api",
            "step_path": "/workorders/{order_number}/feedback",
            "fields": {"order_number": "GDBH", "result": "BLJG"},
            "steps": {"reply": "04"},
            "satisfaction": {"1": "satisfied", "2": "basically_satisfied", "3": "dissatisfied"},
        }
    )
    body = step_body(cfg, _step())
    assert body["GDBH"] == "GD1" and body["BLJG"] == "已整改" and body["办理环节"] == "04"
    assert cfg.url("GD1") == "https://12345.example.gov.cn/api/workorders/GD1/feedback"
    assert cfg.satisfaction_of("3") is Satisfaction.DISSATISFIED
    assert cfg.satisfaction_of("dissatisfied") is Satisfaction.DISSATISFIED
    assert cfg.satisfaction_of("满意") is None  # this province writes digits
    with pytest.raises(ValidationError):
        PlatformConfig.model_validate({"steps": {"sign": "x"}})


def test_backoff_grows_to_its_cap_with_jitter_and_honours_retry_after() -> None:
    b, rnd = Backoff(base=1.0, cap=60.0), random.Random(7)
    delays = [b.delay(n, None, rnd) for n in range(12)]
    assert all(0.5 * min(60, 2**n) <= d <= min(60, 2**n) for n, d in enumerate(delays))
    assert max(delays) <= 60 and len(set(delays)) == len(delays)
    assert b.delay(0, 30.0, rnd) == 30.0  # the platform asked for more than the backoff
    assert b.delay(0, 600.0, rnd) == 60.0  # never past the cap


def test_development_signing_keys_are_refused_outside_development(monkeypatch) -> None:
    monkeypatch.setenv("QINGSHAN_COMPLAINTS_JWT_SECRET", "j" * 40)
    monkeypatch.setenv("QINGSHAN_COMPLAINTS_PII_KEYS", "k:" + "A" * 43 + "=")
    monkeypatch.setenv("QINGSHAN_COMPLAINTS_PII_INDEX_KEY", "B" * 43 + "=")
    # Production verifies the identity provider's tokens (no development tokens there).
    monkeypatch.setenv("QINGSHAN_COMPLAINTS_OIDC_ISSUER", "https://idp.example/realms/qingshan")
    with pytest.raises(ValidationError, match="platform_keys"):
        Settings(environment="production")
    with pytest.raises(ValidationError, match="platform_keys"):
        Settings(environment="production", platform_keys="k:short")
    assert Settings(environment="production", platform_keys=STRONG).signing_keys().active == "k1"
    assert Settings(environment="development").signing_keys().is_weak()


def test_platforms_come_from_settings_or_a_document(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("QINGSHAN_COMPLAINTS_PLATFORMS", '{"12345": {"base_url": "http://a"}}')
    doc = tmp_path / "platforms.json"
    doc.write_text('{"12369": {"base_url": "https://b", "dissatisfied": "record"}}')
    s = Settings(environment="test", platforms_file=doc)
    configs = s.platform_configs()
    assert configs["12345"].url("X") == "http://a/orders/X/steps"
    assert configs["12369"].dissatisfied == "record" and s.platforms_connected
    monkeypatch.setenv("QINGSHAN_COMPLAINTS_PLATFORMS", '{"110": {}}')
    with pytest.raises(ValidationError, match="unknown platform"):
        Settings(environment="test")


def test_mutual_tls_loads_our_certificate_and_the_platforms_ca(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "qingshan-complaints")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "client.pem", tmp_path / "client.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    assert tls_context(None, None, None) is True
    ctx = tls_context(str(cert_file), str(key_file), str(cert_file))
    assert isinstance(ctx, ssl.SSLContext) and ctx.verify_mode is ssl.CERT_REQUIRED
    assert len(ctx.get_ca_certs()) == 1  # the platform's CA, not the system store only
