from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Customer, Invoice
from . import bp, services
from .forms import CustomerForm


@bp.route("/new", methods=["GET", "POST"])
def new_customer():
    form = CustomerForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("customers/new.html", form=form), status
    customer_id = form.earlier_result()
    if customer_id is None:
        customer = services.create_customer(form.data, actor=current_user)
        customer_id = form.commit_once(lambda: customer.id)
    customer = db.get_or_404(Customer, int(customer_id))
    flash(_("Cliente %(name)s creado.", name=customer.name))
    return redirect(url_for("invoices.new_invoice", customer_id=customer.id))


@bp.get("/<int:customer_id>")
def show_customer(customer_id: int):
    customer = db.get_or_404(Customer, customer_id)
    invoices = db.session.scalars(select(Invoice).where(Invoice.customer_id == customer.id)
                                  .order_by(Invoice.number.desc()).limit(20))
    return render_template("customers/detail.html", customer=customer, invoices=invoices)
