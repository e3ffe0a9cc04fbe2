"""``flask --app app panel weight``: rake survey respondents (``id`` plus one column per
feature) to population shares (``feature,value,share``) with the pure ``panel.weighting``
module and write ``id,weight`` (mean 1); bad input exits with status 2, a translated
message and no output file.

    flask --app app panel weight --respondents R.csv --margins M.csv --out W.csv [--trim LOW,HIGH]
"""
from __future__ import annotations

import os
import tempfile

import click

from ..selection.cli import _read


class BadWeightingInput(click.ClickException):
    """Bad input to ``panel weight``: exit status 2, like a usage error."""

    exit_code = 2


def _parse_trim(raw: str | None):
    from ..weighting import WeightingError, check_trim

    if raw is None:
        return None
    parts = [p.strip() for p in raw.replace(";", ",").split(",")]
    if len(parts) != 2:
        raise WeightingError("bad_trim", low=raw, high="")
    try:
        return check_trim((float(parts[0]), float(parts[1])))
    except ValueError:
        raise WeightingError("bad_trim", low=parts[0], high=parts[1]) from None


def _read_text(path: str, file: str) -> str:
    from ..weighting import WeightingError

    try:
        return _read(path)
    except UnicodeDecodeError as exc:
        raise WeightingError("csv_not_utf8", file=file, byte=exc.start + 1) from None


def _write_atomically(path: str, text: str) -> None:
    """The output file appears whole or not at all."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".weights-", suffix=".csv", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _percent(share: float) -> str:
    return f"{share * 100:.1f} %"


def _count(n: int) -> str:
    from ..weighting import is_small_cell

    return "under 5" if is_small_cell(n) else str(n)


def weigh_files(respondents_text: str, margins_text: str, *, trim_text: str | None = None,
                collapse_empty: bool = False, max_iter: int = 1000):
    """Parse, rake and check convergence; returns (rows, result, trim) or raises
    WeightingError.  Nothing is written here."""
    from .. import weighting_messages
    from ..weighting import rake, read_margins_csv, read_respondents_csv

    trim = _parse_trim(trim_text)
    margins = read_margins_csv(margins_text)
    rows = read_respondents_csv(respondents_text, features=margins)
    result = rake(rows, margins, trim=trim, max_iter=max_iter,
                  empty_cells="collapse" if collapse_empty else "error")
    if not result.converged:
        raise weighting_messages.no_convergence(result, trim)
    return rows, result, trim


def register(group, app) -> None:
    """Add ``weight`` to the ``panel`` command group."""
    @group.command("weight")
    @click.option("--respondents", "respondents_path", required=True,
                  type=click.Path(exists=True, dir_okay=False),
                  help="Respondents CSV: id plus one column per feature.")
    @click.option("--margins", "margins_path", required=True,
                  type=click.Path(exists=True, dir_okay=False),
                  help="Population shares CSV: feature,value,share (fractions or percent).")
    @click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True),
                  help="Where to write id,weight (weights have mean 1).")
    @click.option("--trim", "trim_text", default=None, metavar="LOW,HIGH",
                  help="Bound the weights to [LOW, HIGH] (mean 1), e.g. 0.3,3.")
    @click.option("--collapse-empty", is_flag=True,
                  help="Drop population cells without respondents (and report them) "
                       "instead of stopping.")
    @click.option("--max-iter", default=1000, show_default=True, type=click.IntRange(1, 100000),
                  help="Most raking rounds before giving up.")
    @click.option("--lang", default=None, type=click.Choice(["fi", "sv", "en"]),
                  help="Language of error messages.")
    def weight_command(respondents_path, margins_path, out_path, trim_text, collapse_empty,
                       max_iter, lang):
        """Rake survey respondents to population shares; write id,weight."""
        from flask_babel import force_locale

        from .. import weighting_messages
        from ..weighting import WeightingError, write_weights_csv

        with force_locale(lang or app.config["BABEL_DEFAULT_LOCALE"]):
            try:
                rows, result, trim = weigh_files(
                    _read_text(respondents_path, "respondents"), _read_text(margins_path, "margins"),
                    trim_text=trim_text, collapse_empty=collapse_empty, max_iter=max_iter)
            except WeightingError as exc:
                raise BadWeightingInput(str(weighting_messages.describe(exc))) from None
            try:
                _write_atomically(out_path, write_weights_csv([r["id"] for r in rows],
                                                              result.weights))
            except OSError as exc:
                raise BadWeightingInput(str(weighting_messages.cannot_write(
                    out_path, exc.strerror or str(exc)))) from None
        w = result.weights
        features = list(dict.fromkeys(c.feature for c in result.cells))
        click.echo(f"raked {len(rows)} respondents over {len(features)} features "
                   f"({', '.join(features)})")
        click.echo(f"converged after {result.iterations} rounds; largest margin error "
                   f"{result.max_margin_error:.2e}")
        click.echo(f"design effect {result.design_effect:.4f}; effective n "
                   f"{result.effective_n:.1f} of {len(rows)}")
        line = f"weights: mean {sum(w) / len(w):.6f}, min {min(w):.4f}, max {max(w):.4f}"
        if trim is not None:
            line += f"; {result.trimmed} held at the bounds {trim[0]:g}-{trim[1]:g}"
        click.echo(line)
        for feature, value in result.empty_cells:
            share = next(c.population_share for c in result.cells
                         if c.feature == feature and c.value == value)
            click.echo(f"empty population cell, not represented: {feature}={value} "
                       f"(population {_percent(share)}; the other shares were rescaled)")
        for c in result.cells:
            click.echo(f"  {c.feature}={c.value}: population {_percent(c.population_share)}, "
                       f"respondents {_count(c.respondents)}, unweighted "
                       f"{_percent(c.unweighted_share)}, weighted {_percent(c.weighted_share)}")
        click.echo(f"wrote {out_path}")
