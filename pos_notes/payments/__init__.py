from flask import Blueprint

bp = Blueprint("payments", __name__, url_prefix="/invoices")

from . import views  # noqa: E402,F401  (routes register on bp)
