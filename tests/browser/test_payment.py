"""Registrar abono and Reversar abono in a real browser: the status, the balance and the
Historial follow the money."""
from playwright.sync_api import expect


def test_abono_and_its_reversal_show_in_status_and_historial(
        page, live_server, logged_in, make_invoice, screenshot):
    invoice_id = make_invoice()  # credit, $ 6.400
    logged_in()
    page.goto(f"{live_server}/invoices/{invoice_id}")
    page.locator(f"#payment-panel-{invoice_id} summary").click()
    page.get_by_label("Valor del abono").fill("2.000")
    page.get_by_label("Transferencia").check()
    page.locator(f"#payment-panel-{invoice_id}").get_by_role(
        "button", name="Registrar abono").click()
    expect(page.locator(".flash")).to_contain_text("Abono de $ 2.000 registrado en POS-1")
    expect(page.locator(".page-head .badge")).to_have_text("Pagada Parcialmente")
    expect(page.locator(".facts")).to_contain_text("$ 4.400")

    page.get_by_text("Historial", exact=True).click()
    entries = page.locator(f"#entries-invoice-{invoice_id} > li")
    expect(entries.first).to_have_attribute("data-kind", "payment")
    expect(entries.first).to_contain_text("$ 2.000 · Transferencia")
    screenshot("invoice-with-abono")

    page.locator("#payments-%d summary" % invoice_id).first.click()
    page.get_by_label("Motivo de la reversión").fill("La transferencia no llegó")
    page.get_by_role("button", name="Reversar abono").click()
    expect(page.locator(".flash")).to_contain_text("Abono de $ 2.000 reversado")
    expect(page.locator(".page-head .badge")).to_have_text("Por Cobrar")
    expect(page.locator("#payments-%d" % invoice_id)).to_contain_text(
        "La transferencia no llegó")
    page.get_by_text("Historial", exact=True).click()
    expect(entries.first).to_have_attribute("data-kind", "payment_reversed")
    expect(entries.first).to_contain_text("La transferencia no llegó")


def test_over_payment_is_refused_next_to_the_field(page, live_server, logged_in, make_invoice):
    invoice_id = make_invoice()
    logged_in()
    page.goto(f"{live_server}/invoices/{invoice_id}")
    page.locator(f"#payment-panel-{invoice_id} summary").click()
    page.get_by_label("Valor del abono").fill("7.000")
    page.locator(f"#payment-panel-{invoice_id}").get_by_role(
        "button", name="Registrar abono").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "no puede ser mayor que el saldo ($ 6.400)")
    expect(page.get_by_label("Valor del abono")).to_have_value("7.000")
    expect(page.locator(".page-head .badge")).to_have_text("Por Cobrar")
