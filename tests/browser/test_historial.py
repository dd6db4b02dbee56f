"""The Historial in a real browser: lazy load, inline notes at the top, no page load."""
from playwright.sync_api import expect


def test_historial_loads_lazily_and_notes_appear_on_top_without_reload(
        page, live_server, logged_in, make_invoice, screenshot):
    invoice_id = make_invoice()
    logged_in()
    page.goto(f"{live_server}/invoices/{invoice_id}")
    entries = page.locator(f"#entries-invoice-{invoice_id} > li")
    assert entries.count() == 0  # not in the first HTML
    page.evaluate("window.__samePage = true")

    with page.expect_response(f"**/invoices/{invoice_id}/history"):
        page.get_by_text("Historial", exact=True).click()
    expect(entries.first).to_have_attribute("data-kind", "created")

    field = page.get_by_label("Anotación")
    for note in ("Cliente pagará el viernes", "Llamó para confirmar"):
        field.fill(note)
        page.get_by_role("button", name="Guardar").click()
        expect(entries.first).to_contain_text(note)
        expect(entries.first).to_have_attribute("data-kind", "annotation")
        expect(field).to_have_value("")
        expect(field).to_be_focused()
    assert entries.count() == 3
    assert page.evaluate("window.__samePage") is True  # no page load happened
    screenshot("invoice-historial")


def test_empty_note_shows_message_next_to_field_and_saves_nothing(
        page, live_server, logged_in, make_invoice):
    invoice_id = make_invoice()
    logged_in()
    page.goto(f"{live_server}/invoices/{invoice_id}")
    page.get_by_text("Historial", exact=True).click()
    entries = page.locator(f"#entries-invoice-{invoice_id} > li")
    expect(entries).to_have_count(1)
    page.get_by_label("Anotación").fill("   ")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("alert")).to_contain_text("no puede estar vacío")
    expect(entries).to_have_count(1)
