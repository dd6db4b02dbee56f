"""Customers: their changes (each recorded in the customer's timeline, no commits here) and
the bounded reads behind the list and Cliente - Consulta."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ColumnElement, Select, func, or_, select

from .. import clock
from ..extensions import db
from ..history import record_event
from ..models import Commitment, Customer, HistoryEntry, Invoice, Payment, User
from ..search import matching_customers

FIELDS = ("name", "identification", "email", "phone", "address")
OPEN_STATUSES = ("por_cobrar", "pagada_parcialmente")
TRANSACTIONS = 20
COMMITMENTS = 10


def create_customer(data: dict, *, actor: User) -> Customer:
    customer = Customer(**{field: (data.get(field) or "").strip() for field in FIELDS})
    db.session.add(customer)
    record_event("customer_created", actor=actor, customer=customer)
    return customer


def modify_customer(customer: Customer, data: dict, *, actor: User) -> list[dict]:
    """Apply an edit; record the fields that changed, old and new. No change, no entry."""
    changes = []
    for field in FIELDS:
        new = (data.get(field) or "").strip()
        old = getattr(customer, field)
        if new != old:
            changes.append({"field": field, "old": old, "new": new})
            setattr(customer, field, new)
    if changes:
        record_event("customer_modified", actor=actor, customer=customer, changes=changes)
    return changes


def add_annotation(customer: Customer, *, text: str, actor: User, amount: int | None = None,
                   due_on: date | None = None, invoice: Invoice | None = None) -> HistoryEntry:
    """A note in the customer's own timeline, optionally carrying a payment commitment."""
    data = {}
    if amount is not None:
        data["commitment"] = {"amount": amount, "due_on": due_on.isoformat(),
                              "invoice": invoice.code if invoice else None}
    entry = record_event("annotation", actor=actor, customer=customer, body=text, data=data)
    if amount is not None:
        db.session.flush()  # the commitment points at its entry
        db.session.add(Commitment(customer_id=customer.id, entry_id=entry.id, amount=amount,
                                  invoice_id=invoice.id if invoice else None, due_on=due_on,
                                  created_at=entry.created_at))
    return entry


def shop_today() -> date:
    """Today's date at the shop, which decides when a commitment is overdue."""
    return clock.now().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def _owed(column):
    """A correlated aggregate over the customer's unpaid credit invoices."""
    return (select(column)
            .where(Invoice.customer_id == Customer.id, Invoice.payment_form == "credito",
                   Invoice.status != "anulada", Invoice.total > Invoice.paid)
            .correlate(Customer).scalar_subquery())


BALANCE = func.coalesce(_owed(func.sum(Invoice.total - Invoice.paid)), 0).label("balance")
OLDEST_DUE = _owed(func.min(Invoice.due_date)).label("oldest_due")


def with_balance() -> Select:
    """Customers with what they owe and their oldest unpaid due date, in one query."""
    return select(Customer, BALANCE, OLDEST_DUE)


def _bare(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def matching(q: str) -> ColumnElement[bool]:
    """Customers whose name or identification (dots and dashes optional) contains q."""
    like = q.replace("%", "").replace("_", "")
    bare = _bare(like)
    plain_id = func.replace(func.replace(func.replace(Customer.identification, ".", ""),
                                         "-", ""), " ", "")
    # The search index folds accents and case ("perez", "PEREZ" find "Pérez"); the
    # LIKEs find any part of a name ("rez").
    matches = [Customer.id.in_(matching_customers(q)), Customer.name.ilike(f"%{like}%"),
               Customer.identification.like(f"%{like}%")]
    if bare:
        matches.append(plain_id.like(f"%{bare}%"))
    return or_(*matches)


def search_customers(q: str, after: int | None = None) -> Select:
    """Customers by name or identification, alphabetical, keyset-paginated after a
    customer id."""
    query = with_balance()
    if q:
        query = query.where(matching(q))
    if after is not None:
        name = select(Customer.name).where(Customer.id == after).scalar_subquery()
        # name >= first lets the name index seek to the page start instead of scanning.
        query = query.where(Customer.name >= name,
                            or_(Customer.name > name, Customer.id > after))
    return query.order_by(Customer.name, Customer.id)


PICK_SIZE = 8


@dataclass
class Picker:
    """What a Cliente picker offers: a few customers, the chosen one first."""

    q: str
    chosen: int | None
    customers: list[Customer]
    more: bool  # more customers match than are offered: the user should type more


def pick_customers(q: str, chosen: int | None = None) -> Picker:
    """The customers matching q, alphabetical; before any search, those of the latest
    sales (a new shop: its first customers). A few, whatever the number of customers."""
    q = q.strip()[:100]
    chosen = chosen if chosen and 0 < chosen < 2**31 else None
    if q:
        found = list(db.session.scalars(select(Customer).where(matching(q))
                                        .order_by(Customer.name, Customer.id)
                                        .limit(PICK_SIZE + 1)))
    else:
        recent = list(dict.fromkeys(db.session.scalars(
            select(Invoice.customer_id).order_by(Invoice.number.desc())
            .limit(PICK_SIZE * 10))))[:PICK_SIZE]
        by_id = {customer.id: customer for customer in db.session.scalars(
            select(Customer).where(Customer.id.in_(recent)))}
        found = [by_id[customer_id] for customer_id in recent]
        found += db.session.scalars(select(Customer).where(Customer.id.not_in(recent))
                                    .order_by(Customer.name, Customer.id)
                                    .limit(PICK_SIZE + 1 - len(found)))
    more, found = len(found) > PICK_SIZE, found[:PICK_SIZE]
    if chosen and all(customer.id != chosen for customer in found):
        customer = db.session.get(Customer, chosen)
        if customer is not None:
            found.insert(0, customer)
    return Picker(q=q, chosen=chosen, customers=found, more=more)


def open_invoices(customer_id: int) -> list[Invoice]:
    """The customer's credit invoices with a balance: what a commitment may be tied to."""
    return list(db.session.scalars(
        select(Invoice).where(Invoice.customer_id == customer_id,
                              Invoice.payment_form == "credito",
                              Invoice.status.in_(OPEN_STATUSES))
        .order_by(Invoice.number)))


@dataclass
class Transaction:
    """One line of the customer's latest transactions: an invoice or a payment."""

    kind: str
    at: datetime
    invoice_id: int
    number: int
    amount: int
    day: date | None = None
    status: str = ""
    method: str = ""
    reversed: bool = False

    @property
    def code(self) -> str:
        return f"POS-{self.number}"


def latest_transactions(customer_id: int, limit: int = TRANSACTIONS) -> list[Transaction]:
    """The newest invoices and payments, merged newest first: two bounded queries."""
    invoices = db.session.execute(
        select(Invoice.id, Invoice.number, Invoice.issued_at, Invoice.total, Invoice.status)
        .where(Invoice.customer_id == customer_id)
        .order_by(Invoice.issued_at.desc(), Invoice.id.desc()).limit(limit))
    payments = db.session.execute(
        select(Payment.invoice_id, Invoice.number, Payment.created_at, Payment.amount,
               Payment.paid_on, Payment.method, Payment.reversed_at)
        .join(Invoice, Payment.invoice_id == Invoice.id)
        .where(Invoice.customer_id == customer_id)
        .order_by(Payment.created_at.desc(), Payment.id.desc()).limit(limit))
    rows = [Transaction("invoice", r.issued_at, r.id, r.number, r.total, status=r.status)
            for r in invoices]
    rows += [Transaction("payment", r.created_at, r.invoice_id, r.number, r.amount,
                         day=r.paid_on, method=r.method, reversed=r.reversed_at is not None)
             for r in payments]
    rows.sort(key=lambda t: t.at, reverse=True)
    return rows[:limit]


@dataclass
class CommitmentView:
    """A commitment with what has been paid toward it and its computed status."""

    id: int
    amount: int
    due_on: date
    created_at: datetime
    note: str
    invoice_id: int | None
    invoice_number: int | None
    paid: int
    status: str

    @property
    def invoice_code(self) -> str | None:
        return self.invoice_number and f"POS-{self.invoice_number}"


def commitment_status(*, amount: int, paid: int, due_on: date, today: date) -> str:
    """Cumplido when payments reach the amount; Incumplido once the date passed; else
    Abierto. Never stored: it follows the payments."""
    if paid >= amount:
        return "cumplido"
    return "incumplido" if today > due_on else "abierto"


def _paid_toward_commitment():
    # Payments count when recorded after the promise and dated up to its day; a
    # reversed payment never arrived. Tied to an invoice: only that invoice's payments.
    return (select(func.coalesce(func.sum(Payment.amount), 0))
            .join(Invoice, Payment.invoice_id == Invoice.id)
            .where(Invoice.customer_id == Commitment.customer_id,
                   or_(Commitment.invoice_id.is_(None),
                       Payment.invoice_id == Commitment.invoice_id),
                   Payment.reversed_at.is_(None),
                   Payment.created_at >= Commitment.created_at,
                   Payment.paid_on <= Commitment.due_on)
            .correlate(Commitment).scalar_subquery())


def commitments(customer_id: int, limit: int = COMMITMENTS) -> list[CommitmentView]:
    """The customer's latest commitments with their status, in one query."""
    rows = db.session.execute(
        select(Commitment.id, Commitment.amount, Commitment.due_on, Commitment.created_at,
               Commitment.invoice_id, Invoice.number, HistoryEntry.body,
               _paid_toward_commitment().label("paid"))
        .join(HistoryEntry, HistoryEntry.id == Commitment.entry_id)
        .outerjoin(Invoice, Invoice.id == Commitment.invoice_id)
        .where(Commitment.customer_id == customer_id)
        .order_by(Commitment.created_at.desc(), Commitment.id.desc()).limit(limit))
    today = shop_today()
    return [CommitmentView(r.id, r.amount, r.due_on, r.created_at, r.body, r.invoice_id,
                           r.number, r.paid, commitment_status(
                               amount=r.amount, paid=r.paid, due_on=r.due_on, today=today))
            for r in rows]


def get_with_balance(customer_id: int):
    """(customer, balance, oldest_due) for one customer, or None."""
    return db.session.execute(with_balance().where(Customer.id == customer_id)).first()

