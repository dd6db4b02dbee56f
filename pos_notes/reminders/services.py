"""Payment reminders: which invoices may be reminded, the message, and send_reminder.

Nothing here commits. send_reminder delivers first and records after, so a failed delivery
leaves nothing to undo; the view commits the records once the message is out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..formatting import STATUS_LABELS
from ..history import record_event
from ..models import Customer, Invoice, Reminder, ReminderInvoice, User
from ..settings.services import REMINDER_TEMPLATE, SHOP_NAME, get_setting
from . import mail

ELIGIBLE_STATUSES = ("por_cobrar", "pagada_parcialmente")
CHANNELS = ("email", "whatsapp")
# The customer reads the message in Colombian Spanish, whoever sends it.
MESSAGE_LOCALE = "es_CO"


class ReminderError(Exception):
    """A reminder that cannot be sent as asked; the message is for the user."""


@dataclass
class Draft:
    """A reminder ready to go: plain values, so it outlives the transaction that made it."""

    customer_id: int
    channel: str
    recipient: str
    subject: str
    body: str
    invoice_ids: list[int]
    codes: list[str]


@dataclass
class Sent:
    reminder: Reminder
    outbox_file: Path | None = None
    whatsapp_url: str | None = None


def eligible_invoices(customer: Customer) -> list[Invoice]:
    """The customer's credit invoices that still owe money, oldest due date first."""
    return list(db.session.scalars(
        select(Invoice).where(Invoice.customer_id == customer.id,
                              Invoice.payment_form == "credito",
                              Invoice.status.in_(ELIGIBLE_STATUSES))
        .order_by(Invoice.due_date, Invoice.number)))


def choose_invoices(customer: Customer, invoice_ids: list[int]) -> list[Invoice]:
    """The chosen invoices, or ReminderError naming each one that cannot be reminded."""
    if not invoice_ids:
        raise ReminderError(_("Elija al menos una factura."))
    found = {invoice.id: invoice for invoice in db.session.scalars(
        select(Invoice).where(Invoice.id.in_(invoice_ids)))}
    problems = []
    for invoice_id in dict.fromkeys(invoice_ids):
        invoice = found.get(invoice_id)
        if invoice is None or invoice.customer_id != customer.id:
            problems.append(_("La factura %(id)s no es de este cliente.",
                              id=invoice.code if invoice else invoice_id))
        elif invoice.payment_form != "credito":
            problems.append(_("%(code)s es de contado: no tiene saldo que recordar.",
                              code=invoice.code))
        elif invoice.status not in ELIGIBLE_STATUSES:
            problems.append(_("%(code)s está %(status)s: solo se recuerdan facturas Por "
                              "Cobrar o Pagadas Parcialmente.", code=invoice.code,
                              status=STATUS_LABELS[invoice.status]))
    if problems:
        raise ReminderError(" ".join(problems))
    return sorted(found.values(), key=lambda invoice: (invoice.due_date, invoice.number))


def last_reminder_at(invoices: list[Invoice]) -> datetime | None:
    """When one of these invoices was last reminded, if that is within the cool-down."""
    hours = current_app.config["REMINDER_COOLDOWN_HOURS"]
    since = clock.now() - timedelta(hours=hours)
    return db.session.scalar(
        select(func.max(Reminder.created_at)).join(
            ReminderInvoice, ReminderInvoice.reminder_id == Reminder.id)
        .where(ReminderInvoice.invoice_id.in_([invoice.id for invoice in invoices]),
               Reminder.created_at >= since))


def _pesos(amount: int) -> str:
    return "$ " + format_decimal(amount, "#,##0", locale=MESSAGE_LOCALE)


def _day(day) -> str:
    return format_date(day, "d MMM y", locale=MESSAGE_LOCALE) if day else "—"


def compose(customer: Customer, invoices: list[Invoice]) -> tuple[str, str]:
    """Subject and body, in Spanish, from the admin's template."""
    shop = get_setting(SHOP_NAME)
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    lines = [f"- {invoice.code} del {_day(invoice.issued_at.astimezone(zone).date())}: "
             f"saldo {_pesos(invoice.balance)}, vence el {_day(invoice.due_date)}"
             for invoice in invoices]
    values = {"{tienda}": shop, "{cliente}": customer.name, "{facturas}": "\n".join(lines),
              "{total}": _pesos(sum(invoice.balance for invoice in invoices))}
    # Plain replacement, not str.format: the admin's text may contain any braces.
    body = re.sub("|".join(re.escape(key) for key in values),
                  lambda match: values[match.group(0)], get_setting(REMINDER_TEMPLATE))
    return f"Recordatorio de pago - {shop}", body


def whatsapp_number(phone: str) -> str:
    """Digits for wa.me: Colombian numbers typed without +57 get 57 in front."""
    digits = re.sub(r"\D", "", phone or "")
    if phone.strip().startswith("+") and len(digits) >= 8:
        return digits
    if len(digits) == 10:
        return "57" + digits
    if len(digits) == 12 and digits.startswith("57"):
        return digits
    raise ReminderError(_("El cliente no tiene un teléfono de WhatsApp válido. Corríjalo en "
                          "los datos del cliente."))


def whatsapp_url(number: str, text: str) -> str:
    return f"https://wa.me/{number}?text={quote(text, safe='')}"


def recipient_for(customer: Customer, channel: str) -> str:
    if channel == "email":
        if not customer.email:
            raise ReminderError(_("El cliente no tiene correo electrónico. Agréguelo en los "
                                  "datos del cliente o use WhatsApp."))
        return customer.email
    if channel == "whatsapp":
        return whatsapp_number(customer.phone)
    raise ReminderError(_("Elija un canal: correo o WhatsApp."))


def prepare_reminder(customer: Customer, invoices: list[Invoice], *, channel: str) -> Draft:
    """The recipient and the message for these invoices; ReminderError if there is no way
    to reach the customer on that channel."""
    recipient = recipient_for(customer, channel)
    subject, body = compose(customer, invoices)
    return Draft(customer_id=customer.id, channel=channel, recipient=recipient,
                 subject=subject, body=body, invoice_ids=[i.id for i in invoices],
                 codes=[i.code for i in invoices])


def send_reminder(draft: Draft, *, actor: User) -> Sent:
    """Deliver the reminder, then record it: one Reminder, its invoices, and an entry in
    each invoice's Historial and in the customer's timeline. MailError if not delivered."""
    # Delivery reads only the draft: no query, so no transaction is open while it waits.
    outbox_file = link = None
    if draft.channel == "email":
        outbox_file = mail.deliver(mail.build_message(
            to=draft.recipient, subject=draft.subject, body=draft.body))
    else:
        # Opening the link is the sending: wa.me takes over in the user's phone or browser.
        link = whatsapp_url(draft.recipient, draft.body)
    sent = Sent(reminder=Reminder(customer_id=draft.customer_id, channel=draft.channel,
                                  recipient=draft.recipient, message=draft.body,
                                  created_at=clock.now(), created_by_id=actor.id),
                outbox_file=outbox_file, whatsapp_url=link)
    db.session.add(sent.reminder)
    db.session.flush()
    db.session.add_all(ReminderInvoice(reminder_id=sent.reminder.id, invoice_id=invoice_id)
                       for invoice_id in draft.invoice_ids)
    data = {"channel": draft.channel, "recipient": draft.recipient, "invoices": draft.codes,
            "reminder_id": sent.reminder.id}
    if sent.outbox_file:
        data["outbox"] = sent.outbox_file.name
    for invoice_id in draft.invoice_ids:
        record_event("reminder", actor=actor, invoice=db.session.get(Invoice, invoice_id),
                     data=data)
    record_event("reminder", actor=actor, customer=db.session.get(Customer, draft.customer_id),
                 data=data)
    return sent
