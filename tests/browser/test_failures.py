"""When a note cannot be saved, in a real browser: the cashier is told why, next to the
form, and what was typed is not lost; trying again saves it once."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pos_notes.extensions import db
from pos_notes.models import HistoryEntry, User

from ..conftest import CASHIER, sqlite_write_lock_held_elsewhere

OFFLINE = ("No hay conexión con el servidor. No se guardó nada; lo escrito sigue aquí para "
           "intentarlo de nuevo.")
BUSY = ("La base de datos no respondió a tiempo. No se guardó nada; vuelva a intentarlo en "
        "un momento.")
NOTE = "Pagará el sábado por Nequi"


def _notes(app, invoice_id) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(HistoryEntry.body).where(
            HistoryEntry.invoice_id == invoice_id, HistoryEntry.kind == "annotation")))


def _open_historial(page, live_server, invoice_id):
    page.goto(f"{live_server}/invoices/{invoice_id}")
    page.get_by_text("Historial", exact=True).click()
    entries = page.locator(f"#entries-invoice-{invoice_id} > li")
    expect(entries).to_have_count(1)
    return entries


def _save_refused(page, entries, message):
    """Guardar fails: the message is next to the form, the text and the button are ready
    for another try, and the timeline has nothing new."""
    field = page.get_by_label("Anotación")
    field.fill(NOTE)
    page.get_by_role("button", name="Guardar").click()
    alert = page.locator(".note-form + .request-error")
    expect(alert).to_have_text(message)
    expect(alert).to_have_attribute("role", "alert")
    expect(field).to_have_value(NOTE)
    expect(page.get_by_role("button", name="Guardar")).to_be_enabled()
    expect(entries).to_have_count(1)


def _saved_on_retry(page, entries):
    page.get_by_role("button", name="Guardar").click()
    expect(entries.first).to_contain_text(NOTE)
    expect(page.locator(".request-error")).to_have_count(0)
    expect(page.get_by_label("Anotación")).to_have_value("")


def test_no_connection_says_so_and_the_note_saves_once_when_it_is_back(
        page, live_server, logged_in, make_invoice, app, screenshot):
    invoice_id = make_invoice()
    logged_in()
    entries = _open_historial(page, live_server, invoice_id)
    page.context.set_offline(True)
    _save_refused(page, entries, OFFLINE)
    screenshot("invoice-historial-offline")
    page.context.set_offline(False)
    _saved_on_retry(page, entries)
    assert _notes(app, invoice_id) == [NOTE]


@pytest.mark.sqlite_only  # SQLite's write lock, held by another program
def test_a_busy_database_says_so_and_the_note_saves_once_when_it_is_free(
        page, live_server, logged_in, make_invoice, app):
    invoice_id = make_invoice()
    logged_in()
    entries = _open_historial(page, live_server, invoice_id)
    with sqlite_write_lock_held_elsewhere(app):
        _save_refused(page, entries, BUSY)
    _saved_on_retry(page, entries)
    assert _notes(app, invoice_id) == [NOTE]


def test_a_session_that_ended_goes_to_login_and_comes_back_with_the_note(
        page, live_server, logged_in, make_invoice, app, admin_client):
    invoice_id = make_invoice()
    logged_in(CASHIER)
    _open_historial(page, live_server, invoice_id)
    with app.app_context():
        cashier = db.session.scalar(select(User.id).where(User.email == CASHIER))
    # The owner gives the cashier a new password: the cashier's open session ends.
    assert admin_client.post(f"/users/{cashier}/edit", {
        "role": "cashier", "active": "y", "password": "clave-nueva-2026"}).status_code == 302
    page.get_by_label("Anotación").fill(NOTE)
    page.get_by_role("button", name="Guardar").click()
    # The whole page goes to the login form, not a login form inside the Historial.
    page.wait_for_url(f"{live_server}/login?next=%2Finvoices%2F{invoice_id}")
    page.get_by_label("Correo electrónico").fill(CASHIER)
    page.get_by_label("Contraseña").fill("clave-nueva-2026")
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(f"{live_server}/invoices/{invoice_id}")
    entries = _open_historial(page, live_server, invoice_id)
    expect(page.get_by_label("Anotación")).to_have_value(NOTE)  # what was typed is back
    _saved_on_retry(page, entries)
    assert _notes(app, invoice_id) == [NOTE]
