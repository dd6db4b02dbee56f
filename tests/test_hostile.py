"""Property tests: random and hostile values at every form and route never cause a 500;
they get a clear 4xx and leave no partial record behind. (400: a NUL byte anywhere, or a
malformed cursor; 404: a bad id; 422: the form with its messages.) A form whose values get
through writes exactly its own rows, in no table but the expected ones."""
import collections
import re
import uuid
from email import message_from_bytes, policy
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from pos_notes import clock
from pos_notes.customers.forms import DOMAIN_LABEL, LOCAL_PART
from pos_notes.extensions import db
from pos_notes.forms import IDEMPOTENCY_KEY
from pos_notes.models import Customer, IdempotencyKey, Invoice, User

from .conftest import ADMIN, CASHIER, FIGURES, PASSWORD, at
from .test_security import FORM_DATA, ID_RULES, snapshot

SAMPLES = [
    "", " ", "\t\r\n", "\x00", "nota\x00oculta", "😀🧾💸", "\u202efactura\u202c", "فاتورة رقم",
    "חשבונית", "'; DROP TABLE history_entries; --", '" OR 1=1 --', "1; DELETE FROM invoices",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", 'hx-get="/logout"', "{{7*7}}",
    "%s%n%x", "../../etc/passwd", "-1", "0", "-0", "1e309", "NaN", "Infinity", "-Infinity",
    "sNaN", "99999999999999999999999", "-99999999999", "2147483648", "9223372036854775808",
    "12.345", "-5.000", "1.000.000.000.000", "$ 99.999.999.999", "0,5", "2026-02-30",
    "0000-00-00", "0001-01-01", "9999-12-31", "31/12/2026", "2026-13-01", "x" * 3000,
    "ñ" * 201, "POS-", "POS-99999999999", "%", "_", "contado", "credito", "admin",
    # Digits of other scripts: str.isdigit() says yes to all three, int() refuses "²".
    "²", "٣٤", "１２",
]
ATOM = st.one_of(st.sampled_from(SAMPLES), st.text(max_size=30),
                 st.integers(min_value=-10**25, max_value=10**25).map(str))
HOSTILE = st.one_of(ATOM, st.lists(ATOM, min_size=2, max_size=3).map("".join))
PROPERTY = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@st.composite
def partly_hostile(draw, **fields):
    """A valid form in which a few fields (often none, sometimes all) are hostile: a form
    with every field hostile would almost never reach the success path."""
    spoiled = draw(st.sets(st.sampled_from(sorted(fields))))
    return {name: draw(hostile if name in spoiled else valid)
            for name, (valid, hostile) in fields.items()}


TRIED = collections.Counter()
REFUSED = collections.Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_inputs_tried():
    yield
    FIGURES.append("hostile inputs tried per route (of which refused with a 4xx): " + ", ".join(
        f"{route} {n} ({REFUSED[route]})" for route, n in sorted(TRIED.items())))
    TRIED.clear()
    REFUSED.clear()


def check(app, route, response, success, before, *, allowed):
    """Never a 500; a 4xx or the route's success; nothing written unless it succeeded."""
    TRIED[route] += 1
    status = response.status_code
    assert status < 500, (route, status)
    assert status in allowed, (route, status, response.get_data(as_text=True)[:500])
    REFUSED[route] += status >= 400
    if status not in success:
        assert snapshot(app) == before, route


@pytest.fixture(autouse=True)
def _mail_to_outbox(app, tmp_path):
    """Reminders sent here land as files in a temporary outbox: no network is touched."""
    assert not app.config.get("MAIL_SERVER")
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")


def changed(before: dict, after: dict) -> dict:
    """Per table, how many rows appeared and disappeared (an update is one of each)."""
    result = {}
    for table in before.keys() | after.keys():
        old, new = collections.Counter(before.get(table, ())), collections.Counter(
            after.get(table, ()))
        added, removed = sum((new - old).values()), sum((old - new).values())
        if added or removed:
            result[table] = (added, removed)
    return result


def _wrote_exactly(app, before, expected: dict):
    """The tables that changed, and how, are exactly the expected ones (search index aside)."""
    diff = {table: rows for table, rows in changed(before, snapshot(app)).items()
            if not table.startswith("customers_search")}
    assert diff == expected, diff


TODAY = "2026-12-03 15:42"
KEYS = st.one_of(st.none(), st.uuids().map(lambda u: u.hex), HOSTILE)
OPTIONAL = st.one_of(st.none(), HOSTILE)


def _with_key(data: dict, key) -> dict:
    return data if key is None else {**data, "idempotency_key": key}


def _used(app, key) -> bool:
    """A key an earlier submission already used: its repeat must write nothing."""
    if key is None or not IDEMPOTENCY_KEY.fullmatch(key):
        return False  # the form replaces a malformed key with a fresh one
    with app.app_context():
        return db.session.get(IdempotencyKey, key) is not None


@pytest.fixture
def invoice_id(make_invoice):
    return make_invoice()


def _lines(values):
    return {f"lines-{i}-{name}": value for i, line in enumerate(values)
            for name, value in zip(("description", "quantity", "unit_price"), line)}


LINES = st.lists(st.tuples(HOSTILE, HOSTILE, HOSTILE), min_size=1, max_size=3)


@given(fields=partly_hostile(email=(st.just(ADMIN), HOSTILE),
                             password=(st.just(PASSWORD), HOSTILE)))
@PROPERTY
def test_login_with_hostile_values(app, client, fields):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = app.config["LOGIN_LIMIT_PER_ADDRESS"] = "10000/hour"
    before = snapshot(app)
    response = client.post("/login", fields)
    check(app, "login", response, (), before, allowed={302, 400, 422})
    assert (response.status_code == 302) == (fields == {"email": ADMIN, "password": PASSWORD})


VALID_LINES = st.lists(st.sampled_from([("Arroz 500 g", "2", "3.200"), ("Panela", "1", "$ 2.500"),
                                        ("Huevos", "1.5", "12000")]), min_size=1, max_size=3)
INVOICE_FIELDS = {
    "due_date": (st.sampled_from(["2026-12-31", "2027-01-15"]), HOSTILE),
    "observations": (st.sampled_from(["", "Entregar en la tarde"]), HOSTILE),
    "lines": (VALID_LINES, LINES)}


def _invoice_data(fields, customer_id) -> dict:
    data = {name: value for name, value in fields.items() if name != "lines"}
    if data.get("customer_id") == "VALID":
        data["customer_id"] = customer_id
    return {**data, **_lines(fields["lines"])}


@given(fields=partly_hostile(customer_id=(st.just("VALID"), HOSTILE),
                             payment_form=(st.sampled_from(["contado", "credito"]), HOSTILE),
                             **INVOICE_FIELDS))
@PROPERTY
def test_new_invoice_with_hostile_values(app, admin_client, make_customer, fields):
    clock.freeze(at(TODAY))
    data = _invoice_data(fields, make_customer())
    before = snapshot(app)
    response = admin_client.post("/invoices/new", data)
    check(app, "new invoice", response, {302}, before, allowed={302, 400, 422})
    if response.status_code == 302:
        diff = changed(before, snapshot(app))
        diff.pop("counters")  # the next number: one row, inserted or updated
        lines = diff.pop("invoice_lines")
        assert lines[0] >= 1 and lines[1] == 0, lines
        assert diff == {"invoices": (1, 0), "history_entries": (1, 0),
                        "idempotency_keys": (1, 0)}, diff


@given(fields=partly_hostile(customer_id=(st.just("VALID"), HOSTILE),
                             version=(st.just("1"), HOSTILE), **INVOICE_FIELDS))
@PROPERTY
def test_edit_invoice_with_hostile_values(app, admin_client, make_customer, fields):
    clock.freeze(at(TODAY))
    customer_id = make_customer()
    invoice_id = _fresh_invoice(app, customer_id)
    before = snapshot(app)
    response = admin_client.post(f"/invoices/{invoice_id}/edit", _invoice_data(fields,
                                                                                customer_id))
    check(app, "edit invoice", response, {302}, before, allowed={302, 400, 409, 422})
    if response.status_code == 302:  # a change: the invoice, its lines, one entry; the key
        diff = changed(before, snapshot(app))
        assert diff.pop("idempotency_keys") == (1, 0), diff
        assert set(diff) <= {"invoices", "invoice_lines", "history_entries"}, diff
        assert diff.get("history_entries") == ((1, 0) if diff else None), diff


def _fresh_invoice(app, customer_id) -> int:
    from decimal import Decimal
    from pos_notes.invoices import services
    from pos_notes.models import User
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.email == ADMIN))
        invoice = services.create_invoice(
            customer=db.session.get(Customer, customer_id), payment_form="contado",
            due_date=None, observations="", actor=actor,
            lines=[{"description": "Arroz", "quantity": Decimal(1), "unit_price": 3200}])
        db.session.commit()
        return invoice.id


@given(reason=HOSTILE)
@PROPERTY
def test_annul_with_hostile_reason(app, admin_client, make_customer, reason):
    invoice_id = _fresh_invoice(app, make_customer())
    before = snapshot(app)
    response = admin_client.post(f"/invoices/{invoice_id}/annul", {"reason": reason})
    check(app, "annul", response, {302}, before, allowed={302, 400, 422})


@given(text=HOSTILE, key=st.one_of(st.none(), HOSTILE), htmx=st.booleans())
@PROPERTY
def test_annotation_with_hostile_values(app, admin_client, invoice_id, text, key, htmx):
    before = snapshot(app)
    data = {"text": text} if key is None else {"text": text, "idempotency_key": key}
    response = admin_client.post(f"/invoices/{invoice_id}/annotations", data, htmx=htmx)
    success = {200} if htmx else {302}
    check(app, "annotation", response, success, before, allowed=success | {400, 422})


CUSTOMER_FIELDS = {
    "name": (st.sampled_from(["Ana Pérez", "José Núñez", "Ana Pérez "]), HOSTILE),
    "identification": (st.sampled_from(["1.020.304", "900123456-7"]), HOSTILE),
    "email": (st.sampled_from(["ana@example.com", "", "jose@example.co"]), HOSTILE),
    "phone": (st.sampled_from(["+57 300 555 0000", "", "(604) 444-5555"]), HOSTILE),
    "address": (st.sampled_from(["Calle 1 # 2-3", ""]), HOSTILE)}


@given(fields=partly_hostile(**CUSTOMER_FIELDS), key=KEYS)
@PROPERTY
def test_new_customer_with_hostile_values(app, admin_client, fields, key):
    repeat = _used(app, key)
    before = snapshot(app)
    response = admin_client.post("/customers/new", _with_key(fields, key))
    check(app, "new customer", response, {302}, before, allowed={302, 400, 422})
    if response.status_code == 302:
        _wrote_exactly(app, before, {} if repeat else {
            "customers": (1, 0), "history_entries": (1, 0), "idempotency_keys": (1, 0)})


@given(cursor=HOSTILE, htmx=st.booleans())
@PROPERTY
def test_history_cursor_with_hostile_values(app, admin_client, invoice_id, cursor, htmx):
    before = snapshot(app)
    response = admin_client.get(f"/invoices/{invoice_id}/history?before={quote(cursor)}",
                                htmx=htmx)
    check(app, "history cursor", response, (), before, allowed={200, 400})


@given(q=HOSTILE, status=HOSTILE, before=HOSTILE, htmx=st.booleans())
@PROPERTY
def test_invoice_search_with_hostile_values(app, admin_client, invoice_id, q, status, before,
                                            htmx):
    before_rows = snapshot(app)
    response = admin_client.get(
        f"/invoices/?q={quote(q)}&status={quote(status)}&before={quote(before)}", htmx=htmx)
    check(app, "invoice search", response, (), before_rows, allowed={200, 400})


@pytest.mark.parametrize("quantity, price", [
    ("100000", "2.000.000.000"), ("3", "999.999.999"), ("sNaN", "1"), ("Infinity", "1"),
    ("-1", "1000"), ("1", "-1.000"), ("1", "1.000.000.000.000")])
def test_absurd_amounts_are_refused_before_the_database_sees_them(
        app, admin_client, make_customer, quantity, price):
    customer_id = make_customer()
    before = snapshot(app)
    response = admin_client.post("/invoices/new", {
        "customer_id": customer_id, "payment_form": "contado", "lines-0-description": "Oro",
        "lines-0-quantity": quantity, "lines-0-unit_price": price})
    assert response.status_code == 422
    assert snapshot(app) == before


# --- routes built in parallel: abonos, customers, reminders, settings, language ----------

@given(fields=partly_hostile(
    amount=(st.sampled_from(["1", "500", "1.000", "$ 2.000", "6.400"]),
            st.one_of(st.sampled_from(["6.401", "0", "-1.000", "1.5"]), OPTIONAL)),
    paid_on=(st.sampled_from(["2026-12-01", "2026-12-03", "2026-11-03"]),
             st.one_of(st.sampled_from(["2026-12-04", "3026-12-01"]), OPTIONAL)),
    method=(st.sampled_from(["efectivo", "transferencia", "tarjeta", "otro"]), OPTIONAL)),
    key=KEYS, htmx=st.booleans())
@PROPERTY
def test_register_payment_with_hostile_values(app, admin_client, make_invoice, fields, key,
                                              htmx):
    clock.freeze(at(TODAY))
    invoice_id = make_invoice()  # credit, $ 6.400 owed
    repeat = _used(app, key)
    before = snapshot(app)
    data = {name: value for name, value in fields.items() if value is not None}
    response = admin_client.post(f"/invoices/{invoice_id}/payments", _with_key(data, key),
                                 htmx=htmx)
    check(app, "registrar abono", response, {302}, before, allowed={302, 400, 422})
    if response.status_code == 302:
        _wrote_exactly(app, before, {} if repeat else {
            "payments": (1, 0), "history_entries": (1, 0), "invoices": (1, 1),
            "idempotency_keys": (1, 0)})


@pytest.mark.parametrize("amount", [" ", "\t", "$", " $ "])
def test_abono_of_only_spaces_is_refused(app, admin_client, make_invoice, amount):
    invoice_id = make_invoice()
    before = snapshot(app)
    response = admin_client.post(f"/invoices/{invoice_id}/payments", {
        "amount": amount, "paid_on": "2026-12-01", "method": "efectivo"})
    assert response.status_code == 422
    assert "Escriba el valor del abono." in response.get_data(as_text=True)
    assert snapshot(app) == before


def _pay(app, invoice_id, amount=1000) -> int:
    from pos_notes.payments import services
    from pos_notes.models import User
    with app.app_context():
        payment = services.register_payment(
            db.session.get(Invoice, invoice_id), amount=amount,
            paid_on=clock.now().date(), method="efectivo",
            actor=db.session.scalar(select(User).where(User.email == ADMIN)))
        db.session.commit()
        return payment.id


@given(reason=HOSTILE, htmx=st.booleans())
@PROPERTY
def test_reverse_payment_with_hostile_reason(app, admin_client, make_invoice, reason, htmx):
    invoice_id = make_invoice()
    payment_id = _pay(app, invoice_id)
    before = snapshot(app)
    response = admin_client.post(f"/invoices/{invoice_id}/payments/{payment_id}/reverse",
                                 {"reason": reason}, htmx=htmx)
    check(app, "reversar abono", response, {302}, before, allowed={302, 400, 422})
    if response.status_code == 302:
        _wrote_exactly(app, before, {"payments": (1, 1), "history_entries": (1, 0),
                                     "invoices": (1, 1), "idempotency_keys": (1, 0)})


@given(payment=st.one_of(st.just("OTHER"), HOSTILE.filter(bool)))
@PROPERTY
def test_reverse_payment_with_another_invoices_or_a_hostile_payment_id(
        app, admin_client, make_invoice, payment):
    invoice_id, other_invoice = make_invoice(), make_invoice()
    _pay(app, invoice_id)
    payment_id = _pay(app, other_invoice) if payment == "OTHER" else quote(payment, safe="")
    before = snapshot(app)
    response = admin_client.post(f"/invoices/{invoice_id}/payments/{payment_id}/reverse",
                                 {"reason": "error de digitación"})
    # Only a number naming this invoice's own payment may reverse it; a "/" leaves
    # doubled slashes, which routing redirects (308).
    ok = {302, 422} if re.fullmatch(r"\d{1,9}", payment) else set()
    check(app, "reversar abono: payment id", response, ok, before,
          allowed={308, 400, 404, 405} | ok)


@given(fields=partly_hostile(**CUSTOMER_FIELDS, version=(st.just("1"), HOSTILE)))
@PROPERTY
def test_edit_customer_with_hostile_values(app, admin_client, make_customer, fields):
    customer_id = make_customer()
    before = snapshot(app)
    response = admin_client.post(f"/customers/{customer_id}/edit", fields)
    check(app, "edit customer", response, {302}, before, allowed={302, 400, 409, 422})
    if response.status_code == 302:  # the key; a change: the row and one entry
        diff = {table: rows for table, rows in changed(before, snapshot(app)).items()
                if not table.startswith("customers_search")}
        assert diff.pop("idempotency_keys") == (1, 0), diff
        assert diff in ({}, {"customers": (1, 1), "history_entries": (1, 0)}), diff


NOTE = (st.sampled_from(["Dice que paga el viernes", "Llamar mañana"]), HOSTILE)


@given(fields=st.one_of(
    partly_hostile(text=NOTE, amount=(st.none(), OPTIONAL), due_on=(st.none(), OPTIONAL),
                   invoice_id=(st.none(), OPTIONAL)),
    partly_hostile(text=NOTE, amount=(st.sampled_from(["1.000", "$ 6.400", "6.401"]), OPTIONAL),
                   due_on=(st.sampled_from(["2026-12-03", "2026-12-10", "2026-12-02"]),
                           OPTIONAL),
                   invoice_id=(st.sampled_from([None, "OPEN", "OTHER", "CASH"]), OPTIONAL))),
    key=KEYS, htmx=st.booleans())
@PROPERTY
def test_customer_annotation_and_commitment_with_hostile_values(
        app, admin_client, make_customer, make_invoice, fields, key, htmx):
    clock.freeze(at(TODAY))
    customer_id = make_customer()
    ids = {"OPEN": make_invoice(customer_id), "OTHER": make_invoice(),
           "CASH": make_invoice(customer_id, payment_form="contado")}
    data = {name: ids.get(value, value) for name, value in fields.items() if value is not None}
    repeat = _used(app, key)
    before = snapshot(app)
    response = admin_client.post(f"/customers/{customer_id}/annotations", _with_key(data, key),
                                 htmx=htmx)
    success = {200} if htmx else {302}
    check(app, "customer annotation", response, success, before, allowed=success | {400, 422})
    if response.status_code in success:
        expected = {"history_entries": (1, 0), "idempotency_keys": (1, 0)}
        if (data.get("amount") or "").strip():
            expected["commitments"] = (1, 0)
        _wrote_exactly(app, before, {} if repeat else expected)


@pytest.mark.parametrize("invoice_id", ["²", "٣", "１", "99999999999999999999999"])
def test_commitment_on_an_invoice_id_in_other_digits_is_refused(
        app, admin_client, make_customer, make_invoice, invoice_id):
    clock.freeze(at(TODAY))
    customer_id = make_customer()
    make_invoice(customer_id)
    before = snapshot(app)
    response = admin_client.post(f"/customers/{customer_id}/annotations", {
        "text": "Paga el viernes", "amount": "1.000", "due_on": "2026-12-04",
        "invoice_id": invoice_id})
    assert response.status_code == 422
    assert "Elija una factura a crédito pendiente" in response.get_data(as_text=True)
    assert snapshot(app) == before


OWN_INVOICES = st.lists(st.just("OWN"), min_size=1, max_size=2)
OTHERS_INVOICES = st.lists(st.one_of(st.sampled_from(["OWN", "OTHER", "CASH"]), HOSTILE),
                           max_size=3)


@given(fields=partly_hostile(
    invoices=(OWN_INVOICES, OTHERS_INVOICES),
    channel=(st.sampled_from(["email", "whatsapp"]), OPTIONAL),
    confirm=(st.sampled_from([None, "y", "false"]), OPTIONAL),
    idempotency_key=(st.builds(lambda: uuid.uuid4().hex), OPTIONAL)),
    reminded=st.booleans())
@PROPERTY
def test_reminder_with_hostile_values(app, admin_client, make_customer, make_invoice, fields,
                                      reminded):
    clock.freeze(at(TODAY))
    customer_id = make_customer(phone="300 555 0000")
    ids = {"OWN": make_invoice(customer_id), "OTHER": make_invoice(),
           "CASH": make_invoice(customer_id, payment_form="contado")}
    if reminded:  # within the cool-down: a second one asks for confirmation first
        assert admin_client.post(f"/customers/{customer_id}/reminders", {
            "invoices": [ids["OWN"]], "channel": "email"}).status_code == 302
    data = {name: value for name, value in fields.items() if value is not None}
    data["invoices"] = [ids.get(value, value) for value in fields["invoices"]]
    before = snapshot(app)
    response = admin_client.post(f"/customers/{customer_id}/reminders", data)
    # 200: the cool-down's confirmation step, which writes nothing.
    check(app, "reminder", response, {302}, before, allowed={200, 302, 400, 422})
    if response.status_code == 302:
        diff = changed(before, snapshot(app))
        assert diff.pop("idempotency_keys") == (1, 0), diff
        assert diff == {"reminders": (1, 0), "reminder_invoices": (1, 0),
                        "history_entries": (2, 0)}, diff


@pytest.mark.parametrize("invoice_id", ["2147483648", "9223372036854775808",
                                        "99999999999999999999999", "²"])
def test_reminder_for_an_absurd_invoice_id_is_refused(app, admin_client, make_customer,
                                                      make_invoice, invoice_id):
    customer_id = make_customer()
    make_invoice(customer_id)
    before = snapshot(app)
    response = admin_client.post(f"/customers/{customer_id}/reminders", {
        "invoices": [invoice_id], "channel": "email"})
    assert response.status_code == 422
    assert snapshot(app) == before


@pytest.mark.parametrize("email", ["a,b@c.de", "a@b.co;c@d.co", "a@b.co <c@d.co>", 'a"b@c.de',
                                   "=?utf-8?q?x?=@b.co", "ñ@ñ.co", "a..b@c.de", "a@b_c.de"])
def test_customer_email_a_mail_header_would_misread_is_refused(app, admin_client,
                                                               make_customer, email):
    customer_id = make_customer()
    before = snapshot(app)
    response = admin_client.post(f"/customers/{customer_id}/edit", {
        "name": "Ana Pérez", "identification": "1.020.304", "email": email, "version": "1"})
    assert response.status_code == 422
    assert "Correo electrónico no válido." in response.get_data(as_text=True)
    assert snapshot(app) == before


TEMPLATE = st.tuples(HOSTILE, HOSTILE).map(
    lambda t: f"{t[0]}{{tienda}}{{facturas}}{{cliente}}{{total}}{t[1]}")


ODD_ADDRESSES = ['a"b@c.de', "a,b@c.de", "<a>@b.co", "a@b.co>", "=?utf-8?q?x?=@b.co",
                 "ñ@ñ.co", "a@b@c.de", "(x)@b.co", "a;b@c.de", "a:b@c.de", '"@b.co', "\\@b.co",
                 "a@[1.2.3.4].x", "😀@😀.co", "a\u202e@b.co", "a@b.co,c@d.co", "a@b.co;c@d.co",
                 "a@b.co <c@d.co>", "ana@example.com"]


@given(email=st.one_of(
    st.sampled_from(ODD_ADDRESSES),
    st.from_regex(r"[^@\s]{1,12}@[^@\s]{1,12}\.[^@\s]{1,6}", fullmatch=True),
    st.from_regex(rf"{LOCAL_PART}(\.{LOCAL_PART})*@{DOMAIN_LABEL}(\.{DOMAIN_LABEL})+",
                  fullmatch=True)))
@PROPERTY
def test_email_reminder_goes_to_the_one_address_the_customer_form_accepted(
        app, admin_client, make_customer, make_invoice, tmp_path, email):
    customer_id = make_customer()
    before = snapshot(app)
    response = admin_client.post(f"/customers/{customer_id}/edit", {
        "name": "Ana Pérez", "identification": "1.020.304", "email": email, "version": "1"})
    check(app, "edit customer: email, then reminder", response, {302}, before,
          allowed={302, 400, 422})
    if response.status_code != 302:
        return
    for old in (tmp_path / "outbox").glob("*.eml"):
        old.unlink()
    assert admin_client.post(f"/customers/{customer_id}/reminders", {
        "invoices": [make_invoice(customer_id)], "channel": "email"}).status_code == 302
    [eml] = (tmp_path / "outbox").glob("*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert not message.defects and not message["To"].defects, message["To"]
    [address] = message["To"].addresses
    assert address.addr_spec == email.strip()


@given(fields=partly_hostile(
    shop_name=(st.sampled_from(["Tienda Don Pepe", "Miscelánea La 14"]), HOSTILE),
    reminder_template=(TEMPLATE, HOSTILE)))
@PROPERTY
def test_settings_with_hostile_values(app, admin_client, make_customer, make_invoice, fields):
    before = snapshot(app)
    response = admin_client.post("/settings/", fields)
    check(app, "settings", response, {302}, before, allowed={302, 400, 422})
    if response.status_code == 302:
        assert set(changed(before, snapshot(app))) <= {"settings", "idempotency_keys"}
        # What the admin saved is what every reminder is made of: it must still go out.
        customer_id = make_customer()
        make_invoice(customer_id)
        for channel in ("email", "whatsapp"):
            assert admin_client.post(f"/customers/{customer_id}/reminders", {
                "invoices": [make_invoice(customer_id)], "channel": channel}).status_code == 302


@pytest.mark.parametrize("shop_name", ["Tienda\r\nBcc: otro@example.com", "Tienda\nDos",
                                       "Tienda\vDos", "Tienda\u2028Dos", "Tienda\x85Dos"])
def test_shop_name_on_two_lines_is_refused_so_reminders_still_go_out(
        app, admin_client, make_invoice, shop_name):
    before = snapshot(app)
    response = admin_client.post("/settings/", {"shop_name": shop_name,
                                                "reminder_template": "{tienda}{facturas}{total}"})
    assert response.status_code == 422
    assert "Escriba el nombre en una sola línea." in response.get_data(as_text=True)
    assert snapshot(app) == before
    with app.app_context():
        customer_id = db.session.get(Invoice, make_invoice()).customer_id
    assert admin_client.post(f"/customers/{customer_id}/reminders", {
        "invoices": [make_invoice(customer_id)], "channel": "email"}).status_code == 302


def _browser_target(location: str) -> tuple[str, str]:
    """(scheme, host) a browser goes to for this Location: it reads \\ as / and drops
    tabs and newlines, so "/\\evil.example" is another site."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    parts = urlsplit(urljoin("http://localhost/", cleaned.strip("\x00 ")))
    return parts.scheme, parts.hostname or ""


OFFSITE = ["http://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
           "/\t/evil.example", "http://localhost.evil.example/", "http://localhost@evil.example/",
           "https://evil.example/http://localhost/", "javascript:alert(1)",
           "http:evil.example", "http://localhost/", "http://localhost/invoices/",
           "http://localhost//evil.example/"]
TARGETS = st.one_of(st.sampled_from(OFFSITE), HOSTILE,
                    HOSTILE.map(lambda s: "http://localhost/" + s))


def _header(value: str) -> str:
    # What a real request can carry: bytes, no line breaks; the app sees them as latin-1.
    return re.sub(r"[\r\n]", "", value).encode("utf-8").decode("latin-1")


@given(locale=st.one_of(st.sampled_from(["es_CO", "en"]), HOSTILE), referrer=TARGETS,
       next_=TARGETS)
@PROPERTY
def test_language_switch_with_hostile_values_stays_on_the_site(app, admin_client, locale,
                                                               referrer, next_):
    before = snapshot(app)
    response = admin_client.raw.post(
        f"/language?next={quote(next_)}",
        data={"locale": locale, "next": next_, "csrf_token": admin_client._token()},
        headers={"Referer": _header(referrer)})
    check(app, "language", response, {302}, before, allowed={302, 400})
    if response.status_code == 302:
        assert _browser_target(response.headers["Location"]) == ("http", "localhost")
        assert set(changed(before, snapshot(app))) <= (
            {"users"} if locale in ("es_CO", "en") else set())


@given(next_=TARGETS)
@PROPERTY
def test_login_next_never_leaves_the_site(app, client, next_):
    before = snapshot(app)
    response = client.post(f"/login?next={quote(next_)}", {"email": ADMIN,
                                                           "password": PASSWORD})
    check(app, "login next", response, {302}, before, allowed={302, 400})
    if response.status_code == 302:
        assert _browser_target(response.headers["Location"]) == ("http", "localhost")
        assert snapshot(app) == before


USER_EMAILS = (st.sampled_from(["cajera@tienda.test", "Nuevo.Cajero@Tienda.test"]),
               st.one_of(st.sampled_from(["İ" * 200 + "@x.co", "CAJERO@TIENDA.TEST"]), HOSTILE))
NEW_PASSWORDS = (st.sampled_from(["otra-clave-9", "ñandú con espacios 😀"]), HOSTILE)
ROLES = (st.sampled_from(["cashier", "admin"]), HOSTILE)


@given(fields=partly_hostile(email=USER_EMAILS, password=NEW_PASSWORDS, role=ROLES), key=KEYS)
@PROPERTY
def test_new_user_with_hostile_values(app, admin_client, fields, key):
    repeat = _used(app, key)
    before = snapshot(app)
    response = admin_client.post("/users/new", _with_key(fields, key))
    check(app, "new user", response, {302}, before, allowed={302, 400, 422})
    if response.status_code == 302:
        _wrote_exactly(app, before, {} if repeat else {"users": (1, 0),
                                                       "idempotency_keys": (1, 0)})


def test_new_user_email_too_long_once_lowered_is_refused(app, admin_client):
    before = snapshot(app)
    response = admin_client.post("/users/new", {"email": "İ" * 200 + "@x.co",
                                                "password": "otra-clave-9", "role": "cashier"})
    assert response.status_code == 422
    assert snapshot(app) == before


@given(fields=partly_hostile(role=ROLES, active=(st.sampled_from(["y", None]), OPTIONAL),
                             password=(st.sampled_from(["", "otra-clave-9"]), HOSTILE)),
       who=st.sampled_from([ADMIN, CASHIER]))
@PROPERTY
def test_edit_user_with_hostile_values(app, admin_client, fields, who):
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == who))
    before = snapshot(app)
    data = {name: value for name, value in fields.items() if value is not None}
    response = admin_client.post(f"/users/{user_id}/edit", data)
    check(app, "edit user", response, {302}, before, allowed={302, 400, 422})
    if response.status_code == 302:  # the key; a change: the user's row
        diff = changed(before, snapshot(app))
        assert diff.pop("idempotency_keys") == (1, 0), diff
        assert diff in ({}, {"users": (1, 1)}), diff


@given(fields=partly_hostile(current=(st.just(PASSWORD), HOSTILE), new=NEW_PASSWORDS,
                             confirm=NEW_PASSWORDS))
@PROPERTY
def test_change_password_with_hostile_values(app, cashier_client, fields):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = app.config["LOGIN_LIMIT_PER_ADDRESS"] = "10000/hour"
    before = snapshot(app)
    response = cashier_client.post("/password", fields)
    check(app, "change password", response, {302}, before, allowed={302, 400, 422})
    if response.status_code == 302:
        _wrote_exactly(app, before, {"users": (1, 1), "idempotency_keys": (1, 0)})
        with app.app_context():  # back to the password the next example knows
            user = db.session.scalar(select(User).where(User.email == CASHIER))
            user.password_hash = generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")
            db.session.commit()
        cashier_client.login(CASHIER)  # that new password ended the session


@given(q=HOSTILE, chosen=HOSTILE, htmx=st.booleans())
@PROPERTY
def test_customer_picker_with_hostile_query(app, admin_client, make_invoice, q, chosen, htmx):
    make_invoice()
    before = snapshot(app)
    query = urlencode({"customer_q": q, "customer_id": chosen})
    response = admin_client.get(f"/customers/pick?{query}", htmx=htmx)
    check(app, "customer picker", response, (), before, allowed={200, 400})


@given(q=HOSTILE, after=HOSTILE, htmx=st.booleans())
@PROPERTY
def test_customer_list_with_hostile_query(app, admin_client, make_customer, q, after, htmx):
    make_customer()
    before = snapshot(app)
    response = admin_client.get(f"/customers/?q={quote(q)}&after={quote(after)}", htmx=htmx)
    check(app, "customer list", response, (), before, allowed={200, 400})


@given(cursor=HOSTILE, htmx=st.booleans())
@PROPERTY
def test_customer_history_cursor_with_hostile_values(app, admin_client, make_customer, cursor,
                                                     htmx):
    customer_id = make_customer()
    before = snapshot(app)
    response = admin_client.get(f"/customers/{customer_id}/history?before={quote(cursor)}",
                                htmx=htmx)
    check(app, "customer history cursor", response, (), before, allowed={200, 400})


@given(name=HOSTILE, value=HOSTILE, htmx=st.booleans(), path=st.sampled_from(
    ["/customers/{}/reminders/new", "/customers/{}", "/invoices/new"]))
@PROPERTY
def test_customer_pages_with_hostile_query_args(app, admin_client, make_invoice, make_customer,
                                                name, value, htmx, path):
    customer_id = make_customer()
    make_invoice(customer_id)
    before = snapshot(app)
    url = path.format(customer_id) + "?" + urlencode(
        [(name, value), ("invoices", value), ("channel", value), ("before", value),
         ("customer_id", value)])
    response = admin_client.get(url, htmx=htmx)
    check(app, "query args: reminder page, consulta, new invoice", response, (), before,
          allowed={200, 400})


# Every route that takes an id, from the URL map: a route added later is covered too.
ID_ROUTES = [(rule.rule, method) for rule in ID_RULES
             for method in sorted(rule.methods & {"GET", "POST"})]
REMINDER_FIELDS = {"invoices": "1", "channel": "email"}


@pytest.mark.parametrize("rule, method", ID_ROUTES, ids=[f"{m} {r}" for r, m in ID_ROUTES])
@given(bad_id=HOSTILE.filter(bool))
@PROPERTY
def test_bad_ids_in_urls_get_404(app, admin_client, make_invoice, rule, method, bad_id):
    clock.freeze(at(TODAY))
    invoice_id = make_invoice()
    _pay(app, invoice_id)
    before = snapshot(app)
    url = re.sub(r"<(?:\w+:)?\w+>", quote(bad_id, safe=""), rule)
    if method == "POST":
        response = admin_client.post(url, {**FORM_DATA, **REMINDER_FIELDS})
    else:
        response = admin_client.get(url)
    # A number (any script's digits) may name a real record; anything else is "not found".
    ok = {200, 302, 409, 422} if re.fullmatch(r"\d{1,9}", bad_id) else set()
    # A "/" in the id leaves doubled slashes, which routing redirects (308).
    check(app, "bad ids", response, ok, before, allowed={308, 400, 404, 405} | ok)


@pytest.mark.parametrize("target", OFFSITE)
def test_login_next_to_another_site_is_ignored(app, client, target):
    response = client.post(f"/login?next={quote(target)}", {"email": ADMIN,
                                                           "password": PASSWORD})
    assert response.status_code == 302
    assert _browser_target(response.headers["Location"]) == ("http", "localhost")


@pytest.mark.parametrize("target", OFFSITE)
def test_language_switch_never_redirects_to_another_site(admin_client, target):
    response = admin_client.raw.post("/language", data={
        "locale": "en", "csrf_token": admin_client._token()}, headers={"Referer": target})
    assert response.status_code == 302
    assert _browser_target(response.headers["Location"]) == ("http", "localhost")


@given(q=HOSTILE, chosen=OPTIONAL, lines=LINES)
@PROPERTY
def test_buscar_in_the_sale_form_with_hostile_values(app, admin_client, make_customer, q,
                                                     chosen, lines):
    make_customer()
    data = {"customer_q": q, "find_customer": "1", "payment_form": "contado", **_lines(lines),
            **({} if chosen is None else {"customer_id": chosen})}
    before = snapshot(app)
    response = admin_client.post("/invoices/new", data)
    # A search, never a save: the same form back (or 400 for a NUL byte).
    check(app, "sale: buscar cliente", response, (), before, allowed={200, 400})
