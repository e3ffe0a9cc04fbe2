"""The idea-round services, re-exported for callers outside ``deliberation.ideas`` (other
areas, their tests, the benchmarks).  Inside the area import the module by intent:
``rounds`` (set-up, open and close), ``participating`` (ideas, comments, votes, dealing),
``moderation``, ``reading`` (counts, lists, the shown snapshot) and ``common`` (lookups).
None of them commits: the caller owns the transaction.
"""
from __future__ import annotations

from . import tally  # noqa: F401
from .common import (MAX_COMMENT, MAX_REASON, MAX_TAG, MIN_IDEA, NO_COMMENT, NO_IDEA,  # noqa: F401
                     ROUND_CLOSED, Participant, find_comment, find_idea, get_round, valid_public_id,
                     visible_round)
from .moderation import moderate, queue, set_tags  # noqa: F401
from .participating import (FLAG_REASONS, Dealt, edit_comment, edit_idea, flag, post_comment,  # noqa: F401
                            post_idea, request_notification, vote, vote_and_deal, withdraw_comment,
                            withdraw_idea)
from .reading import (HOLD_MAX_SECONDS, HOLD_VOTES, comment_counts, comments_of, deal_counts,  # noqa: F401
                      idea_counts, idea_index, ideas_by_id, my_votes, next_idea, participant_count,
                      public_ideas, publish_counts, round_counts, shown_counts, shown_idea_counts)
from .rounds import advance_rounds, close_now, create_round, rounds, update_round  # noqa: F401
