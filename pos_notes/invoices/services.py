"""Invoice changes. Each records its history entry; none commits (the view does)."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update

from ..extensions import db
from ..history import record_event
from ..formatting import money
from ..models import Counter, Customer, Invoice, InvoiceLine, Payment, User


class InvoiceError(Exception):
    """A change the invoice's state does not allow; the message is for the user."""


def next_number(name: str = "invoice") -> int:
    """Take the next consecutive; taken numbers are never handed out again."""
    taken = db.session.scalar(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
        .returning(Counter.value))
    if taken is None:
        db.session.add(Counter(name=name, value=1))
        db.session.flush()
        taken = 1
    return taken


def _line_total(quantity: Decimal, unit_price: int) -> int:
    return int((Decimal(quantity) * unit_price).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _build_lines(lines: list[dict[str, Any]]) -> list[InvoiceLine]:
    return [InvoiceLine(position=i, description=line["description"],
                        quantity=Decimal(line["quantity"]), unit_price=line["unit_price"],
                        total=_line_total(line["quantity"], line["unit_price"]))
            for i, line in enumerate(lines, start=1)]


def status_for(invoice: Invoice) -> str:
    """Status follows the money: cash is paid; credit goes Por Cobrar -> Parcial -> Pagada."""
    if invoice.is_annulled:
        return "anulada"
    if invoice.payment_form == "contado" or invoice.paid >= invoice.total:
        return "pagada"
    return "pagada_parcialmente" if invoice.paid > 0 else "por_cobrar"


def create_invoice(*, customer: Customer, payment_form: str, due_date: date | None,
                   observations: str, lines: list[dict[str, Any]], actor: User) -> Invoice:
    """A counter sale: numbered, totalled on the server, recorded as Creación."""
    invoice = Invoice(number=next_number(), customer=customer, payment_form=payment_form,
                      due_date=due_date if payment_form == "credito" else None,
                      observations=observations, lines=_build_lines(lines),
                      created_by_id=actor.id, paid=0)
    invoice.total = sum(line.total for line in invoice.lines)
    if payment_form == "contado":
        invoice.paid = invoice.total
    invoice.status = status_for(invoice)
    db.session.add(invoice)
    record_event("created", actor=actor, invoice=invoice, data={
        "total": invoice.total, "payment_form": payment_form, "customer": customer.name})
    return invoice


def _line_snapshot(line: InvoiceLine | dict[str, Any]) -> dict[str, Any]:
    get = line.get if isinstance(line, dict) else lambda k: getattr(line, k)
    return {"description": get("description"), "quantity": str(Decimal(get("quantity"))
                                                               .normalize()),
            "unit_price": get("unit_price")}


def _line_changes(old: list[InvoiceLine], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    changes = []
    for i in range(max(len(old), len(new))):
        before = _line_snapshot(old[i]) if i < len(old) else None
        after = _line_snapshot(new[i]) if i < len(new) else None
        if before != after:
            action = "added" if before is None else "removed" if after is None else "changed"
            changes.append({"field": "line", "line": i + 1, "action": action,
                            "old": before, "new": after})
    return changes


def modify_invoice(invoice: Invoice, *, customer: Customer, due_date: date | None,
                   observations: str, lines: list[dict[str, Any]], actor: User
                   ) -> list[dict[str, Any]]:
    """Apply a Modificar; record exactly what changed. No change, no entry."""
    if invoice.is_annulled:
        raise InvoiceError(_("Una factura anulada no se puede modificar."))
    changes: list[dict[str, Any]] = []
    if customer.id != invoice.customer_id:
        changes.append({"field": "customer", "old": invoice.customer.name, "new": customer.name})
        invoice.customer = customer
    if invoice.payment_form == "credito" and due_date != invoice.due_date:
        changes.append({"field": "due_date", "old": _iso(invoice.due_date),
                        "new": _iso(due_date)})
        invoice.due_date = due_date
    if observations != invoice.observations:
        changes.append({"field": "observations", "old": invoice.observations,
                        "new": observations})
        invoice.observations = observations
    line_changes = _line_changes(invoice.lines, lines)
    if line_changes:
        new_total = sum(_line_total(line["quantity"], line["unit_price"]) for line in lines)
        if new_total < invoice.paid and invoice.payment_form == "credito":
            raise InvoiceError(_("El nuevo total no puede ser menor que lo ya abonado."))
        changes.extend(line_changes)
        invoice.lines = _build_lines(lines)
        if new_total != invoice.total:
            changes.append({"field": "total", "old": invoice.total, "new": new_total})
        invoice.total = new_total
        if invoice.payment_form == "contado":
            invoice.paid = new_total
        invoice.status = status_for(invoice)
    if changes:
        record_event("modified", actor=actor, invoice=invoice, changes=changes)
    return changes


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def annul_invoice(invoice: Invoice, *, reason: str, actor: User) -> None:
    """Anular: the invoice stays, marked Anulada, with the reason in its history."""
    if invoice.is_annulled:
        raise InvoiceError(_("La factura ya está anulada."))
    if invoice.payment_form == "credito" and invoice.paid > 0:
        raise InvoiceError(_("La factura tiene abonos: reverse los abonos antes de anularla."))
    invoice.status = "anulada"
    invoice.annul_reason = reason
    record_event("annulled", actor=actor, invoice=invoice, body=reason)


def add_annotation(invoice: Invoice, *, text: str, actor: User):
    """A free-text note, allowed in any status (Anulada included)."""
    return record_event("annotation", actor=actor, invoice=invoice, body=text)


def payment_refusal(invoice: Invoice) -> str | None:
    """Why this invoice cannot take an abono now, or None if it can."""
    if invoice.is_annulled:
        return _("No se pueden registrar abonos en una factura anulada.")
    if invoice.payment_form != "credito":
        return _("Solo las ventas a crédito reciben abonos.")
    if invoice.balance <= 0:
        return _("La factura ya está pagada.")
    return None


def register_payment(invoice: Invoice, *, amount: int, paid_on: date, method: str,
                     actor: User) -> Payment:
    """Registrar abono on a credit invoice; its status follows the money."""
    refusal = payment_refusal(invoice)
    if refusal:
        raise InvoiceError(refusal)
    if amount <= 0 or amount > invoice.balance:
        raise InvoiceError(_("El abono debe ser mayor que cero y como máximo el saldo "
                             "(%(balance)s).", balance=money(invoice.balance)))
    payment = Payment(invoice=invoice, amount=amount, paid_on=paid_on, method=method,
                      created_by_id=actor.id)
    db.session.add(payment)
    invoice.paid += amount
    invoice.status = status_for(invoice)
    db.session.flush()
    record_event("payment", actor=actor, invoice=invoice, data={
        "payment_id": payment.id, "amount": amount, "method": method,
        "paid_on": paid_on.isoformat(), "balance": invoice.balance})
    return payment

