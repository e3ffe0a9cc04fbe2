from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import processes
from ..clock import utcnow
from ..errors import KuulasError
from ..web import staff_required
from . import services
from .forms import PageForm

bp = Blueprint("pages", __name__)


@bp.get("/")
def front():
    groups = processes.cards(utcnow(), str(get_locale()))
    return render_template("pages/front.html", groups=groups)


@bp.get("/saavutettavuus")
def accessibility():
    return _legal("accessibility")


@bp.get("/tietosuoja")
def privacy():
    return _legal("privacy")


def _legal(slug: str):
    page = services.get_page(slug, str(get_locale()))
    return render_template("pages/legal.html", page=page, slug=slug)


@bp.route("/hallinta/sivut/<slug>/<locale>", methods=["GET", "POST"])
@staff_required("site:pages:edit")
def edit(slug: str, locale: str):
    if slug not in services.SLUGS or locale not in current_app.config["LANGUAGES"]:
        abort(404)
    page = services.get_page(slug, locale)
    form = PageForm(obj=page)
    if form.validate_on_submit():
        try:
            services.save_page(slug, locale, form.title.data, form.body.data,
                               actor=current_user, now=utcnow())
        except KuulasError as exc:
            flash(str(exc), "error")
        else:
            flash(_("The page was saved."), "success")
            return redirect(url_for("pages.edit", slug=slug, locale=locale))
    return render_template("pages/edit.html", form=form, slug=slug, locale=locale,
                           slugs=services.SLUGS)


def init_app(app) -> None:
    app.register_blueprint(bp)
