"""The digiraati's services, re-exported for callers in other areas (personal data, outcomes,
the demo, tests) that import one module.  The code lives by intent:

- ``core``: the raati and the acting member, the event log, the lifecycle check;
- ``setup``: staff set-up (raati, state, members, agenda, experts' links);
- ``sessions``: sessions, their calendar mail and reminders;
- ``room``: every action in the live room;
- ``drafting``: the statement's versions, reviews and lock;
- ``presence``: who has the room open.

Inside this area, import the module that holds the function.
"""
from __future__ import annotations

from .core import (MAX_MESSAGE, MAX_QUESTION, MAX_REASON, active_members, append,  # noqa: F401
                   assert_can_read_transcript, events_after, get_raati, member_of, membership, my_raatis)
from .drafting import (approval_status, close_drafting, juror_count, review_section,  # noqa: F401
                       save_section, section_tally, sections)
from .presence import (HEARTBEAT, MAX_CONNECTIONS_PER_MEMBER, PRESENCE_TTL, connect,  # noqa: F401
                       connections_of, disconnect, online, presence_of, prune_connections,
                       touch_connections)
from .room import (abilities, answer_question, ask_question, call_next, close_poll,  # noqa: F401
                   create_poll, hide_message, lower_hand, moderate_member, pin_message, poll_counts,
                   post_message, raise_hand, set_display_name, set_phase, timer_action, upvote_question,
                   vote_poll)
from .sessions import add_session, cancel_session, queue_mail, room_url, send_reminders, update_session  # noqa: F401
from .setup import (DEFAULT_AGENDA, UNDO_REMOVAL, _ensure_member, add_member,  # noqa: F401
                    add_panel_members, agenda_event, consume_expert_invite, delete_phase, edit_phase,
                    invite_expert, move_phase, panel_api, peek_expert_invite, save_phase, save_raati,
                    set_role, set_state, staff_remove, staff_restore)
