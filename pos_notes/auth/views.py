import hmac
from functools import cache, wraps

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_url, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db, login_manager
from ..htmx import is_htmx
from ..models import User
from . import bp
from ..forms import EmptyForm
from ..security import throttle_login
from .forms import LanguageForm, LoginForm, PasswordForm

login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session's user (see User.get_id), or None: the session ends when the user is
    deactivated or their password changed since it was opened."""
    user_id, _, stamp = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isascii() and user_id.isdigit() \
        else None
    if user is None or not user.active or not hmac.compare_digest(stamp, user.password_stamp):
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """To the login page, and back to this page after it. An htmx request sends the whole
    page there (HX-Redirect): swapped in, the login form would land inside the Historial."""
    if is_htmx():
        page = request.headers.get("HX-Current-URL") or request.url
        return "", 401, {"HX-Redirect": login_url(login_manager.login_view, page)}
    return redirect(login_url(login_manager.login_view, request.url))


def admin_required(view):
    """Only the owner (admin) may go on; others get 403."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


@bp.route("/login", methods=["GET", "POST"])
@throttle_login
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user is None:
            # Spend the same time as for a real account: timing must not reveal the email.
            check_password_hash(_dummy_hash(), form.password.data)
        elif user.check_password(form.password.data) and login_user(user):  # False if inactive
            return redirect(_safe_next() or url_for("invoices.list_invoices"))
        # Same message whether or not the email exists.
        flash(_("Correo o contraseña incorrectos."), "error")
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not-a-password")


def _safe_next() -> str | None:
    """A path on this site, or None. Browsers drop tabs and newlines and read \\ as /, so
    "/\\evil.example" or "/<tab>/evil.example" would lead to another site: refused."""
    target = request.args.get("next", "")
    if not target.isprintable() or "\\" in target:
        return None
    return target if target.startswith("/") and not target.startswith("//") else None


@bp.route("/password", methods=["GET", "POST"])
@throttle_login  # a wrong current password counts as a failed login of this account
def change_password():
    form = PasswordForm()
    if form.earlier_result() is None:  # else a double tap: the password is already changed
        if not form.validate_on_submit():
            status = 422 if request.method == "POST" else 200
            return render_template("auth/password.html", form=form), status
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("La contraseña actual no es correcta."))
            return render_template("auth/password.html", form=form), 422
        current_user.set_password(form.new.data)
        form.commit_once(lambda: current_user.id)
        login_user(current_user._get_current_object())  # this session goes on with the new one
    flash(_("Contraseña cambiada."))
    return redirect(url_for("invoices.list_invoices"))


@bp.post("/logout")
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
    return redirect(url_for("auth.login"))


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        db.session.commit()
    return redirect(_safe_referrer())


def _safe_referrer() -> str:
    ref = request.referrer or ""
    host = request.host_url
    return ref if ref.startswith(host) else url_for("invoices.list_invoices")
