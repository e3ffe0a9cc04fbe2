"""Panel trust (audit issue, item 13): NUL bytes and out-of-range numbers are refused
cleanly, in forms, uploads and the command line."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kuulas.clock import utcnow
from kuulas.extensions import db
from panel.recruitment import services
from panel.recruitment.models import Volunteer

from .helpers import add_volunteers, make_panel, text


# --- item 13: NUL bytes and numbers out of range ---------------------------------------

def test_nul_in_signup_name_is_a_translated_field_error(app, client, make_staff):
    panel = make_panel(make_staff("preparer"))
    client.set_cookie("kuulas_lang", "fi")
    response = client.post(f"/paneelit/{panel.id}", data={
        "email": "nul@example.fi", "display_name": "Ma\x00tti", "f_gender": "male",
        "f_age": "old", "consent": "y"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0


@pytest.mark.parametrize("upload", [False, True])
def test_nul_in_volunteer_csv_names_row_and_column(app, client, login, make_staff, upload):
    import io

    staff = make_staff("preparer")
    panel = make_panel(staff)
    login(staff)
    body = ("email,display_name,gender,age\n"
            "a@example.fi,Aino,female,young\n"
            "b@example.fi,Be\x00rit,female,old\n")
    data = ({"volunteers-file": (io.BytesIO(body.encode()), "v.csv")} if upload
            else {"volunteers-text": body})
    client.set_cookie("kuulas_lang", "en")
    response = client.post(f"/hallinta/paneelit/{panel.id}/pooli", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Row 3, column “display_name”" in page and "NUL" in page
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0


def test_nul_in_shares_csv(app, client, login, make_staff):
    staff = make_staff("preparer")
    panel = make_panel(staff, open_now=False)
    login(staff)
    client.set_cookie("kuulas_lang", "en")
    response = client.post(f"/hallinta/paneelit/{panel.id}/taustamuuttujat", data={
        "shares-text": "feature,value,population_share\ngender,female,5\x000\ngender,male,50\n"})
    assert response.status_code == 400
    assert "Row 2, column “population_share”" in response.get_data(as_text=True)


def test_quota_over_range_is_a_clear_error(app, client, login, make_staff):
    staff = make_staff("preparer")
    panel = make_panel(staff)
    add_volunteers(panel, [{"gender": "male", "age": "old"}] * 6)
    services.close_recruitment_now(panel.id, actor=staff, now=utcnow())
    db.session.commit()
    login(staff)
    client.set_cookie("kuulas_lang", "en")
    response = client.post(f"/hallinta/paneelit/{panel.id}/arvonta", data={
        "quotas-submit": "1", "min__gender__male": "0", "max__gender__male": str(2**63),
        "min__gender__female": "0", "max__gender__female": "4"})
    assert response.status_code == 400
    assert "may be at most the panel size 4" in response.get_data(as_text=True)



@pytest.mark.parametrize("people,quotas,words", [
    ("id,g\na,x\x00y\nb,z\n", "feature,value,min,max\ng,x,0,1\ng,z,0,1\n",
     "Row 2 of the people file contains a control character"),
    ("id,g\na,x\nb,z\n", "feature,value,min,max\ng,x,0,99999999999999999999999\ng,z,0,2\n",
     "has a bound larger than 2147483647"),
])
def test_cli_refuses_nul_and_huge_quota_cells_without_a_traceback(app, runner, tmp_path, people,
                                                                   quotas, words):
    (tmp_path / "p.csv").write_text(people)
    (tmp_path / "q.csv").write_text(quotas)
    result = runner.invoke(args=["panel", "select", "--people", str(tmp_path / "p.csv"), "--quotas",
                                 str(tmp_path / "q.csv"), "--size", "1", "--seed", "1",
                                 "--out", str(tmp_path / "o.csv"), "--lang", "en"])
    assert result.exit_code == 1 and words in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (OverflowError, ValueError))
