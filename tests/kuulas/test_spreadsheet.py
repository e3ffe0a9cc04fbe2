"""kuulas.spreadsheet: the one rule for formula cells, in CSV and XLSX, and every export
that uses it."""
from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from kuulas import spreadsheet
from kuulas.spreadsheet import neutralise

DANGEROUS = ["=1+1", "+cmd", "-SUM(A1)", "@x", "\t=1", "\r=1", "\n=1", "\uff1d1+1", "\uff0b1", "\uff0dx",
             "\uff20x", " =1+1", "  @SUM(A1)", "\u00a0=1", " +cmd"]
SAFE = ["hello", "a=b", "1-2", "", "Kotihoito 2027", "’=quoted"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_each_dangerous_lead_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value
    assert neutralise(value, keep_numbers=True) == "'" + value


@pytest.mark.parametrize("value", SAFE)
def test_safe_text_is_unchanged(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", [5, -3, 2.5, None, True])
def test_values_that_are_not_text_are_unchanged(value):
    assert neutralise(value) is value


@pytest.mark.parametrize("value", ["-3", "+1.5", "-0,25", " -2", "-1e5"])
def test_numbers_written_as_text(value):
    assert neutralise(value) == "'" + value                    # strict: a text cell is text
    assert neutralise(value, keep_numbers=True) == value       # a CSV read back: still a number


@pytest.mark.parametrize("value", ["-3+cmd", "+1.5=x", "-", "+"])
def test_keep_numbers_keeps_only_real_numbers(value):
    assert neutralise(value, keep_numbers=True) == "'" + value


@given(st.text())
def test_nothing_dangerous_is_left(value):
    out = neutralise(value)
    assert out.endswith(value)
    assert not spreadsheet.is_dangerous(out)


def _csv(rows, delimiter=";") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("value", DANGEROUS)
@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_every_dangerous_cell_is_neutralised_and_the_separator_kept(value, delimiter):
    data = _csv([["Idea", "Agree", "Score"], [value, "12", "-0,5"]], delimiter)
    out = spreadsheet.neutralise_csv(data)
    assert out.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig")), delimiter=delimiter))
    assert rows == [["Idea", "Agree", "Score"], ["'" + value, "12", "-0,5"]]


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("value", DANGEROUS)
def test_xlsx_every_dangerous_cell_is_neutralised(value):
    out = spreadsheet.neutralise_xlsx(_xlsx([["Idea", "Agree"], [value, 12], ["-3", -3]]))
    ws = load_workbook(io.BytesIO(out)).active
    assert ws["A2"].value == "'" + value and ws["A2"].data_type == "s"
    assert ws["B2"].value == 12 and ws["A3"].value == "-3" and ws["B3"].value == -3
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_a_formula_cell_of_a_workbook_becomes_text():
    wb = Workbook()
    wb.active.append(["=HYPERLINK(\"http://evil\",\"x\")", "@SUM(A1)", 7])
    assert wb.active["A1"].data_type == "f"
    spreadsheet.neutralise_workbook(wb)
    assert wb.active["A1"].value == "'=HYPERLINK(\"http://evil\",\"x\")" and wb.active["A1"].data_type == "s"
    assert wb.active["B1"].value == "'@SUM(A1)" and wb.active["C1"].value == 7


def test_the_exports_use_the_kernel_rule():
    """No area keeps its own copy: each export's neutralise is the kernel's."""
    import importlib

    for name in ("kuulas.audit", "deliberation.ideas.exports", "panel.surveys.exports"):
        assert importlib.import_module(name).neutralise is spreadsheet.neutralise, name
    from deliberation.outcomes import exports, safety

    assert exports.neutralise_csv is spreadsheet.neutralise_csv
    assert exports.neutralise_xlsx is spreadsheet.neutralise_xlsx
    assert not hasattr(safety, "neutralise")
