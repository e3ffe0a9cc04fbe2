"""Staff pages of service feedback: the handler's queue, one feedback, units and kiosks,
development items and the monthly summary.  Each action is one service call through
``kuulas.web.form_page`` / ``attempt`` (one transaction, translated errors)."""
from __future__ import annotations


from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from kuulas.clock import utcnow
from kuulas.web import attempt, form_page, staff_required
from kuulas.i18n import reader_locale as _locale

from . import lifecycle as lc
from . import reading, services
from .forms import (AREA_LABELS, KIND_LABELS, RATING_LABELS, AnswerForm, DecisionForm, ItemForm, KioskForm,
                    ModerateForm, TagForm, UnitForm)
from .rules import ITEMS, MANAGE, QUEUE, SUMMARY

bp = Blueprint("feedback_staff", __name__, url_prefix="/hallinta/palaute")
LOCALES = ("fi", "sv", "en")


def state_labels():
    return {lc.NEW: _("New"), lc.IN_HAND: _("In hand"), lc.ANSWERED: _("Answered"), lc.CLOSED: _("Closed")}


def urgency_labels():
    return {"overdue": _("Overdue"), "near": _("Due soon"), "ok": _("On time"), "done": _("Handled")}


@bp.get("")
@staff_required(QUEUE)
def queue_page():
    now = utcnow()
    unit_id = request.args.get("yksikko", type=int)
    state = request.args.get("tila")
    rows = services.queue(actor=current_user, now=now, unit_id=unit_id, state=state)
    return render_template("feedback/staff_queue.html", rows=rows, units=services.handled_units(current_user),
                           unit_id=unit_id, state=state, today=now.date(), urgency=lc.urgency,
                           state_labels=state_labels(), urgency_labels=urgency_labels(),
                           rating_labels=RATING_LABELS, kind_labels=KIND_LABELS, locale=_locale())


def _detail(feedback, *, answer=None, moderate=None, tags=None, status=200):
    has_contact = services.has_contact(feedback)
    return render_template(
        "feedback/staff_feedback.html", f=feedback, has_contact=has_contact,
        answer_form=answer or AnswerForm(formdata=None),
        moderate_form=moderate or ModerateForm(formdata=None, data={"public_text": feedback.public_text or feedback.text}),
        tag_form=tags or TagForm(formdata=None, data={"tags": ", ".join(feedback.tags or [])}),
        allowed=lambda action: lc.allowed(action, feedback.state, has_contact=has_contact),
        why_not=lambda action: services.WHY_NOT.get(lc.why_not(action, feedback.state, has_contact=has_contact)),
        state_labels=state_labels(), rating_labels=RATING_LABELS, kind_labels=KIND_LABELS,
        urgency=lc.urgency(feedback.due_on, utcnow().date(), feedback.state), urgency_labels=urgency_labels(),
        items=[i for i in services.items(actor=current_user, now=utcnow()) if i.state == lc.ITEM_OPEN
               and i.unit_id in (None, feedback.unit_id)],
        locale=_locale()), status


@bp.get("/<int:feedback_id>")
@staff_required(QUEUE)
def feedback_page(feedback_id: int):
    return _detail(services.get_feedback(feedback_id, actor=current_user, now=utcnow()))


def _back(feedback_id):
    return url_for(".feedback_page", feedback_id=feedback_id)


@bp.post("/<int:feedback_id>/ota")
@staff_required(QUEUE)
def take(feedback_id: int):
    attempt(lambda: services.take(feedback_id, actor=current_user, now=utcnow()), _("You took the feedback in hand."))
    return redirect(_back(feedback_id), code=303)


@bp.post("/<int:feedback_id>/vastaa")
@staff_required(QUEUE)
def answer(feedback_id: int):
    feedback = services.get_feedback(feedback_id, actor=current_user, now=utcnow())
    form = AnswerForm()
    return form_page(
        form, lambda: services.answer(feedback_id, form.reply.data, public=form.public.data,
                                      actor=current_user, now=utcnow()),
        success=_("The answer was saved."), next_url=lambda _r: _back(feedback_id), redirect_code=303,
        render=lambda status: _detail(feedback, answer=form, status=status))


@bp.post("/<int:feedback_id>/sulje")
@staff_required(QUEUE)
def close(feedback_id: int):
    attempt(lambda: services.close(feedback_id, actor=current_user, now=utcnow()), _("The feedback was closed."))
    return redirect(_back(feedback_id), code=303)


@bp.post("/<int:feedback_id>/teemat")
@staff_required(QUEUE)
def tags(feedback_id: int):
    feedback = services.get_feedback(feedback_id, actor=current_user, now=utcnow())
    form = TagForm()
    return form_page(
        form, lambda: services.set_tags(feedback_id, (form.tags.data or "").split(","), actor=current_user,
                                        now=utcnow()),
        success=_("The themes were saved."), next_url=lambda _r: _back(feedback_id), redirect_code=303,
        render=lambda status: _detail(feedback, tags=form, status=status))


@bp.post("/<int:feedback_id>/julkinen")
@staff_required(QUEUE)
def moderate(feedback_id: int):
    feedback = services.get_feedback(feedback_id, actor=current_user, now=utcnow())
    form = ModerateForm()
    return form_page(
        form, lambda: services.moderate(feedback_id, form.public_text.data or "", actor=current_user, now=utcnow()),
        success=_("The public text was saved."), next_url=lambda _r: _back(feedback_id), redirect_code=303,
        render=lambda status: _detail(feedback, moderate=form, status=status))


@bp.post("/<int:feedback_id>/nayta")
@staff_required(QUEUE)
def show_reply(feedback_id: int):
    public = request.form.get("public") == "1"
    attempt(lambda: services.set_reply_public(feedback_id, public, actor=current_user, now=utcnow()),
            _("The feedback and its answer are shown on the unit's page.") if public
            else _("The feedback is no longer shown on the unit's page."))
    return redirect(_back(feedback_id), code=303)


@bp.post("/<int:feedback_id>/kohteeseen")
@staff_required(ITEMS)
def to_item(feedback_id: int):
    item_id = request.form.get("item_id", type=int)
    if not item_id:
        return redirect(_back(feedback_id), code=303)
    attempt(lambda: services.gather(item_id, [feedback_id], actor=current_user, now=utcnow()),
            _("The feedback was gathered into the development item."))
    return redirect(_back(feedback_id), code=303)


# --- units and kiosks -----------------------------------------------------------------------

def _staff_choices():
    from sqlalchemy import select

    from kuulas.accounts.models import Account, AccountRole
    from kuulas.extensions import db

    rows = db.session.scalars(select(Account).where(Account.id.in_(select(AccountRole.account_id)),
                                                    Account.active.is_(True)).order_by(Account.email))
    return [SelectChoice(a.id, f"{a.display_name} <{a.email}>" if a.display_name else a.email) for a in rows]


@bp.get("/yksikot")
@staff_required(MANAGE)
def units_page():
    return render_template("feedback/staff_units.html", units=services.units(), area_labels=AREA_LABELS,
                           locale=_locale())


def _unit_data(form) -> services.UnitData:
    return services.UnitData(name={loc: getattr(form, f"name_{loc}").data or "" for loc in LOCALES},
                             area=form.area.data, target_days=form.target_days.data,
                             manager_email=form.manager_email.data or "", manager_locale=form.manager_locale.data,
                             handler_ids=tuple(form.handlers.data or ()))


@bp.route("/yksikot/uusi", methods=["GET", "POST"])
@staff_required(MANAGE)
def new_unit():
    form = UnitForm()
    form.handlers.choices = _staff_choices()
    return form_page(
        form, lambda: services.create_unit(_unit_data(form), actor=current_user, now=utcnow()),
        success=_("The service unit was saved."), next_url=lambda unit: url_for(".unit_page", unit_id=unit.id),
        render=lambda status: (render_template("feedback/staff_unit_form.html", form=form, unit=None), status))


@bp.route("/yksikot/<int:unit_id>", methods=["GET", "POST"])
@staff_required(MANAGE)
def unit_page(unit_id: int):
    unit = services.get_unit(unit_id)
    if request.method == "GET":
        data = {f"name_{loc}": (unit.name or {}).get(loc, "") for loc in LOCALES}
        data.update(area=unit.area, target_days=unit.target_days, manager_email=unit.manager_email,
                    manager_locale=unit.manager_locale, handlers=[h.account_id for h in unit.handlers])
        form = UnitForm(formdata=None, data=data)
    else:
        form = UnitForm()
    form.handlers.choices = _staff_choices()
    return form_page(
        form, lambda: services.update_unit(unit_id, _unit_data(form), actor=current_user, now=utcnow()),
        success=_("The service unit was saved."), next_url=lambda _u: url_for(".unit_page", unit_id=unit_id),
        render=lambda status: (render_template(
            "feedback/staff_unit_form.html", form=form, unit=unit, kiosks=services.kiosks(unit.id),
            kiosk_form=KioskForm(formdata=None), feedback_url=current_app.config["SITE_URL"]
            + url_for("feedback.give", slug=unit.slug)), status))


@bp.route("/yksikot/<int:unit_id>/sulje", methods=["GET", "POST"])
@staff_required(MANAGE)
def close_unit(unit_id: int):
    """Closing a unit turns its QR links into a "closed" notice; confirmed on its own page."""
    unit = services.get_unit(unit_id)
    if request.method == "GET":
        return render_template("feedback/staff_unit_close.html", unit=unit)
    active = request.form.get("active") == "1"
    attempt(lambda: services.set_unit_active(unit_id, active, actor=current_user, now=utcnow()),
            _("The unit takes feedback again.") if active else _("The unit no longer takes feedback."))
    return redirect(url_for(".unit_page", unit_id=unit_id), code=303)


@bp.post("/yksikot/<int:unit_id>/kioskit")
@staff_required(MANAGE)
def new_kiosk(unit_id: int):
    unit = services.get_unit(unit_id)
    form = KioskForm()
    created = {}

    def create():
        kiosk, code = services.create_kiosk(unit_id, form.label.data, form.pin.data, actor=current_user,
                                            now=utcnow())
        created.update(kiosk=kiosk, code=code)
        return kiosk

    if form.validate_on_submit():
        ok, _result = attempt(create, once=False)
        if ok:
            link = current_app.config["SITE_URL"] + url_for("feedback.kiosk_setup", code=created["code"])
            return render_template("feedback/staff_kiosk_created.html", unit=unit, kiosk=created["kiosk"], link=link)
    return render_template("feedback/staff_unit_form.html", form=UnitForm(formdata=None), unit=unit,
                           kiosks=services.kiosks(unit.id), kiosk_form=form, feedback_url=""), 400


@bp.post("/kioskit/<int:kiosk_id>/poista")
@staff_required(MANAGE)
def remove_kiosk(kiosk_id: int):
    ok, kiosk = attempt(lambda: services.deactivate_kiosk(kiosk_id, actor=current_user, now=utcnow()),
                        _("The kiosk was switched off."))
    return redirect(url_for(".unit_page", unit_id=kiosk.unit_id) if ok else url_for(".units_page"), code=303)


# --- development items ---------------------------------------------------------------------

@bp.get("/kohteet")
@staff_required(ITEMS)
def items_page():
    now = utcnow()
    return render_template("feedback/staff_items.html", items=services.items(actor=current_user, now=now),
                           locale=_locale(), outcomes=reading.outcome_links(
                               [i.id for i in services.items(actor=current_user, now=now)]))


def _item_form(form, selected=()):
    now = utcnow()
    handled = services.handled_units(current_user)
    form.unit_id.choices = [SelectChoice(0, _("Several units"))] + [SelectChoice(u.id, u.text("name", _locale()))
                                                                     for u in handled]
    rows = []
    for unit in handled:
        rows += services.queue(actor=current_user, now=now, unit_id=unit.id, state=None)
        rows += services.queue(actor=current_user, now=now, unit_id=unit.id, state=lc.ANSWERED)
        rows += services.queue(actor=current_user, now=now, unit_id=unit.id, state=lc.CLOSED)
    form.feedback.choices = [SelectChoice(f.id, f"{f.unit.text('name', _locale())}: {(f.text or '–')[:80]}")
                             for f in sorted({f.id: f for f in rows}.values(), key=lambda f: f.id)
                             if f.item_id is None or f.id in selected]
    return form


@bp.route("/kohteet/uusi", methods=["GET", "POST"])
@staff_required(ITEMS)
def new_item():
    preselected = [int(i) for i in request.args.getlist("palaute") if i.isdigit()]
    form = ItemForm() if request.method == "POST" else ItemForm(formdata=None, data={"feedback": preselected})
    _item_form(form)
    return form_page(
        form, lambda: services.create_item(
            title={loc: getattr(form, f"title_{loc}").data or "" for loc in LOCALES},
            description={loc: getattr(form, f"description_{loc}").data or "" for loc in LOCALES},
            theme=form.theme.data or "", unit_id=form.unit_id.data or None,
            feedback_ids=list(form.feedback.data or []), actor=current_user, now=utcnow()),
        success=_("The development item was saved."), next_url=lambda item: url_for(".item_page", item_id=item.id),
        render=lambda status: (render_template("feedback/staff_item_form.html", form=form), status))


@bp.route("/kohteet/<int:item_id>", methods=["GET", "POST"])
@staff_required(ITEMS)
def item_page(item_id: int):
    now = utcnow()
    item = services.get_item(item_id, actor=current_user, now=now)
    if request.method == "GET":
        data = {f"{f}_{loc}": (getattr(item, f) or {}).get(loc, "") for f in ("decision", "change") for loc in LOCALES}
        data.update(decided_on=item.decided_on or now.date(), changed_on=item.changed_on)
        form = DecisionForm(formdata=None, data=data)
    else:
        form = DecisionForm()
    return form_page(
        form, lambda: services.decide(
            item_id, decision={loc: getattr(form, f"decision_{loc}").data or "" for loc in LOCALES},
            decided_on=form.decided_on.data, change={loc: getattr(form, f"change_{loc}").data or "" for loc in LOCALES},
            changed_on=form.changed_on.data, actor=current_user, now=utcnow()),
        success=_("The decision was recorded. Publish it as an outcome under Outcomes."),
        next_url=lambda _i: url_for(".item_page", item_id=item_id), redirect_code=303,
        render=lambda status: (render_template(
            "feedback/staff_item.html", item=item, form=form, feedback=services.item_feedback(item.id),
            outcome=reading.outcome_links([item.id]).get(item.id), rating_labels=RATING_LABELS,
            locale=_locale()), status))


# --- monthly summary -------------------------------------------------------------------------

def _summary(month, by):
    now = utcnow()
    figures = reading.monthly(month, by=by, actor=current_user, now=now)
    if by == "unit":
        labels = {str(u.id): u.text("name", _locale()) for u in services.units()}
    else:
        labels = {k: str(v) for k, v in AREA_LABELS.items()}
    return figures, labels


@bp.get("/yhteenveto")
@staff_required(SUMMARY)
def summary_page():
    month = reading.valid_month(request.args.get("kuukausi"), utcnow().date())
    by = "area" if request.args.get("ryhma") == "area" else "unit"
    figures, labels = _summary(month, by)
    return render_template("feedback/staff_summary.html", figures=figures, labels=labels, month=month, by=by,
                           kind_labels=KIND_LABELS)


@bp.get("/yhteenveto.<any(csv, xlsx):fmt>")
@staff_required(SUMMARY)
def summary_export(fmt: str):
    month = reading.valid_month(request.args.get("kuukausi"), utcnow().date())
    by = "area" if request.args.get("ryhma") == "area" else "unit"
    figures, labels = _summary(month, by)
    rows = reading.table(figures, labels)
    name = f"palaute-{month}-{by}.{fmt}"
    if fmt == "csv":
        return Response(reading.to_csv(rows), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return Response(reading.to_xlsx(rows, month),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
