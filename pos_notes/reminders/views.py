"""Recordatorios from customer management: a page of its own, a panel others include."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..forms import PENDING
from ..models import Customer, Reminder
from . import bp, services
from .forms import ReminderForm
from .mail import MailError, outbox_path

RECENT = 5
UNAVAILABLE = 503  # the mail server failed: nothing wrong with what the user asked


@bp.app_template_global()
def reminder_panel(customer: Customer, form: ReminderForm | None = None) -> dict:
    """What templates/reminders/_panel.html needs for one customer."""
    invoices = services.eligible_invoices(customer)
    if form is None:
        form = ReminderForm(formdata=None, data={"invoices": [i.id for i in invoices]})
    try:
        whatsapp = services.whatsapp_number(customer.phone)
    except services.ReminderError:
        whatsapp = None
    recent = db.session.scalars(select(Reminder).where(Reminder.customer_id == customer.id)
                                .order_by(Reminder.created_at.desc()).limit(RECENT))
    return {"form": form, "invoices": invoices, "whatsapp": whatsapp, "recent": list(recent),
            "total": sum(invoice.balance for invoice in invoices),
            "selected": set(form.invoices.data or []),
            "outbox": None if current_app.config.get("MAIL_SERVER") else outbox_path()}


def _page(customer: Customer, form: ReminderForm, status: int = 200):
    return render_template("reminders/new.html", customer=customer, reminder_form=form), status


def _already_sent(customer: Customer, result: str):
    """The answer to a repeated submission: what the first one did, not a second message."""
    reminder = db.session.get(Reminder, int(result)) if result != PENDING else None
    if reminder is None:
        flash(_("Este recordatorio ya se está enviando: aparecerá en el historial del cliente."))
    elif reminder.channel == "whatsapp":
        return redirect(services.whatsapp_url(reminder.recipient, reminder.message))
    else:
        flash(_("Este recordatorio ya se había enviado a %(to)s: no se envió de nuevo.",
                to=reminder.recipient))
    return redirect(url_for("customers.show_customer", customer_id=customer.id))


@bp.get("/<int:customer_id>/reminders/new")
def new_reminder(customer_id: int):
    customer = db.get_or_404(Customer, customer_id)
    return render_template("reminders/new.html", customer=customer)


@bp.post("/<int:customer_id>/reminders")
def send_reminder(customer_id: int):
    customer = db.get_or_404(Customer, customer_id)
    form = ReminderForm()
    if form.is_submitted() and form.earlier_result() is not None:
        return _already_sent(customer, form.earlier_result())
    if not form.validate_on_submit():
        return _page(customer, form, 422)
    try:
        invoices = services.choose_invoices(customer, form.invoices.data)
        draft = services.prepare_reminder(customer, invoices, channel=form.channel.data)
    except services.ReminderError as error:
        form.form_errors.append(str(error))
        return _page(customer, form, 422)
    last = services.last_reminder_at(invoices)
    if last and not form.confirm.data:
        return render_template("reminders/confirm.html", customer=customer, form=form,
                               invoices=invoices, last=last)
    # Nothing is written yet: end this transaction so that SQLite's write lock (a POST
    # begins IMMEDIATE) is not held while the mail server takes its time to answer. The
    # key is taken first, so a double tap arriving meanwhile does not send it again.
    db.session.rollback()
    if not form.claim():
        return _already_sent(customer, form.earlier_result())
    try:
        sent = services.send_reminder(draft, actor=current_user)
        form.settle(sent.reminder.id)
        db.session.commit()
    except MailError as error:
        form.release()
        form.form_errors.append(str(error))
        return _page(customer, form, UNAVAILABLE)
    if sent.whatsapp_url:
        return redirect(sent.whatsapp_url)
    if sent.outbox_file:
        flash(_("No hay servidor de correo configurado: el recordatorio para %(to)s se guardó "
                "en la bandeja de salida (%(file)s).", to=sent.reminder.recipient,
                file=sent.outbox_file))
    else:
        flash(_("Recordatorio enviado a %(to)s.", to=sent.reminder.recipient))
    # Back to Cliente - Consulta, where the reminder now tops the customer's history.
    return redirect(url_for("customers.show_customer", customer_id=customer.id))
