"""Search on the real PostgreSQL server: full-text search with the reader's language's
configuration (stemming: an inflected word finds its other forms), public items only."""
from __future__ import annotations

import pytest

from .conftest import in_locale

pytestmark = pytest.mark.postgres


@pytest.fixture
def app_config(app_config, postgres_url):
    return {**app_config, "SQLALCHEMY_DATABASE_URI": postgres_url}


def test_full_text_search_on_postgres(app, client, world):
    from kuulas import search
    from kuulas.extensions import db

    assert db.engine.dialect.name == "postgresql"
    fi = in_locale(client, "fi")
    html = fi.get("/haku?q=kotihoitoa").get_data(as_text=True)      # partitive finds "kotihoitoa"/"kotihoidon"
    assert "Kotihoidon ideariihen tulos" in html
    assert "Salainen luonnosriihi" not in html and "Luonnostulos" not in html
    # English stemming in the English configuration, Swedish in the Swedish one.
    sv = in_locale(client, "sv")
    # "hemvårdens" is not in any text: only stemming finds "hemvården".
    assert "Resultatet av idérundan om hemvård" in sv.get("/haku?q=hemvårdens").get_data(as_text=True)
    html = sv.get("/haku?q=kotihoitoa").get_data(as_text=True)
    assert "Resultatet av idérundan" not in html
    # The query is really full-text: ranked, and the configuration follows the locale.
    with app.test_request_context():
        hits = search.run(search.parse("egenläkarmodellen", "sv"), "postgresql")
        assert [h.title for h in hits] == ["Egenläkarmodellen"] and hits[0].score > 0
        assert search.run(search.parse("salainen luonnosriihi", "fi"), "postgresql") == []
        assert search.run(search.parse("luonnostulos kotihoidosta", "fi"), "postgresql") == []
