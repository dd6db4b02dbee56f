from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, StringField
from wtforms.validators import AnyOf
from wtforms.widgets import HiddenInput

from ..forms import IdempotentForm
from .services import CHANNELS


class InvoiceIdsField(Field):
    """The ids of the ticked invoices (checkboxes named `invoices`); rendered by hand."""

    def process_formdata(self, valuelist):
        self.data = []
        for value in valuelist:
            if not value.isdigit():
                raise ValueError(_l("Elija facturas de la lista."))
            self.data.append(int(value))


class ReminderForm(IdempotentForm):
    """Its key is claimed before the message goes out: a double tap sends one."""

    invoices = InvoiceIdsField(_l("Facturas"))
    # Set by the button pressed: "Enviar por correo" or "Enviar por WhatsApp".
    channel = StringField(_l("Canal"), validators=[AnyOf(CHANNELS, message=_l(
        "Elija un canal: correo o WhatsApp."))])
    # Sent only from the cool-down confirmation step.
    confirm = BooleanField(widget=HiddenInput())
