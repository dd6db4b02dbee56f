import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (DateField, DecimalField, Field, FieldList, Form, FormField, HiddenField,
                     RadioField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from ..extensions import db
from ..formatting import PAYMENT_FORM_LABELS
from ..forms import MONEY_MAX, IdempotentForm, MoneyField, NoteField, finite_number
from ..models import Customer

EXTRA_LINES = 2


def _typed(field) -> str:
    if field.raw_data:
        return field.raw_data[0] or ""
    return "" if field.data is None else str(field.data)


class LineForm(Form):
    """One invoice line; a line left wholly blank is ignored."""

    description = StringField(_l("Descripción"), validators=[Length(max=200)])
    quantity = DecimalField(_l("Cantidad"), places=3, validators=[
        Optional(), finite_number, NumberRange(min=Decimal("0.001"), max=Decimal("100000"),
                                message=_l("La cantidad debe ser mayor que cero."))])
    unit_price = MoneyField(_l("Precio unitario"))

    @property
    def is_blank(self) -> bool:
        return not any(_typed(f).strip() for f in (self.description, self.quantity,
                                                   self.unit_price))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not ok or self.is_blank:
            return ok
        for field in (self.description, self.quantity, self.unit_price):
            if field.data is None or (field is self.description and not field.data.strip()):
                field.errors.append(_l("Complete este campo de la línea."))
                ok = False
        return ok


class ChosenCustomerField(Field):
    """The id of the customer chosen in the picker (radio buttons, rendered by hand)."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0]:
            if not re.fullmatch(r"[0-9]{1,9}", valuelist[0]):
                raise ValueError(_l("Elija un cliente de la lista."))
            self.data = int(valuelist[0])


class InvoiceForm(IdempotentForm):
    customer_id = ChosenCustomerField(_l("Cliente"))
    # What was typed in the picker's search box: only to find customers, never saved.
    customer_q = StringField(_l("Buscar cliente"))
    payment_form = RadioField(_l("Forma de pago"), default="contado",
                              choices=[SelectChoice(code, label)
                                       for code, label in PAYMENT_FORM_LABELS.items()])
    due_date = DateField(_l("Vencimiento"), validators=[Optional()])
    observations = TextAreaField(_l("Observaciones"), validators=[Length(max=1000)])
    lines = FieldList(FormField(LineForm), min_entries=1, max_entries=100)
    # The version the user saw: a stale edit gets a conflict, not an overwrite.
    version = HiddenField()

    def filled_lines(self) -> list[dict]:
        return [{"description": line.form.description.data.strip(),
                 "quantity": line.form.quantity.data, "unit_price": line.form.unit_price.data}
                for line in self.lines if not line.form.is_blank]

    def validate_customer_id(self, field):
        if field.errors:  # not a number: already said
            return
        self.customer = db.session.get(Customer, field.data) if field.data else None
        if field.data is None:
            raise ValidationError(_l("Elija un cliente."))
        if self.customer is None:
            raise ValidationError(_l("Elija un cliente de la lista."))

    def validate_lines(self, field):
        if not any(not line.form.is_blank for line in field):
            raise ValidationError(_l("Agregue al menos una línea."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Checked here: the Optional() on due_date stops its own validator chain when empty.
        credit = self.payment_form.data == "credito" if self.payment_form else self.credit
        if credit and not self.due_date.data and not self.due_date.errors:
            self.due_date.errors.append(_l("Una venta a crédito necesita fecha de vencimiento."))
            ok = False
        if ok and sum(line["quantity"] * line["unit_price"]
                      for line in self.filled_lines()) > MONEY_MAX:
            self.form_errors.append(_l("El total de la factura es demasiado grande."))
            ok = False
        return ok


class EditInvoiceForm(InvoiceForm):
    payment_form = None  # fixed at sale time
    credit = False


class AnnulForm(IdempotentForm):
    reason = NoteField(_l("Motivo"))


class AnnotationForm(IdempotentForm):
    text = NoteField(_l("Anotación"))
