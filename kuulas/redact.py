"""Masking what identifies a person in free text, before it is stored.  Pure: no Flask, no I/O.

Used wherever people write free text that staff or the public will read without knowing
who wrote it (service feedback, survey answers).  What is masked:

- anything shaped like a Finnish personal identity code (henkilötunnus): DDMMYY, a century
  sign (+ for the 1800s; - Y X W V U for the 1900s; A B C D E F for the 2000s), three digits
  and a check character.  Masked whether or not the check character is right: a mistyped
  code still identifies a person;
- telephone numbers: Finnish (040 123 4567, 040-1234567, 09 123 4567) and international
  (+358 40 123 4567, 0046 8 123 456) forms with 7 to 15 digits;
- e-mail addresses.

Must never keep the original of what it masks anywhere (no return value, no log).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MASK = "[***]"
HETU, PHONE, EMAIL = "identity_code", "phone", "email"

_HETU = re.compile(
    r"(?<![0-9A-Za-z])(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])(\d\d)\s?[-+AaBbCcDdEeFfYyXxWwVvUu]\s?"
    r"\d{3}[0-9A-Ya-y](?![0-9A-Za-z])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(\.[\w-]+)+", re.UNICODE)
# A run of digits with spaces, dashes, slashes or brackets between them; checked for its digit
# count below.  Starts with +, 00 or 0 (Finnish numbers always start with 0 or +358).  Dots are
# not separators: "01.02.2025" and "klo 08.30" are a date and a time, not a number to hide.
_PHONE = re.compile(r"(?<![\w+.,])(\+|00|0)[\d\s()\-/]{5,22}\d(?![\w.,]\d)(?!\w)")
_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


@dataclass(frozen=True)
class Masked:
    text: str
    found: frozenset   # kinds masked: HETU, PHONE, EMAIL

    @property
    def changed(self) -> bool:
        return bool(self.found)


def valid_identity_code(code: str) -> bool:
    """True if ``code`` is a well-formed henkilötunnus with the right check character."""
    code = code.strip().upper()
    m = re.fullmatch(r"(\d{6})[-+ABCDEFYXWVU](\d{3})([0-9A-Y])", code)
    return bool(m) and _CHECK[int(m.group(1) + m.group(2)) % 31] == m.group(3)


def _phone_digits_ok(match: re.Match) -> bool:
    digits = sum(ch.isdigit() for ch in match.group(0))
    return 7 <= digits <= 15


def mask(text: str | None) -> Masked:
    """Return the text with identity codes, phone numbers and e-mail addresses replaced
    by ``MASK``, and which kinds were found."""
    if not text:
        return Masked(text or "", frozenset())
    found: set[str] = set()

    def sub(kind, pattern, value, check=None):
        def repl(m):
            if check is not None and not check(m):
                return m.group(0)
            found.add(kind)
            return MASK
        return pattern.sub(repl, value)

    value = sub(EMAIL, _EMAIL, text)
    value = sub(HETU, _HETU, value)
    value = sub(PHONE, _PHONE, value, _phone_digits_ok)
    return Masked(value, frozenset(found))
