"""Usuarios: the owner adds cashiers, changes roles and passwords, and deactivates those who
leave; their history entries stay, they no longer get in."""
import re

import pytest
from sqlalchemy import func, select

from pos_notes.extensions import db
from pos_notes.models import HistoryEntry, User

from .conftest import ADMIN, CASHIER, PASSWORD, Client
from .test_security import _key, snapshot


def _user(app, email) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def _login(app, email, password) -> Client:
    client = Client(app.test_client())
    client.post("/login", {"email": email, "password": password})
    return client


def _logged_in(client) -> bool:
    return client.get("/invoices/").status_code == 200


def test_owner_adds_a_cashier_who_can_log_in_at_once(app, admin_client):
    page = admin_client.get("/users/").get_data(as_text=True)
    assert ADMIN in page and CASHIER in page and "Dueño (administrador)" in page
    response = admin_client.post("/users/new", {
        "email": " Luisa@Tienda.Test ", "role": "cashier", "password": "clave-segura-1"})
    assert response.status_code == 302
    shown = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Usuario luisa@tienda.test creado" in shown
    assert _user(app, "luisa@tienda.test").role == "cashier"
    luisa = _login(app, "luisa@tienda.test", "clave-segura-1")
    assert _logged_in(luisa)
    assert luisa.get("/users/").status_code == 403
    assert "/users/" not in luisa.get("/invoices/").get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"email": CASHIER.upper(), "role": "cashier", "password": "clave-segura-1"},
     "Ya existe un usuario con ese correo."),
    ({"email": "nuevo@tienda.test", "role": "cashier", "password": "corta"},
     "La contraseña debe tener entre 8 y 200 caracteres."),
    ({"email": "nuevo@tienda.test", "role": "cashier", "password": ""},
     "Escriba una contraseña."),
    ({"email": "no-es-correo", "role": "cashier", "password": "clave-segura-1"},
     "Correo electrónico no válido."),
    ({"email": "nuevo@tienda.test", "role": "superuser", "password": "clave-segura-1"}, ""),
])
def test_a_bad_new_user_is_refused_and_nothing_is_written(app, admin_client, data, message):
    before = snapshot(app)
    response = admin_client.post("/users/new", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_deactivated_cashier_is_out_at_once_and_their_entries_stay(
        app, admin_client, cashier_client, make_invoice):
    invoice_id = make_invoice(actor=CASHIER)
    cashier = _user(app, CASHIER)
    assert _logged_in(cashier_client)
    response = admin_client.post(f"/users/{cashier.id}/edit", {"role": "cashier"})  # unticked
    assert response.status_code == 302
    assert not _user(app, CASHIER).active
    assert "Inactivo: no puede ingresar" in admin_client.get("/users/").get_data(as_text=True)
    # The open session ends, and the password no longer opens one.
    assert cashier_client.get("/invoices/").status_code == 302
    refused = _login(app, CASHIER, PASSWORD)
    assert not _logged_in(refused)
    again = refused.post("/login", {"email": CASHIER, "password": PASSWORD})
    assert "Correo o contraseña incorrectos." in again.get_data(as_text=True)
    # What they did keeps their email.
    historial = admin_client.get(f"/invoices/{invoice_id}/history").get_data(as_text=True)
    assert CASHIER in historial
    # Back at work: reactivated, they log in again.
    admin_client.post(f"/users/{cashier.id}/edit", {"role": "cashier", "active": "y"})
    assert _logged_in(_login(app, CASHIER, PASSWORD))


def test_owner_resets_a_password_and_promotes_a_cashier(app, admin_client, cashier_client,
                                                       make_invoice):
    cashier = _user(app, CASHIER)
    assert _logged_in(cashier_client)
    admin_client.post(f"/users/{cashier.id}/edit", {
        "role": "admin", "active": "y", "password": "nueva-clave-2026"})
    # Whoever had the old password is out: the session it opened ends.
    assert cashier_client.get("/invoices/").status_code == 302
    assert not _logged_in(_login(app, CASHIER, PASSWORD))
    promoted = _login(app, CASHIER, "nueva-clave-2026")
    invoice_id = make_invoice(payment_form="contado")
    assert promoted.post(f"/invoices/{invoice_id}/annul",
                         {"reason": "Venta duplicada"}).status_code == 302


@pytest.mark.parametrize("data", [{"role": "cashier", "active": "y"}, {"role": "admin"}])
def test_the_owner_cannot_lock_themselves_out(app, admin_client, data):
    owner = _user(app, ADMIN)
    before = snapshot(app)
    response = admin_client.post(f"/users/{owner.id}/edit", data)
    assert response.status_code == 422
    assert "No puede quitarse el rol de dueño ni desactivar su propia cuenta." in \
        response.get_data(as_text=True)
    assert snapshot(app) == before
    assert _logged_in(admin_client)


def test_double_tapped_new_user_is_created_once(app, admin_client):
    key = _key(admin_client.get("/users/new").get_data(as_text=True))
    data = {"email": "pedro@tienda.test", "role": "cashier", "password": "clave-segura-1",
            "idempotency_key": key}
    responses = [admin_client.post("/users/new", data) for _ in range(2)]
    assert [r.status_code for r in responses] == [302, 302]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(
            User.email == "pedro@tienda.test")) == 1


def test_unknown_user_is_404(admin_client):
    assert admin_client.get("/users/999999/edit").status_code == 404


def _change(client, current, new, confirm=None, **extra):
    return client.post("/password", {"current": current, "new": new,
                                     "confirm": new if confirm is None else confirm, **extra})


def test_a_cashier_changes_their_own_password(app, cashier_client):
    page = cashier_client.get("/invoices/").get_data(as_text=True)
    assert 'href="/password"' in page  # their email in the header leads there
    before = snapshot(app)
    wrong = _change(cashier_client, "no-es-esta", "otra-clave-2026")
    assert wrong.status_code == 422
    assert "La contraseña actual no es correcta." in wrong.get_data(as_text=True)
    mismatch = _change(cashier_client, PASSWORD, "otra-clave-2026", "otra-clave-2027")
    assert "Las dos contraseñas nuevas no coinciden." in mismatch.get_data(as_text=True)
    short = _change(cashier_client, PASSWORD, "corta")
    assert "La contraseña debe tener entre 8 y 200 caracteres." in short.get_data(as_text=True)
    assert snapshot(app) == before
    key = _key(cashier_client.get("/password").get_data(as_text=True))
    for _ in range(2):  # a double tap is not "the current password is wrong"
        done = _change(cashier_client, PASSWORD, "otra-clave-2026", idempotency_key=key)
        assert done.status_code == 302
        assert "Contraseña cambiada." in cashier_client.get("/invoices/").get_data(as_text=True)
    assert not _logged_in(_login(app, CASHIER, PASSWORD))
    assert _logged_in(_login(app, CASHIER, "otra-clave-2026"))


def test_a_new_password_ends_the_other_sessions_but_not_this_one(app, cashier_client):
    at_the_counter, at_home = cashier_client, _login(app, CASHIER, PASSWORD)
    assert _logged_in(at_home)
    assert _change(at_the_counter, PASSWORD, "otra-clave-2026").status_code == 302
    assert _logged_in(at_the_counter)
    assert at_home.get("/invoices/").status_code == 302
    assert "/login" in at_home.get("/invoices/").headers["Location"]


def test_owner_setting_their_own_password_stays_logged_in(app, admin_client):
    owner = _user(app, ADMIN)
    elsewhere = _login(app, ADMIN, PASSWORD)
    response = admin_client.post(f"/users/{owner.id}/edit", {
        "role": "admin", "active": "y", "password": "clave-del-dueno-1"})
    assert response.status_code == 302
    assert _logged_in(admin_client)
    assert not _logged_in(elsewhere)
    assert _logged_in(_login(app, ADMIN, "clave-del-dueno-1"))


def test_guessing_the_current_password_is_throttled_like_a_login(app, cashier_client):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    answers = [_change(cashier_client, f"intento-{i}", "otra-clave-2026").status_code
               for i in range(4)]
    assert answers == [422, 422, 422, 429]
    # The account's login is throttled too: the same password is being guessed.
    assert _login(app, CASHIER, "otro-intento").post(
        "/login", {"email": CASHIER, "password": "x"}).status_code == 429
