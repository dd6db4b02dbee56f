"""Cliente - Consulta in a real browser: a dialog over the current page, notes on top,
Escape and the close button, focus back on the link; a plain page without JavaScript."""
import re

import pytest
from playwright.sync_api import expect

from ..conftest import ADMIN, PASSWORD


@pytest.fixture
def sale(app, make_customer, make_invoice):
    customer_id = make_customer("María Gómez", "52.431.876")
    return customer_id, make_invoice(customer_id)


def open_dialog(page, customer_id):
    dialog = page.locator("#customer-dialog")
    link = page.locator(f'a.customer-link[href="/customers/{customer_id}"]').first
    with page.expect_response(f"**/customers/{customer_id}"):
        link.click()
    expect(dialog).to_be_visible()
    return dialog, link


def test_customer_window_opens_over_the_invoice_list_annotates_and_closes_with_escape(
        page, live_server, logged_in, sale, screenshot):
    customer_id, _invoice_id = sale
    logged_in()
    page.evaluate("window.__samePage = true")
    url = page.url

    dialog, link = open_dialog(page, customer_id)
    expect(dialog.get_by_role("heading", name="Cliente - Consulta")).to_be_visible()
    expect(dialog).to_contain_text("María Gómez")
    expect(dialog).to_contain_text("$ 6.400")
    assert page.url == url

    entries = dialog.locator(f"#entries-customer-{customer_id} > li")
    expect(entries).to_have_count(1)
    field = dialog.get_by_label("Anotación")
    field.fill("Dice que paga el viernes")
    dialog.get_by_role("button", name="Guardar").click()
    expect(entries.first).to_contain_text("Dice que paga el viernes")
    expect(entries.first).to_contain_text(ADMIN)
    expect(entries).to_have_count(2)
    expect(field).to_have_value("")
    screenshot("customer-dialog")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(link).to_be_focused()
    assert page.url == url
    assert page.evaluate("window.__samePage") is True  # no page load happened


def test_customer_window_opens_from_an_invoice_page_and_the_close_button_closes_it(
        page, live_server, logged_in, sale):
    customer_id, invoice_id = sale
    logged_in()
    page.goto(f"{live_server}/invoices/{invoice_id}")
    page.evaluate("window.__samePage = true")

    dialog, link = open_dialog(page, customer_id)
    expect(dialog).to_contain_text("María Gómez")
    assert page.url == f"{live_server}/invoices/{invoice_id}"

    # A payment commitment from inside the window shows up as open.
    dialog.get_by_label("Anotación").fill("Promete abonar")
    dialog.get_by_text("Compromiso de pago (opcional)").click()
    dialog.get_by_label("Valor prometido").fill("3.000")
    dialog.get_by_label("Fecha prometida").fill("2099-12-31")
    dialog.get_by_role("button", name="Guardar").click()
    commitment = dialog.locator(".commitment").first
    expect(commitment).to_have_attribute("data-status", "abierto")
    expect(commitment).to_contain_text("$ 3.000")

    dialog.get_by_role("button", name="Cerrar").click()
    expect(dialog).to_be_hidden()
    expect(link).to_be_focused()
    assert page.evaluate("window.__samePage") is True

    # The invoice's own Historial knows nothing of the customer's note.
    page.get_by_text("Historial", exact=True).click()
    entries = page.locator(f"#entries-invoice-{invoice_id} > li")
    expect(entries.first).to_have_attribute("data-kind", "created")
    expect(page.locator(f"#entries-invoice-{invoice_id}")).not_to_contain_text("Promete abonar")


def test_invalid_note_in_the_window_shows_the_message_and_keeps_it_open(
        page, live_server, logged_in, sale):
    customer_id, _invoice_id = sale
    logged_in()
    dialog, _link = open_dialog(page, customer_id)
    dialog.get_by_label("Anotación").fill("   ")
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog.get_by_role("alert")).to_contain_text("no puede estar vacío")
    expect(dialog).to_be_visible()
    expect(dialog.locator(f"#entries-customer-{customer_id} > li")).to_have_count(1)


def test_customer_url_is_a_full_page(page, live_server, logged_in, sale, screenshot):
    customer_id, invoice_id = sale
    logged_in()
    page.goto(f"{live_server}/customers/{customer_id}")
    expect(page.get_by_role("heading", level=1, name="Cliente - Consulta")).to_be_visible()
    expect(page.locator("#customer-dialog")).to_be_hidden()
    expect(page.locator("main")).to_contain_text("María Gómez")
    expect(page.locator("main").get_by_role("link", name=re.compile(r"POS-\d+"))).to_have_count(1)
    screenshot("customer-page")


def test_without_javascript_the_customer_link_is_a_plain_link(browser, live_server, sale):
    customer_id, invoice_id = sale
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Correo electrónico").fill(ADMIN)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.goto(f"{live_server}/invoices/{invoice_id}")
    page.locator("main a.customer-link").click()
    page.wait_for_url(f"{live_server}/customers/{customer_id}")
    expect(page.get_by_role("heading", level=1, name="Cliente - Consulta")).to_be_visible()

    page.get_by_label("Anotación").fill("Anotada sin JavaScript")
    page.get_by_role("button", name="Guardar").click()
    page.wait_for_url(f"{live_server}/customers/{customer_id}")
    entries = page.locator(f"#entries-customer-{customer_id} > li")
    expect(entries.first).to_contain_text("Anotada sin JavaScript")
    context.close()


def test_back_after_two_searches_restores_the_whole_customer_list(
        page, live_server, logged_in, make_customer):
    make_customer("Ana Uno", "1")
    make_customer("Luis Dos", "2")
    logged_in()
    page.goto(f"{live_server}/customers/")
    page.get_by_label("Buscar por nombre o identificación").fill("ana")
    page.wait_for_url("**/customers/?q=ana")
    page.get_by_label("Buscar por nombre o identificación").fill("luis")
    page.wait_for_url("**/customers/?q=luis")
    page.go_back()
    page.wait_for_url("**/customers/?q=ana")
    expect(page.get_by_role("heading", level=1, name="Clientes")).to_be_visible()
    expect(page.locator("#customer-rows > tr")).to_have_count(1)
    expect(page.locator("#customer-rows")).to_contain_text("Ana Uno")
