"""Recordatorios: a real SMTP server on loopback receives them, both histories record them,
a failed delivery records nothing, and the cool-down asks before a second one."""
import socket
import sqlite3
import time
from email import message_from_bytes, policy
from urllib.parse import unquote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from flask import render_template, render_template_string
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

from pos_notes import clock
from pos_notes.extensions import db
from pos_notes.models import Customer, HistoryEntry, Reminder, ReminderInvoice
from pos_notes.reminders.services import ReminderError, whatsapp_number

from .conftest import CASHIER, Client, at
from .test_security import _key

SENDER = "cobros@tienda.test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An SMTP handler that keeps every message; `refuse` makes it answer 5xx instead."""

    def __init__(self):
        self.messages = []
        self.refuse = False
        self.while_receiving = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.while_receiving:
            self.while_receiving()
        self.messages.append((envelope.rcpt_tos, message_from_bytes(
            envelope.original_content, policy=policy.default)))
        return "250 Message accepted"


@pytest.fixture
def mail_config(app):
    def configure(port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                          MAIL_DEFAULT_SENDER=SENDER, MAIL_TIMEOUT=2)
    return configure


@pytest.fixture
def inbox(mail_config):
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    mail_config(port)
    yield handler
    controller.stop()


@pytest.fixture
def debtor(app, make_customer, make_invoice, admin_client):
    """A customer owing two credit invoices (one partly paid) and holding a cash one."""
    customer_id = make_customer(name="Ana Pérez", email="ana@example.com",
                                phone="300 555 0000")
    clock.freeze(at("2026-12-01 15:00"))
    first = make_invoice(customer_id)                       # POS-1, $ 6.400
    second = make_invoice(customer_id, due="2027-01-15")    # POS-2, paid down to $ 4.400
    cash = make_invoice(customer_id, payment_form="contado")  # POS-3
    response = admin_client.post(f"/invoices/{second}/payments",
                                 {"amount": "2.000", "paid_on": "2026-12-01",
                                  "method": "efectivo"})
    assert response.status_code == 302
    clock.freeze(at("2026-12-03 15:42"))
    return {"customer": customer_id, "first": first, "second": second, "cash": cash}


def _send(client, customer_id, invoices, channel="email", **extra):
    return client.post(f"/customers/{customer_id}/reminders",
                       {"invoices": invoices, "channel": channel, **extra})


def _reminder_entries(app):
    with app.app_context():
        return list(db.session.scalars(select(HistoryEntry).where(
            HistoryEntry.kind == "reminder").order_by(HistoryEntry.id)))


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _nothing_recorded(app):
    assert _count(app, Reminder) == 0
    assert _count(app, ReminderInvoice) == 0
    assert _reminder_entries(app) == []


def test_email_reminder_is_received_and_recorded_in_both_histories(
        app, cashier_client, admin_client, debtor, inbox):
    assert admin_client.post("/settings/", {
        "shop_name": "Tienda Don Pepe",
        "reminder_template": "Buen día {cliente}. {tienda} le recuerda:\n{facturas}\n"
                             "Total: {total}"}).status_code == 302

    response = _send(cashier_client, debtor["customer"], [debtor["first"], debtor["second"]])
    assert response.status_code == 302
    assert "Recordatorio enviado a ana@example.com" in cashier_client.get(
        response.headers["Location"]).get_data(as_text=True)

    [(recipients, message)] = inbox.messages
    assert recipients == ["ana@example.com"]
    assert message["To"] == "ana@example.com" and message["From"] == SENDER
    assert message["Subject"] == "Recordatorio de pago - Tienda Don Pepe"
    body = message.get_content()
    assert "Buen día Ana Pérez. Tienda Don Pepe le recuerda:" in body
    assert "- POS-1 del 1 dic 2026: saldo $ 6.400, vence el 31 dic 2026" in body
    assert "- POS-2 del 1 dic 2026: saldo $ 4.400, vence el 15 ene 2027" in body
    assert "Total: $ 10.800" in body
    assert "POS-3" not in body

    with app.app_context():
        reminder = db.session.scalar(select(Reminder))
        assert (reminder.channel, reminder.recipient, reminder.created_at) == (
            "email", "ana@example.com", at("2026-12-03 15:42"))
        covered = set(db.session.scalars(select(ReminderInvoice.invoice_id)))
        assert covered == {debtor["first"], debtor["second"]}
    entries = _reminder_entries(app)
    assert [(e.invoice_id, e.customer_id) for e in entries] == [
        (debtor["first"], None), (debtor["second"], None), (None, debtor["customer"])]
    for entry in entries:
        assert entry.actor_email == CASHIER and entry.created_at == at("2026-12-03 15:42")
        assert entry.data == {"channel": "email", "recipient": "ana@example.com",
                              "invoices": ["POS-1", "POS-2"], "reminder_id": reminder.id}

    historial = cashier_client.get(f"/invoices/{debtor['second']}/history", htmx=True)
    text = historial.get_data(as_text=True)
    first_entry = text.index('data-kind="')
    assert text[first_entry:].startswith('data-kind="reminder"')
    assert "ana@example.com" in text and "POS-1, POS-2" in text
    assert 'data-kind="reminder"' not in cashier_client.get(
        f"/invoices/{debtor['cash']}/history", htmx=True).get_data(as_text=True)


@pytest.mark.parametrize("which, message", [
    ("cash", "POS-3 es de contado"),
    ("paid", "POS-4 está Pagada"),
    ("annulled", "POS-4 está Anulada"),
    ("other", "La factura POS-4 no es de este cliente"),
    ("missing", "La factura 999 no es de este cliente"),
])
def test_reminder_for_an_ineligible_invoice_is_refused_and_records_nothing(
        app, admin_client, debtor, inbox, make_invoice, make_customer, which, message):
    if which == "cash":
        bad = debtor["cash"]
    elif which == "missing":
        bad = 999
    elif which == "other":
        bad = make_invoice(make_customer(name="Luis Mora", identification="80.1"))
    else:
        bad = make_invoice(debtor["customer"])
        if which == "paid":
            admin_client.post(f"/invoices/{bad}/payments", {
                "amount": "6.400", "paid_on": "2026-12-03", "method": "efectivo"})
        else:
            admin_client.post(f"/invoices/{bad}/annul", {"reason": "Duplicada"})
    response = _send(admin_client, debtor["customer"], [debtor["first"], bad])
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert inbox.messages == []
    _nothing_recorded(app)


def test_reminder_without_invoices_or_channel_is_refused(app, admin_client, debtor, inbox):
    assert "Elija al menos una factura" in _send(
        admin_client, debtor["customer"], []).get_data(as_text=True)
    response = _send(admin_client, debtor["customer"], [debtor["first"]], channel="fax")
    assert response.status_code == 422
    assert "Elija un canal" in response.get_data(as_text=True)
    assert inbox.messages == []
    _nothing_recorded(app)


def test_smtp_refusal_records_nothing_and_the_user_can_retry(app, admin_client, debtor, inbox):
    inbox.refuse = True
    response = _send(admin_client, debtor["customer"], [debtor["first"]])
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "El servidor de correo rechazó el mensaje (550" in text
    assert "puede intentarlo de nuevo" in text
    assert 'name="invoices" value="%d" id="remind-%d-%d" checked' % (
        debtor["first"], debtor["customer"], debtor["first"]) in text
    assert inbox.messages == []
    _nothing_recorded(app)

    inbox.refuse = False
    assert _send(admin_client, debtor["customer"], [debtor["first"]]).status_code == 302
    assert len(inbox.messages) == 1 and _count(app, Reminder) == 1


def test_unreachable_smtp_server_records_nothing(app, admin_client, debtor, mail_config):
    mail_config(_free_port())  # nothing listens there
    response = _send(admin_client, debtor["customer"], [debtor["first"]])
    assert response.status_code == 503
    assert "No se pudo conectar con el servidor de correo" in response.get_data(as_text=True)
    _nothing_recorded(app)


def test_silent_smtp_server_times_out_instead_of_hanging(app, admin_client, debtor,
                                                          mail_config):
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        mail_config(silent.getsockname()[1])
        app.config["MAIL_TIMEOUT"] = 1
        started = time.monotonic()
        response = _send(admin_client, debtor["customer"], [debtor["first"]])
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert 0.9 < elapsed < 3
    _nothing_recorded(app)


def test_smtp_login_uses_the_configured_credentials(app, admin_client, debtor, mail_config):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"clave-smtp", handled=False)

    handler, port = Inbox(), _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port,
                            authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        mail_config(port)
        # A wrong password, numeric as POS_NOTES_MAIL_PASSWORD=123456 arrives from JSON.
        app.config.update(MAIL_USERNAME="cobros", MAIL_PASSWORD=123456)
        refused = _send(admin_client, debtor["customer"], [debtor["first"]])
        assert refused.status_code == 503
        assert "rechazó el mensaje (535" in refused.get_data(as_text=True)
        _nothing_recorded(app)
        app.config["MAIL_PASSWORD"] = "clave-smtp"
        assert _send(admin_client, debtor["customer"], [debtor["first"]]).status_code == 302
    finally:
        controller.stop()
    assert logins[-1] == (b"cobros", b"clave-smtp")
    assert set(logins) == {(b"cobros", b"123456"), (b"cobros", b"clave-smtp")}
    assert len(handler.messages) == 1 and _count(app, Reminder) == 1


def test_database_is_not_locked_while_the_mail_server_answers(app, admin_client, debtor,
                                                             inbox, database_uri):
    """Another cashier can write, even the very rows the reminder is about, while the mail
    server is still receiving: the app holds no lock while it waits on the network."""
    outcomes = []

    def another_cashier_writes():
        if database_uri.startswith("sqlite"):
            connection = sqlite3.connect(database_uri.removeprefix("sqlite:///"), timeout=0.2,
                                         isolation_level=None)
            try:
                connection.execute("BEGIN IMMEDIATE")  # SQLite's one write lock
                connection.execute("ROLLBACK")
                outcomes.append("written")
            except sqlite3.OperationalError as error:
                outcomes.append(str(error))
            finally:
                connection.close()
            return
        engine = create_engine(database_uri)
        try:
            with engine.connect() as connection:
                # PostgreSQL locks rows: the invoices and the customer must all be free.
                connection.execute(text("SET lock_timeout = '200ms'"))
                connection.execute(text("SELECT id FROM invoices WHERE customer_id = :c "
                                        "FOR UPDATE"), {"c": debtor["customer"]})
                connection.execute(text("SELECT id FROM customers WHERE id = :c FOR UPDATE"),
                                   {"c": debtor["customer"]})
                connection.rollback()
                outcomes.append("written")
        except DBAPIError as error:
            outcomes.append(str(error.orig))
        finally:
            engine.dispose()

    inbox.while_receiving = another_cashier_writes
    assert _send(admin_client, debtor["customer"], [debtor["first"]]).status_code == 302
    assert outcomes == ["written"]
    assert _count(app, Reminder) == 1


def test_without_mail_server_the_message_goes_to_the_outbox(app, admin_client, debtor,
                                                            tmp_path):
    app.instance_path = str(tmp_path / "instance")
    assert not app.config["MAIL_SERVER"]  # the default
    page = admin_client.get(f"/customers/{debtor['customer']}/reminders/new")
    assert "No hay servidor de correo configurado" in page.get_data(as_text=True)

    response = _send(admin_client, debtor["customer"], [debtor["second"]])
    assert response.status_code == 302
    [eml] = (tmp_path / "instance" / "outbox").glob("*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "ana@example.com"
    assert "POS-2" in message.get_content() and "$ 4.400" in message.get_content()
    shown = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "bandeja de salida" in shown and eml.name in shown
    [*_, customer_entry] = _reminder_entries(app)
    assert customer_entry.data["channel"] == "email"
    assert customer_entry.data["outbox"] == eml.name
    historial = admin_client.get(f"/invoices/{debtor['second']}/history", htmx=True)
    assert "bandeja de salida" in historial.get_data(as_text=True)


def test_whatsapp_link_carries_the_number_and_the_message_and_is_recorded(
        app, cashier_client, debtor):
    response = _send(cashier_client, debtor["customer"], [debtor["first"], debtor["second"]],
                     channel="whatsapp")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("https://wa.me/573005550000?text=")
    text = unquote(location.split("?text=", 1)[1])
    assert "Mi Tienda" in text
    assert "- POS-1 del 1 dic 2026: saldo $ 6.400, vence el 31 dic 2026" in text
    assert "- POS-2 del 1 dic 2026: saldo $ 4.400, vence el 15 ene 2027" in text
    assert "Total adeudado: $ 10.800" in text
    assert " " not in location and "\n" not in location
    entries = _reminder_entries(app)
    assert len(entries) == 3
    assert entries[-1].data["channel"] == "whatsapp"
    assert entries[-1].data["recipient"] == "573005550000"
    page = cashier_client.get(f"/customers/{debtor['customer']}/reminders/new")
    assert "Enviar por WhatsApp al +573005550000" in page.get_data(as_text=True)


def _form_key(client, customer_id) -> str:
    return _key(client.get(f"/customers/{customer_id}/reminders/new").get_data(as_text=True))


def test_double_tap_sends_one_reminder_and_says_so(app, admin_client, debtor, inbox):
    key = _form_key(admin_client, debtor["customer"])
    first, again = (_send(admin_client, debtor["customer"], [debtor["first"]],
                          idempotency_key=key) for _ in range(2))
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert len(inbox.messages) == 1
    assert _count(app, Reminder) == 1 and len(_reminder_entries(app)) == 2
    shown = admin_client.get(again.headers["Location"]).get_data(as_text=True)
    assert "ya se había enviado a ana@example.com: no se envió de nuevo" in shown
    # A fresh form is a new reminder: the cool-down asks before sending it.
    assert _send(admin_client, debtor["customer"], [debtor["first"]],
                 idempotency_key=_form_key(admin_client, debtor["customer"])).status_code == 200


def test_twin_request_while_the_message_is_going_out_sends_nothing(
        app, admin_client, debtor, inbox):
    key = _form_key(admin_client, debtor["customer"])
    other_tab = Client(app.test_client())
    other_tab.login()
    twins = []
    # The twin arrives while the mail server is still receiving the first message.
    inbox.while_receiving = lambda: twins.append(_send(
        other_tab, debtor["customer"], [debtor["first"]], idempotency_key=key))
    assert _send(admin_client, debtor["customer"], [debtor["first"]],
                 idempotency_key=key).status_code == 302
    [twin] = twins
    assert twin.status_code == 302
    shown = other_tab.get(twin.headers["Location"]).get_data(as_text=True)
    assert "Este recordatorio ya se está enviando" in shown
    assert len(inbox.messages) == 1 and _count(app, Reminder) == 1


def test_failed_delivery_gives_the_key_back_for_a_retry(app, admin_client, debtor, inbox):
    key = _form_key(admin_client, debtor["customer"])
    inbox.refuse = True
    refused = _send(admin_client, debtor["customer"], [debtor["first"]], idempotency_key=key)
    assert refused.status_code == 503
    assert _key(refused.get_data(as_text=True)) == key  # the form shown again keeps it
    inbox.refuse = False
    retried = _send(admin_client, debtor["customer"], [debtor["first"]], idempotency_key=key)
    assert retried.status_code == 302
    assert len(inbox.messages) == 1 and _count(app, Reminder) == 1


def test_confirmation_step_carries_the_key(app, admin_client, debtor, inbox):
    assert _send(admin_client, debtor["customer"], [debtor["first"]]).status_code == 302
    key = _form_key(admin_client, debtor["customer"])
    asked = _send(admin_client, debtor["customer"], [debtor["first"]], idempotency_key=key)
    assert "¿Enviar otro recordatorio?" in asked.get_data(as_text=True)
    assert _key(asked.get_data(as_text=True)) == key
    confirmed = [_send(admin_client, debtor["customer"], [debtor["first"]], confirm="y",
                       idempotency_key=key) for _ in range(2)]
    assert [r.status_code for r in confirmed] == [302, 302]
    assert len(inbox.messages) == 2 and _count(app, Reminder) == 2


def test_repeated_whatsapp_reminder_opens_the_same_link_and_records_one(
        app, cashier_client, debtor):
    key = _form_key(cashier_client, debtor["customer"])
    links = [_send(cashier_client, debtor["customer"], [debtor["first"]], channel="whatsapp",
                   idempotency_key=key).headers["Location"] for _ in range(2)]
    assert links[0].startswith("https://wa.me/573005550000?text=") and links[0] == links[1]
    assert _count(app, Reminder) == 1


@pytest.mark.parametrize("phone, number", [
    ("300 555 0000", "573005550000"), ("+57 300 555 0000", "573005550000"),
    ("57 3005550000", "573005550000"), ("(601) 555-1234", "576015551234"),
    ("+1 (555) 010-2030", "15550102030")])
def test_whatsapp_number_adds_57_to_colombian_numbers(phone, number):
    assert whatsapp_number(phone) == number


@pytest.mark.parametrize("phone", ["", "12345", "+12"])
def test_whatsapp_number_refuses_what_is_not_a_phone(phone):
    with pytest.raises(ReminderError):
        whatsapp_number(phone)


def test_customer_without_email_cannot_get_an_email_reminder(app, admin_client, make_customer,
                                                            make_invoice, inbox):
    customer_id = make_customer(email="", phone="")
    invoice_id = make_invoice(customer_id)
    page = admin_client.get(f"/customers/{customer_id}/reminders/new").get_data(as_text=True)
    assert "no tiene correo ni teléfono" in page and "Enviar por correo" not in page
    response = _send(admin_client, customer_id, [invoice_id])
    assert response.status_code == 422
    assert "no tiene correo electrónico" in response.get_data(as_text=True)
    assert _send(admin_client, customer_id, [invoice_id], "whatsapp").status_code == 422
    _nothing_recorded(app)


def test_second_reminder_within_the_cool_down_asks_for_confirmation(
        app, admin_client, debtor, inbox):
    assert _send(admin_client, debtor["customer"], [debtor["first"]]).status_code == 302
    clock.freeze(at("2026-12-03 17:42"))  # two hours later
    asked = _send(admin_client, debtor["customer"], [debtor["second"], debtor["first"]])
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "¿Enviar otro recordatorio?" in text
    assert 'datetime="2026-12-03T10:42:00-05:00"' in text  # when the last one went out
    assert "hace 2 horas" in text
    assert 'name="confirm" value="y"' in text
    assert len(inbox.messages) == 1 and _count(app, Reminder) == 1

    confirmed = _send(admin_client, debtor["customer"], [debtor["first"], debtor["second"]],
                      confirm="y")
    assert confirmed.status_code == 302
    assert len(inbox.messages) == 2 and _count(app, Reminder) == 2

    clock.freeze(at("2026-12-04 17:43"))  # 24 h after the last one: no question asked
    assert _send(admin_client, debtor["customer"], [debtor["first"]]).status_code == 302
    assert _count(app, Reminder) == 3


def test_cool_down_is_a_setting(app, admin_client, debtor, inbox):
    app.config["REMINDER_COOLDOWN_HOURS"] = 1
    assert _send(admin_client, debtor["customer"], [debtor["first"]]).status_code == 302
    clock.freeze(at("2026-12-03 16:30"))
    assert _send(admin_client, debtor["customer"], [debtor["first"]]).status_code == 200
    clock.freeze(at("2026-12-03 16:43"))
    assert _send(admin_client, debtor["customer"], [debtor["first"]]).status_code == 302
    assert _count(app, Reminder) == 2


def test_reminder_page_offers_only_eligible_invoices(app, admin_client, debtor, make_invoice):
    paid = make_invoice(debtor["customer"])
    admin_client.post(f"/invoices/{paid}/payments",
                      {"amount": "6.400", "paid_on": "2026-12-03", "method": "efectivo"})
    page = admin_client.get(f"/customers/{debtor['customer']}/reminders/new")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    boxes = [line for line in text.splitlines() if 'name="invoices"' in line]
    assert len(boxes) == 2 and "POS-1" in boxes[0] and "POS-2" in boxes[1]
    assert "$ 10.800" in text
    assert admin_client.get("/customers/999/reminders/new").status_code == 404


def test_customer_list_rows_link_to_the_reminder_page(app, admin_client, debtor):
    with app.test_request_context():
        link = render_template("reminders/_row_action.html",
                               customer=db.session.get(Customer, debtor["customer"]))
    assert f'href="/customers/{debtor["customer"]}/reminders/new"' in link
    assert "Recordatorio" in link
    listing = admin_client.get("/customers/").get_data(as_text=True)
    assert f'href="/customers/{debtor["customer"]}/reminders/new"' in listing


def test_panel_renders_inside_another_page_with_only_the_customer(app, admin_client, debtor):
    """The contract with Cliente - Consulta: it includes the panel, passing just `customer`
    (its own `form`, the annotation form, must not leak in)."""
    with app.test_request_context():
        html = render_template_string(
            '<h2>Cliente</h2>{% include "reminders/_panel.html" %}{{ form }}',
            customer=db.session.get(Customer, debtor["customer"]), form="ANNOTATION-FORM")
    assert f'action="/customers/{debtor["customer"]}/reminders"' in html
    assert html.count('name="invoices"') == 2 and 'name="csrf_token"' in html
    assert '<h3 id="reminder-title-' in html and html.endswith("ANNOTATION-FORM")


def test_only_the_admin_edits_the_shop_settings(app, admin_client, cashier_client):
    assert cashier_client.get("/settings/").status_code == 403
    refused = cashier_client.post("/settings/", {"shop_name": "X", "reminder_template":
                                                 "{tienda} {facturas} {total}"})
    assert refused.status_code == 403
    page = admin_client.get("/settings/").get_data(as_text=True)
    assert "Mi Tienda" in page and "{facturas}" in page
    bad = admin_client.post("/settings/", {"shop_name": "Tienda", "reminder_template": "Hola"})
    assert bad.status_code == 422
    assert "El mensaje debe incluir {tienda}, {facturas}, {total}" in bad.get_data(as_text=True)
    ok = admin_client.post("/settings/", {"shop_name": "Tienda Don Pepe",
                                          "reminder_template": "{tienda}\n{facturas}\n{total}"})
    assert ok.status_code == 302
    assert "Tienda Don Pepe" in admin_client.get("/settings/").get_data(as_text=True)
    assert cashier_client.post("/settings/", {}).status_code == 403


def test_double_tapped_settings_answer_saved_both_times(admin_client):
    key = _key(admin_client.get("/settings/").get_data(as_text=True))
    data = {"shop_name": "Tienda Don Pepe", "reminder_template": "{tienda}\n{facturas}\n{total}",
            "idempotency_key": key}
    for _ in range(2):
        response = admin_client.post("/settings/", data)
        assert response.status_code == 302
        assert "Ajustes guardados." in admin_client.get("/settings/").get_data(as_text=True)
    # The same values from a fresh form really are no change.
    data["idempotency_key"] = _key(admin_client.get("/settings/").get_data(as_text=True))
    admin_client.post("/settings/", data)
    assert "No había cambios que guardar." in admin_client.get("/settings/").get_data(
        as_text=True)
