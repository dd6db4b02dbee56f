from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..forms import IdempotentForm, NoteField
from .services import PLACEHOLDERS


class ShopSettingsForm(IdempotentForm):
    shop_name = StringField(_l("Nombre de la tienda"), validators=[
        DataRequired(message=_l("Escriba el nombre de la tienda.")), Length(max=120)])
    reminder_template = NoteField(_l("Mensaje del recordatorio"))

    def validate_shop_name(self, field):
        # The name goes into the subject of every reminder: a mail header is one line.
        if len((field.data or "").strip().splitlines()) > 1:
            raise ValidationError(_l("Escriba el nombre en una sola línea."))

    def validate_reminder_template(self, field):
        missing = [p for p in PLACEHOLDERS if p not in (field.data or "")]
        if missing:
            raise ValidationError(_l("El mensaje debe incluir %(missing)s.",
                                     missing=", ".join(missing)))
