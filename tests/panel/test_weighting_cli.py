"""``flask --app app panel weight``: through Flask's CLI runner, in three languages."""
from __future__ import annotations

import csv
import io
import re

import pytest

RESPONDENTS = "id,gender,age\na,f,young\nb,f,old\nc,m,young\nd,m,old\ne,m,old\n"
MARGINS = "feature,value,share\ngender,f,50\ngender,m,50\nage,young,0.5\nage,old,0.5\n"


def _files(tmp_path, respondents=RESPONDENTS, margins=MARGINS):
    (tmp_path / "r.csv").write_text(respondents, encoding="utf-8")
    (tmp_path / "m.csv").write_text(margins, encoding="utf-8")
    return ["panel", "weight", "--respondents", str(tmp_path / "r.csv"),
            "--margins", str(tmp_path / "m.csv"), "--out", str(tmp_path / "w.csv")]


def _weights(path):
    return {row["id"]: float(row["weight"]) for row in csv.DictReader(io.StringIO(path.read_text()))}


def test_weights_written_with_mean_one_and_a_summary(runner, tmp_path):
    result = runner.invoke(args=_files(tmp_path))
    assert result.exit_code == 0, result.output
    w = _weights(tmp_path / "w.csv")
    assert list(w) == ["a", "b", "c", "d", "e"]
    assert sum(w.values()) / 5 == pytest.approx(1.0, abs=1e-11)
    assert w["a"] == pytest.approx(1.4644661, abs=1e-6)        # 2.5 (2 - sqrt 2)
    out = result.output
    assert re.search(r"converged after \d+ rounds", out)
    assert "design effect 1.0723" in out and "effective n 4.7 of 5" in out
    assert "gender=f: population 50.0 %, respondents under 5, unweighted 40.0 %, weighted 50.0 %" in out


def test_trim_holds_the_bounds(runner, tmp_path):
    result = runner.invoke(args=_files(tmp_path) + ["--trim", "0.6,1.4"])
    assert result.exit_code == 0, result.output
    w = _weights(tmp_path / "w.csv")
    assert max(w.values()) <= 1.4 + 1e-12 and min(w.values()) >= 0.6 - 1e-12
    assert w["a"] == pytest.approx(1.4)
    assert "1 held at the bounds 0.6-1.4" in result.output


def test_empty_cell_stops_unless_collapsed_and_then_is_reported(runner, tmp_path):
    margins = MARGINS.replace("age,young,0.5\nage,old,0.5\n",
                              "age,young,0.4\nage,old,0.4\nage,oldest,0.2\n")
    args = _files(tmp_path, margins=margins)
    result = runner.invoke(args=args + ["--lang", "en"])
    assert result.exit_code == 2
    assert "No respondent has “age” = “oldest” (population share 20 %)" in result.output
    assert not (tmp_path / "w.csv").exists()
    result = runner.invoke(args=args + ["--collapse-empty"])
    assert result.exit_code == 0, result.output
    assert "empty population cell, not represented: age=oldest (population 20.0 %" in result.output
    assert (tmp_path / "w.csv").exists()


@pytest.mark.parametrize("respondents, margins, extra, words", [
    (RESPONDENTS, MARGINS.replace("gender,m,50", "gender,m,47.5"), [],
     {"en": "The population shares of “gender” add up to 97.5 %, not 100 %.",
      "fi": "väestöosuuksien summa on 97,5 %, ei 100 %",
      "sv": "blir sammanlagt 97,5 %, inte 100 %"}),
    (RESPONDENTS + "b,m,old\n", MARGINS, [],
     {"en": "Line 7 of the “respondents” file repeats the id “b” of line 3.",
      "fi": "Tiedoston ”vastaajat” rivillä 7 toistuu rivin 3 tunniste ”b”.",
      "sv": "Rad 7 i filen ”svarande” upprepar id:t ”b” från rad 3."}),
    (RESPONDENTS.replace("c,m,young", "c,,young"), MARGINS, [],
     {"en": "Line 4 of the “respondents” file has no value in column “gender”.",
      "fi": "rivillä 4 ei ole arvoa sarakkeessa ”gender”",
      "sv": "Rad 4 i filen ”svarande” saknar värde i kolumnen ”gender”."}),
    (RESPONDENTS, MARGINS.replace("age,old,0.5", "age,old,half"), [],
     {"en": "Line 5 of the “margins” file: “half” in column “share” is not a number.",
      "fi": "Tiedoston ”väestöosuudet” rivi 5",
      "sv": "Rad 5 i filen ”befolkningsandelar”"}),
    (RESPONDENTS.replace("e,m,old", "e,x,old"), MARGINS, [],
     {"en": "Respondent e has “gender” = “x”, which has no population share.",
      "fi": "Vastaajalla e on ”gender” = ”x”, jolle ei ole väestöosuutta.",
      "sv": "Svarande e har ”gender” = ”x”, som saknar befolkningsandel."}),
    (RESPONDENTS.replace("id,gender,age", "id,sex,age"), MARGINS, [],
     {"en": "The “respondents” file has no column “gender”.",
      "fi": "Tiedostossa ”vastaajat” ei ole saraketta ”gender”.",
      "sv": "Filen ”svarande” saknar kolumnen ”gender”."}),
    (RESPONDENTS, MARGINS, ["--trim", "1.5,3"],
     {"en": "0 < LOW < 1 < HIGH", "fi": "0 < LOW < 1 < HIGH", "sv": "0 < LOW < 1 < HIGH"}),
    (RESPONDENTS, MARGINS, ["--trim", "0.8,1.2"],
     {"en": "Raking with weights bounded to 0.8–1.2 did not converge in 1000 rounds",
      "fi": "painojen rajoilla 0,8–1,2 ei konvergoinut 1000 kierroksessa",
      "sv": "begränsade till 0,8–1,2 konvergerade inte på 1000 varv"}),
    ("id,gender,age\na,f,young\nb,f,young\nc,m,old\nd,m,old\n",
     MARGINS.replace("age,young,0.5\nage,old,0.5", "age,young,0.3\nage,old,0.7"),
     ["--max-iter", "40"],
     {"en": "Raking did not converge in 40 rounds: a weighted share still differs from its "
            "population share by 20 percentage points.",
      "fi": "ei konvergoinut 40 kierroksessa",
      "sv": "konvergerade inte på 40 varv"}),
], ids=["shares_sum", "duplicate_id", "empty_value", "not_a_number", "unknown_value",
        "missing_column", "bad_trim", "trim_infeasible", "no_convergence"])
def test_bad_input_exits_2_with_a_translated_message_and_writes_nothing(
        runner, tmp_path, respondents, margins, extra, words):
    (tmp_path / "w.csv").write_text("earlier output\n")
    for lang in ("en", "fi", "sv"):
        result = runner.invoke(args=_files(tmp_path, respondents, margins) + extra + ["--lang", lang])
        assert result.exit_code == 2, result.output
        assert words[lang] in result.output, (lang, result.output)
        assert (tmp_path / "w.csv").read_text() == "earlier output\n"      # untouched
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".weights-")]


def test_every_weighting_error_code_has_a_message():
    """The codes documented in WeightingError's docstring all translate."""
    from panel import weighting_messages
    from panel.weighting import errors

    codes = set(re.findall(r"\b([a-z]+(?:_[a-z]+)+)\(", errors.WeightingError.__doc__))
    codes |= {"no_convergence"}
    assert {"shares_sum", "csv_duplicate_id", "empty_cell", "bad_trim"} <= codes
    assert codes - set(weighting_messages.MESSAGES) == set()


def test_describe_formats_numbers_for_the_language(app):
    from flask_babel import force_locale

    from panel.weighting import WeightingError
    from panel.weighting_messages import describe

    msg = describe(WeightingError("empty_cell", feature="age", value="85+", share=0.125))
    with force_locale("fi"):
        assert "väestöosuus 12,5 %" in str(msg)
    with force_locale("en"):
        assert "population share 12.5 %" in str(msg)
    unknown = describe(WeightingError("brand_new", x=1))
    with force_locale("en"):
        assert "brand_new" in str(unknown)


def test_unreadable_input_and_unwritable_output(runner, tmp_path):
    args = _files(tmp_path)
    (tmp_path / "r.csv").write_bytes("id,gender,age\na,f,young\nä,m,old\n".encode("latin-1"))
    result = runner.invoke(args=args + ["--lang", "en"])
    assert result.exit_code == 2
    assert "The “respondents” file is not UTF-8 text (byte 25); save it as CSV UTF-8." in result.output
    (tmp_path / "r.csv").write_text(RESPONDENTS)
    args[-1] = str(tmp_path / "missing-dir" / "w.csv")
    result = runner.invoke(args=args + ["--lang", "fi"])
    assert result.exit_code == 2
    assert "missing-dir" in result.output and "Traceback" not in result.output
