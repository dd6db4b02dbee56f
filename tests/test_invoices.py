"""Counter sales, Modificar and Anular, each leaving exactly one history entry."""
import re

import pytest
from sqlalchemy import func, select

from pos_notes import clock
from pos_notes.extensions import db
from pos_notes.models import HistoryEntry, Invoice

from .conftest import ADMIN, CASHIER, at


def _entries(app, invoice_id):
    with app.app_context():
        return list(db.session.scalars(select(HistoryEntry).where(
            HistoryEntry.invoice_id == invoice_id).order_by(HistoryEntry.id)))


def _invoice(app, invoice_id):
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        invoice.lines  # load before the session closes
        return invoice


def _sale(customer_id, payment_form="contado", due="", lines=(("Arroz", "2", "3.200"),), **extra):
    data = {"customer_id": customer_id, "payment_form": payment_form, "due_date": due,
            "observations": ""}
    for i, (description, quantity, price) in enumerate(lines):
        data[f"lines-{i}-description"] = description
        data[f"lines-{i}-quantity"] = quantity
        data[f"lines-{i}-unit_price"] = price
    return {**data, **extra}


def test_cash_sale_is_numbered_totalled_paid_and_recorded_once(app, cashier_client, make_customer):
    customer_id = make_customer()
    clock.freeze(at("2026-12-03 15:42"))
    response = cashier_client.post("/invoices/new", _sale(
        customer_id, lines=[("Arroz", "2", "3.200"), ("Café", "1", "$ 9.800")]))
    assert response.status_code == 302
    invoice_id = int(response.headers["Location"].rsplit("/", 1)[1])
    invoice = _invoice(app, invoice_id)
    assert (invoice.code, invoice.total, invoice.status) == ("POS-1", 16200, "pagada")
    [entry] = _entries(app, invoice_id)
    assert (entry.kind, entry.actor_email, entry.created_at) == (
        "created", CASHIER, at("2026-12-03 15:42"))
    page = cashier_client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "$ 16.200" in page and "Pagada" in page


def test_credit_sale_needs_a_due_date_and_starts_por_cobrar(app, admin_client, make_customer):
    customer_id = make_customer()
    refused = admin_client.post("/invoices/new", _sale(customer_id, "credito"))
    assert refused.status_code == 422
    assert "necesita fecha de vencimiento" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0
    ok = admin_client.post("/invoices/new", _sale(customer_id, "credito", due="2026-12-31"))
    invoice = _invoice(app, int(ok.headers["Location"].rsplit("/", 1)[1]))
    assert invoice.status == "por_cobrar" and invoice.paid == 0


def test_sale_without_lines_or_with_bad_price_changes_nothing(app, admin_client, make_customer):
    customer_id = make_customer()
    for lines, message in (([], "Agregue al menos una línea."),
                           ([("Arroz", "1", "12,50")], "sin centavos"),
                           ([("Arroz", "-1", "100")], "mayor que cero"),
                           ([("", "1", "100")], "Complete este campo")):
        response = admin_client.post("/invoices/new", _sale(customer_id, lines=lines))
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0
        assert db.session.scalar(select(func.count()).select_from(HistoryEntry).where(
            HistoryEntry.invoice_id.is_not(None))) == 0


def test_numbers_are_consecutive(admin_client, make_customer, app):
    customer_id = make_customer()
    codes = []
    for _ in range(3):
        response = admin_client.post("/invoices/new", _sale(customer_id))
        codes.append(_invoice(app, int(response.headers["Location"].rsplit("/", 1)[1])).code)
    assert codes == ["POS-1", "POS-2", "POS-3"]


def test_modification_entry_lists_each_changed_field(app, admin_client, make_invoice,
                                                     make_customer):
    invoice_id = make_invoice(lines=None)
    other = make_customer(name="Pedro Gómez", identification="79.111")
    data = _sale(other, lines=[("Arroz", "3", "3.200"), ("Panela", "1", "3.500")],
                 due_date="2027-01-15", observations="Entregar el lunes", version="1")
    data.pop("payment_form")
    response = admin_client.post(f"/invoices/{invoice_id}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    modified = _entries(app, invoice_id)[-1]
    assert modified.kind == "modified" and modified.actor_email == ADMIN
    by_field = {(c["field"], c.get("action")): c for c in modified.changes}
    assert by_field[("customer", None)]["old"] == "Ana Pérez"
    assert by_field[("customer", None)]["new"] == "Pedro Gómez"
    assert by_field[("due_date", None)] == {"field": "due_date", "old": "2026-12-31",
                                            "new": "2027-01-15"}
    assert by_field[("observations", None)]["new"] == "Entregar el lunes"
    assert by_field[("line", "changed")]["old"]["quantity"] == "2"
    assert by_field[("line", "changed")]["new"]["quantity"] == "3"
    assert by_field[("line", "added")]["new"]["description"] == "Panela"
    assert by_field[("total", None)] == {"field": "total", "old": 6400, "new": 13100}
    fragment = admin_client.get(f"/invoices/{invoice_id}/history", htmx=True)
    text = fragment.get_data(as_text=True)
    assert "Pedro Gómez" in text and "$ 13.100" in text and "Panela" in text


def test_removed_line_is_listed(app, admin_client, make_invoice):
    invoice_id = make_invoice(lines=[
        {"description": "Arroz", "quantity": 1, "unit_price": 100},
        {"description": "Café", "quantity": 1, "unit_price": 200}])
    data = _sale(0, lines=[("Arroz", "1", "100")], due_date="2026-12-31", version="1")
    data["customer_id"] = _invoice(app, invoice_id).customer_id
    assert admin_client.post(f"/invoices/{invoice_id}/edit", data).status_code == 302
    changes = _entries(app, invoice_id)[-1].changes
    assert {"field": "line", "line": 2, "action": "removed", "new": None,
            "old": {"description": "Café", "quantity": "1", "unit_price": 200}} in changes


def test_saving_without_changes_records_nothing(app, admin_client, make_invoice):
    invoice_id = make_invoice()
    invoice = _invoice(app, invoice_id)
    data = _sale(invoice.customer_id, due_date="2026-12-31", version="1",
                 lines=[("Arroz 500 g", "2", "3200")])
    assert admin_client.post(f"/invoices/{invoice_id}/edit", data).status_code == 302
    assert [e.kind for e in _entries(app, invoice_id)] == ["created"]


def test_stale_edit_gets_a_conflict_not_an_overwrite(app, admin_client, make_invoice):
    invoice_id = make_invoice()
    customer_id = _invoice(app, invoice_id).customer_id
    first = _sale(customer_id, due_date="2026-12-31", version="1", observations="primero")
    second = {**first, "observations": "segundo"}
    assert admin_client.post(f"/invoices/{invoice_id}/edit", first).status_code == 302
    response = admin_client.post(f"/invoices/{invoice_id}/edit", second)
    assert response.status_code == 409
    assert "Otro usuario modificó esta factura" in response.get_data(as_text=True)
    assert _invoice(app, invoice_id).observations == "primero"


def test_cashier_cannot_annul(app, cashier_client, make_invoice):
    invoice_id = make_invoice(payment_form="contado")
    response = cashier_client.post(f"/invoices/{invoice_id}/annul", {"reason": "error"})
    assert response.status_code == 403
    assert _invoice(app, invoice_id).status == "pagada"
    assert [e.kind for e in _entries(app, invoice_id)] == ["created"]
    page = cashier_client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Anular factura" not in page


def test_admin_annuls_with_a_reason_and_the_invoice_stays(app, admin_client, make_invoice):
    invoice_id = make_invoice(payment_form="contado")
    assert admin_client.post(f"/invoices/{invoice_id}/annul", {"reason": "  "}).status_code == 422
    response = admin_client.post(f"/invoices/{invoice_id}/annul",
                                 {"reason": "Cliente devolvió todo"})
    assert response.status_code == 302
    assert _invoice(app, invoice_id).status == "anulada"
    annulled = _entries(app, invoice_id)[-1]
    assert (annulled.kind, annulled.body, annulled.actor_email) == (
        "annulled", "Cliente devolvió todo", ADMIN)
    edit = admin_client.get(f"/invoices/{invoice_id}/edit")
    assert edit.status_code == 302  # an annulled invoice can no longer be modified
    again = admin_client.post(f"/invoices/{invoice_id}/annul", {"reason": "otra vez"})
    assert again.status_code == 422
    assert len(_entries(app, invoice_id)) == 2


def test_list_is_newest_first_and_searches_number_customer_and_status(
        admin_client, make_invoice, make_customer):
    ana = make_customer()
    luis = make_customer(name="Luis Mora", identification="80.1")
    make_invoice(ana)
    make_invoice(luis, payment_form="contado")
    make_invoice(ana)
    page = admin_client.get("/invoices/").get_data(as_text=True)
    assert page.index("POS-3") < page.index("POS-2") < page.index("POS-1")
    assert "POS-2" in admin_client.get("/invoices/?q=pos-2").get_data(as_text=True)
    by_name = admin_client.get("/invoices/?q=luis", htmx=True).get_data(as_text=True)
    assert "POS-2" in by_name and "POS-1" not in by_name and "<html" not in by_name
    credit = admin_client.get("/invoices/?status=por_cobrar").get_data(as_text=True)
    assert "POS-1" in credit and "POS-3" in credit and "POS-2\n" not in credit
    assert 'href="/invoices/2"' not in credit


def _offered(html: str) -> list[str]:
    """The customers a sale's Cliente picker offers, in order, "*" marking the chosen one."""
    return [("*" if checked else "") + name for checked, name in re.findall(
        r'name="customer_id" value="\d+"( checked)?> <span>([^<]+?) <span', html)]


def test_sale_offers_the_latest_customers_and_finds_any_other(app, admin_client,
                                                              make_customer, make_invoice):
    ids = {name: make_customer(name, str(1000 + i), email="")
           for i, name in enumerate(["Ana Pérez", "Beto Ruiz", "Carla Díaz", "Dora Gil",
                                     "Elsa Mora", "Fabio Paz", "Gina Sol", "Hugo Vera",
                                     "Iván Rey", "Luis Gómez", "Zoe Ríos"])}
    make_invoice(ids["Zoe Ríos"])
    make_invoice(ids["Luis Gómez"])  # the latest sale
    page = admin_client.get("/invoices/new").get_data(as_text=True)
    # Eight at most, whatever the number of customers: the latest buyers first.
    assert _offered(page) == ["Luis Gómez", "Zoe Ríos", "Ana Pérez", "Beto Ruiz",
                              "Carla Díaz", "Dora Gil", "Elsa Mora", "Fabio Paz"]
    assert "Hay más clientes" in page
    # htmx asks as the user types: accents and case do not matter.
    found = admin_client.get("/customers/pick?customer_q=PEREZ", htmx=True)
    assert "<html" not in found.get_data(as_text=True)
    assert _offered(found.get_data(as_text=True)) == ["Ana Pérez"]
    by_id = admin_client.get("/customers/pick?customer_q=1008").get_data(as_text=True)
    assert _offered(by_id) == ["Iván Rey"]
    none = admin_client.get("/customers/pick?customer_q=xyz").get_data(as_text=True)
    assert "Ningún cliente coincide con «xyz»." in none
    # The chosen customer stays offered, and chosen, while the search shows others.
    kept = admin_client.get(f"/customers/pick?customer_q=ruiz&customer_id={ids['Hugo Vera']}")
    assert _offered(kept.get_data(as_text=True)) == ["*Hugo Vera", "Beto Ruiz"]
    chosen = admin_client.get(f"/invoices/new?customer_id={ids['Iván Rey']}")
    assert _offered(chosen.get_data(as_text=True))[0] == "*Iván Rey"


def test_without_javascript_buscar_sends_the_form_back_with_the_customers_found(
        app, admin_client, make_customer):
    make_customer("Ana Pérez", "1.020.304")
    luis = make_customer("Luis Gómez", "900.123")
    data = _sale("", lines=[("Panela", "3", "2.500")], customer_q="gomez", find_customer="1")
    response = admin_client.post("/invoices/new", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _offered(html) == ["Luis Gómez"]
    assert 'value="Panela"' in html and 'value="gomez"' in html  # nothing typed is lost
    assert "Elija un cliente" not in html  # a search, not a failed save
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0
    del data["find_customer"]  # now "Guardar", with the customer chosen
    saved = admin_client.post("/invoices/new", {**data, "customer_id": luis})
    assert saved.status_code == 302
    assert _invoice(app, int(saved.headers["Location"].rsplit("/", 1)[1])).customer_id == luis


@pytest.mark.parametrize("customer_id, message", [
    ("", "Elija un cliente."), ("abc", "Elija un cliente de la lista."),
    ("99999", "Elija un cliente de la lista."), ("²", "Elija un cliente de la lista."),
    ("99999999999999999999", "Elija un cliente de la lista.")])
def test_sale_without_a_real_customer_is_refused(app, admin_client, make_customer,
                                                 customer_id, message):
    make_customer()
    response = admin_client.post("/invoices/new", _sale(customer_id))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0
