"""Weighting errors as sentences in the reader's language.

The bridge between the pure ``panel.weighting`` package (codes and params only) and
whatever shows them: ``flask panel weight`` and the survey results pages.  Messages stay
lazy until shown, so the CLI can pick the language with ``force_locale`` and a page
shows them in the reader's language; numbers are formatted for that language too.
"""
from __future__ import annotations

from collections import defaultdict

from flask_babel import lazy_gettext as _l

from .weighting import RakeResult, WeightingError

FILES = {"respondents": _l("respondents"), "margins": _l("margins")}

MESSAGES = {
    "no_respondents": _l("There are no respondents to weight."),
    "no_margins": _l("No population shares were given, so there is nothing to weight to."),
    "bad_share": _l("The population share of “%(feature)s” = “%(value)s” is %(share)s; a share "
                    "must be a number from 0 to 1 (or 0 to 100 %%)."),
    "shares_sum": _l("The population shares of “%(feature)s” add up to %(total)s %%, not "
                     "100 %%."),
    "zero_share": _l("“%(feature)s” = “%(value)s” has population share 0 but %(count)s "
                     "respondents: give it its share, or leave those respondents out."),
    "empty_cell": _l("No respondent has “%(feature)s” = “%(value)s” (population share "
                     "%(share)s %%), so no weight can represent it. Merge it with a "
                     "neighbouring category in the population shares, or collapse empty "
                     "cells (they are then reported)."),
    "unknown_value": _l("Respondent %(respondent)s has “%(feature)s” = “%(value)s”, which has "
                        "no population share."),
    "missing_feature": _l("Respondent %(respondent)s has no value for “%(feature)s”."),
    "bad_trim": _l("The trimming bounds must be two numbers LOW,HIGH with 0 < LOW < 1 < HIGH "
                   "(the weights have mean 1), e.g. 0.3,3; got “%(low)s”, “%(high)s”."),
    "bad_options": _l("Invalid setting %(option)s: %(value)s."),
    "no_convergence": _l("Raking did not converge in %(iterations)s rounds: a weighted share "
                         "still differs from its population share by %(error)s percentage "
                         "points. These margins cannot all be met by these respondents, for "
                         "example because the combinations needed are missing."),
    "no_convergence_trimmed": _l("Raking with weights bounded to %(low)s–%(high)s did not "
                                 "converge in %(iterations)s rounds: a weighted share still "
                                 "differs from its population share by %(error)s percentage "
                                 "points. Widen the bounds, or rake without trimming."),
    "csv_empty": _l("The “%(file)s” file is empty."),
    "csv_not_utf8": _l("The “%(file)s” file is not UTF-8 text (byte %(byte)s); save it as "
                       "CSV UTF-8."),
    "csv_missing_column": _l("The “%(file)s” file has no column “%(column)s”."),
    "csv_duplicate_column": _l("The “%(file)s” file has the column “%(column)s” twice, or a "
                               "column without a name."),
    "csv_row_length": _l("Line %(line)s of the “%(file)s” file has %(found)s values; the header "
                         "has %(expected)s."),
    "csv_empty_value": _l("Line %(line)s of the “%(file)s” file has no value in column "
                          "“%(column)s”."),
    "csv_duplicate_id": _l("Line %(line)s of the “%(file)s” file repeats the id “%(id)s” of "
                           "line %(first_line)s."),
    "csv_duplicate_value": _l("Line %(line)s of the “%(file)s” file repeats “%(feature)s” = "
                              "“%(value)s” of line %(first_line)s."),
    "csv_not_a_number": _l("Line %(line)s of the “%(file)s” file: “%(value)s” in column "
                           "“%(column)s” is not a number."),
    "csv_share_range": _l("Line %(line)s of the “%(file)s” file: the share “%(value)s” is not "
                          "between 0 and 100."),
}
FALLBACK = _l("The weighting reported a problem: %(code)s %(params)s")
CANNOT_WRITE = _l("Could not write “%(path)s”: %(reason)s.")


class _Number:
    """A number formatted in the language in force when it is shown (0,5 in Finnish)."""

    def __init__(self, value: float):
        self.value = float(f"{value:.6g}")   # six significant digits: 97.5, 0.0123, 2.5e-07

    def __str__(self) -> str:
        from kuulas.i18n import format_decimal

        return format_decimal(self.value, format="#,##0.##########")


class WeightingMessage:
    """A lazily translated weighting error; missing parameters show as '?'."""

    def __init__(self, code: str, text, params: dict):
        self.code, self.text = code, text
        self.params = defaultdict(lambda: "?", params)

    def __str__(self) -> str:
        params = {k: str(v) if isinstance(v, _Number) else v for k, v in self.params.items()}
        return str(self.text) % defaultdict(lambda: "?", params)

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))


def describe(exc: WeightingError) -> WeightingMessage:
    """The error as a lazily translated sentence."""
    params = dict(exc.params)
    code = exc.code
    if "file" in params:
        params["file"] = FILES.get(params["file"], params["file"])
    if code == "empty_cell" and isinstance(params.get("share"), (int, float)):
        params["share"] = params["share"] * 100.0
    if code == "no_convergence" and "low" in params:
        code = "no_convergence_trimmed"
    for key, value in list(params.items()):
        if isinstance(value, float):
            params[key] = _Number(value)
    template = MESSAGES.get(code)
    if template is None:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
        return WeightingMessage(code, FALLBACK, {"code": code, "params": shown})
    return WeightingMessage(code, template, params)


def no_convergence(result: RakeResult, trim: tuple[float, float] | None = None) -> WeightingError:
    """The error a caller raises when it refuses a result that did not converge."""
    params = {"iterations": result.iterations, "error": result.max_margin_error * 100.0}
    if trim is not None:
        params.update(low=float(trim[0]), high=float(trim[1]))
    return WeightingError("no_convergence", **params)


def cannot_write(path: str, reason: str) -> WeightingMessage:
    """The output file could not be written (nothing was written)."""
    return WeightingMessage("cannot_write", CANNOT_WRITE, {"path": path, "reason": reason})
