"""Robot credentials at rest: sealed when written, plaintext of older documents still read."""

import pytest
from pydantic import ValidationError

from notify.adapters.documents import group_doc, group_from, recipient_doc, recipient_from
from notify.config import Settings
from notify.domain.model import Group, Recipient, Robot
from qingshan_core.pii import DEV_KEYS, Keyring, PiiError

ISSUER = "https://id.example.cn/realms/qingshan"

pytestmark = pytest.mark.unit
RING = Keyring.from_spec(DEV_KEYS, None)
DING = Robot("https://oapi.dingtalk.com/robot/send?access_token=tok-123", "SEC-abc")
WECOM = Robot("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=key-456")


def test_group_robots_are_sealed_and_read_back() -> None:
    g = Group("eo", "应急办", ("alice",), WECOM, DING)
    doc = group_doc(g, RING)
    assert doc["dingtalk"]["url"].startswith("v1.") and doc["dingtalk"]["secret"].startswith("v1.")
    assert "tok-123" not in str(doc) and "SEC-abc" not in str(doc) and "key-456" not in str(doc)
    assert doc["wecom"]["secret"] == ""  # nothing to seal
    assert group_from(doc, RING) == g


def test_recipient_robots_too_and_plaintext_documents_still_read() -> None:
    r = Recipient(id="bob", name="李强", dingtalk=DING)
    doc = recipient_doc(r, RING)
    assert recipient_from(doc, RING) == r
    legacy = {**doc, "dingtalk": {"url": DING.url, "secret": DING.secret}}
    assert recipient_from(legacy, RING) == r


def test_a_sealed_value_moved_to_another_field_does_not_open() -> None:
    doc = group_doc(Group("eo", "应急办", (), None, DING), RING)
    doc["dingtalk"]["url"] = doc["dingtalk"]["secret"]
    with pytest.raises(PiiError):
        group_from(doc, RING)


def test_development_keys_are_refused_outside_development(monkeypatch) -> None:
    monkeypatch.delenv("QINGSHAN_NOTIFY_CREDENTIAL_KEYS", raising=False)
    strong = "k2026:" + "A" * 43
    with pytest.raises(ValidationError, match="credential_keys"):
        Settings(environment="production", oidc_issuer=ISSUER)
    s = Settings(environment="production", oidc_issuer=ISSUER, credential_keys=strong)
    assert s.credential_keyring().active == "k2026"
