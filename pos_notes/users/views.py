"""Usuarios: the owner's page for the people who log in."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select

from ..auth.views import admin_required
from ..extensions import db
from ..models import User
from . import bp, services
from .forms import ROLE_LABELS, NewUserForm, UserForm


@bp.context_processor
def role_labels():
    return {"ROLE_LABELS": ROLE_LABELS}


@bp.get("/")
@admin_required
def list_users():
    users = db.session.scalars(select(User).order_by(User.active.desc(), User.email))
    return render_template("users/list.html", users=list(users))


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new_user():
    form = NewUserForm()
    # A repeat (double tap) would fail "email taken": it gets the first answer instead.
    if form.earlier_result() is None and not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("users/new.html", form=form), status
    user = form.create_once(User, lambda: services.create_user(
        email=form.email.data, role=form.role.data, password=form.password.data))
    flash(_("Usuario %(email)s creado: entréguele su contraseña.", email=user.email))
    return redirect(url_for(".list_users"))


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    outcome = form.earlier_result()  # a double tap is answered as the first submission
    if outcome is None:
        if not form.validate_on_submit():
            status = 422 if request.method == "POST" else 200
            return render_template("users/edit.html", form=form, user=user), status
        try:
            changed = services.modify_user(user, role=form.role.data, active=form.active.data,
                                           password=form.password.data, actor=current_user)
        except services.UserError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
            return render_template("users/edit.html", form=form, user=user), 422
        outcome = form.commit_once(lambda: int(changed))
        if user.id == current_user.id and form.password.data:
            login_user(user)  # a new password ends the owner's other sessions, not this one
    flash(_("Usuario modificado.") if outcome == "1" else _("No había cambios que guardar."))
    return redirect(url_for(".list_users"))
