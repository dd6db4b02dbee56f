from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import BooleanField, EmailField, PasswordField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ..auth.forms import PASSWORD_LENGTH
from ..extensions import db
from ..forms import IdempotentForm
from ..models import ROLES, User

ROLE_LABELS = {"admin": _l("Dueño (administrador)"), "cashier": _l("Cajero")}


def _normalised(value: str | None) -> str | None:
    # Lowered before Length() checks it: "İ".lower() is two characters, and PostgreSQL
    # refuses an email longer than its column (a 500) where SQLite would store it.
    return value.strip().lower() if value else value


class UserForm(IdempotentForm):
    """Modificar usuario: role, whether they may log in, and a new password if given."""

    role = RadioField(_l("Rol"), default="cashier",
                      choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES])
    active = BooleanField(_l("Activo: puede ingresar"))
    password = PasswordField(_l("Contraseña nueva (opcional)"),
                             validators=[Optional(), PASSWORD_LENGTH])


class NewUserForm(UserForm):
    """Crear usuario: everyone the owner adds may log in at once."""

    email = EmailField(_l("Correo electrónico"), filters=[_normalised], validators=[
        DataRequired(message=_l("Escriba el correo electrónico.")), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Correo electrónico no válido."))])
    password = PasswordField(_l("Contraseña"), validators=[
        DataRequired(message=_l("Escriba una contraseña.")), PASSWORD_LENGTH])
    active = None

    def validate_email(self, field):
        email = field.data.lower()
        if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
            raise ValidationError(_l("Ya existe un usuario con ese correo."))
