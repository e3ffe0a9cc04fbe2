"""Cross-check against an independent implementation: weightipy (the maintained fork of
Quantipy's RIM weighting; in the ``test`` extra only, never imported by the app)."""
from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from panel.weighting import rake

pd = pytest.importorskip("pandas")
wp = pytest.importorskip("weightipy")


def _weightipy(rows, margins, cap=None):
    df = pd.DataFrame(rows)
    scheme = wp.scheme_from_dict({f: {v: s * 100 for v, s in m.items()}
                                  for f, m in margins.items()})
    scheme.convcrit = 1e-12        # its default (1 %) stops well before the margins hold
    if cap is not None:
        scheme.cap = cap
    with contextlib.redirect_stdout(io.StringIO()):   # it prints its convergence notes
        out = wp.weight_dataframe(df, scheme, weight_column="weights")
    w = out["weights"].to_numpy(dtype=float)
    return w / w.mean()


def _random_survey(seed, n=3000):
    rng = np.random.default_rng(seed)
    features = {"age": ["18-29", "30-44", "45-64", "65+"], "gender": ["f", "m", "x"],
                "region": ["north", "south", "east", "west", "centre"]}
    # a biased sample: some values much more likely than others
    rows = [{"id": f"r{i}", **{f: str(rng.choice(v, p=rng.dirichlet(np.ones(len(v)) * 3)))
                               for f, v in features.items()}} for i in range(n)]
    margins = {f: dict(zip(v, rng.dirichlet(np.ones(len(v)) * 5))) for f, v in features.items()}
    return rows, margins


@pytest.mark.parametrize("seed", [7, 2026])
def test_agrees_with_weightipy(seed):
    rows, margins = _random_survey(seed)
    ours = rake(rows, margins, tol=1e-12)
    assert ours.converged
    theirs = _weightipy(rows, margins)
    assert np.max(np.abs(np.array(ours.weights) - theirs)) < 1e-6
    # and weightipy's weights meet our margins too
    for f, target in margins.items():
        got = {v: theirs[[r[f] == v for r in rows]].sum() / len(rows) for v in target}
        assert got == pytest.approx(target, abs=1e-6)
