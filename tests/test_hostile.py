"""Property tests: random and hostile values at every form and route never cause a 500;
they get a clear 4xx and leave no partial record behind. (400: a NUL byte anywhere, or a
malformed cursor; 404: a bad id; 422: the form with its messages.)"""
import collections
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pos_notes.extensions import db
from pos_notes.models import Customer, HistoryEntry, Invoice

from .conftest import ADMIN, FIGURES
from .test_security import snapshot

SAMPLES = [
    "", " ", "\t\r\n", "\x00", "nota\x00oculta", "😀🧾💸", "\u202efactura\u202c", "فاتورة رقم",
    "חשבונית", "'; DROP TABLE history_entries; --", '" OR 1=1 --', "1; DELETE FROM invoices",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", 'hx-get="/logout"', "{{7*7}}",
    "%s%n%x", "../../etc/passwd", "-1", "0", "-0", "1e309", "NaN", "Infinity", "-Infinity",
    "sNaN", "99999999999999999999999", "-99999999999", "2147483648", "9223372036854775808",
    "12.345", "-5.000", "1.000.000.000.000", "$ 99.999.999.999", "0,5", "2026-02-30",
    "0000-00-00", "0001-01-01", "9999-12-31", "31/12/2026", "2026-13-01", "x" * 3000,
    "ñ" * 201, "POS-", "POS-99999999999", "%", "_", "contado", "credito", "admin",
]
ATOM = st.one_of(st.sampled_from(SAMPLES), st.text(max_size=30),
                 st.integers(min_value=-10**25, max_value=10**25).map(str))
HOSTILE = st.one_of(ATOM, st.lists(ATOM, min_size=2, max_size=3).map("".join))
PROPERTY = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
TRIED = collections.Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_inputs_tried():
    yield
    FIGURES.append("hostile inputs tried per route: " + ", ".join(
        f"{route} {n}" for route, n in sorted(TRIED.items())))
    TRIED.clear()


def counts(app) -> dict:
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Customer, Invoice, HistoryEntry)}


def check(app, route, response, success, before, *, allowed):
    """Never a 500; a 4xx or the route's success; nothing written unless it succeeded."""
    TRIED[route] += 1
    status = response.status_code
    assert status < 500, (route, status)
    assert status in allowed, (route, status, response.get_data(as_text=True)[:500])
    if status not in success:
        assert snapshot(app) == before, route


@pytest.fixture
def invoice_id(make_invoice):
    return make_invoice()


def _lines(values):
    return {f"lines-{i}-{name}": value for i, line in enumerate(values)
            for name, value in zip(("description", "quantity", "unit_price"), line)}


LINES = st.lists(st.tuples(HOSTILE, HOSTILE, HOSTILE), min_size=1, max_size=3)


@given(email=HOSTILE, password=HOSTILE)
@PROPERTY
def test_login_with_hostile_values(app, client, email, password):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = app.config["LOGIN_LIMIT_PER_ADDRESS"] = "10000/hour"
    before = snapshot(app)
    response = client.post("/login", {"email": email, "password": password})
    check(app, "login", response, (), before, allowed={400, 422})


@given(customer=st.one_of(st.just("VALID"), HOSTILE), payment_form=HOSTILE,
       due_date=HOSTILE, observations=HOSTILE, lines=LINES)
@PROPERTY
def test_new_invoice_with_hostile_values(app, admin_client, make_customer, customer,
                                         payment_form, due_date, observations, lines):
    customer_id = make_customer() if customer == "VALID" else customer
    before, counted = snapshot(app), counts(app)
    response = admin_client.post("/invoices/new", {
        "customer_id": customer_id, "payment_form": payment_form, "due_date": due_date,
        "observations": observations, **_lines(lines)})
    check(app, "new invoice", response, {302}, before, allowed={302, 400, 422})
    if response.status_code == 302:
        after = counts(app)
        assert after["Invoice"] == counted["Invoice"] + 1
        assert after["HistoryEntry"] == counted["HistoryEntry"] + 1


@given(customer=st.one_of(st.just("VALID"), HOSTILE), version=st.one_of(st.just("1"), HOSTILE),
       due_date=HOSTILE, observations=HOSTILE, lines=LINES)
@PROPERTY
def test_edit_invoice_with_hostile_values(app, admin_client, make_customer, customer, version,
                                          due_date, observations, lines):
    customer_id = make_customer()
    invoice_id = _fresh_invoice(app, customer_id)
    before = snapshot(app)
    response = admin_client.post(f"/invoices/{invoice_id}/edit", {
        "customer_id": customer_id if customer == "VALID" else customer, "version": version,
        "due_date": due_date, "observations": observations, **_lines(lines)})
    check(app, "edit invoice", response, {302}, before, allowed={302, 400, 409, 422})


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


@given(name=HOSTILE, identification=HOSTILE, email=HOSTILE, phone=HOSTILE, address=HOSTILE)
@PROPERTY
def test_new_customer_with_hostile_values(app, admin_client, name, identification, email,
                                          phone, address):
    before = snapshot(app)
    response = admin_client.post("/customers/new", {
        "name": name, "identification": identification, "email": email, "phone": phone,
        "address": address})
    check(app, "new customer", response, {302}, before, allowed={302, 400, 422})


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


ID_PATHS = ["/invoices/{}", "/invoices/{}/history", "/invoices/{}/edit", "/customers/{}"]
POST_ID_PATHS = ["/invoices/{}/annotations", "/invoices/{}/annul", "/invoices/{}/edit"]


@given(bad_id=HOSTILE.filter(bool), path=st.sampled_from(ID_PATHS + POST_ID_PATHS))
@PROPERTY
def test_bad_ids_in_urls_get_404(app, admin_client, invoice_id, bad_id, path):
    before = snapshot(app)
    url = path.format(quote(bad_id, safe=""))
    if path in POST_ID_PATHS:
        response = admin_client.post(url, {"text": "nota", "reason": "motivo"})
    else:
        response = admin_client.get(url)
    # A number (any script's digits) may name a real record; anything else is "not found".
    ok = {200, 302, 409, 422} if re.fullmatch(r"\d{1,9}", bad_id) else set()
    # A "/" in the id leaves doubled slashes, which routing redirects (308).
    check(app, "bad ids", response, ok, before, allowed={308, 400, 404, 405} | ok)


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
