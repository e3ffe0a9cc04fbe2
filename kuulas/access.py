"""Who may do what: one table of permissions and one check, with a reason.

Permission names are ``area:resource:action``.  Every name checked anywhere must be
registered here (an unknown name raises, so a typo fails closed instead of open).
Areas add their rules from their ``init_app``.  Services call :func:`require`;
templates call :func:`can` only to show or hide controls.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Callable

from flask_babel import lazy_gettext as _l

from .errors import AccessDenied


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    PREPARER = "preparer"
    MODERATOR = "moderator"


ROLE_LABELS = {
    Role.ADMINISTRATOR: _l("Administrator"),
    Role.PREPARER: _l("Preparer"),
    Role.MODERATOR: _l("Moderator"),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: Any = None

    def __bool__(self) -> bool:
        return self.allowed


# A rule is either a set of staff roles or a predicate (actor, target, now) -> Decision.
Rule = frozenset | Callable[[Any, Any, Any], Decision]
_RULES: dict[str, Rule] = {}


def register(action: str, rule: Rule | set | tuple) -> None:
    if isinstance(rule, (set, tuple, list)):
        rule = frozenset(Role(r) for r in rule)
    if action in _RULES and _RULES[action] != rule:
        raise ValueError(f"permission {action!r} registered twice with different rules")
    _RULES[action] = rule


def registered() -> frozenset[str]:
    return frozenset(_RULES)


def roles_of(actor) -> frozenset[Role]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return frozenset()
    return frozenset(actor.role_set)


def can(actor, action: str, target=None, now=None) -> Decision:
    if action not in _RULES:
        raise KeyError(f"unknown permission {action!r}")
    if actor is not None and getattr(actor, "is_authenticated", False) and not actor.is_active:
        return Decision(False, _l("This account has been deactivated."))
    rule = _RULES[action]
    if isinstance(rule, frozenset):
        held = roles_of(actor)
        if Role.ADMINISTRATOR in held or held & rule:
            return Decision(True)
        if not held and not getattr(actor, "is_authenticated", False):
            return Decision(False, _l("Please sign in first."))
        return Decision(False, _l("This needs one of the roles: %(roles)s.")
                        % {"roles": ", ".join(str(ROLE_LABELS[r]) for r in sorted(rule))})
    return rule(actor, target, now)


def require(actor, action: str, target=None, now=None) -> None:
    decision = can(actor, action, target, now)
    if not decision:
        raise AccessDenied(decision.reason)


def _core_rules() -> None:
    register("staff:accounts:manage", {Role.ADMINISTRATOR})
    register("site:pages:edit", {Role.ADMINISTRATOR})
    register("mail:outbox:read", {Role.ADMINISTRATOR})
    register("staff:area:enter", {Role.ADMINISTRATOR, Role.PREPARER, Role.MODERATOR})


_core_rules()
