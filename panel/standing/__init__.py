"""Standing panels: membership periods and renewal, draw groups from the pool, idea-round
invitations to the pool and the member's own page.  The pool API is :mod:`panel.pool`."""
