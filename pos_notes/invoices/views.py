import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..auth.views import admin_required
from ..extensions import db
from ..history import requested_page
from ..htmx import is_htmx, render
from ..models import STATUSES, HistoryEntry, Invoice
from ..customers.services import pick_customers
from ..search import matching_customers
from . import bp, services
from .forms import EXTRA_LINES, AnnotationForm, AnnulForm, EditInvoiceForm, InvoiceForm

LIST_SIZE = 50
# Up to this many matching customers, their invoices are fetched by customer.
FEW_CUSTOMERS = 200
CONFLICT = 409


def get_invoice(invoice_id: int, lines: bool = True) -> Invoice:
    """The invoice with its customer (and its lines, unless the page shows none), or 404."""
    query = select(Invoice).where(Invoice.id == invoice_id).options(joinedload(Invoice.customer))
    if lines:
        query = query.options(selectinload(Invoice.lines))
    invoice = db.session.scalar(query)
    if invoice is None:
        abort(404)
    return invoice


def search_invoices(q: str, status: str) -> Select:
    """Invoices matching a number (POS-12), a customer's name or id (12: either), newest first.

    Customers are found first, off their search index, then their invoices off
    ix_invoices_customer_number: no search reads every invoice.
    """
    query = select(Invoice).options(joinedload(Invoice.customer))
    status_column = Invoice.status
    if q:
        number = re.fullmatch(r"(?i)(pos-?)?(\d{1,9})", q)
        if number and number.group(1):
            query = query.where(Invoice.number == int(number.group(2)))
        else:
            by_customer, few = _by_customer(q)
            if few:
                # A few customers' invoices are fewer than one status's: keep SQLite on the
                # customer index ("|| ''" makes the status column unusable as an index).
                status_column = Invoice.status + ""
            query = query.where(or_(Invoice.number == int(number.group(2)), by_customer)
                                if number else by_customer)
    if status in STATUSES:
        query = query.where(status_column == status)
    return query.order_by(Invoice.number.desc())


def _by_customer(q: str) -> tuple[ColumnElement[bool], bool]:
    """'Invoice of a customer matching q', shaped for the index that fits; and whether few match."""
    customers = matching_customers(q)
    ids = list(db.session.scalars(customers.limit(FEW_CUSTOMERS + 1)))
    if len(ids) == 1:
        # One customer (even "Consumidor final" with most sales): newest first straight
        # off ix_invoices_customer_number, no sort.
        return Invoice.customer_id == ids[0], True
    if len(ids) <= FEW_CUSTOMERS:
        return Invoice.customer_id.in_(ids), True
    # Many customers match: their invoices are dense among all, so walking the number
    # index newest first fills a page quickly. "+ 0" keeps SQLite off the customer index,
    # which would fetch every matching invoice and sort them all.
    return (Invoice.customer_id + 0).in_(customers), False


@bp.get("/")
def list_invoices():
    q = request.args.get("q", "").strip()[:100]
    status = request.args.get("status", "")
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before < 2**31:
        before = None  # not a number we could have handed out
    query = search_invoices(q, status)
    if before:
        query = query.where(Invoice.number < before)
    invoices = list(db.session.scalars(query.limit(LIST_SIZE + 1)))
    next_before = invoices[LIST_SIZE - 1].number if len(invoices) > LIST_SIZE else None
    return render("invoices/list.html", "invoices/_rows.html", invoices=invoices[:LIST_SIZE],
                  next_before=next_before, q=q, status=status)


def _with_blank_lines(form: InvoiceForm) -> InvoiceForm:
    for _i in range(EXTRA_LINES):
        form.lines.append_entry()
    return form


def _invoice_form_page(template: str, form: InvoiceForm, status: int = 200, **context):
    picker = pick_customers(form.customer_q.data or "", form.customer_id.data)
    return render_template(template, form=form, picker=picker, **context), status


def _not_a_save(form: InvoiceForm) -> bool:
    """'Agregar línea' or the picker's 'Buscar': the same form comes back (one line
    longer, or with the customers found) and nothing is saved."""
    if "add_line" in request.form:
        form.lines.append_entry()
        return True
    return "find_customer" in request.form


@bp.route("/new", methods=["GET", "POST"])
def new_invoice():
    form = InvoiceForm()
    if request.method == "GET":
        form.customer_id.data = request.args.get("customer_id", type=int)
        return _invoice_form_page("invoices/new.html", _with_blank_lines(form))
    if _not_a_save(form):
        return _invoice_form_page("invoices/new.html", form)
    if not form.validate_on_submit():
        return _invoice_form_page("invoices/new.html", form, 422)
    invoice = form.create_once(Invoice, lambda: services.create_invoice(
        customer=form.customer,
        payment_form=form.payment_form.data, due_date=form.due_date.data,
        observations=form.observations.data, lines=form.filled_lines(), actor=current_user))
    flash(_("Factura %(code)s creada.", code=invoice.code))
    return redirect(url_for(".show_invoice", invoice_id=invoice.id))


@bp.get("/<int:invoice_id>")
def show_invoice(invoice_id: int):
    invoice = get_invoice(invoice_id)
    return render_template("invoices/detail.html", invoice=invoice, annul_form=AnnulForm())


@bp.route("/<int:invoice_id>/edit", methods=["GET", "POST"])
def edit_invoice(invoice_id: int):
    invoice = get_invoice(invoice_id)
    if invoice.is_annulled:
        flash(_("Una factura anulada no se puede modificar."), "error")
        return redirect(url_for(".show_invoice", invoice_id=invoice.id))
    if request.method == "GET":
        form = EditInvoiceForm(data={
            "customer_id": invoice.customer_id, "due_date": invoice.due_date,
            "observations": invoice.observations, "version": invoice.version,
            "lines": [{"description": line.description, "quantity": line.quantity,
                       "unit_price": line.unit_price} for line in invoice.lines]})
        _with_blank_lines(form)
    else:
        form = EditInvoiceForm()
    form.credit = invoice.payment_form == "credito"
    page_args = {"template": "invoices/edit.html", "form": form, "invoice": invoice}
    if request.method == "GET":
        return _invoice_form_page(**page_args)
    if _not_a_save(form):
        return _invoice_form_page(**page_args)
    # A double tap is answered as the first submission, not as a conflict with itself.
    outcome = form.earlier_result()
    if outcome is None:
        if not form.validate_on_submit():
            return _invoice_form_page(**page_args, status=422)
        if form.version.data != str(invoice.version):
            return _conflict(page_args)
        try:
            changes = services.modify_invoice(
                invoice, customer=form.customer,
                due_date=form.due_date.data, observations=form.observations.data,
                lines=form.filled_lines(), actor=current_user)
            outcome = form.commit_once(lambda: int(bool(changes)))
        except services.InvoiceError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
            return _invoice_form_page(**page_args, status=422)
        except StaleDataError:
            db.session.rollback()
            return _conflict(page_args)
    flash(_("Factura modificada.") if outcome == "1" else _("No había cambios que guardar."))
    return redirect(url_for(".show_invoice", invoice_id=invoice.id))


def _conflict(page_args: dict):
    page_args["form"].form_errors.append(_(
        "Otro usuario modificó esta factura mientras usted la editaba. "
        "Recargue la página para ver sus cambios y vuelva a intentarlo."))
    return _invoice_form_page(**page_args, status=CONFLICT)


@bp.post("/<int:invoice_id>/annul")
@admin_required
def annul_invoice(invoice_id: int):
    invoice = get_invoice(invoice_id)
    form = AnnulForm()
    if form.earlier_result() is None:  # else a double tap: answered as the first one was
        if not form.validate_on_submit():
            return _annul_refused(invoice, form)
        try:
            services.annul_invoice(invoice, reason=form.reason.data, actor=current_user)
            form.commit_once(lambda: invoice.id)
        except services.InvoiceError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
            return _annul_refused(invoice, form)
    flash(_("Factura %(code)s anulada.", code=invoice.code))
    return redirect(url_for(".show_invoice", invoice_id=invoice.id))


def _annul_refused(invoice: Invoice, form: AnnulForm):
    return render_template("invoices/detail.html", invoice=invoice, annul_form=form), 422


def _timeline_context(invoice_id: int, form: AnnotationForm | None) -> dict:
    return {"invoice_id": invoice_id, "form": form,
            **requested_page(".invoice_history", invoice_id=invoice_id)}


@bp.get("/<int:invoice_id>/history")
def invoice_history(invoice_id: int):
    if not is_htmx():
        invoice = get_invoice(invoice_id, lines=False)
        return render("invoices/history.html", "invoices/_timeline.html", invoice=invoice,
                      **_timeline_context(invoice_id, AnnotationForm()))
    # The fragment shows the entries and the note form, nothing of the invoice but its id:
    # the entries are read first, and only an empty page asks whether the invoice exists.
    next_page = bool(request.args.get("before"))
    context = _timeline_context(invoice_id, None if next_page else AnnotationForm())
    if not context["entries"]:
        db.get_or_404(Invoice, invoice_id)
    if context["is_next_page"]:
        return render_template("history/_entries.html", **context)
    return render("invoices/history.html", "invoices/_timeline.html", **context)


@bp.post("/<int:invoice_id>/annotations")
def add_annotation(invoice_id: int):
    form = AnnotationForm()
    valid = form.validate_on_submit()  # before the first query, which takes the write lock
    # Only its id is shown and written: no join to the customer (a 422 page loads it).
    invoice = db.get_or_404(Invoice, invoice_id)
    if not valid:
        if is_htmx():
            return render_template("invoices/_annotation_form.html", invoice_id=invoice_id,
                                   form=form), 422
        return render_template("invoices/history.html", invoice=invoice,
                               **_timeline_context(invoice_id, form)), 422
    entry = form.create_once(HistoryEntry, lambda: services.add_annotation(
        invoice, text=form.text.data, actor=current_user))
    if is_htmx():
        return render_template("invoices/_annotation_saved.html", invoice_id=invoice_id,
                               entry=entry, form=AnnotationForm(formdata=None))
    flash(_("Anotación guardada."))
    return redirect(url_for(".invoice_history", invoice_id=invoice.id))
