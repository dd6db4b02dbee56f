"""Form pieces shared by every domain."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, TextAreaField
from wtforms.validators import Length, ValidationError
from wtforms.widgets import TextInput

NOTE_MAX = 2000


class EmptyForm(FlaskForm):
    """Gives a bare POST button its CSRF token."""


def _no_nul(form, field):
    if field.data and "\x00" in field.data:
        raise ValidationError(_l("El texto contiene caracteres no permitidos."))


def _not_blank(form, field):
    if not (field.data or "").strip():
        raise ValidationError(_l("Escriba un texto: no puede estar vacío."))


class NoteField(TextAreaField):
    """Free text kept exactly as typed: refused when blank or over 2,000 characters."""

    def __init__(self, label=None, validators=None, **kwargs):
        validators = [_not_blank, _no_nul, Length(
            max=NOTE_MAX, message=_l("Máximo %(max)d caracteres.", max=NOTE_MAX))] + list(
            validators or [])
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        # Browsers send CRLF; keep the user's line breaks as plain newlines.
        super().process_formdata([v.replace("\r\n", "\n") for v in valuelist])


class MoneyField(Field):
    """Whole pesos, typed the way people write them: 12345, 12.345 or $ 12.345."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, maximum=10**11, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.maximum = maximum
        self.render_kw = {"inputmode": "numeric", **(self.render_kw or {})}

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().replace("$", "").replace(" ", "")
        if not text:
            return
        if not re.fullmatch(r"\d{1,3}(\.\d{3})+|\d+", text):
            raise ValueError(_l("Escriba un valor en pesos, sin centavos (ej. 12.345)."))
        self.data = int(text.replace(".", ""))
        if self.data > self.maximum:
            self.data = None
            raise ValueError(_l("El valor es demasiado grande."))
