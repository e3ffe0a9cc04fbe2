"""Panel-specific failures that carry a list of detailed problems (row-level CSV errors,
conflicting quotas) besides their one-line reason.

Messages stay lazy (:class:`Msg`) until shown, so a service called from the CLI or a job,
outside any request, never needs a locale, and a page shows them in the reader's language.
"""
from __future__ import annotations

from kuulas.errors import ValidationFailed


class Msg:
    """A lazily translated message with its parameters."""

    def __init__(self, text, params: dict | None = None):
        self.text, self.params = text, dict(params or {})

    def __str__(self) -> str:
        try:
            return str(self.text) % self.params if self.params else str(self.text)
        except (KeyError, TypeError, ValueError):
            return str(self.text)

    def __html__(self) -> str:  # Jinja escapes str(self)
        from markupsafe import escape

        return str(escape(str(self)))


class DetailedValidation(ValidationFailed):
    def __init__(self, reason, details=(), *, code: str | None = None, **params):
        super().__init__(reason, code=code, **params)
        self._details = list(details)

    @property
    def details(self) -> list[str]:
        return [str(d) for d in self._details]
