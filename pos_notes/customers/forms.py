from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from ..forms import IdempotentForm


class CustomerForm(IdempotentForm):
    name = StringField(_l("Nombre"), validators=[
        DataRequired(message=_l("Escriba el nombre.")), Length(max=120)])
    identification = StringField(_l("Identificación (NIT/CC)"), validators=[
        DataRequired(message=_l("Escriba la identificación.")), Length(max=30),
        Regexp(r"^[0-9A-Za-z.\- ]+$", message=_l("Use solo números, letras, puntos y guiones."))])
    email = EmailField(_l("Correo electrónico"), validators=[
        Optional(), Length(max=254), Email(message=_l("Correo electrónico no válido."),
                                           check_deliverability=False)])
    phone = StringField(_l("Teléfono / WhatsApp"), validators=[
        Optional(), Length(max=30),
        Regexp(r"^\+?[0-9 ()\-]+$", message=_l("Use solo números, espacios y +."))])
    address = StringField(_l("Dirección"), validators=[Optional(), Length(max=200)])
