"""The one place where user-written text becomes HTML.

Text is either shown plain (Jinja autoescaping) or rendered from a small Markdown subset:
paragraphs, line breaks, emphasis, lists, block quotes and links.  markdown-it-py parses
with raw HTML off, then nh3 (the maintained Rust sanitiser; bleach is end-of-life)
removes anything outside the allowlist, so even a bug in the Markdown step cannot let
script, event handlers or ``javascript:`` links through.
"""
from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from .text import clean

_md = (MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True})
       .enable(["emphasis", "list", "link", "newline", "blockquote", "heading", "escape",
                "backticks", "autolink"]))

_SAFE_LINK = re.compile(r"^(https?://|mailto:|/(?!/)|#)", re.IGNORECASE)
# Anything else (javascript:, data:, look-alikes hidden behind invisible characters) stays text.
_md.validateLink = lambda url: bool(_SAFE_LINK.match(url))

ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "a", "blockquote", "code",
                "h2", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="nofollow noopener noreferrer ugc",
                     strip_comments=True)


def markdown(text: str | None) -> Markup:
    """Render the Markdown subset to safe HTML.  Headings are shifted down so user text
    never produces an ``h1`` that competes with the page's own heading."""
    source = text or ""
    html = _md.render(source)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return Markup(clean_html(html))


_H2 = re.compile(r"<h2>(.*?)</h2>", re.S)
_TAG = re.compile(r"<[^>]+>")


def with_section_ids(html: Markup, prefix: str = "section") -> tuple[Markup, list[tuple[str, str]]]:
    """Give each ``<h2>`` of already-sanitised HTML an id (``prefix-1`` …) and return the
    ``(id, title)`` list for an "on this page" menu.  The titles are plain text (the
    template escapes them); the ids are ours, never the author's."""
    from html import unescape

    sections: list[tuple[str, str]] = []

    def number(m):
        anchor = f"{prefix}-{len(sections) + 1}"
        sections.append((anchor, unescape(_TAG.sub("", m.group(1))).strip()))
        return f'<h2 id="{anchor}">{m.group(1)}</h2>'

    return Markup(_H2.sub(number, str(html))), sections


def plain_text(text: str | None, limit: int | None = None) -> str:
    """Normalise user text for storage (``kuulas.text.clean``): NFC, no control or bidi
    control characters, emoji joiners kept, trimmed, optional limit."""
    return clean(text, limit)


def bdi(text) -> Markup:
    """Inline user text (a name, a title, an address) isolated from the text around it:
    ``<bdi>``, so a right-to-left name cannot reorder the sentence or table cell it sits in.
    The text is escaped; ``None`` gives an empty isolate."""
    return Markup("<bdi>%s</bdi>") % ("" if text is None else text)


def init_app(app) -> None:
    app.jinja_env.filters["markdown"] = markdown
    app.jinja_env.filters["bdi"] = bdi
