"""All models: they point at each other, so they live together."""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (JSON, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer,
                        Numeric, String, Text, TypeDecorator, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from . import clock
from .extensions import db


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC everywhere."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use clock.now()")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


ROLES = ("admin", "cashier")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="cashier")
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # A user who left the shop is deactivated, never deleted: their email stays on the
    # history entries they made, and they can no longer log in.
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in an inactive user
        return self.active

    def get_id(self) -> str:
        """What the session keeps: the id and a stamp of the password, so that a new
        password (the user's own or one the owner set) ends the sessions of the old one."""
        return f"{self.id}:{self.password_stamp}"

    @property
    def password_stamp(self) -> str:
        # A digest of the salted hash: the session cookie is signed, not secret.
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class Customer(db.Model):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    identification: Mapped[str] = mapped_column(String(30), index=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Optimistic lock, as on invoices: two people editing one customer cannot undo each other.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    invoices: Mapped[list[Invoice]] = relationship(back_populates="customer")

    __mapper_args__ = {"version_id_col": version}


# Status codes are stored; labels are translated in the templates.
STATUSES = ("pagada", "por_cobrar", "pagada_parcialmente", "anulada")
PAYMENT_FORMS = ("contado", "credito")


class Invoice(db.Model):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    payment_form: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    due_date: Mapped[date | None] = mapped_column(Date)
    observations: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[int] = mapped_column(Integer, default=0)
    paid: Mapped[int] = mapped_column(Integer, default=0)
    annul_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Optimistic lock: a stale edit raises instead of silently overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)

    customer: Mapped[Customer] = relationship(back_populates="invoices")
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position",
        cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("status IN ('pagada','por_cobrar','pagada_parcialmente','anulada')",
                        name="status"),
        CheckConstraint("payment_form IN ('contado','credito')", name="payment_form"),
        CheckConstraint("paid >= 0 AND paid <= total", name="paid_range"),
        # Newest-first lists filtered by status or by customer read straight off these.
        Index("ix_invoices_status_number", "status", "number"),
        Index("ix_invoices_customer_number", "customer_id", "number"),
    )

    @property
    def code(self) -> str:
        return f"POS-{self.number}"

    @property
    def balance(self) -> int:
        return 0 if self.status == "anulada" else self.total - self.paid

    @property
    def is_annulled(self) -> bool:
        return self.status == "anulada"


class InvoiceLine(db.Model):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    unit_price: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


PAYMENT_METHODS = ("efectivo", "transferencia", "tarjeta", "otro")


class Payment(db.Model):
    """An abono on a credit invoice. A reversal marks it; nothing is deleted."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversal_reason: Mapped[str] = mapped_column(Text, default="")

    invoice: Mapped[Invoice] = relationship()

    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)


class Commitment(db.Model):
    """A payment commitment made by a customer, written with a customer annotation."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("history_entries.id"))
    amount: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)


class Reminder(db.Model):
    """A payment reminder sent to a customer for one or more invoices."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReminderInvoice(db.Model):
    __tablename__ = "reminder_invoices"

    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id"), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), primary_key=True,
                                            index=True)


class Setting(db.Model):
    """Shop settings editable by the admin (shop name, reminder template...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Counter(db.Model):
    """Consecutive numbers that are never reused (invoice numbers)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class IdempotencyKey(db.Model):
    """A form submission already handled: a double tap creates one record."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the first submission made (e.g. the new record's id), so a repeat answers alike.
    result: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


ENTRY_KINDS = ("created", "modified", "annulled", "annotation", "payment",
               "payment_reversed", "reminder", "customer_created", "customer_modified")


class HistoryEntry(db.Model):
    """One movement in a timeline. Append-only: the database refuses UPDATE and DELETE.

    An entry belongs to exactly one timeline: an invoice's Historial (invoice_id) or a
    customer's window (customer_id). A reminder writes one entry to each.
    """

    __tablename__ = "history_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A snapshot: the entry still names who did it after the user changes or goes.
    actor_email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    invoice: Mapped[Invoice | None] = relationship()
    customer: Mapped[Customer | None] = relationship()

    __table_args__ = (
        CheckConstraint("(invoice_id IS NULL) <> (customer_id IS NULL)", name="one_timeline"),
        # Each timeline reads newest-first by (created_at, id) straight off these.
        Index("ix_history_invoice_time", "invoice_id", "created_at", "id"),
        Index("ix_history_customer_time", "customer_id", "created_at", "id"),
    )

    @property
    def changes(self) -> list[dict[str, Any]]:
        return self.data.get("changes", [])
