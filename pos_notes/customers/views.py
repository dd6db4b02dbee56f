from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..history import requested_page
from ..htmx import is_htmx, render
from ..models import Customer, HistoryEntry
from . import bp, services
from .forms import CustomerAnnotationForm, CustomerForm

LIST_SIZE = 50
COMMITMENT_LABELS = {"abierto": _l("Abierto"), "cumplido": _l("Cumplido"),
                     "incumplido": _l("Incumplido")}


@bp.context_processor
def commitment_labels():
    return {"COMMITMENT_LABELS": COMMITMENT_LABELS}


@bp.get("/")
def list_customers():
    q = request.args.get("q", "").strip()[:100]
    after = request.args.get("after", type=int)
    if after is not None and not 0 < after < 2**31:
        after = None  # not an id we could have handed out
    rows = db.session.execute(services.search_customers(q, after).limit(LIST_SIZE + 1)).all()
    next_after = rows[LIST_SIZE - 1].Customer.id if len(rows) > LIST_SIZE else None
    return render("customers/list.html", "customers/_rows.html", rows=rows[:LIST_SIZE],
                  next_after=next_after, q=q, today=services.shop_today())


@bp.get("/pick")
def pick_options():
    """The Cliente picker's choices for what was typed (htmx asks as the user types;
    without JavaScript the sale form's "Buscar" button sends the form back instead)."""
    picker = services.pick_customers(request.args.get("customer_q", ""),
                                     request.args.get("customer_id", type=int))
    return render_template("customers/_pick_options.html", picker=picker)


@bp.route("/new", methods=["GET", "POST"])
def new_customer():
    form = CustomerForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("customers/new.html", form=form), status
    customer = form.create_once(
        Customer, lambda: services.create_customer(form.data, actor=current_user))
    flash(_("Cliente %(name)s creado.", name=customer.name))
    return redirect(url_for("invoices.new_invoice", customer_id=customer.id))


@bp.route("/<int:customer_id>/edit", methods=["GET", "POST"])
def edit_customer(customer_id: int):
    customer = db.get_or_404(Customer, customer_id)
    form = CustomerForm(obj=customer)
    outcome = form.earlier_result()  # a double tap is answered as the first submission
    if outcome is None:
        if not form.validate_on_submit():
            status = 422 if request.method == "POST" else 200
            return render_template("customers/edit.html", form=form, customer=customer), status
        if form.version.data != str(customer.version):
            form.form_errors.append(_(
                "Otro usuario modificó este cliente mientras usted lo editaba. "
                "Recargue la página para ver sus cambios y vuelva a intentarlo."))
            return render_template("customers/edit.html", form=form, customer=customer), 409
        changes = services.modify_customer(customer, form.data, actor=current_user)
        outcome = form.commit_once(lambda: int(bool(changes)))
    flash(_("Cliente modificado.") if outcome == "1" else _("No había cambios que guardar."))
    return redirect(url_for(".show_customer", customer_id=customer.id))


def _annotation_form(customer: Customer, **kwargs) -> CustomerAnnotationForm:
    return CustomerAnnotationForm(open_invoices=services.open_invoices(customer.id),
                                  today=services.shop_today(), **kwargs)


def _timeline_context(customer: Customer, form: CustomerAnnotationForm) -> dict:
    return {"customer": customer, "form": form,
            **requested_page(".customer_history", customer_id=customer.id)}


def _consulta_context(customer_id: int, form: CustomerAnnotationForm | None = None) -> dict:
    """Everything Cliente - Consulta shows, in a fixed number of queries."""
    row = services.get_with_balance(customer_id)
    if row is None:
        abort(404)
    customer = row.Customer
    form = form or _annotation_form(customer)
    return {**_timeline_context(customer, form),
            "open_invoices": list(form.open_invoices.values()),
            "balance": row.balance, "oldest_due": row.oldest_due,
            "today": services.shop_today(),
            "transactions": services.latest_transactions(customer.id),
            "commitments": services.commitments(customer.id)}


@bp.get("/<int:customer_id>")
def show_customer(customer_id: int):
    """Cliente - Consulta: the whole page, or the dialog's body for htmx."""
    return render("customers/detail.html", "customers/_consulta.html",
                  **_consulta_context(customer_id))


@bp.get("/<int:customer_id>/history")
def customer_history(customer_id: int):
    customer = db.get_or_404(Customer, customer_id)
    context = _timeline_context(customer, _annotation_form(customer))
    if context["is_next_page"] and is_htmx():
        return render_template("history/_entries.html", **context)
    return render("customers/history.html", "customers/_timeline.html", **context)


@bp.post("/<int:customer_id>/annotations")
def add_annotation(customer_id: int):
    customer = db.get_or_404(Customer, customer_id)
    form = _annotation_form(customer)
    if not form.validate_on_submit():
        if is_htmx():
            return render_template("customers/_annotation_form.html", customer=customer,
                                   form=form), 422
        return render_template("customers/detail.html",
                               **_consulta_context(customer.id, form)), 422
    entry = form.create_once(HistoryEntry, lambda: services.add_annotation(
        customer, text=form.text.data, actor=current_user, amount=form.amount.data,
        due_on=form.due_on.data, invoice=form.invoice))
    if is_htmx():
        return render_template("customers/_annotation_saved.html", customer=customer,
                               entry=entry, form=_annotation_form(customer, formdata=None),
                               commitments=services.commitments(customer.id)
                               if form.has_commitment else None)
    flash(_("Anotación guardada."))
    return redirect(url_for(".show_customer", customer_id=customer.id))
