"""The counter's day in a real browser, at a desktop and a tablet: log in, sell, modify,
annotate the invoice, pay, remind, reverse the payment, annul, annotate the customer,
switch language, log out. And the layout at every screen size: no
horizontal scroll, 44x44 px touch targets. Screenshots go to SCREENSHOTS_DIR."""
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from pos_notes.extensions import db
from pos_notes.invoices import services as invoice_services
from pos_notes.models import Invoice, User

from ..conftest import ADMIN, PASSWORD

DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}
SIZES = {"desktop": DESKTOP, "laptop": {"width": 1024, "height": 768}, "tablet": TABLET,
         "phone": {"width": 390, "height": 844}}
TARGET = 44

LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) {
    const wide = [...document.querySelectorAll('body *')]
      .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 3).map(e => e.tagName + '.' + e.className);
    problems.push(`horizontal scroll: ${doc.scrollWidth} > ${window.innerWidth} (${wide})`);
  }
  for (const wrap of document.querySelectorAll('.table-wrap')) {
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      problems.push(`table scrolls sideways: ${wrap.firstElementChild.className} ` +
                    `${wrap.scrollWidth} > ${wrap.clientWidth}`);
    }
  }
  const acting = 'a[href], button, summary, select, input[type=submit], label.choice';
  for (const e of document.querySelectorAll(acting)) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(e).visibility === 'hidden') continue;
    if (r.width < %(t)d - 0.5 || r.height < %(t)d - 0.5) {
      problems.push(`${e.tagName} "${e.textContent.trim().slice(0, 30)}" is ` +
                    `${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return problems;
}""" % {"t": TARGET}


def layout_problems(page) -> list[str]:
    return page.evaluate(LAYOUT_PROBLEMS)


def open_historial(page, invoice_id):
    with page.expect_response(f"**/invoices/{invoice_id}/history"):
        page.locator(f"#historial-{invoice_id} > summary").click()
    expect(page.locator(f"#entries-invoice-{invoice_id} > li").first).to_be_visible()


@pytest.mark.parametrize("screen", ["desktop", "tablet"])
def test_a_day_at_the_counter(page, live_server, make_customer, screenshot, app, screen,
                              tmp_path):
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    make_customer("Ana Pérez", identification="1.020.304")
    make_customer("Restaurante El Fogón", identification="901.555.222-1")
    page.set_viewport_size(SIZES[screen])

    # Log in.
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)$"))
    screenshot(f"{screen}-login")
    page.get_by_label("Correo electrónico").fill(ADMIN)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Facturas")).to_be_visible()

    # Sell on credit.
    page.get_by_role("navigation").get_by_role("link", name="Nueva factura").click()
    # Find the customer by typing: htmx replaces the choices, the page stays.
    page.evaluate("window.sameDocument = true")
    with page.expect_response("**/customers/pick?**"):
        page.get_by_label("Buscar cliente").fill("perez")
    expect(page.get_by_label("Restaurante El Fogón (901.555.222-1)")).to_have_count(0)
    page.get_by_label("Ana Pérez (1.020.304)").check()
    assert page.evaluate("window.sameDocument") is True
    page.get_by_label("Crédito").check()
    page.get_by_label("Vencimiento").fill("2026-12-31")
    page.get_by_label("Descripción, línea 1").fill("Arroz Diana 500 g")
    page.get_by_label("Cantidad, línea 1").fill("2")
    page.get_by_label("Precio unitario, línea 1").fill("3.200")
    page.get_by_label("Descripción, línea 2").fill("Café Sello Rojo 250 g")
    page.get_by_label("Cantidad, línea 2").fill("1")
    page.get_by_label("Precio unitario, línea 2").fill("$ 9.800")
    screenshot(f"{screen}-new-invoice")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status").filter(has_text="Factura POS-1 creada.")).to_be_visible()
    expect(page.locator(".page-head .badge")).to_have_text("Por Cobrar")
    expect(page.locator("tfoot")).to_contain_text("$ 16.200")
    invoice_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    # Modify: one more bag of rice.
    page.get_by_role("link", name="Modificar").click()
    page.get_by_label("Cantidad, línea 1").fill("3")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Factura modificada.")).to_be_visible()
    expect(page.locator("tfoot")).to_contain_text("$ 19.400")

    # Annotate in the Historial: the modification is there, the note goes on top.
    open_historial(page, invoice_id)
    entries = page.locator(f"#entries-invoice-{invoice_id} > li")
    expect(entries.first).to_have_attribute("data-kind", "modified")
    expect(entries.first).to_contain_text("$ 16.200")
    page.get_by_label("Anotación").fill("Cliente pagará el viernes con Nequi.")
    page.get_by_role("button", name="Guardar").click()
    expect(entries.first).to_contain_text("Cliente pagará el viernes con Nequi.")
    expect(entries.first).to_contain_text(ADMIN)
    expect(entries.first.locator("time")).to_have_text("hace un momento")
    screenshot(f"{screen}-invoice-historial")

    # Registrar abono: part of the balance, by transfer.
    page.locator(f"#payment-panel-{invoice_id} > summary").click()
    page.get_by_label("Valor del abono").fill("5.000")
    page.get_by_label("Transferencia").check()
    page.get_by_role("button", name="Registrar abono").click()
    expect(page.locator(".flashes")).to_contain_text("Abono de $ 5.000 registrado en POS-1.")
    expect(page.locator(".page-head .badge")).to_have_text("Pagada Parcialmente")

    # Remind the customer by email from Cliente - Consulta (no mail server: the outbox).
    with page.expect_response("**/customers/1"):
        page.locator(".facts .customer-link").click()
    dialog = page.locator("#customer-dialog")
    expect(dialog.get_by_label("POS-1")).to_be_checked()
    dialog.get_by_role("button", name="Enviar por correo a ana@example.com").click()
    expect(page.locator(".flashes")).to_contain_text("bandeja de salida")
    assert list((tmp_path / "outbox").glob("*.eml"))
    page.goto(f"{live_server}/invoices/{invoice_id}")
    open_historial(page, invoice_id)
    expect(entries.first).to_have_attribute("data-kind", "reminder")
    expect(entries.nth(1)).to_have_attribute("data-kind", "payment")

    # Reversar abono (admin, with a reason): an abono must go before the invoice is annulled.
    page.locator("details[id^=reverse-] > summary").click()
    page.get_by_label("Motivo de la reversión").fill("Transferencia rechazada por el banco.")
    page.get_by_role("button", name="Reversar abono").click()
    expect(page.locator(".flashes")).to_contain_text("Abono de $ 5.000 reversado.")
    expect(page.locator(".page-head .badge")).to_have_text("Por Cobrar")

    # Annul (admin only), with a reason.
    page.get_by_text("Anular", exact=True).click()
    page.get_by_label("Motivo").fill("El cliente devolvió la mercancía.")
    page.get_by_role("button", name="Anular factura").click()
    expect(page.locator(".page-head .badge")).to_have_text("Anulada")
    expect(page.get_by_role("link", name="Modificar")).to_have_count(0)
    with app.app_context():
        assert db.session.get(Invoice, invoice_id).status == "anulada"

    # The list shows it, with the customer as a blue link.
    page.get_by_role("navigation").get_by_role("link", name="Facturas").click()
    row = page.locator(f"#invoice-{invoice_id}")
    expect(row).to_contain_text("Anulada")
    link = row.get_by_role("link", name="Ana Pérez")
    color = link.evaluate("e => getComputedStyle(e).color")
    red, green, blue = (int(c) for c in color[color.index("(") + 1:-1].split(",")[:3])
    assert blue > 150 and red < 60 and green < 120, color
    screenshot(f"{screen}-invoice-list")

    # Annotate the customer in Cliente - Consulta, over the list, then close it.
    with page.expect_response("**/customers/1"):
        link.click()
    dialog = page.locator("#customer-dialog")
    expect(dialog.get_by_role("heading", name="Cliente - Consulta")).to_be_visible()
    dialog.get_by_label("Anotación").fill("Prefiere que la llamen después de las 5.")
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog.locator("#entries-customer-1 > li").first).to_contain_text(
        "Prefiere que la llamen después de las 5.")
    assert layout_problems(page) == []
    screenshot(f"{screen}-customer-dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Switch to English: the same screens, in English, money and dates the English way.
    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar").click()
    expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
    expect(row).to_contain_text("Annulled")
    expect(row).to_contain_text("$19,400")
    page.get_by_role("link", name="POS-1").click()
    expect(page.get_by_role("heading", name="POS sales invoice POS-1")).to_be_visible()
    screenshot(f"{screen}-invoice-english")
    with app.app_context():
        assert db.session.scalar(db.select(User.locale).where(User.email == ADMIN)) == "en"

    # Log out; logging in again keeps English.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server}/login")
    page.get_by_label("Correo electrónico").fill(ADMIN)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
    assert layout_problems(page) == []


@pytest.fixture
def busy_shop(app, make_customer, make_invoice):
    """Enough to stress the layout: long names and notes, every status, 'Ver más' pages."""
    long_name = "Distribuidora de Víveres y Abarrotes La Gran Esperanza del Norte S.A.S."
    customer = make_customer(long_name, identification="900.123.456-7",
                             email="cartera.y.pagos@distribuidora-la-gran-esperanza.example.com")
    first = make_invoice(customer_id=customer, lines=[
        {"description": "Aceite de girasol Premier presentación familiar 3 L " * 2,
         "quantity": Decimal("12.5"), "unit_price": 123456789}])
    for k in range(51):
        make_invoice(customer_id=customer, payment_form="credito" if k % 2 else "contado")
    with app.app_context():
        invoice = db.session.get(Invoice, first)
        actor = db.session.scalar(db.select(User).where(User.email == ADMIN))
        for k in range(31):
            invoice_services.add_annotation(
                invoice, actor=actor,
                text=f"Nota {k}: " + "el cliente llamó para acordar el pago " * 4
                + "https://ejemplo.test/un/enlace/muy/largo/sin/espacios/que/no/debe/romper")
        db.session.commit()
    return {"invoice": first, "customer": customer}


@pytest.mark.parametrize("size", list(SIZES))
def test_every_screen_fits_without_horizontal_scroll_and_targets_are_44px(
        page, live_server, logged_in, busy_shop, screenshot, size):
    page.set_viewport_size(SIZES[size])
    invoice_id = busy_shop["invoice"]
    page.goto(f"{live_server}/login")
    assert layout_problems(page) == [], "login"
    logged_in()
    screens = {
        "invoice-list": "/invoices/",
        "invoice": f"/invoices/{invoice_id}",
        "new-invoice": "/invoices/new",
        "edit-invoice": f"/invoices/{invoice_id}/edit",
        "invoice-history-page": f"/invoices/{invoice_id}/history",
        "customer": f"/customers/{busy_shop['customer']}",
        "new-customer": "/customers/new",
        "customer-list": "/customers/",
        "customer-dialog": "/invoices/",
        "reminder": f"/customers/{busy_shop['customer']}/reminders/new",
        "settings": "/settings/",
        "users": "/users/",
        "edit-user": "/users/2/edit",
    }
    for name, url in screens.items():
        page.goto(live_server + url)
        if name == "invoice":
            open_historial(page, invoice_id)
            page.get_by_text("Anular", exact=True).click()
            page.locator(f"#payment-panel-{invoice_id} > summary").click()
            expect(page.locator(f"#entries-invoice-{invoice_id} li.more a")).to_be_visible()
        if name == "invoice-list":
            expect(page.get_by_role("link", name="Ver más")).to_be_visible()
        if name == "customer-dialog":
            with page.expect_response(f"**/customers/{busy_shop['customer']}"):
                page.locator("a.customer-link").first.click()
            expect(page.locator("#customer-dialog")).to_be_visible()
        assert layout_problems(page) == [], name
        screenshot(f"layout-{size}-{name}")
    page.goto(f"{live_server}/invoices/new")
    page.get_by_role("button", name="Guardar").click()  # errors next to each field
    expect(page.locator(".field-error").first).to_be_visible()
    assert layout_problems(page) == [], "new invoice with errors"
    screenshot(f"layout-{size}-new-invoice-errors")


def test_the_phone_shows_the_invoice_list_as_cards_with_labels(page, live_server, logged_in,
                                                                make_invoice):
    make_invoice()
    page.set_viewport_size(SIZES["phone"])
    logged_in()
    cell = page.locator("#invoice-rows tr").first.locator("td").nth(3)
    label = cell.evaluate("e => getComputedStyle(e, '::before').content")
    assert label == '"Total"'
    expect(page.locator("table.invoices thead")).not_to_be_in_viewport()
    page.set_viewport_size(DESKTOP)
    assert cell.evaluate("e => getComputedStyle(e, '::before').content") in ("none", "normal")


def test_status_badges_differ_in_shape_not_only_colour(page, live_server, logged_in,
                                                       make_invoice, app):
    for payment_form in ("contado", "credito"):
        make_invoice(payment_form=payment_form)
    logged_in()
    shapes = page.evaluate("""() => [...document.querySelectorAll('.badge')].map(b => {
        const icon = b.querySelector('.badge-icon'), s = getComputedStyle(b);
        const i = getComputedStyle(icon), before = getComputedStyle(icon, '::before');
        return [b.className, b.textContent.trim(), s.borderStyle,
                i.borderStyle + i.backgroundImage + before.content + before.transform];
      })""")
    assert {s[1] for s in shapes} == {"Pagada", "Por Cobrar"}
    paid = next(s for s in shapes if s[1] == "Pagada")
    unpaid = next(s for s in shapes if s[1] == "Por Cobrar")
    assert paid[2] != unpaid[2] and paid[3] != unpaid[3]  # outline and icon differ
    assert page.locator(".badge-icon").first.get_attribute("aria-hidden") == "true"
