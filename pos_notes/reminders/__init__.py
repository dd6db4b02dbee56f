from flask import Blueprint

bp = Blueprint("reminders", __name__, url_prefix="/customers")

from . import views  # noqa: E402,F401  (routes register on bp)
