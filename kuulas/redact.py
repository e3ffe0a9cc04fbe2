"""Masking of personal identifiers in free text: Finnish personal identity codes
(henkilötunnus), phone numbers and e-mail addresses.

Pure: imports neither Flask nor SQLAlchemy, does no I/O and never logs.  It must never
return the text it masked, only which kinds it found, so callers can tell the writer
without keeping the identifier anywhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

IDENTITY_CODE, PHONE, EMAIL = "identity_code", "phone", "email"
MASK = {IDENTITY_CODE: "[henkilötunnus]", PHONE: "[puhelinnumero]", EMAIL: "[sähköposti]"}

_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# DDMMYY, century sign (+ - A and the 2023 additions B-F, U-Y), individual number, check char.
_IDENTITY_RE = re.compile(
    r"(?<![0-9A-Za-z])([0-3]\d[01]\d\d\d)\s?([-+ABCDEFUVWXY])\s?(\d{3})([0-9A-Ya-y])(?![0-9A-Za-z])")
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
# +358 or 0 followed by 6-12 digits, optionally grouped by spaces, dashes or dots.
_PHONE_RE = re.compile(r"(?<![\w+])(?:\+|00)?358[\s.-]?\(?0?\)?[\s.-]?\d(?:[\s.-]?\d){5,11}(?!\d)"
                       r"|(?<![\w+])0\d{1,3}(?:[\s.-]?\d){5,9}(?!\d)")


@dataclass(frozen=True)
class Redacted:
    text: str
    found: tuple[str, ...]        # kinds found, in a fixed order, each once

    @property
    def changed(self) -> bool:
        return bool(self.found)


def valid_identity_code(code: str) -> bool:
    """True when ``code`` (DDMMYY?NNNC) has a valid check character and a plausible date."""
    m = _IDENTITY_RE.fullmatch(code.strip())
    return bool(m) and _valid_parts(m.group(1), m.group(3), m.group(4))


def _valid_parts(date: str, individual: str, check: str) -> bool:
    day, month = int(date[:2]), int(date[2:4])
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    return _CHECK[int(date + individual) % 31] == check.upper()


def redact(text: str | None) -> Redacted:
    """Mask identity codes, then e-mail addresses, then phone numbers.  An identity code
    whose check character does not match is masked too when it has the code's exact
    shape with a dash or letter separator (a mistyped code is still personal data)."""
    text = text or ""
    found: list[str] = []

    def identity(m: re.Match) -> str:
        if _valid_parts(m.group(1), m.group(3), m.group(4)) or m.group(2) in "-+A":
            found.append(IDENTITY_CODE)
            return MASK[IDENTITY_CODE]
        return m.group(0)

    text = _IDENTITY_RE.sub(identity, text)

    def email(m: re.Match) -> str:
        found.append(EMAIL)
        return MASK[EMAIL]

    text = _EMAIL_RE.sub(email, text)

    def phone(m: re.Match) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) < 7:
            return m.group(0)
        found.append(PHONE)
        return MASK[PHONE]

    text = _PHONE_RE.sub(phone, text)
    order = (IDENTITY_CODE, EMAIL, PHONE)
    return Redacted(text, tuple(k for k in order if k in found))
