"""``flask --app app panel select|hash``: re-run and verify a draw from its published
files, outside the database.

    flask --app app panel select --people P.csv --quotas Q.csv --size N --seed S \\
        --out panel.csv --probabilities probs.csv [--forced F.csv --excluded E.csv]
    flask --app app panel hash --commitments pooli.csv --quotas Q.csv --size N [--forced F.csv --excluded E.csv]
    flask --app app panel hash --people FULL.csv --key avain.txt --quotas Q.csv --size N [...]

The people file of ``select`` is the auditor's full file (``id`` plus one column per
feature); the public ``pooli.csv`` carries one commitment per id instead of answers (see
``docs/panels.md``).  Quotas: ``feature,value,min,max``.  ``select`` goes through the same
code as the web draw, so the same files and seed give the same panel (``--out`` holds the
selected ids, as the public ``paneeli.csv``).
"""
from __future__ import annotations

import click


def _read(path: str) -> str:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return fh.read()


def register(group, app) -> None:
    """Add ``select`` and ``hash`` to the ``panel`` command group."""
    @group.command("select")
    @click.option("--people", "people_path", required=True, type=click.Path(exists=True, dir_okay=False))
    @click.option("--quotas", "quotas_path", required=True, type=click.Path(exists=True, dir_okay=False))
    @click.option("--size", required=True, type=int, help="Panel size.")
    @click.option("--seed", required=True, help="The announced seed value, exactly as published.")
    @click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True))
    @click.option("--probabilities", "probs_path", type=click.Path(dir_okay=False, writable=True))
    @click.option("--forced", "forced_path", type=click.Path(exists=True, dir_okay=False),
                  help="Ids kept in a replacement draw (id column).")
    @click.option("--excluded", "excluded_path", type=click.Path(exists=True, dir_okay=False),
                  help="Ids excluded from a replacement draw (id column).")
    @click.option("--lang", default=None, type=click.Choice(["fi", "sv", "en"]),
                  help="Language of error messages.")
    def select_command(people_path, quotas_path, size, seed, out_path, probs_path, forced_path,
                       excluded_path, lang):
        """Draw a panel from a people CSV and a quotas CSV."""
        from flask_babel import force_locale

        from . import engine

        people_text = _read(people_path)
        with force_locale(lang or app.config["BABEL_DEFAULT_LOCALE"]):
            try:
                outcome = engine.run(people_text, _read(quotas_path), size, seed,
                                     forced_csv=_read(forced_path) if forced_path else "",
                                     excluded_csv=_read(excluded_path) if excluded_path else "")
            except engine.EngineProblem as exc:
                lines = [str(exc.reason), *(f"  - {d}" for d in exc.details)]
                raise click.ClickException("\n".join(lines)) from None
        with open(out_path, "w", encoding="utf-8", newline="") as fh:
            fh.write(engine.panel_csv(people_text, outcome.selected))
        if probs_path:
            with open(probs_path, "w", encoding="utf-8", newline="") as fh:
                fh.write(outcome.probabilities_csv)
        r = outcome.report
        p = r["probabilities"]
        click.echo(f"{outcome.algorithm} {outcome.version}")
        click.echo(f"seed value {seed.strip()!r} -> seed {outcome.seed}")
        click.echo(f"{len(outcome.selected)} selected from {r['pool_size']} "
                   f"(kept {r['forced']}, excluded {r['excluded']})")
        click.echo(f"probability min {p['min']:.6f} median {p['median']:.6f} "
                   f"max {p['max']:.6f}; zero {p['zero']}")
        for c in r["categories"]:
            click.echo(f"  {c['feature']}={c['value']}: quota {c['min']}-{c['max']}, "
                       f"drawn {c['achieved']}")

    @group.command("hash")
    @click.option("--people", "people_path", type=click.Path(exists=True, dir_okay=False),
                  help="The auditor's full people file (needs --key).")
    @click.option("--key", "key_text", help="The draw key given to the auditor (64 hex digits), "
                                            "or a file holding it.")
    @click.option("--commitments", "commitments_path", type=click.Path(exists=True, dir_okay=False),
                  help="The public pool file (id,commitment) instead of --people/--key.")
    @click.option("--quotas", "quotas_path", required=True, type=click.Path(exists=True, dir_okay=False))
    @click.option("--size", required=True, type=int)
    @click.option("--forced", "forced_path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--excluded", "excluded_path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--public-out", "public_out", type=click.Path(dir_okay=False, writable=True),
                  help="With --people/--key: also write the public pool file to compare.")
    @click.option("--lang", default=None, type=click.Choice(["fi", "sv", "en"]))
    def hash_command(people_path, key_text, commitments_path, quotas_path, size, forced_path,
                     excluded_path, public_out, lang):
        """Print the pool hash published before the draw, to compare.  Anyone can compute
        it from the public files; the auditor computes it from the full file and the key."""
        import os

        from flask_babel import force_locale, gettext

        from . import engine

        extra = dict(forced_csv=_read(forced_path) if forced_path else "",
                     excluded_csv=_read(excluded_path) if excluded_path else "")
        with force_locale(lang or app.config["BABEL_DEFAULT_LOCALE"]):
            try:
                if commitments_path:
                    digest = engine.commitment_hash(_read(commitments_path), _read(quotas_path),
                                                    size, **extra)
                elif people_path and key_text:
                    key = (_read(key_text) if os.path.isfile(key_text) else key_text).strip()
                    people_text = _read(people_path)
                    digest = engine.hash_files(people_text, _read(quotas_path), size, key=key,
                                               **extra)
                    if public_out:
                        with open(public_out, "w", encoding="utf-8", newline="") as fh:
                            fh.write(engine.public_pool_csv(people_text, key))
                else:
                    raise click.UsageError(gettext("Give --commitments, or --people with --key."))
            except engine.EngineProblem as exc:
                raise click.ClickException("\n".join([str(exc.reason), *map(str, exc.details)])) from None
            click.echo(digest)
