"""The security baseline: an unalterable history, authorization, throttled logins, headers,
cookies, user text that stays text, size limits and idempotent create forms."""
import re
import threading
import time

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from pos_notes import PUBLIC_ENDPOINTS, create_app
from pos_notes.extensions import db
from pos_notes.models import Customer, HistoryEntry, IdempotencyKey, Invoice

from .conftest import (ADMIN, CASHIER, PASSWORD, TOKEN, _config,
                       sqlite_write_lock_held_elsewhere)
from .pg import free_port

_app = create_app(_config("sqlite://"))
RULES = [rule for rule in _app.url_map.iter_rules() if rule.endpoint not in PUBLIC_ENDPOINTS]
ID_RULES = [rule for rule in RULES if rule.arguments]
# The owner's routes: annul, reverse a payment, settings (and users when they exist).
ADMIN_ONLY = [rule for rule in RULES
              if rule.endpoint in ("invoices.annul_invoice", "payments.reverse_payment")
              or rule.rule.startswith(("/users", "/settings", "/admin"))]
KEY = re.compile(r'name="idempotency_key"[^>]*value="([0-9a-f]{32})"')


def url_for_rule(rule, ids: dict | None = None, missing: str = "1") -> str:
    """The rule's URL with each <argument> filled from ids, or with `missing`."""
    ids = ids or {}
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1), missing)), rule.rule)


def snapshot(app) -> dict:
    """Every row of every table in the database, the ones only a migration made (SQLite's
    customer search index and its shadow tables) included: a change anywhere shows up."""
    with app.app_context():
        return {name: sorted(tuple(map(repr, row)) for row in
                             db.session.execute(text(f'SELECT * FROM "{name}"')))
                for name in inspect(db.engine).get_table_names()}


def history_rows(app) -> set:
    with app.app_context():
        return {tuple(map(repr, row)) for row in db.session.execute(
            select(HistoryEntry.__table__))}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# Plausible values for every field any form has; each route takes what it knows.
FORM_DATA = {"text": "nota de prueba", "reason": "motivo de prueba", "name": "Cliente Nuevo",
             "identification": "900.123.456", "email": "nuevo@example.com",
             "phone": "+57 300 000 0000", "address": "Calle 1", "payment_form": "credito",
             "due_date": "2027-01-31", "observations": "cambiada",
             "lines-0-description": "Panela", "lines-0-quantity": "1",
             "lines-0-unit_price": "2.500", "locale": "en", "amount": "1.000",
             "paid_on": "2026-12-01", "method": "efectivo", "password": PASSWORD}


# --- the history cannot be altered -------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "UPDATE history_entries SET body = 'reescrito'",
    "UPDATE history_entries SET actor_email = 'otro@tienda.test'",
    "DELETE FROM history_entries",
])
def test_database_refuses_to_change_or_remove_history_entries(app, make_invoice, statement):
    make_invoice()
    before = history_rows(app)
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert history_rows(app) == before


def test_postgresql_also_refuses_truncate(app, make_invoice):
    make_invoice()
    before = history_rows(app)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            assert db.engine.dialect.name == "sqlite"  # SQLite has no TRUNCATE
            return
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text("TRUNCATE history_entries CASCADE"))
        db.session.rollback()
    assert history_rows(app) == before


def test_no_route_changes_or_removes_an_entry(app, admin_client, make_invoice, make_customer):
    customer_id = make_customer()
    invoice_id = make_invoice(customer_id=customer_id)
    admin_client.post(f"/invoices/{invoice_id}/annotations", {"text": "primera nota"})
    before = history_rows(app)
    assert len(before) >= 3
    ids = {"invoice_id": invoice_id, "customer_id": customer_id}
    # Annulment last, so every other route runs on a live invoice first.
    for rule in sorted(RULES, key=lambda r: r.endpoint == "invoices.annul_invoice"):
        url = url_for_rule(rule, ids)
        if "GET" in rule.methods:
            assert admin_client.get(url).status_code < 500, url
            assert admin_client.get(url, htmx=True).status_code < 500, url
        if "POST" in rule.methods and rule.endpoint != "auth.logout":
            for htmx in (False, True):
                assert admin_client.post(url, FORM_DATA, htmx=htmx).status_code < 500, url
    after = history_rows(app)
    assert before <= after  # every earlier entry is still there, unchanged
    assert len(after) > len(before)  # and the routes did write new ones


# --- authorization -----------------------------------------------------------------------

@pytest.mark.parametrize("rule", ADMIN_ONLY, ids=str)
def test_cashier_is_refused_admin_routes_and_nothing_changes(app, cashier_client, make_invoice,
                                                              rule):
    invoice_id = make_invoice()
    before = snapshot(app)
    url = url_for_rule(rule, {"invoice_id": invoice_id})
    if "GET" in rule.methods:
        assert cashier_client.get(url).status_code == 403
    if "POST" in rule.methods:
        assert cashier_client.post(url, FORM_DATA).status_code == 403
        assert cashier_client.post(url, FORM_DATA, htmx=True).status_code == 403
    assert snapshot(app) == before


def test_cashier_cannot_annul_but_admin_can(app, cashier_client, admin_client, make_invoice):
    invoice_id = make_invoice()
    assert cashier_client.post(f"/invoices/{invoice_id}/annul",
                               {"reason": "error"}).status_code == 403
    assert admin_client.post(f"/invoices/{invoice_id}/annul",
                             {"reason": "error"}).status_code == 302
    with app.app_context():
        assert db.session.get(Invoice, invoice_id).status == "anulada"


@pytest.mark.parametrize("rule", ID_RULES, ids=str)
def test_missing_ids_get_404_on_every_route(admin_client, make_invoice, rule):
    make_invoice()
    url = url_for_rule(rule, missing="987654")
    if "GET" in rule.methods:
        assert admin_client.get(url).status_code == 404
        assert admin_client.get(url, htmx=True).status_code == 404
    if "POST" in rule.methods:
        assert admin_client.post(url, FORM_DATA).status_code == 404
        assert admin_client.post(url, FORM_DATA, htmx=True).status_code == 404


# --- login throttling --------------------------------------------------------------------

def _fail(client, email, address="10.0.0.1"):
    return client.post("/login", {"email": email, "password": "equivocada"},
                       environ_base={"REMOTE_ADDR": address})


def _answer(response) -> str:
    """The page without what differs by design (the echoed email and the CSRF token)."""
    page = response.get_data(as_text=True)
    page = re.sub(r'value="[^"]*"', 'value=""', page)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", page)


def test_failed_logins_are_throttled_per_account_from_any_address(client):
    for attempt in range(5):
        assert _fail(client, ADMIN, address=f"10.0.0.{attempt + 1}").status_code == 422
    blocked = client.post("/login", {"email": ADMIN, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert blocked.status_code == 429  # even the right password waits now
    assert "Demasiados intentos" in blocked.get_data(as_text=True)
    # Other accounts are not locked out by it.
    assert client.post("/login", {"email": CASHIER, "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 302


def test_failed_logins_are_throttled_per_address_across_accounts(app, client):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "8 per 15 minutes"
    for n in range(8):
        assert _fail(client, f"persona{n}@tienda.test").status_code == 422
    assert _fail(client, "otra@tienda.test").status_code == 429
    assert client.post("/login", {"email": ADMIN, "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 429
    # Another address is not affected.
    assert client.post("/login", {"email": ADMIN, "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 302


def test_throttled_answer_does_not_tell_whether_the_email_exists(client):
    answers = {}
    for email in (CASHIER, "nadie@tienda.test"):
        first = [_fail(client, email, address="10.0.0.7") for _ in range(5)]
        throttled = _fail(client, email, address="10.0.0.7")
        answers[email] = ([r.status_code for r in first], _answer(first[-1]),
                          throttled.status_code, _answer(throttled))
    assert answers[CASHIER] == answers["nadie@tienda.test"]
    assert answers[CASHIER][2] == 429


def test_successful_logins_do_not_count_against_the_limit(client):
    for _ in range(12):
        client.post("/login", {"email": CASHIER, "password": PASSWORD})
        client.post("/logout")
    assert _fail(client, CASHIER).status_code == 422


# --- cookies and headers -----------------------------------------------------------------

def test_session_cookie_is_httponly_and_lax_and_not_secure_by_default(client):
    cookie = client.post("/login", {"email": ADMIN, "password": PASSWORD}) \
        .headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_when_the_setting_says_https(monkeypatch, database_uri):
    monkeypatch.setenv("POS_NOTES_SQLALCHEMY_DATABASE_URI", database_uri)
    monkeypatch.setenv("POS_NOTES_SECRET_KEY", "test-secret")
    monkeypatch.setenv("POS_NOTES_SESSION_COOKIE_SECURE", "true")
    app = create_app()
    try:
        response = app.test_client().get("/login")
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        with app.app_context():
            db.engine.dispose()


def _assert_security_headers(response, url):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";"))
    assert directives.get("default-src") == "'self'", url
    assert directives.get("script-src") == "'self'", url
    assert directives.get("style-src") == "'self'", url
    assert directives.get("frame-ancestors") == "'none'", url
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
    assert response.headers.get("X-Content-Type-Options") == "nosniff", url
    assert response.headers.get("Referrer-Policy") == "same-origin", url
    assert response.headers.get("X-Frame-Options") == "DENY", url


def test_every_response_carries_the_security_headers(client, make_invoice, make_customer):
    customer_id = make_customer()
    invoice_id = make_invoice(customer_id=customer_id)
    for url in ("/login", "/static/app.js", "/no-such-page"):
        response = client.get(url)
        _assert_security_headers(response, url)
        response.close()
    _assert_security_headers(client.post("/login", {"email": ADMIN, "password": "x"}), "422")
    _assert_security_headers(client.post("/login", {}, csrf=False), "400")
    client.login()
    for rule in RULES:
        if "GET" in rule.methods:
            url = url_for_rule(rule, {"invoice_id": invoice_id, "customer_id": customer_id})
            _assert_security_headers(client.get(url), url)
            _assert_security_headers(client.get(url, htmx=True), url)
    _assert_security_headers(client.post(f"/invoices/{invoice_id}/annotations", {"text": "x"}),
                             "302")


INLINE = [re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # inline script
          re.compile(r"<style\b", re.I),
          re.compile(r"\sstyle=", re.I),
          re.compile(r"\son[a-z]+=", re.I),  # onclick= and friends
          re.compile(r"\shx-on", re.I),
          re.compile(r"javascript:", re.I)]


def test_pages_have_no_inline_script_or_style_for_the_csp_to_block(admin_client, make_invoice,
                                                                   make_customer):
    customer_id = make_customer()
    invoice_id = make_invoice(customer_id=customer_id)
    for rule in RULES:
        if "GET" in rule.methods:
            url = url_for_rule(rule, {"invoice_id": invoice_id, "customer_id": customer_id})
            for htmx in (False, True):
                page = admin_client.get(url, htmx=htmx).get_data(as_text=True)
                for pattern in INLINE:
                    assert not pattern.search(page), (url, pattern.pattern)


# --- user text is data -------------------------------------------------------------------

HOSTILE = ['<script>alert("x")</script>', '<img src=x onerror=alert(1)>',
           '<a hx-get="/logout" hx-trigger="load">clic</a>', "{{7*7}}", "{% if 1 %}si{% endif %}"]


def test_hostile_text_renders_as_literal_text_everywhere(app, admin_client, make_invoice):
    combined = " ".join(HOSTILE)
    response = admin_client.post("/customers/new", {
        "name": HOSTILE[0][:60] + " {{7*7}}", "identification": "123"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        customer_id = db.session.scalar(select(func.max(Customer.id)))
    invoice_id = make_invoice(customer_id=customer_id)
    admin_client.post(f"/invoices/{invoice_id}/edit", {
        "customer_id": customer_id, "due_date": "2026-12-31", "observations": combined[:1000],
        "version": "1", "lines-0-description": HOSTILE[1], "lines-0-quantity": "1",
        "lines-0-unit_price": "1000"})
    for note in HOSTILE:
        assert admin_client.post(f"/invoices/{invoice_id}/annotations",
                                 {"text": note}).status_code == 302
    htmx_saved = admin_client.post(f"/invoices/{invoice_id}/annotations",
                                   {"text": combined}, htmx=True)
    pages = [admin_client.get(url).get_data(as_text=True) for url in (
        f"/invoices/{invoice_id}", f"/invoices/{invoice_id}/history",
        f"/invoices/{invoice_id}/edit", f"/customers/{customer_id}", "/invoices/",
        "/invoices/?q=%3Cscript%3E")]
    pages += [admin_client.get(f"/invoices/{invoice_id}/history", htmx=True)
              .get_data(as_text=True), htmx_saved.get_data(as_text=True)]
    for page in pages:
        for raw in ("<script>alert", "<img src=x", '<a hx-get="/logout"', "hx-trigger=\"load\""):
            assert raw not in page
        assert "49" not in re.sub(r"[^{}0-9 ]", "", page).split()  # {{7*7}} never evaluated
    history = admin_client.get(f"/invoices/{invoice_id}/history").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in history
    assert "&lt;img src=x onerror=alert(1)&gt;" in history
    assert "{{7*7}}" in history and "{% if 1 %}si{% endif %}" in history
    customer_page = admin_client.get(f"/customers/{customer_id}").get_data(as_text=True)
    assert "&lt;script&gt;" in customer_page and "{{7*7}}" in customer_page


def test_oversized_body_gets_413_and_saves_nothing(app, admin_client, make_invoice):
    invoice_id = make_invoice()
    before = snapshot(app)
    response = admin_client.post(f"/invoices/{invoice_id}/annotations",
                                 {"text": "x" * (300 * 1024)})
    assert response.status_code == 413
    assert "demasiado grande" in response.get_data(as_text=True)
    assert snapshot(app) == before


# --- nothing doubled ---------------------------------------------------------------------

def _key(page: str) -> str:
    return KEY.search(page).group(1)


@pytest.mark.sqlite_only  # SQLite's write lock, held by another program
def test_a_database_busy_past_its_timeout_answers_503_and_keeps_nothing(
        app, admin_client, make_invoice):
    """Another program (a backup, a query tool) holds the write lock longer than the
    busy timeout: the note is refused with a clear message, and trying again works."""
    invoice_id = make_invoice()
    before = snapshot(app)
    with sqlite_write_lock_held_elsewhere(app):
        for htmx in (False, True):
            response = admin_client.post(f"/invoices/{invoice_id}/annotations",
                                         {"text": "nota", "idempotency_key": "a" * 32},
                                         htmx=htmx)
            assert response.status_code == 503
            assert "La base de datos no respondió a tiempo. No se guardó nada" in \
                response.get_data(as_text=True)
    assert snapshot(app) == before
    assert admin_client.post(f"/invoices/{invoice_id}/annotations",
                             {"text": "nota", "idempotency_key": "a" * 32}).status_code == 302
    assert count(app, HistoryEntry) == len(before["history_entries"]) + 1


def test_a_database_out_of_reach_answers_503_with_a_message():
    """PostgreSQL restarting or unreachable: every page says so in the user's language,
    logged in or not, htmx or not; never a 500 or a stack trace."""
    closed = free_port()  # nothing listens there
    app = create_app(_config(f"postgresql+psycopg://postgres@127.0.0.1:{closed}/pos_notes"))
    raw = app.test_client()
    token = TOKEN.search(raw.get("/login").get_data(as_text=True)).group(1)
    attempts = [raw.post("/login", data={"email": ADMIN, "password": PASSWORD,
                                         "csrf_token": token})]
    with raw.session_transaction() as session:
        session["_user_id"] = "1:0123456789abcdef"  # a session opened before the outage
    attempts += [raw.get("/invoices/"), raw.get("/invoices/1/history",
                                                 headers={"HX-Request": "true"}),
                 raw.post("/invoices/1/annotations", data={"text": "nota", "csrf_token": token},
                          headers={"HX-Request": "true"})]
    for response in attempts:
        assert response.status_code == 503
        assert "La base de datos no respondió a tiempo. No se guardó nada" in \
            response.get_data(as_text=True)


@pytest.mark.postgresql_only  # a restart of the real server
def test_the_app_carries_on_after_postgresql_restarts(app, admin_client, make_invoice,
                                                      pg_server):
    """An upgrade or a failover restarts PostgreSQL under the running app: its pooled
    connections died, and the next requests must still work, not fail once each."""
    invoice_id = make_invoice()
    assert admin_client.get(f"/invoices/{invoice_id}").status_code == 200  # pooled now
    pg_server.restart()
    response = admin_client.post(f"/invoices/{invoice_id}/annotations",
                                 {"text": "después del reinicio"})
    assert response.status_code == 302
    assert "después del reinicio" in admin_client.get(
        f"/invoices/{invoice_id}/history").get_data(as_text=True)


def test_create_forms_carry_a_fresh_idempotency_key(admin_client, make_customer, make_invoice):
    customer_id = make_customer()
    invoice_id = make_invoice(customer_id)
    for url in ("/invoices/new", "/customers/new", f"/invoices/{invoice_id}/history",
                f"/invoices/{invoice_id}", f"/customers/{customer_id}",
                f"/customers/{customer_id}/reminders/new", "/settings/", "/users/new",
                "/users/1/edit"):
        first, second = (_key(admin_client.get(url).get_data(as_text=True)) for _ in range(2))
        assert first != second, url


def test_repeated_annotation_is_saved_once_and_answered_alike(app, admin_client, make_invoice):
    invoice_id = make_invoice()
    url = f"/invoices/{invoice_id}/annotations"
    key = _key(admin_client.get(f"/invoices/{invoice_id}/history").get_data(as_text=True))
    data = {"text": "Pagará el viernes", "idempotency_key": key}
    plain = [admin_client.post(url, data) for _ in range(2)]
    assert [r.status_code for r in plain] == [302, 302]
    assert plain[0].headers["Location"] == plain[1].headers["Location"]
    htmx_key = _key(admin_client.get(f"/invoices/{invoice_id}/history").get_data(as_text=True))
    fragments = [admin_client.post(url, {"text": "Llamó", "idempotency_key": htmx_key},
                                   htmx=True) for _ in range(2)]
    assert [r.status_code for r in fragments] == [200, 200]
    entry_ids = [re.findall(r'id="entry-(\d+)"', r.get_data(as_text=True)) for r in fragments]
    assert entry_ids[0] and entry_ids[0] == entry_ids[1]
    with app.app_context():
        bodies = list(db.session.scalars(select(HistoryEntry.body).where(
            HistoryEntry.kind == "annotation")))
        assert sorted(bodies) == ["Llamó", "Pagará el viernes"]
        assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 2


def test_double_submitted_invoice_creates_one(app, admin_client, make_customer):
    customer_id = make_customer()
    key = _key(admin_client.get("/invoices/new").get_data(as_text=True))
    data = {"customer_id": customer_id, "payment_form": "contado", "idempotency_key": key,
            "lines-0-description": "Café", "lines-0-quantity": "1",
            "lines-0-unit_price": "9.000"}
    responses = [admin_client.post("/invoices/new", data) for _ in range(3)]
    assert {r.status_code for r in responses} == {302}
    assert len({r.headers["Location"] for r in responses}) == 1
    assert count(app, Invoice) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HistoryEntry).where(
            HistoryEntry.kind == "created")) == 1


def test_double_submitted_customer_creates_one(app, admin_client):
    key = _key(admin_client.get("/customers/new").get_data(as_text=True))
    data = {"name": "Tienda La Esquina", "identification": "900.1", "idempotency_key": key}
    responses = [admin_client.post("/customers/new", data) for _ in range(2)]
    assert {r.status_code for r in responses} == {302}
    assert responses[0].headers["Location"] == responses[1].headers["Location"]
    assert count(app, Customer) == 1


def _key_of_form(page: str, action: str) -> str:
    """The key of the form posting to `action` (a page can hold several forms)."""
    form = page.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    return KEY.search(form).group(1)


def _twice(app, client, url, data) -> tuple:
    """Post the same submission twice; the rows after each, and the second answer shown."""
    first = client.post(url, data)
    after_first = snapshot(app)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    shown = client.get(second.headers["Location"]).get_data(as_text=True)
    return after_first, snapshot(app), shown


def test_double_tapped_annulment_is_answered_as_the_first(app, admin_client, make_invoice):
    invoice_id = make_invoice(payment_form="contado")
    url = f"/invoices/{invoice_id}/annul"
    key = _key_of_form(admin_client.get(f"/invoices/{invoice_id}").get_data(as_text=True), url)
    first, second, shown = _twice(app, admin_client, url,
                                  {"reason": "Error de digitación", "idempotency_key": key})
    assert second == first  # the repeat wrote nothing
    assert "Factura POS-1 anulada." in shown and "ya está anulada" not in shown


def test_double_tapped_reversal_is_answered_as_the_first(app, admin_client, make_invoice):
    from pos_notes.models import Payment
    invoice_id = make_invoice()
    admin_client.post(f"/invoices/{invoice_id}/payments",
                      {"amount": "1.000", "paid_on": "2026-12-03", "method": "efectivo"})
    with app.app_context():
        payment_id = db.session.scalar(select(Payment.id))
    url = f"/invoices/{invoice_id}/payments/{payment_id}/reverse"
    key = _key_of_form(admin_client.get(f"/invoices/{invoice_id}").get_data(as_text=True), url)
    first, second, shown = _twice(app, admin_client, url,
                                  {"reason": "Billete falso", "idempotency_key": key})
    assert second == first
    assert "Abono de $ 1.000 reversado." in shown and "ya fue reversado" not in shown


def test_double_tapped_invoice_edit_is_not_a_conflict_with_itself(app, admin_client,
                                                                  make_invoice):
    invoice_id = make_invoice()
    with app.app_context():
        customer_id = db.session.get(Invoice, invoice_id).customer_id
    key = _key(admin_client.get(f"/invoices/{invoice_id}/edit").get_data(as_text=True))
    first, second, shown = _twice(app, admin_client, f"/invoices/{invoice_id}/edit", {
        "customer_id": customer_id, "due_date": "2027-01-31", "observations": "Fiado",
        "version": "1", "idempotency_key": key, "lines-0-description": "Arroz",
        "lines-0-quantity": "2", "lines-0-unit_price": "3.200"})
    assert second == first
    assert "Factura modificada." in shown and "Otro usuario" not in shown


def test_double_tapped_customer_edit_is_answered_as_the_first(app, admin_client, make_customer):
    customer_id = make_customer()
    url = f"/customers/{customer_id}/edit"
    key = _key(admin_client.get(url).get_data(as_text=True))
    first, second, shown = _twice(app, admin_client, url, {
        "name": "Ana María Pérez", "identification": "1.020.304", "version": "1",
        "idempotency_key": key})
    assert second == first
    assert "Cliente modificado." in shown and "No había cambios" not in shown


def test_a_change_racing_another_users_is_a_conflict_never_a_500(app, admin_client,
                                                                  make_invoice):
    """Another user's change to the same invoice commits while this annulment waits for
    the row. PostgreSQL lets both read it: the version check refuses the later write (409,
    nothing of it kept). SQLite queues the writers: the annulment starts after the change."""
    invoice_id = make_invoice(payment_form="contado")
    url = f"/invoices/{invoice_id}/annul"
    key = _key_of_form(admin_client.get(f"/invoices/{invoice_id}").get_data(as_text=True), url)
    answers = []
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        with db.engine.connect() as other_cashier:
            other_cashier.execute(text("UPDATE invoices SET observations = 'cambio del otro', "
                                       "version = version + 1 WHERE id = :id"), {"id": invoice_id})
            annul = threading.Thread(target=lambda: answers.append(admin_client.post(
                url, {"reason": "Error de digitación", "idempotency_key": key})))
            annul.start()
            if postgres:
                _wait_until_a_lock_is_awaited()
            else:
                time.sleep(0.3)
            other_cashier.commit()
        annul.join(timeout=20)
        invoice = db.session.get(Invoice, invoice_id)
        assert invoice.observations == "cambio del otro"  # never silently overwritten
    [answer] = answers
    if postgres:
        assert answer.status_code == 409
        assert "Otro usuario cambió estos datos" in answer.get_data(as_text=True)
        assert invoice.status != "anulada" and invoice.version == 2
    else:
        assert answer.status_code == 302
        assert invoice.status == "anulada" and invoice.version == 3


def _wait_until_a_lock_is_awaited():
    with db.engine.connect() as watcher:
        for _ in range(200):
            if watcher.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")):
                return
            watcher.rollback()
            time.sleep(0.05)
    raise AssertionError("the annulment never waited for the invoice row")


def test_forms_without_a_key_still_work_and_each_post_counts(app, admin_client, make_invoice):
    invoice_id = make_invoice()
    for _ in range(2):
        admin_client.post(f"/invoices/{invoice_id}/annotations", {"text": "sin clave"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HistoryEntry).where(
            HistoryEntry.body == "sin clave")) == 2
