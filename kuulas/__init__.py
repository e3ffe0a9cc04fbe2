"""Kuulas shared kernel: configuration, extensions, accounts, access rules, mail outbox,
scheduler, sanitising, languages and the base layout.  Areas (``panel``,
``deliberation``) build on it; it never imports them."""
