from flask import Blueprint

bp = Blueprint("customers", __name__, url_prefix="/customers")

from . import views  # noqa: E402,F401  (routes register on bp)
