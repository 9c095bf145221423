"""Opaque citizen ids: a frontend can follow a relative's id without ever seeing an IIN.

AES-SIV is deterministic (the same person has the same id in every response, so edges of
a family graph meet their nodes) and authenticated (a made-up id is refused, not decoded
to someone).
"""
from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

_PREFIX = "c_"
_AD = [b"familycard citizen id v1"]


class Ids:
    def __init__(self, secret: str | None):
        # A 512-bit AES-SIV key from whatever secret is configured; random when there is none.
        self._siv = AESSIV(hashlib.sha512(secret.encode()).digest() if secret else AESSIV.generate_key(512))

    def encode(self, iin: str) -> str:
        return self.seal(iin, _PREFIX)

    def decode(self, cid: str) -> str | None:
        """The IIN behind an id, or None if the id is not one of ours."""
        return self.unseal(cid, _PREFIX, 80)

    def seal(self, text: str, prefix: str) -> str:
        """Any identifier that holds IINs (an offer's key), sealed the same way."""
        ad = [*_AD, prefix.encode()]
        return prefix + base64.urlsafe_b64encode(self._siv.encrypt(text.encode(), ad)).rstrip(b"=").decode()

    def unseal(self, sealed: str, prefix: str, max_len: int = 400) -> str | None:
        if not sealed.startswith(prefix) or len(sealed) > max_len:
            return None
        raw = sealed[len(prefix):]
        try:
            return self._siv.decrypt(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)),
                                     [*_AD, prefix.encode()]).decode()
        except (InvalidTag, binascii.Error, ValueError, UnicodeDecodeError):
            return None
