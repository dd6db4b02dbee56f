"""Registrar abono and Reversar abono: plain forms on the invoice page (the status, the
balance and the Historial all change, so the whole page is answered)."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.views import admin_required
from ..extensions import db
from ..formatting import money
from ..invoices.forms import AnnulForm
from ..invoices.views import get_invoice
from ..models import Invoice, Payment
from . import bp, services
from .forms import PaymentForm, ReversalForm


@bp.app_template_global()
def invoice_payments(invoice: Invoice) -> list[Payment]:
    """The abonos of an invoice, oldest first, reversed ones included."""
    return list(db.session.scalars(select(Payment).where(Payment.invoice_id == invoice.id)
                                   .order_by(Payment.created_at, Payment.id)))


@bp.app_template_global()
def new_payment_form() -> PaymentForm:
    return PaymentForm(formdata=None)


@bp.app_template_global()
def new_reversal_form() -> ReversalForm:
    return ReversalForm(formdata=None)


def _invoice_page(invoice: Invoice, status: int, **forms):
    return render_template("invoices/detail.html", invoice=invoice, annul_form=AnnulForm(
        formdata=None), **forms), status


@bp.post("/<int:invoice_id>/payments")
def register_payment(invoice_id: int):
    invoice = get_invoice(invoice_id)
    form = PaymentForm()
    if form.earlier_result():  # a double tap: it is already paid in
        return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id))
    form.balance = invoice.balance
    refusal = services.payment_refusal(invoice)
    if refusal or not form.validate_on_submit():
        # The invoice's state, when it is what is wrong, says more than the fields would.
        if refusal:
            form.form_errors.append(refusal)
        return _invoice_page(invoice, 422, payment_form=form)
    try:
        payment = services.register_payment(invoice, amount=form.amount.data,
                                            paid_on=form.paid_on.data,
                                            method=form.method.data, actor=current_user)
        form.commit_once(lambda: payment.id)
    except services.InvoiceError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _invoice_page(invoice, 422, payment_form=form)
    flash(_("Abono de %(amount)s registrado en %(code)s.", amount=money(payment.amount),
            code=invoice.code))
    return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id))


@bp.post("/<int:invoice_id>/payments/<int:payment_id>/reverse")
@admin_required
def reverse_payment(invoice_id: int, payment_id: int):
    invoice = get_invoice(invoice_id)
    payment = db.get_or_404(Payment, payment_id)
    if payment.invoice_id != invoice.id:
        abort(404)
    form = ReversalForm()
    if form.earlier_result() is None:  # else a double tap: answered as the first one was
        if not form.validate_on_submit():
            return _reversal_refused(invoice, payment, form)
        try:
            services.reverse_payment(payment, reason=form.reason.data, actor=current_user)
            form.commit_once(lambda: payment.id)
        except services.InvoiceError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
            return _reversal_refused(invoice, payment, form)
    flash(_("Abono de %(amount)s reversado.", amount=money(payment.amount)))
    return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id))


def _reversal_refused(invoice: Invoice, payment: Payment, form: ReversalForm):
    return _invoice_page(invoice, 422, reversal_form=form, reversal_payment_id=payment.id)
