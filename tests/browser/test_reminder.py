"""A reminder sent in a real browser, through a real SMTP server, from Cliente - Consulta
(the dialog over the invoice page) or from the customer's reminder page, shows at the top
of the invoice's Historial and of the customer's history."""
import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from ..test_reminders import Inbox, _free_port


@pytest.fixture
def inbox(app):
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                      MAIL_DEFAULT_SENDER="cobros@tienda.test", MAIL_TIMEOUT=2)
    yield handler
    controller.stop()


def test_reminder_sent_from_customer_page_tops_the_invoice_historial(
        page, live_server, logged_in, make_customer, make_invoice, inbox, screenshot):
    customer_id = make_customer(name="Ana Pérez", email="ana@example.com")
    older = make_invoice(customer_id)
    newer = make_invoice(customer_id, due="2027-01-15")
    logged_in()
    page.goto(f"{live_server}/customers/{customer_id}/reminders/new")
    expect(page.get_by_role("heading", name="Recordatorio de pago").first).to_be_visible()
    page.get_by_label("POS-1").uncheck()
    expect(page.get_by_label("POS-2")).to_be_checked()
    screenshot("customer-reminder")
    page.get_by_role("button", name="Enviar por correo a ana@example.com").click()
    expect(page.locator(".flash")).to_contain_text("Recordatorio enviado a ana@example.com")
    [(recipients, message)] = inbox.messages
    assert recipients == ["ana@example.com"] and "POS-2" in message.get_content()
    assert page.url == f"{live_server}/customers/{customer_id}"  # back in Cliente - Consulta
    expect(page.locator(".recent-reminders li")).to_have_count(1)
    expect(page.locator(f"#entries-customer-{customer_id} > li").first).to_have_attribute(
        "data-kind", "reminder")

    page.goto(f"{live_server}/invoices/{newer}")
    page.get_by_text("Historial", exact=True).click()
    entries = page.locator(f"#entries-invoice-{newer} > li")
    expect(entries.first).to_have_attribute("data-kind", "reminder")
    expect(entries.first).to_contain_text("ana@example.com")
    expect(entries.first).to_contain_text("Recordatorio")
    screenshot("invoice-historial-reminder")

    page.goto(f"{live_server}/invoices/{older}")
    page.get_by_text("Historial", exact=True).click()
    expect(page.locator(f"#entries-invoice-{older} > li").first).to_have_attribute(
        "data-kind", "created")


def test_reminder_sent_from_the_cliente_consulta_dialog_tops_the_invoice_historial(
        page, live_server, logged_in, make_customer, make_invoice, inbox, screenshot):
    customer_id = make_customer(name="Ana Pérez", email="ana@example.com")
    invoice_id = make_invoice(customer_id)
    logged_in()
    page.goto(f"{live_server}/invoices/{invoice_id}")
    with page.expect_response(f"**/customers/{customer_id}"):
        page.locator("a.customer-link").first.click()
    dialog = page.locator("#customer-dialog")
    expect(dialog).to_be_visible()
    panel = dialog.locator(f"#reminder-panel-{customer_id}")
    expect(panel.get_by_label("POS-1")).to_be_checked()
    screenshot("customer-dialog-reminder")
    panel.get_by_role("button", name="Enviar por correo a ana@example.com").click()
    expect(page.locator(".flash")).to_contain_text("Recordatorio enviado a ana@example.com")
    assert len(inbox.messages) == 1

    page.goto(f"{live_server}/invoices/{invoice_id}")
    page.get_by_text("Historial", exact=True).click()
    entries = page.locator(f"#entries-invoice-{invoice_id} > li")
    expect(entries.first).to_have_attribute("data-kind", "reminder")
    expect(entries.first).to_contain_text("ana@example.com · POS-1")
    expect(entries).to_have_count(2)
