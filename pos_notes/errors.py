"""Error pages: a clear message in the user's language, never a stack trace."""
from flask import Blueprint, current_app, g, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .extensions import db, login_manager

bp = Blueprint("errors", __name__)


def _messages():
    return {
        400: _("La solicitud no es válida."),
        403: _("No tiene permiso para hacer esto."),
        404: _("No encontramos lo que busca."),
        405: _("Esa acción no está permitida aquí."),
        409: _("Otro usuario cambió estos datos. Recargue la página y vuelva a intentarlo."),
        413: _("Lo enviado es demasiado grande."),
        429: _("Demasiados intentos. Espere un momento y vuelva a intentarlo."),
        500: _("Algo salió mal. No se guardó nada; vuelva a intentarlo."),
        503: _("La base de datos no respondió a tiempo. No se guardó nada; vuelva a "
               "intentarlo en un momento."),
    }


def _page(code: int, message: str | None = None):
    """The error page (whole; app.js reads its message for htmx) and its status."""
    return render_template("errors/error.html", code=code,
                           message=message or _messages()[code]), code


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    return _page(400, _("La sesión del formulario expiró o no es válida. Recargue la página "
                        "y vuelva a intentarlo."))


@bp.app_errorhandler(HTTPException)
def http_error(error):
    if error.code is None or error.code < 400:  # routing redirects pass through
        return error
    return _page(error.code, _messages().get(error.code, error.description))


@bp.app_errorhandler(StaleDataError)
def stale_data(error):
    # Another user's change to the same record committed first (its version moved on):
    # ours is dropped whole, and the user is told to look again.
    db.session.rollback()
    return _page(409)


@bp.app_errorhandler(OperationalError)
def database_unavailable(error):
    # The database is busy past its timeout (another program holds SQLite's write lock)
    # or out of reach (PostgreSQL restarting): nothing was written; trying again is right.
    current_app.logger.warning("database unavailable: %s", error)
    if "_login_user" not in g:  # it failed reading the user: the page is shown as to a visitor
        g._login_user = login_manager.anonymous_user()
    # Rendered before the rollback, which would expire the user the page shows and send
    # another query to the database that just failed.
    page = _page(503)
    db.session.rollback()
    return page


@bp.app_errorhandler(500)
def server_error(error):
    # Whatever was half-done is dropped, so nothing half-written lands later.
    db.session.rollback()
    return _page(500)
