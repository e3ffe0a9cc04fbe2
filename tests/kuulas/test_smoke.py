def test_front_page_in_finnish_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="fi">' in response.get_data(as_text=True)


def test_staff_sign_in_and_home(client, make_staff, login):
    admin = make_staff("administrator")
    login(admin)
    response = client.get("/hallinta")
    assert response.status_code == 200
    assert admin.email in response.get_data(as_text=True)
