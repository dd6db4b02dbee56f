from flask_babel import lazy_gettext as _l, to_user_timezone
from wtforms import DateField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from .. import clock
from ..formatting import PAYMENT_METHOD_LABELS, money
from ..forms import IdempotentForm, MoneyField, NoteField


def shop_today():
    """Today in the shop's timezone (a payment made at 8 p.m. in Bogotá is still today)."""
    return to_user_timezone(clock.now()).date()


class PaymentForm(IdempotentForm):
    """Registrar abono. The view sets `balance` so the form can refuse an over-payment."""

    amount = MoneyField(_l("Valor del abono"), validators=[
        InputRequired(message=_l("Escriba el valor del abono."))])
    paid_on = DateField(_l("Fecha del abono"), default=shop_today, validators=[
        InputRequired(message=_l("Escriba la fecha del abono."))])
    method = RadioField(_l("Medio de pago"), default="efectivo",
                        choices=[SelectChoice(code, label)
                                 for code, label in PAYMENT_METHOD_LABELS.items()],
                        validate_choice=False)
    balance: int = 0

    def validate_amount(self, field):
        if field.data is None:
            # Spaces or a lone "$" get past InputRequired but are no amount.
            if not field.errors:
                raise ValidationError(_l("Escriba el valor del abono."))
            return
        if field.data <= 0:
            raise ValidationError(_l("El abono debe ser mayor que cero."))
        if field.data > self.balance:
            raise ValidationError(_l("El abono no puede ser mayor que el saldo (%(balance)s).",
                                     balance=money(self.balance)))

    def validate_paid_on(self, field):
        if field.data and field.data > shop_today():
            raise ValidationError(_l("La fecha del abono no puede ser futura."))

    def validate_method(self, field):
        if field.data not in PAYMENT_METHOD_LABELS:
            raise ValidationError(_l("Elija un medio de pago."))


class ReversalForm(IdempotentForm):
    reason = NoteField(_l("Motivo de la reversión"))
