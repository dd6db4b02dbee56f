from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from ..forms import IdempotentForm

PASSWORD_LENGTH = Length(min=8, max=200, message=_l(
    "La contraseña debe tener entre %(min)d y %(max)d caracteres.", min=8, max=200))


class LoginForm(FlaskForm):
    email = EmailField(_l("Correo electrónico"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Contraseña"), validators=[DataRequired(), Length(max=200)])


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Idioma"), choices=[SelectChoice("es_CO", "Español"),
                                                   SelectChoice("en", "English")])


class PasswordForm(IdempotentForm):
    """Cambiar contraseña: the user's own, knowing the current one."""

    current = PasswordField(_l("Contraseña actual"), validators=[
        DataRequired(message=_l("Escriba su contraseña actual.")), Length(max=200)])
    new = PasswordField(_l("Contraseña nueva"), validators=[
        DataRequired(message=_l("Escriba una contraseña.")), PASSWORD_LENGTH])
    confirm = PasswordField(_l("Repita la contraseña nueva"), validators=[
        EqualTo("new", message=_l("Las dos contraseñas nuevas no coinciden."))])
