"""Live results of an open round: the results page with the opinion map while the round
is open, the map alone (an HTML fragment the page swaps in after a live ``map`` event)
and the asking participant's own position as JSON.

Every response that carries "you are here" is ``no-store`` and names the participant only
through their cookie; the position is computed per request (``live_results.my_position``)
and goes nowhere else: not into a table, a log line, a cache or the live stream."""
from __future__ import annotations

from flask import abort, current_app, jsonify, render_template
from flask_login import current_user

from kuulas.clock import utcnow
from kuulas.i18n import reader_locale as _locale

from . import common, live_results, opinion_map, participation, reading
from .models import CLOSED, OPEN
from .view_helpers import bp

MAP_WIDTH, MAP_HEIGHT = 320, 240


def _visible_results_round(round_id: int):
    round_ = common.visible_round(round_id, actor=current_user, now=utcnow())
    if round_.state not in (OPEN, CLOSED):
        abort(404)
    return round_


def map_context(round_, omap=None) -> dict:
    """What ``ideas/_opinion_map.html`` needs, for the asking participant."""
    if omap is None:
        omap = live_results.shown_map(round_)
    participant = participation.current_participant(round_.id)
    you = live_results.my_position(omap, participant)
    voted = len(reading.my_votes(participant)) if participant else 0
    drawn = omap is not None and bool(omap.regions)
    return {"omap": omap, "drawn": drawn, "you": you, "my_vote_count": voted,
            "geometry": opinion_map.layout(omap, you, width=MAP_WIDTH, height=MAP_HEIGHT) if drawn else None,
            "map_ideas": live_results.idea_refs(omap), "min_group": opinion_map.MIN_GROUP,
            "min_votes": opinion_map.clustering.MIN_VOTES, "map_live": round_.state == OPEN}


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def live_page(round_):
    """The results page of an open round: what everyone may already see (the shown counts,
    the last published map) and, for a participant, where they stand."""
    from . import tally

    shown = reading.shown_counts(round_)
    ideas = reading.public_ideas(round_.id, None)
    visible = [i for i in ideas if i.status == "visible"]
    empty = tally.Counts()
    ranked = sorted(visible, key=lambda i: (-tally.score(shown.get(i.id, empty)), -shown.get(i.id, empty).agree,
                                            i.public_id))
    ctx = map_context(round_)
    return _no_store(current_app.make_response(render_template(
        "ideas/live.html", round=round_, locale=_locale(), ranked=ranked[:10], counts=shown,
        votes=sum(c.total for c in shown.values()), idea_total=len(visible), **ctx)))


@bp.get("/<int:round_id>/kartta")
def opinion_map_fragment(round_id: int):
    round_ = _visible_results_round(round_id)
    return _no_store(current_app.make_response(render_template(
        "ideas/_opinion_map.html", round=round_, locale=_locale(), **map_context(round_))))


@bp.get("/<int:round_id>/kartta/oma.json")
def my_position(round_id: int):
    """The asking participant's own position on the shown map (or null)."""
    round_ = _visible_results_round(round_id)
    omap = live_results.shown_map(round_)
    you = live_results.my_position(omap, participation.current_participant(round_.id))
    body = {"position": None if you is None else {"x": round(you.x, 4), "y": round(you.y, 4),
                                                  "nearest": you.nearest, "votes": you.votes}}
    return _no_store(jsonify(body))
