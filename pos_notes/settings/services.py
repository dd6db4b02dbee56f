"""Shop settings kept in the database (editable by the admin), with sensible defaults."""
from flask import current_app

from ..extensions import db
from ..models import Setting

SHOP_NAME = "shop_name"
REMINDER_TEMPLATE = "reminder_template"

# The message goes to the customer in Spanish, whatever the language of the user sending it.
DEFAULT_REMINDER_TEMPLATE = """Hola, {cliente}:

Le escribimos de {tienda} para recordarle el saldo pendiente de sus facturas:

{facturas}

Total adeudado: {total}

Si ya realizó el pago, por favor ignore este mensaje. ¡Gracias!"""

# Every message must name the shop, list the invoices and give the total.
PLACEHOLDERS = ("{tienda}", "{facturas}", "{total}")


def _defaults() -> dict[str, str]:
    return {SHOP_NAME: current_app.config["SHOP_NAME"],
            REMINDER_TEMPLATE: DEFAULT_REMINDER_TEMPLATE}


def get_setting(key: str) -> str:
    """The stored value, or the default while the admin has not changed it."""
    setting = db.session.get(Setting, key)
    return setting.value if setting else _defaults()[key]


def set_setting(key: str, value: str) -> bool:
    """Store a value; True if it changed. The caller commits."""
    if get_setting(key) == value:
        return False
    setting = db.session.get(Setting, key)
    if setting is None:
        db.session.add(Setting(key=key, value=value))
    else:
        setting.value = value
    return True
