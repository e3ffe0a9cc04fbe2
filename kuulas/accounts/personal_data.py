"""Personal data of the accounts area (see ``kuulas.personal``): the account row itself."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from ..errors import Conflict
from ..extensions import db
from ..personal import registry
from .models import Account, AccountRole, LoginToken

# Tables whose rows belong to the account and go with it; any other row still pointing at
# the account means an area did not erase its part, so the erasure stops (and rolls back).
_OWNED = {"account_role", "login_token"}


def _account(subject: registry.Subject) -> Account | None:
    if subject.account_id is not None:
        return db.session.get(Account, subject.account_id)
    return db.session.scalar(select(Account).where(Account.email == subject.email))


def export(subject):
    account = _account(subject)
    if account is None:
        return []
    return [{"email": account.email, "display_name": account.display_name, "language": account.locale,
             "created_at": account.created_at, "last_sign_in": account.last_login_at,
             "roles": sorted(r.role for r in account.roles)}]


def blockers(subject, now):
    account = _account(subject)
    if account is not None and account.roles:
        return [_l("This is a staff account: an administrator deactivates it in staff management "
                   "before its data can be erased.")]
    return []


def erase(subject, now) -> int:
    account = _account(subject)
    if account is None:
        return 0
    for table in db.metadata.sorted_tables:
        if table.name in _OWNED:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "account" and fk.ondelete != "SET NULL":
                if db.session.scalar(select(func.count()).select_from(table)
                                     .where(fk.parent == account.id)):
                    raise Conflict(_l("Some data still refers to this account; nothing was erased."))
    db.session.execute(delete(LoginToken).where(LoginToken.account_id == account.id))
    db.session.execute(delete(AccountRole).where(AccountRole.account_id == account.id))
    db.session.delete(account)
    return 1


def register_all() -> None:
    registry.register(registry.PersonalData(
        area="accounts", model=Account, linked=(AccountRole, LoginToken),
        columns=("email", "display_name", "locale", "created_at", "last_login_at"),
        title=_l("Account"),
        about=_l("Residents who sign in with a link, and staff"),
        purpose=_l("Signing in, and sending a person the mail of the processes they take part in."),
        basis=_l("Residents: GDPR art. 6(1)(e), resident participation (Wellbeing Services Counties "
                 "Act 611/2021, § 29). Staff: art. 6(1)(b) and (c), employment and information "
                 "security (Information Management Act 906/2019)."),
        retention="accounts_inactive", export=export, erase=erase, stage=90))
    from ..personal import services

    services.register_blocker(blockers)
