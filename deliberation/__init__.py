"""Deliberation: idea rounds (verkkoavoriihi), digiraati rooms and outcomes."""
