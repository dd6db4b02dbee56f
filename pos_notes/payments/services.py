"""Abonos and their reversal. Registering lives with the invoice services (the demo and the
sale flow use it there); reversing lives here. Neither commits: the view does."""
from flask_babel import gettext as _

from .. import clock
from ..history import record_event
from ..invoices.services import InvoiceError, payment_refusal, register_payment, status_for
from ..models import Payment, User

__all__ = ["InvoiceError", "payment_refusal", "register_payment", "reverse_payment"]


def reverse_payment(payment: Payment, *, reason: str, actor: User) -> None:
    """Reversar abono: the payment is marked, the money leaves the invoice, nothing is deleted."""
    invoice = payment.invoice
    if payment.reversed_at is not None:
        raise InvoiceError(_("Este abono ya fue reversado."))
    if invoice.is_annulled:
        raise InvoiceError(_("La factura está anulada: sus abonos no se pueden reversar."))
    payment.reversed_at = clock.now()
    payment.reversal_reason = reason
    invoice.paid -= payment.amount
    invoice.status = status_for(invoice)
    record_event("payment_reversed", actor=actor, invoice=invoice, body=reason, data={
        "payment_id": payment.id, "amount": payment.amount, "method": payment.method,
        "paid_on": payment.paid_on.isoformat(), "balance": invoice.balance})
