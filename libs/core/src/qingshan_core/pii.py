"""Personal data at rest: authenticated encryption with a key id, masking, and a blind index.

Ciphertexts are self-describing strings `v1.<kid>.<nonce>.<ciphertext>` (URL-safe base64, AES-256-
GCM, the field name bound as associated data so a value cannot be moved to another field). Keys
rotate by adding a new key id and making it active: old values stay readable under their kid.
A blind index (HMAC-SHA256 under its own key) lets the service match equal phone numbers
(duplicates, hotspots) without storing or decrypting them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# Development-only key material; Keyring.from_spec refuses it outside development.
DEV_KEYS = "dev1:" + base64.urlsafe_b64encode(b"qingshan-dev-pii-key-32-bytes!!!").decode()
DEV_INDEX_KEY = base64.urlsafe_b64encode(b"qingshan-dev-blind-index-key-32b").decode()
_PREFIX = "v1"


class PiiError(ValueError):
    """A ciphertext that cannot be read (unknown key id, tampered, malformed)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Keyring:
    """AES-256 keys by id; `active` encrypts, all of them decrypt. `index_key` is the blind
    index's own key: it never rotates with the encryption keys, or equal values stop matching
    (None for a keyring that only encrypts)."""

    keys: Mapping[str, bytes]
    active: str
    index_key: bytes | None = None

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise ValueError(f"active key id {self.active!r} is not in the keyring")
        for kid, key in self.keys.items():
            if len(key) != 32 or not re.fullmatch(r"[A-Za-z0-9_-]+", kid):
                raise ValueError(f"key {kid!r}: ids are [A-Za-z0-9_-], keys 32 bytes")
        if self.index_key is not None and len(self.index_key) < 32:
            raise ValueError("the blind index key must have at least 32 bytes")

    @classmethod
    def from_spec(cls, spec: str, index_key: str | None, active: str | None = None) -> Keyring:
        """Parse `kid:base64key,kid2:base64key` (the last is active unless named) and the
        base64 blind index key (None: no blind index)."""
        keys: dict[str, bytes] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            kid, _, b64 = part.partition(":")
            keys[kid] = _unb64(b64)
        if not keys:
            raise ValueError("no PII keys configured")
        return cls(keys, active or list(keys)[-1], None if index_key is None else _unb64(index_key))

    def is_development(self) -> bool:
        dev = Keyring.from_spec(DEV_KEYS, DEV_INDEX_KEY)
        return any(k in dev.keys.values() for k in self.keys.values()) or (
            self.index_key is not None and self.index_key == dev.index_key
        )

    def encrypt(self, plaintext: str, field: str) -> str:
        """Encrypt a value for a named field (the field name is authenticated too)."""
        nonce = os.urandom(12)
        ct = AESGCM(self.keys[self.active]).encrypt(nonce, plaintext.encode(), field.encode())
        return f"{_PREFIX}.{self.active}.{_b64(nonce)}.{_b64(ct)}"

    def decrypt(self, token: str, field: str) -> str:
        """Decrypt a value written by `encrypt` for the same field."""
        try:
            prefix, kid, nonce, ct = token.split(".")
        except ValueError as exc:
            raise PiiError("malformed ciphertext") from exc
        if prefix != _PREFIX or kid not in self.keys:
            raise PiiError(f"unknown key id {kid!r}")
        try:
            return (
                AESGCM(self.keys[kid]).decrypt(_unb64(nonce), _unb64(ct), field.encode()).decode()
            )
        except (InvalidTag, ValueError) as exc:
            raise PiiError("ciphertext failed authentication") from exc

    def key_id(self, token: str) -> str:
        return token.split(".")[1]

    def blind_index(self, value: str, purpose: str) -> str:
        """A keyed, non-reversible digest for equality matching of one kind of value."""
        if self.index_key is None:
            raise ValueError("this keyring has no blind index key")
        key = hmac.new(self.index_key, b"blind-index:" + purpose.encode(), hashlib.sha256).digest()
        return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def mask_phone(phone: str) -> str:
    """138****5678 for a mobile number; keeps the last four digits of anything else."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "****"


def mask_name(name: str) -> str:
    """张* / 欧阳** : the family name (one character) stays, the rest is hidden."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)
