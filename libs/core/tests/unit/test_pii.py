"""PII encryption: authenticated, bound to its field, rotatable; masking; blind index."""

from __future__ import annotations

import base64

import pytest

from qingshan_core.pii import DEV_INDEX_KEY, DEV_KEYS, Keyring, PiiError, mask_name, mask_phone

pytestmark = pytest.mark.unit


def key(c: bytes) -> str:
    return base64.urlsafe_b64encode(c * 32).decode()


IDX = key(b"i")


def test_round_trip_and_no_plaintext():
    ring = Keyring.from_spec(f"k1:{key(b'a')}", IDX)
    ct = ring.encrypt("13812345678", "phone")
    assert "13812345678" not in ct and ct.startswith("v1.k1.")
    assert ring.decrypt(ct, "phone") == "13812345678"
    assert ring.encrypt("13812345678", "phone") != ct  # random nonce


def test_ciphertext_is_bound_to_its_field_and_tamper_evident():
    ring = Keyring.from_spec(f"k1:{key(b'a')}", IDX)
    ct = ring.encrypt("张三", "name")
    with pytest.raises(PiiError):
        ring.decrypt(ct, "phone")
    tampered = ct[:-2] + ("A" if ct[-2] != "A" else "B") + ct[-1]
    with pytest.raises(PiiError):
        ring.decrypt(tampered, "name")
    with pytest.raises(PiiError):
        ring.decrypt("garbage", "name")


def test_rotation_keeps_old_values_readable_and_index_stable():
    old = Keyring.from_spec(f"k1:{key(b'a')}", IDX)
    ct_old = old.encrypt("13900001111", "phone")
    new = Keyring.from_spec(f"k1:{key(b'a')},k2:{key(b'b')}", IDX)
    assert new.active == "k2" and new.key_id(new.encrypt("x", "f")) == "k2"
    assert new.decrypt(ct_old, "phone") == "13900001111"
    assert old.blind_index("13900001111", "phone") == new.blind_index("13900001111", "phone")
    assert new.blind_index("13900001111", "phone") != new.blind_index("13900001112", "phone")
    with pytest.raises(PiiError, match="unknown key id"):
        Keyring.from_spec(f"k2:{key(b'b')}", IDX).decrypt(ct_old, "phone")


def test_development_keys_are_recognisable():
    assert Keyring.from_spec(DEV_KEYS, DEV_INDEX_KEY).is_development()
    assert not Keyring.from_spec(f"k1:{key(b'a')}", IDX).is_development()


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("023-6712345", "******2345"),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_name():
    assert (mask_name("张三"), mask_name("欧阳娜娜"), mask_name("")) == ("张*", "欧***", "")
