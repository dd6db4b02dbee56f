"""Clientes and Cliente - Consulta: list, balance, edits in the customer's history,
customer-only annotations and payment commitments computed from payments."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select, text

from pos_notes import clock
from pos_notes.customers import services as customer_services
from pos_notes.extensions import db
from pos_notes.invoices import services as invoice_services
from pos_notes.models import Commitment, Customer, HistoryEntry, Invoice, Payment

from .conftest import ADMIN, CASHIER, at, user
from .test_performance import statements


def row(html: str, customer_id: int) -> str:
    match = re.search(rf'<tr id="customer-{customer_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row for customer {customer_id}"
    return match.group(1)


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="customer-(\d+)">', html)]


def entry_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="entry" id="entry-(\d+)"', html)]


def pay(app, invoice_id, amount, paid_on, actor=ADMIN):
    with app.app_context():
        payment = invoice_services.register_payment(
            db.session.get(Invoice, invoice_id), amount=amount, paid_on=paid_on,
            method="efectivo", actor=user(actor))
        db.session.commit()
        return payment.id


def count(app, model, **where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


# Clientes: the list

def test_customer_list_shows_balance_and_oldest_unpaid_due_date(
        app, admin_client, make_customer, make_invoice):
    ana = make_customer()
    luis = make_customer("Luis Gómez", "79.111.222")
    make_invoice(ana, due="2026-12-31")                                 # owes 6.400
    partly = make_invoice(ana, due="2026-12-20")                        # owes 6.400 - 2.000
    pay(app, partly, 2000, date(2026, 12, 3))
    paid = make_invoice(ana, due="2026-11-15")                          # paid: owes nothing
    pay(app, paid, 6400, date(2026, 12, 3))
    annulled = make_invoice(ana, due="2026-11-01")                      # annulled: nothing
    with app.app_context():
        invoice_services.annul_invoice(db.session.get(Invoice, annulled), reason="Error",
                                       actor=user())
        db.session.commit()
    make_invoice(ana, payment_form="contado")                           # cash: nothing

    clock.freeze(at("2026-12-20 15:00"))
    html = admin_client.get("/customers/").get_data(as_text=True)
    assert "$ 10.800" in row(html, ana)
    assert "20 dic 2026" in row(html, ana) and "vencida" not in row(html, ana)
    clock.freeze(at("2026-12-21 15:00"))
    html = admin_client.get("/customers/").get_data(as_text=True)
    assert "20 dic 2026 <span class=\"overdue\">(vencida)</span>" in row(html, ana)
    consulta = admin_client.get(f"/customers/{ana}", htmx=True).get_data(as_text=True)
    assert "$ 10.800" in consulta and "(vencida)" in consulta
    assert "$ 0" in row(html, luis)
    assert "—" in re.search(r'class="oldest-due">(.*?)</td>', row(html, luis)).group(1)


def test_customer_list_searches_name_or_identification(admin_client, make_customer):
    ana = make_customer("Ana Pérez", "1.020.304")
    luis = make_customer("Luis Gómez", "900.123.456-7")
    for q, expected in (("pérez", [ana]), ("ANA", [ana]), ("Gómez", [luis]),
                        ("perez", [ana]), ("PÉREZ", [ana]), ("gomez", [luis]), ("rez", [ana]),
                        ("ana perez", [ana]),
                        ("1.020", [ana]), ("1020304", [ana]), ("9001234567", [luis]),
                        ("nadie", [])):
        response = admin_client.get(f"/customers/?q={q}", htmx=True)
        html = response.get_data(as_text=True)
        assert "<html" not in html
        assert row_ids(html) == expected, q
    assert "No hay clientes que coincidan" in admin_client.get("/customers/?q=zz").get_data(
        as_text=True)


def test_customer_list_pages_by_keyset_fifty_at_a_time(app, admin_client):
    # Ties on the name straddle the page boundary: the id breaks them, nothing is lost.
    names = [f"Cliente {i:02d}" for i in range(48)] + ["Cliente 48"] * 5 + ["Zoe"] * 2
    with app.app_context():
        for i, name in enumerate(names):
            customer_services.create_customer({"name": name, "identification": str(i)},
                                              actor=user())
        db.session.commit()
    first = admin_client.get("/customers/").get_data(as_text=True)
    assert len(row_ids(first)) == 50
    more = re.search(r'<a class="button" href="([^"]+)" hx-get="\1"', first).group(1)
    assert "after=" in more and "offset" not in more
    rest = admin_client.get(more.replace("&amp;", "&"), htmx=True).get_data(as_text=True)
    assert "<html" not in rest and "Ver más" not in rest
    seen = row_ids(first) + row_ids(rest)
    assert len(seen) == len(set(seen)) == 55
    with app.app_context():
        expected = list(db.session.scalars(select(Customer.id)
                                           .order_by(Customer.name, Customer.id)))
    assert seen == expected


def test_customer_list_runs_the_same_queries_for_3_or_60_customers(
        app, admin_client, make_customer, make_invoice):
    for i in range(3):
        make_invoice(make_customer(f"Cliente {i}", str(i)))
    with statements(app) as small:
        admin_client.get("/customers/")
    for i in range(3, 60):
        make_invoice(make_customer(f"Cliente {i}", str(i)))
    with statements(app) as large:
        html = admin_client.get("/customers/").get_data(as_text=True)
    assert len(row_ids(html)) == 50
    assert len(large) == len(small)


@pytest.mark.sqlite_only  # reads SQLite's EXPLAIN QUERY PLAN
@pytest.mark.parametrize("q", ["", "ana"])
def test_customer_list_walks_the_name_index_without_sorting(app, make_customer, q):
    customer_id = make_customer()
    with app.app_context():
        for after in (None, customer_id):
            statement = customer_services.search_customers(q, after).limit(51)
            sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
            plan = [r.detail for r in db.session.execute(text("EXPLAIN QUERY PLAN " + sql))]
            assert not any("TEMP B-TREE" in step for step in plan), plan
            walk = "SEARCH" if after else "SCAN"
            assert f"{walk} customers USING INDEX ix_customers_name" in plan[0], plan
            # Either index that starts with customer_id (speed_1 adds customer_id, number).
            assert all("USING INDEX ix_invoices_customer_" in step and "(customer_id=?" in step
                       for step in plan if "invoices" in step), plan


def test_navigation_clientes_opens_the_list(admin_client):
    html = admin_client.get("/invoices/").get_data(as_text=True)
    assert '<a href="/customers/">Clientes</a>' in html


# Create and edit

def test_new_customer_is_recorded_in_its_history(app, admin_client):
    response = admin_client.post("/customers/new", {"name": "Marta Ruiz",
                                                    "identification": "43.210.987"})
    assert response.status_code == 302
    with app.app_context():
        customer = db.session.scalar(select(Customer).where(Customer.name == "Marta Ruiz"))
        kinds = list(db.session.scalars(select(HistoryEntry.kind)
                                        .where(HistoryEntry.customer_id == customer.id)))
    assert kinds == ["customer_created"]


def test_customer_edit_records_changed_fields_and_who_changed_them(
        app, cashier_client, make_customer):
    customer_id = make_customer(phone="+57 300 555 0000")
    form = cashier_client.get(f"/customers/{customer_id}/edit").get_data(as_text=True)
    assert 'value="Ana Pérez"' in form
    response = cashier_client.post(f"/customers/{customer_id}/edit", {
        "name": "Ana Pérez", "identification": "1.020.304", "email": "ana@example.com",
        "phone": "+57 311 000 1111", "address": "Cra 7 # 12-34", "version": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/customers/{customer_id}"
    with app.app_context():
        entry = db.session.scalar(select(HistoryEntry).where(
            HistoryEntry.customer_id == customer_id, HistoryEntry.kind == "customer_modified"))
        assert entry.actor_email == CASHIER
        assert entry.changes == [
            {"field": "phone", "old": "+57 300 555 0000", "new": "+57 311 000 1111"},
            {"field": "address", "old": "", "new": "Cra 7 # 12-34"}]
    html = cashier_client.get(f"/customers/{customer_id}").get_data(as_text=True)
    top = html[html.index('id="entries-customer-'):]
    assert top.index('data-kind="customer_modified"') < top.index('data-kind="customer_created"')
    assert "+57 311 000 1111" in top and "Cliente modificado" in top and CASHIER in top


def test_edit_without_changes_records_nothing(app, admin_client, make_customer):
    customer_id = make_customer()
    assert admin_client.post(f"/customers/{customer_id}/edit", {
        "name": "Ana Pérez", "identification": "1.020.304", "email": "ana@example.com",
        "phone": "+57 300 555 0000", "address": "", "version": "1"}).status_code == 302
    assert count(app, HistoryEntry, customer_id=customer_id, kind="customer_modified") == 0


def test_invalid_edit_is_422_with_message_and_changes_nothing(app, admin_client, make_customer):
    customer_id = make_customer()
    response = admin_client.post(f"/customers/{customer_id}/edit", {
        "name": "  ", "identification": "1.020.304", "email": "no-es-correo"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Escriba el nombre." in html and "Correo electrónico no válido." in html
    with app.app_context():
        assert db.session.get(Customer, customer_id).name == "Ana Pérez"
    assert count(app, HistoryEntry, customer_id=customer_id, kind="customer_modified") == 0


# Cliente - Consulta

def test_consulta_is_a_full_page_and_a_fragment_for_htmx(admin_client, make_invoice, app):
    invoice_id = make_invoice()
    with app.app_context():
        customer_id = db.session.get(Invoice, invoice_id).customer_id
    page = admin_client.get(f"/customers/{customer_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert "<h1>Cliente - Consulta</h1>" in html and "Ana Pérez" in html
    assert "HX-Request" in page.headers["Vary"]
    fragment = admin_client.get(f"/customers/{customer_id}", htmx=True)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and "<dialog" not in body
    for part in ("Ana Pérez", "1.020.304", "$ 6.400", "POS-", 'name="text"',
                 'id="entries-customer-', "Compromisos de pago"):
        assert part in body, part


def test_customer_links_load_the_consulta_into_the_dialog(admin_client, make_invoice, app):
    invoice_id = make_invoice()
    with app.app_context():
        customer_id = db.session.get(Invoice, invoice_id).customer_id
    link = (f'<a class="customer-link" href="/customers/{customer_id}" '
            f'hx-get="/customers/{customer_id}" hx-target="#customer-dialog-body"')
    for url in ("/invoices/", f"/invoices/{invoice_id}", "/customers/"):
        html = admin_client.get(url).get_data(as_text=True)
        assert link in html, url
        assert html.count('<dialog id="customer-dialog"') == 1


def test_consulta_shows_latest_transactions_newest_first(app, admin_client, make_customer,
                                                         make_invoice):
    customer_id = make_customer()
    clock.freeze(at("2026-12-01 15:00"))
    older = make_invoice(customer_id)
    clock.freeze(at("2026-12-02 15:00"))
    newer = make_invoice(customer_id)
    clock.freeze(at("2026-12-03 15:00"))
    pay(app, older, 1500, date(2026, 12, 3))
    make_invoice(make_customer("Otro", "1"))  # another customer's: not shown
    html = admin_client.get(f"/customers/{customer_id}", htmx=True).get_data(as_text=True)
    rows = re.findall(r'<tr class="transaction" data-kind="(\w+)">.*?href="/invoices/(\d+)"',
                      html, re.S)
    assert rows == [("payment", str(older)), ("invoice", str(newer)), ("invoice", str(older))]
    assert "$ 1.500" in html and "Abono" in html


def test_consulta_runs_the_same_queries_whatever_the_customer_has(
        app, admin_client, make_customer, make_invoice):
    customer_id = make_customer()
    with statements(app) as small:
        admin_client.get(f"/customers/{customer_id}", htmx=True)
    for i in range(12):
        invoice_id = make_invoice(customer_id)
        pay(app, invoice_id, 1000, date(2026, 12, 3))
        admin_client.post(f"/customers/{customer_id}/annotations", {
            "text": f"Promesa {i}", "amount": "1.000", "due_on": "2026-12-31",
            "invoice_id": str(invoice_id)})
    assert count(app, Commitment, customer_id=customer_id) == 12
    with statements(app) as large:
        html = admin_client.get(f"/customers/{customer_id}", htmx=True).get_data(as_text=True)
    assert html.count('class="commitment ') == 10
    assert len(large) == len(small)


def test_unknown_customer_is_404(admin_client):
    assert admin_client.get("/customers/999999").status_code == 404
    assert admin_client.get("/customers/999999", htmx=True).status_code == 404
    assert admin_client.get("/customers/999999/edit").status_code == 404
    assert admin_client.get("/customers/999999/history").status_code == 404
    assert admin_client.post("/customers/999999/annotations", {"text": "x"}).status_code == 404


# The customer's own timeline

def test_customer_note_via_htmx_returns_entry_for_the_top_and_a_fresh_form(
        app, admin_client, make_customer):
    customer_id = make_customer()
    clock.freeze(at("2026-12-03 15:42"))
    response = admin_client.post(f"/customers/{customer_id}/annotations",
                                 {"text": "Pagará el viernes"}, htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'hx-swap-oob="afterbegin:#entries-customer-{customer_id}"' in html
    assert "Pagará el viernes" in html and ADMIN in html
    assert 'datetime="2026-12-03T10:42:00-05:00"' in html
    form = html[:html.index("hx-swap-oob")]
    assert "Pagará el viernes" not in form  # the form comes back empty
    with app.app_context():
        entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.body ==
                                                             "Pagará el viernes"))
        assert (entry.kind, entry.customer_id, entry.invoice_id) == \
            ("annotation", customer_id, None)
    assert count(app, Commitment) == 0


def test_customer_note_plain_post_redirects_to_the_consulta_with_note_on_top(
        admin_client, make_customer):
    customer_id = make_customer()
    response = admin_client.post(f"/customers/{customer_id}/annotations",
                                 {"text": "Llamar el lunes"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/customers/{customer_id}"
    html = admin_client.get(f"/customers/{customer_id}").get_data(as_text=True)
    assert "Anotación guardada." in html
    entries = html[html.index('id="entries-customer-'):]
    assert entries.index("Llamar el lunes") < entries.index('data-kind="customer_created"')


def test_customer_notes_never_appear_in_any_invoice_historial(
        app, admin_client, make_customer, make_invoice):
    customer_id = make_customer()
    invoices = [make_invoice(customer_id) for _ in range(2)]
    admin_client.post(f"/invoices/{invoices[0]}/annotations", {"text": "Nota de factura"})
    admin_client.post(f"/customers/{customer_id}/annotations", {"text": "Solo del cliente"},
                      htmx=True)
    admin_client.post(f"/customers/{customer_id}/annotations", {
        "text": "Promete abonar", "amount": "3.000", "due_on": "2026-12-31",
        "invoice_id": str(invoices[1])})
    for invoice_id in invoices:
        for htmx in (False, True):
            html = admin_client.get(f"/invoices/{invoice_id}/history", htmx=htmx) \
                .get_data(as_text=True)
            assert "Solo del cliente" not in html and "Promete abonar" not in html
        assert "Solo del cliente" not in admin_client.get(f"/invoices/{invoice_id}") \
            .get_data(as_text=True)
    with app.app_context():
        on_invoices = list(db.session.scalars(select(HistoryEntry.body).where(
            HistoryEntry.invoice_id.in_(invoices))))
    assert "Solo del cliente" not in on_invoices and "Nota de factura" in on_invoices
    consulta = admin_client.get(f"/customers/{customer_id}").get_data(as_text=True)
    assert "Solo del cliente" in consulta and "Nota de factura" not in consulta


def test_customer_timeline_pages_by_keyset(app, admin_client, make_customer):
    customer_id = make_customer()
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        for i in range(34):
            customer_services.add_annotation(customer, text=f"Nota {i}", actor=user())
        db.session.commit()
    html = admin_client.get(f"/customers/{customer_id}", htmx=True).get_data(as_text=True)
    first = entry_ids(html)
    assert len(first) == 30
    more = re.search(r'href="(/customers/\d+/history\?before=[^"]+)"', html).group(1)
    rest_html = admin_client.get(more, htmx=True).get_data(as_text=True)
    assert "<form" not in rest_html  # just the next entries
    rest = entry_ids(rest_html)
    assert len(rest) == 5 and not set(rest) & set(first) and "Ver más" not in rest_html
    plain = admin_client.get(more).get_data(as_text=True)
    assert "<html" in plain and entry_ids(plain) == rest
    assert admin_client.get(f"/customers/{customer_id}/history?before=basura").status_code \
        == 400


# Compromiso de pago

@pytest.fixture
def credit_customer(app, make_customer, make_invoice):
    """A customer with two open credit invoices, on 3 Dec 2026 at 10:00 in Bogotá."""
    clock.freeze(at("2026-12-03 15:00"))
    customer_id = make_customer()
    return customer_id, make_invoice(customer_id), make_invoice(customer_id)


def promise(client, customer_id, amount="4.000", due_on="2026-12-10", invoice_id=None,
            text="Promete pagar"):
    data = {"text": text, "amount": amount, "due_on": due_on}
    if invoice_id:
        data["invoice_id"] = str(invoice_id)
    response = client.post(f"/customers/{customer_id}/annotations", data, htmx=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def statuses(client, customer_id) -> list[str]:
    html = client.get(f"/customers/{customer_id}", htmx=True).get_data(as_text=True)
    return re.findall(r'class="commitment commitment-\w+" id="commitment-\d+" '
                      r'data-status="(\w+)"', html)


def test_commitment_saves_note_and_commitment_and_shows_open(app, admin_client,
                                                             credit_customer):
    customer_id, invoice_id, _other = credit_customer
    response = promise(admin_client, customer_id, invoice_id=invoice_id)
    html = response.get_data(as_text=True)
    assert f'id="commitments-{customer_id}"' in html and 'hx-swap-oob="true"' in html
    assert "Abierto" in html
    assert "Compromiso de pago: $ 4.000 · 10 dic 2026 · POS-" in html  # on its entry too
    with app.app_context():
        commitment = db.session.scalar(select(Commitment))
        entry = db.session.get(HistoryEntry, commitment.entry_id)
        assert (commitment.customer_id, commitment.invoice_id, commitment.amount,
                commitment.due_on) == (customer_id, invoice_id, 4000, date(2026, 12, 10))
        assert (entry.kind, entry.body, entry.customer_id) == \
            ("annotation", "Promete pagar", customer_id)
        assert entry.data["commitment"]["invoice"].startswith("POS-")
    assert statuses(admin_client, customer_id) == ["abierto"]


def test_commitment_is_kept_when_payments_reach_the_amount_by_its_date(
        app, admin_client, credit_customer):
    customer_id, invoice_id, _other = credit_customer
    promise(admin_client, customer_id, invoice_id=invoice_id)
    clock.freeze(at("2026-12-05 15:00"))
    pay(app, invoice_id, 2500, date(2026, 12, 5))
    assert statuses(admin_client, customer_id) == ["abierto"]
    pay(app, invoice_id, 1500, date(2026, 12, 10))
    assert statuses(admin_client, customer_id) == ["cumplido"]
    clock.freeze(at("2027-01-15 15:00"))  # long after the date: still kept
    html = admin_client.get(f"/customers/{customer_id}").get_data(as_text=True)
    assert 'data-status="cumplido"' in html and "Cumplido" in html


def test_commitment_is_overdue_once_its_date_has_passed_at_the_shop(
        app, admin_client, credit_customer):
    customer_id, invoice_id, _other = credit_customer
    promise(admin_client, customer_id, invoice_id=invoice_id)
    pay(app, invoice_id, 1000, date(2026, 12, 9))  # not enough
    clock.freeze(at("2026-12-11 04:59"))  # 10 Dec, 23:59 in Bogotá: still the due day
    assert statuses(admin_client, customer_id) == ["abierto"]
    clock.freeze(at("2026-12-11 05:00"))  # 11 Dec in Bogotá
    assert statuses(admin_client, customer_id) == ["incumplido"]
    assert "Incumplido" in admin_client.get(f"/customers/{customer_id}").get_data(as_text=True)


def test_payments_that_do_not_honour_a_commitment_do_not_count(
        app, admin_client, credit_customer):
    customer_id, invoice_id, other_id = credit_customer
    pay(app, invoice_id, 3000, date(2026, 12, 3))  # before the promise
    clock.freeze(at("2026-12-03 16:00"))
    promise(admin_client, customer_id, amount="3.000", invoice_id=invoice_id)
    clock.freeze(at("2026-12-04 15:00"))
    pay(app, other_id, 3000, date(2026, 12, 4))  # on another invoice
    clock.freeze(at("2026-12-12 15:00"))
    pay(app, invoice_id, 3000, date(2026, 12, 11))  # after its date
    assert statuses(admin_client, customer_id) == ["incumplido"]


def test_commitment_without_invoice_counts_payments_on_any_invoice(
        app, admin_client, credit_customer):
    customer_id, invoice_id, other_id = credit_customer
    promise(admin_client, customer_id, amount="5.000")
    clock.freeze(at("2026-12-04 15:00"))
    pay(app, invoice_id, 2000, date(2026, 12, 4))
    pay(app, other_id, 3000, date(2026, 12, 4))
    assert statuses(admin_client, customer_id) == ["cumplido"]


def test_a_reversed_payment_no_longer_keeps_a_commitment(app, admin_client, credit_customer):
    customer_id, invoice_id, _other = credit_customer
    promise(admin_client, customer_id, invoice_id=invoice_id)
    clock.freeze(at("2026-12-04 15:00"))
    payment_id = pay(app, invoice_id, 4000, date(2026, 12, 4))
    assert statuses(admin_client, customer_id) == ["cumplido"]
    with app.app_context():
        db.session.get(Payment, payment_id).reversed_at = clock.now()
        db.session.commit()
    assert statuses(admin_client, customer_id) == ["abierto"]


# Bad input: 422, the message next to its field, nothing saved

@pytest.fixture
def foreign_invoice(make_customer, make_invoice):
    return make_invoice(make_customer("Otro Cliente", "555"))


BAD_INPUT = [
    ({"text": ""}, "text", "no puede estar vacío"),
    ({"text": "  \n "}, "text", "no puede estar vacío"),
    ({"text": "x" * 2001}, "text", "Máximo 2000 caracteres"),
    ({"amount": "doce mil"}, "amount", "Escriba un valor en pesos"),
    ({"amount": "0"}, "amount", "mayor que cero"),
    ({"amount": "1.000", "due_on": "2026-13-45"}, "due", "No es una fecha válida"),
    ({"amount": "1.000", "due_on": "2026-12-02"}, "due", "no puede ser anterior a hoy"),
    ({"amount": "1.000", "due_on": ""}, "due", "escriba la fecha"),
    ({"due_on": "2026-12-10"}, "amount", "escriba el valor"),
    ({"amount": "1.000", "invoice_id": "FOREIGN"}, "invoice", "Elija una factura"),
    ({"amount": "1.000", "invoice_id": "abc"}, "invoice", "Elija una factura"),
    ({"amount": "1.000", "invoice_id": "PAID"}, "invoice", "Elija una factura"),
    ({"amount": "7.000", "invoice_id": "OWN"}, "amount", "no puede superar el saldo"),
]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize("data,field,message", BAD_INPUT, ids=[
    "empty", "blank", "too-long", "bad-amount", "zero-amount", "bad-date", "past-date",
    "no-date", "no-amount", "foreign-invoice", "junk-invoice", "paid-invoice", "over-balance"])
def test_bad_note_or_commitment_is_422_next_to_the_field_and_saves_nothing(
        app, admin_client, credit_customer, foreign_invoice, make_invoice, htmx, data, field,
        message):
    customer_id, invoice_id, _other = credit_customer
    paid = make_invoice(customer_id, payment_form="contado")
    ids = {"FOREIGN": foreign_invoice, "PAID": paid, "OWN": invoice_id}
    form = {"text": "Promete pagar", "due_on": "2026-12-10", **data}
    if form.get("invoice_id") in ids:
        form["invoice_id"] = str(ids[form["invoice_id"]])
    entries = count(app, HistoryEntry)
    response = admin_client.post(f"/customers/{customer_id}/annotations", form, htmx=htmx)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    ids_by_field = {"text": "customer-annotation-text", "amount": "commitment-amount",
                    "due": "commitment-due", "invoice": "commitment-invoice"}
    error = re.search(rf'id="{ids_by_field[field]}-{customer_id}-error" role="alert">(.*?)</p>',
                      html, re.S)
    assert error and message in error.group(1), html
    assert ("<html" in html) is not htmx
    assert count(app, HistoryEntry) == entries
    assert count(app, Commitment) == 0


def test_the_demo_shop_lists_and_opens_every_customer(app, runner, admin_client):
    runner.invoke(args=["demo"])
    with app.app_context():
        ids = list(db.session.scalars(select(Customer.id)))
        owed = db.session.scalar(select(func.sum(Invoice.total - Invoice.paid)).where(
            Invoice.payment_form == "credito", Invoice.status != "anulada"))
    html = admin_client.get("/customers/").get_data(as_text=True)
    assert sorted(row_ids(html)) == sorted(ids)
    balances = re.findall(r'class="num balance">\$ ([\d.]+)</td>', html)
    assert sum(int(b.replace(".", "")) for b in balances) == owed > 0
    for customer_id in ids:
        for htmx in (False, True):
            assert admin_client.get(f"/customers/{customer_id}", htmx=htmx).status_code == 200


def test_back_button_restore_request_gets_the_whole_list_page(admin_client, make_customer):
    make_customer()
    response = admin_client.raw.get("/customers/?q=ana", headers={
        "HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_a_repeated_customer_note_submission_saves_one_note(app, admin_client, make_customer):
    customer_id = make_customer()
    page = admin_client.get(f"/customers/{customer_id}").get_data(as_text=True)
    form = page.split(f'id="customer-annotation-form-{customer_id}"')[1]
    key = form.split('name="idempotency_key"')[1].split('value="')[1].split('"')[0]
    data = {"text": "Promete pagar el lunes", "idempotency_key": key}
    first = admin_client.post(f"/customers/{customer_id}/annotations", data, htmx=True)
    again = admin_client.post(f"/customers/{customer_id}/annotations", data, htmx=True)
    assert first.status_code == again.status_code == 200
    assert "Promete pagar el lunes" in again.get_data(as_text=True)
    with app.app_context():
        notes = db.session.scalars(select(HistoryEntry.body).where(
            HistoryEntry.customer_id == customer_id, HistoryEntry.kind == "annotation")).all()
    assert notes == ["Promete pagar el lunes"]


def test_stale_customer_edit_is_a_conflict_not_an_overwrite(app, admin_client, cashier_client,
                                                            make_customer):
    customer_id = make_customer()
    url = f"/customers/{customer_id}/edit"
    # Both open the form; the owner saves a new phone first.
    owners, cashiers = (re.search(r'name="version"[^>]*value="(\d+)"', c.get(url).get_data(
        as_text=True)).group(1) for c in (admin_client, cashier_client))
    data = {"name": "Ana Pérez", "identification": "1.020.304", "email": "ana@example.com",
            "phone": "+57 300 555 0000"}
    assert admin_client.post(url, {**data, "phone": "310 222 3333",
                                   "version": owners}).status_code == 302
    stale = cashier_client.post(url, {**data, "email": "ana.perez@example.com",
                                      "version": cashiers})
    assert stale.status_code == 409
    assert "Otro usuario modificó este cliente" in stale.get_data(as_text=True)
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert (customer.phone, customer.email) == ("310 222 3333", "ana@example.com")
