"""Panel-specific failures that carry a list of detailed, translated problems
(row-level CSV errors, conflicting quotas) besides their one-line reason."""
from __future__ import annotations

from kuulas.errors import ValidationFailed


class DetailedValidation(ValidationFailed):
    """``details`` is a list of translated strings, one per problem."""

    def __init__(self, reason, details=(), *, code: str | None = None, **params):
        super().__init__(reason, code=code, **params)
        self.details = [str(d) for d in details]
