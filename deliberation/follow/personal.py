"""For the personal-data map (issue #18): what following holds about an e-mail address,
and erasing it.  Neither function commits."""
from __future__ import annotations

from sqlalchemy import select

from kuulas.accounts.services import normalise_email
from kuulas.extensions import db

from .models import FollowAddress


def _address(email: str) -> FollowAddress | None:
    return db.session.scalar(select(FollowAddress).where(FollowAddress.email == normalise_email(email)))


def export_for(email: str) -> list[dict]:
    address = _address(email)
    if address is None:
        return []
    rows = [{"table": "follow_address", "email": address.email, "language": address.locale,
             "created_on": address.created_on.date().isoformat(),
             "last_digest_at": address.last_digest_at.isoformat() if address.last_digest_at else None}]
    rows += [{"table": "follow", "kind": f.kind, "target_id": f.target_id,
              "confirmed": f.confirmed_on is not None, "created_on": f.created_on.date().isoformat()}
             for f in sorted(address.follows, key=lambda f: (f.kind, f.target_id))]
    return rows


def erase_for(email: str) -> int:
    """Delete the address, its follows and follow mails to it in the outbox; returns the
    number of follow rows and addresses deleted."""
    from .services import forget_address

    address = _address(email)
    if address is None:
        return 0
    count = 1 + len(address.follows)
    forget_address(address)
    return count
