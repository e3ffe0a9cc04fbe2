"""Legal pages: stored per slug and language; until an administrator edits one, the
shipped default text (``defaults/<slug>.<locale>.md``) is shown."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import access
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..sanitize import plain_text
from .models import SitePage

DEFAULTS = Path(__file__).parent / "defaults"
SLUGS = {
    "accessibility": _l("Accessibility statement"),
    "privacy": _l("Privacy notice"),
}
MAX_BODY = 50_000


def _default(slug: str, locale: str) -> tuple[str, str]:
    text = (DEFAULTS / f"{slug}.{locale}.md").read_text(encoding="utf-8")
    title, _, body = text.partition("\n")
    return title.lstrip("# ").strip(), body.strip()


def get_page(slug: str, locale: str) -> SitePage:
    if slug not in SLUGS:
        raise NotFound()
    page = db.session.scalar(select(SitePage).where(SitePage.slug == slug, SitePage.locale == locale))
    if page is None:
        title, body = _default(slug, locale)
        page = SitePage(slug=slug, locale=locale, title=title, body=body)
    return page


def save_page(slug: str, locale: str, title: str, body: str, *, actor, now: datetime) -> SitePage:
    access.require(actor, "site:pages:edit", now=now)
    if slug not in SLUGS:
        raise NotFound()
    title = plain_text(title, 200)
    body = plain_text(body)
    if not title or not body:
        raise ValidationFailed(_l("Both the title and the text are required."))
    if len(body) > MAX_BODY:
        raise ValidationFailed(_l("The text is too long (at most %(n)s characters)."), n=MAX_BODY)
    page = db.session.scalar(select(SitePage).where(SitePage.slug == slug, SitePage.locale == locale))
    if page is None:
        page = SitePage(slug=slug, locale=locale)
        db.session.add(page)
    page.title, page.body, page.updated_at, page.updated_by_id = title, body, now, actor.id
    return page


def reset_page(slug: str, locale: str, *, actor, now: datetime) -> bool:
    """Delete the edited text of a page, so the shipped default is shown again."""
    access.require(actor, "site:pages:edit", now=now)
    if slug not in SLUGS:
        raise NotFound()
    page = db.session.scalar(select(SitePage).where(SitePage.slug == slug, SitePage.locale == locale))
    if page is None:
        return False
    db.session.delete(page)
    return True
