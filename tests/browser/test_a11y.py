"""Accessibility in a real browser: axe-core on each main page, keyboard-only Historial,
the polite live region, errors announced next to the field, htmx's loading manners."""
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pos_notes.extensions import db
from pos_notes.invoices.services import register_payment
from pos_notes.models import HistoryEntry, Invoice, User

from ..conftest import ADMIN

AXE = Path(__file__).resolve().parent.parent / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now."""
    # Evaluated through DevTools: the app's CSP rightly blocks an injected <script>.
    page.evaluate(AXE.read_text())
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    return [f"{v['id']} ({v['impact']}): {v['help']} -> "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:5])
            for v in violations if v["impact"] in BLOCKING]


def open_historial(page, invoice_id):
    with page.expect_response(f"**/invoices/{invoice_id}/history"):
        page.locator(f"#historial-{invoice_id} > summary").click()
    expect(page.locator(f"#entries-invoice-{invoice_id} > li").first).to_be_visible()


def test_login_page_has_no_serious_violations(page, live_server):
    page.goto(f"{live_server}/login")
    assert axe_violations(page) == []


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800},
                                      {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_main_pages_have_no_serious_violations(page, live_server, logged_in, make_invoice,
                                               viewport, app):
    invoice_id = make_invoice()
    make_invoice(payment_form="contado")
    with app.app_context():  # an abono, so the payments list and Reversar abono show
        register_payment(db.session.get(Invoice, invoice_id), amount=1000,
                         paid_on=date(2026, 12, 1), method="efectivo",
                         actor=db.session.scalar(db.select(User).where(User.email == ADMIN)))
        db.session.commit()
    page.set_viewport_size(viewport)
    logged_in()
    pages = {"invoice-list": "/invoices/", "invoice-with-historial": f"/invoices/{invoice_id}",
             "new-invoice": "/invoices/new", "edit-invoice": f"/invoices/{invoice_id}/edit",
             "customer": "/customers/1", "history-page": f"/invoices/{invoice_id}/history",
             "new-customer": "/customers/new", "customer-list": "/customers/",
             "edit-customer": "/customers/1/edit", "customer-dialog": "/invoices/",
             "reminder": "/customers/1/reminders/new", "settings": "/settings/",
             "users": "/users/", "new-user": "/users/new"}
    found = {}
    for name, url in pages.items():
        page.goto(live_server + url)
        if name == "invoice-with-historial":
            open_historial(page, invoice_id)
            for panel in (f"#annul-{invoice_id}", f"#payment-panel-{invoice_id}",
                          "details[id^=reverse-]"):  # every panel open
                page.locator(f"{panel} > summary").click()
        if name == "customer-dialog":  # Cliente - Consulta over the invoice list
            with page.expect_response("**/customers/1"):
                page.locator('a.customer-link[href="/customers/1"]').first.click()
            expect(page.locator("#customer-dialog")).to_be_visible()
        found[name] = axe_violations(page)
    assert found == {name: [] for name in pages}


def test_pages_with_errors_and_in_english_have_no_serious_violations(page, live_server,
                                                                      logged_in):
    logged_in()
    page.goto(f"{live_server}/invoices/new")
    page.get_by_role("button", name="Guardar").click()  # nothing filled in: errors
    expect(page.get_by_role("alert").first).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert axe_violations(page) == []


def test_every_control_has_a_label(page, live_server, logged_in, make_invoice):
    invoice_id = make_invoice()
    logged_in()
    for url in ("/invoices/", "/invoices/new", f"/invoices/{invoice_id}/edit",
                f"/invoices/{invoice_id}", f"/invoices/{invoice_id}/history", "/customers/",
                "/customers/1", "/customers/new", "/customers/1/edit",
                "/customers/1/reminders/new", "/settings/"):
        page.goto(live_server + url)
        unlabelled = page.evaluate("""() => [...document.querySelectorAll(
                'input:not([type=hidden]), select, textarea, button')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                         && !(e.tagName === 'BUTTON' && e.textContent.trim()))
            .map(e => e.outerHTML.slice(0, 80))""")
        assert unlabelled == [], url


def test_historial_works_with_the_keyboard_alone(page, live_server, logged_in, make_invoice,
                                                 app):
    invoice_id = make_invoice()
    logged_in()
    page.goto(f"{live_server}/invoices/{invoice_id}")
    summary = page.locator(f"#historial-{invoice_id} > summary")
    for _ in range(40):  # Tab through the page until the Historial summary has the focus
        page.keyboard.press("Tab")
        if summary.evaluate("e => e === document.activeElement"):
            break
    expect(summary).to_be_focused()
    with page.expect_response(f"**/invoices/{invoice_id}/history"):
        page.keyboard.press("Enter")
    field = page.get_by_label("Anotación")
    expect(field).to_be_visible()
    page.keyboard.press("Tab")
    expect(field).to_be_focused()
    page.keyboard.type("Escrita solo con el teclado")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Guardar")).to_be_focused()
    page.keyboard.press("Enter")
    entries = page.locator(f"#entries-invoice-{invoice_id} > li")
    expect(entries.first).to_contain_text("Escrita solo con el teclado")
    expect(field).to_be_focused()
    expect(field).to_have_value("")


def test_a_new_note_is_announced_by_the_existing_polite_live_region(page, live_server,
                                                                    logged_in, make_invoice):
    invoice_id = make_invoice()
    logged_in()
    page.goto(f"{live_server}/invoices/{invoice_id}")
    open_historial(page, invoice_id)
    status = page.locator(f"#timeline-status-invoice-{invoice_id}")
    expect(status).to_have_attribute("role", "status")  # polite by definition
    expect(status).to_have_text("")
    page.evaluate(f"window.__status = document.getElementById('timeline-status-invoice-{invoice_id}')")
    page.get_by_label("Anotación").fill("Pagará el lunes")
    page.get_by_role("button", name="Guardar").click()
    expect(status).to_have_text("Anotación guardada.")
    # The same element changed its text: screen readers announce changes to live regions
    # that already exist, not regions inserted with their text.
    assert page.evaluate(f"window.__status === document.getElementById('timeline-status-invoice-{invoice_id}')")


def test_an_error_is_shown_next_to_the_field_announced_and_focused(page, live_server, logged_in,
                                                                   make_invoice):
    invoice_id = make_invoice()
    logged_in()
    page.goto(f"{live_server}/invoices/{invoice_id}")
    open_historial(page, invoice_id)
    page.get_by_label("Anotación").fill("   ")
    page.get_by_role("button", name="Guardar").click()
    error = page.locator(f"#annotation-text-{invoice_id}-error")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("no puede estar vacío")
    field = page.get_by_label("Anotación")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", f"annotation-text-{invoice_id}-error")
    expect(field).to_be_focused()
    # The message sits right under its field.
    field_box, error_box = field.bounding_box(), error.bounding_box()
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 30


def test_loading_indicator_shows_while_the_historial_loads(page, live_server, logged_in,
                                                           make_invoice):
    invoice_id = make_invoice()
    logged_in()
    page.goto(f"{live_server}/invoices/{invoice_id}")
    held = []
    page.route(f"**/invoices/{invoice_id}/history", lambda route: held.append(route))  # held
    indicator = page.locator(f"#timeline-loading-{invoice_id}")
    expect(indicator).to_be_hidden()
    page.locator(f"#historial-{invoice_id} > summary").click()
    expect(indicator).to_be_visible()
    expect(indicator).to_have_text("Cargando…")
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator(f"#entries-invoice-{invoice_id} > li").first).to_be_visible()
    expect(indicator).to_be_hidden()


def test_a_double_tap_on_guardar_saves_one_note(page, live_server, logged_in, make_invoice, app):
    invoice_id = make_invoice()
    logged_in()
    page.goto(f"{live_server}/invoices/{invoice_id}")
    open_historial(page, invoice_id)
    page.get_by_label("Anotación").fill("Una sola vez")
    guardar = page.get_by_role("button", name="Guardar")
    with page.expect_response(f"**/invoices/{invoice_id}/annotations"):
        guardar.dblclick()
    entries = page.locator(f"#entries-invoice-{invoice_id} > li[data-kind=annotation]")
    expect(entries).to_have_count(1)
    page.wait_for_timeout(300)  # a second request, had there been one, would be back by now
    with app.app_context():
        saved = db.session.scalars(db.select(HistoryEntry.body).where(
            HistoryEntry.invoice_id == invoice_id, HistoryEntry.kind == "annotation")).all()
    assert saved == ["Una sola vez"]


def test_guardar_is_disabled_while_its_request_runs(page, live_server, logged_in, make_invoice,
                                                    app):
    invoice_id = make_invoice()
    logged_in()
    page.goto(f"{live_server}/invoices/{invoice_id}")
    open_historial(page, invoice_id)
    held = []
    page.route(f"**/invoices/{invoice_id}/annotations", lambda route: held.append(route))
    page.get_by_label("Anotación").fill("Con la red lenta")
    guardar = page.get_by_role("button", name="Guardar")
    guardar.click()
    expect(guardar).to_be_disabled()
    guardar.evaluate("b => { b.click(); b.form.requestSubmit(); }")  # impatient second tap
    page.wait_for_timeout(200)
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator(f"#entries-invoice-{invoice_id} > li").first).to_contain_text(
        "Con la red lenta")
    expect(page.get_by_role("button", name="Guardar")).to_be_enabled()
    with app.app_context():
        count = db.session.scalar(db.select(db.func.count()).select_from(HistoryEntry).where(
            HistoryEntry.invoice_id == invoice_id, HistoryEntry.kind == "annotation"))
    assert count == 1


def test_customer_window_works_with_the_keyboard_alone(page, live_server, logged_in,
                                                      make_invoice):
    make_invoice()
    logged_in()
    link = page.locator("a.customer-link").first
    for _ in range(40):  # Tab until the customer's name in the list has the focus
        page.keyboard.press("Tab")
        if link.evaluate("e => e === document.activeElement"):
            break
    expect(link).to_be_focused()
    with page.expect_response("**/customers/1"):
        page.keyboard.press("Enter")
    dialog = page.locator("#customer-dialog")
    expect(dialog).to_be_visible()
    field = dialog.get_by_label("Anotación")
    for _ in range(20):  # focus stays inside the modal dialog: Tab reaches the note field
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('customer-dialog')"
                             ".contains(document.activeElement)")
        if field.evaluate("e => e === document.activeElement"):
            break
    expect(field).to_be_focused()
    page.keyboard.type("Anotada con el teclado")
    guardar = dialog.get_by_role("button", name="Guardar")
    for _ in range(10):
        page.keyboard.press("Tab")
        if guardar.evaluate("e => e === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(dialog.locator("#entries-customer-1 > li").first).to_contain_text(
        "Anotada con el teclado")
    expect(field).to_be_focused()
    expect(dialog.locator("#timeline-status-customer-1")).to_have_text("Anotación guardada.")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(link).to_be_focused()
