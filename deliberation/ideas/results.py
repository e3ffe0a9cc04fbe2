"""Results of a round: ranking by agreement, opinion groups and consensus, theme counts,
and the prefilled Markdown summary.  Reads the database, hands the vote matrix to the
pure ``clustering`` module; nothing here carries a participant identifier outward (voter
hashes become anonymous matrix rows and are dropped)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from kuulas.extensions import db

from . import clustering, common, live_results, opinion_map, reading, tally
from .models import VISIBLE, Idea, IdeaComment, IdeaRound, IdeaVote


@dataclass
class RankedIdea:
    idea: Idea
    counts: tally.Counts
    score: float
    comments: int
    group_agree: list = field(default_factory=list)   # agree share per group (0..1) or None


@dataclass
class RoundResults:
    round: IdeaRound
    ranked: list[RankedIdea]
    participants: int
    votes: int
    comments: int
    groups: list[dict]          # label, size, distinctive: [(RankedIdea, direction)]
    consensus: list[RankedIdea]
    themes: list[tuple[str, int]]
    clustered: int
    min_group: int = clustering.MIN_GROUP


def compute(round_id: int, *, seed: int = 7) -> RoundResults:
    round_ = common.get_round(round_id)
    ideas = list(db.session.scalars(select(Idea).where(Idea.round_id == round_id, Idea.status == VISIBLE)))
    counts = reading.round_counts(round_id)
    comments = reading.comment_counts(round_id)
    ranked = {i.id: RankedIdea(i, counts.get(i.id, tally.Counts()), tally.score(counts.get(i.id, tally.Counts())),
                               comments.get(i.id, 0)) for i in ideas}
    order = tally.rank({i: r.counts for i, r in ranked.items()})

    # The same anonymous matrix the opinion map is drawn from (voters numbered by the
    # database, no hash in this process), so the map and these groups always agree.
    matrix, idea_ids = live_results.vote_matrix(round_id)
    col = {i: j for j, i in enumerate(idea_ids)}
    rows_n = matrix.shape[0]
    # clustering.analyse with the vectorised silhouette: the same groups, much faster.
    analysis = opinion_map.analyse(matrix, idea_ids, seed=seed) if rows_n else clustering.Result(0, [], [])

    if analysis.labels is not None and len(analysis.groups) > 1:
        kept = matrix[(~np.isnan(matrix)).sum(1) >= clustering.MIN_VOTES]
        for g in analysis.groups:
            inside = kept[analysis.labels == g.index]
            seen = (~np.isnan(inside)).sum(0)
            agree = (inside == 1).sum(0)
            for i, j in col.items():
                ranked[i].group_agree.append(float(agree[j] / seen[j]) if seen[j] else None)
    # Every output (pages, summary, CSV/XLSX, the outcomes API) takes groups from here;
    # ``clustering`` has already joined groups under MIN_GROUP to their nearest neighbour,
    # and this check keeps it so even if the pure module were called otherwise.
    groups = [{"label": clustering.group_label(g.index), "size": g.size,
               "distinctive": [(ranked[d.idea_id], d.direction) for d in g.distinctive]}
              for g in analysis.groups] if len(analysis.groups) > 1 else []
    if any(g["size"] < clustering.MIN_GROUP for g in groups):
        groups = []
    themes: dict[str, int] = {}
    for i in ideas:
        for t in i.tags:
            themes[t.name] = themes.get(t.name, 0) + 1
    votes = int(db.session.scalar(select(func.count()).select_from(IdeaVote).join(Idea, Idea.id == IdeaVote.idea_id)
                                  .where(IdeaVote.round_id == round_id, Idea.status == VISIBLE)) or 0)
    n_comments = int(db.session.scalar(select(func.count()).select_from(IdeaComment).where(
        IdeaComment.round_id == round_id, IdeaComment.status == VISIBLE)) or 0)
    return RoundResults(
        round=round_, ranked=[ranked[i] for i in order], participants=reading.participant_count(round_id),
        votes=votes, comments=n_comments, groups=groups,
        consensus=[ranked[i] for i in analysis.consensus],
        themes=sorted(themes.items(), key=lambda t: (-t[1], t[0].lower())), clustered=analysis.participants)


def summary_markdown(res: RoundResults, locale: str) -> str:
    """A first draft for the preparer to edit (Markdown, in ``locale``)."""
    r = res.round
    with force_locale(locale):
        lines = [f"## {r.text('title', locale)}", "",
                 _("Question: %(q)s", q=r.text("question", locale)), "",
                 " ".join((ngettext("%(num)s participant took part:", "%(num)s participants took part:",
                                    res.participants),
                           ngettext("%(num)s idea,", "%(num)s ideas,", len(res.ranked)),
                           ngettext("%(num)s comment", "%(num)s comments", res.comments),
                           ngettext("and %(num)s vote.", "and %(num)s votes.", res.votes))), "",
                 "### " + _("Most agreed ideas"), ""]
        for n, item in enumerate(res.ranked[:10], 1):
            c = item.counts
            # The gettext calls stand outside the f-string, so the catalogue extracts them.
            tallies = ", ".join((ngettext("%(num)s agrees", "%(num)s agree", c.agree),
                                 ngettext("%(num)s disagrees", "%(num)s disagree", c.disagree),
                                 ngettext("%(num)s passed", "%(num)s passed", c.pass_)))
            lines.append(f"{n}. {item.idea.text} ({tallies})")
        if res.consensus:
            lines += ["", "### " + _("Ideas all groups agreed on"), ""]
            lines += [f"- {item.idea.text}" for item in res.consensus]
        if res.groups:
            lines += ["", "### " + _("Opinion groups"), ""]
            for g in res.groups:
                lines.append("- " + ngettext("Group %(label)s (%(num)s participant)",
                                             "Group %(label)s (%(num)s participants)", g["size"], label=g["label"]))
                for item, direction in g["distinctive"][:3]:
                    lines.append("  - " + (_("agreed more than others: %(t)s", t=item.idea.text) if direction > 0
                                           else _("disagreed more than others: %(t)s", t=item.idea.text)))
        if res.themes:
            lines += ["", "### " + _("Themes"), ""]
            lines += [f"- {name}: {n}" for name, n in res.themes]
    return "\n".join(lines).strip() + "\n"
