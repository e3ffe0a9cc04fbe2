"""Public pages: the front page and the two legal pages (accessibility statement,
privacy notice) whose content an administrator edits, per language."""


def init_app(app) -> None:
    from . import views

    views.init_app(app)
