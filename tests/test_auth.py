from .conftest import ADMIN, CASHIER, PASSWORD


def test_login_with_right_password_opens_invoices(client):
    response = client.post("/login", {"email": ADMIN.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/invoices/").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    wrong = client.post("/login", {"email": ADMIN, "password": "nope"})
    unknown = client.post("/login", {"email": "nadie@tienda.test", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 422
    assert "Correo o contraseña incorrectos." in wrong.get_data(as_text=True)
    assert "Correo o contraseña incorrectos." in unknown.get_data(as_text=True)


def test_passwords_are_stored_hashed(app):
    from pos_notes.extensions import db
    from pos_notes.models import User
    with app.app_context():
        stored = db.session.scalar(db.select(User.password_hash).where(User.email == CASHIER))
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_logout_ends_the_session(admin_client):
    assert admin_client.post("/logout").status_code == 302
    assert admin_client.get("/invoices/").status_code == 302


def test_login_ignores_offsite_next(client):
    response = client.post("/login?next=//evil.example/", {"email": ADMIN, "password": PASSWORD})
    assert response.headers["Location"] == "/invoices/"


def test_htmx_request_after_the_session_ended_sends_the_whole_page_to_login(
        app, admin_client, make_invoice):
    """Not a login form swapped into the Historial: htmx is told to go to the login page,
    which leads back to the page the user was on."""
    invoice_id = make_invoice()
    admin_client.get(f"/invoices/{invoice_id}/history")  # the page's CSRF token
    admin_client.raw.post("/logout", data={"csrf_token": admin_client.token})
    response = admin_client.raw.post(
        f"/invoices/{invoice_id}/annotations", data={"text": "nota", "csrf_token": admin_client.token},
        headers={"HX-Request": "true",
                 "HX-Current-URL": f"http://localhost/invoices/{invoice_id}"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == f"/login?next=%2Finvoices%2F{invoice_id}"
    assert response.get_data() == b""
    # Without htmx, the same request is an ordinary redirect to the login page.
    plain = admin_client.raw.get(f"/invoices/{invoice_id}")
    assert plain.status_code == 302
    assert plain.headers["Location"] == f"/login?next=%2Finvoices%2F{invoice_id}"
    after_login = admin_client.raw.post(
        plain.headers["Location"], data={"email": ADMIN, "password": PASSWORD,
                                         "csrf_token": admin_client._token()})
    assert after_login.headers["Location"] == f"/invoices/{invoice_id}"
