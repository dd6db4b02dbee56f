from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import DateField, EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ..formatting import money
from ..forms import IdempotentForm, MoneyField, NoteField


# RFC 5322's dot-atom, ASCII only: "a,b@x.co" or "a@x.co <b@y.co>" would send a customer's
# reminder to someone else, "=?utf-8?q?x?=@x.co" reads as x@x.co, and an address in other
# letters (ñ@ñ.co) needs SMTPUTF8, which most mail servers of the shops do not offer.
LOCAL_PART = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
DOMAIN_LABEL = r"[A-Za-z0-9-]+"
EMAIL = rf"^(?!.*=\?){LOCAL_PART}(\.{LOCAL_PART})*@{DOMAIN_LABEL}(\.{DOMAIN_LABEL})+$"


class CustomerForm(IdempotentForm):
    """Crear or modificar cliente: a double submit creates one customer, or answers a
    repeated modification as the first one."""

    name = StringField(_l("Nombre"), validators=[
        DataRequired(message=_l("Escriba el nombre.")), Length(max=120)])
    identification = StringField(_l("Identificación (NIT/CC)"), validators=[
        DataRequired(message=_l("Escriba la identificación.")), Length(max=30),
        Regexp(r"^[0-9A-Za-z.\- ]+$", message=_l("Use solo números, letras, puntos y guiones."))])
    # A shape check, not WTForms' Email(): that one needs the email_validator package,
    # which is not a dependency, and raised a 500 on any address typed here.
    email = EmailField(_l("Correo electrónico"), validators=[
        Optional(), Length(max=254), Regexp(EMAIL, message=_l("Correo electrónico no válido."))])
    phone = StringField(_l("Teléfono / WhatsApp"), validators=[
        Optional(), Length(max=30),
        Regexp(r"^\+?[0-9 ()\-]+$", message=_l("Use solo números, espacios y +."))])
    address = StringField(_l("Dirección"), validators=[Optional(), Length(max=200)])
    # The version the user saw, when editing: a stale edit gets a conflict, not an overwrite.
    version = HiddenField()


def _filled(field) -> bool:
    return bool(field.raw_data and field.raw_data[0].strip())


class CustomerAnnotationForm(IdempotentForm):
    """Anotación, optionally a Compromiso de pago: amount, date and maybe an open invoice."""

    text = NoteField(_l("Anotación"))
    amount = MoneyField(_l("Valor prometido"))
    due_on = DateField(_l("Fecha prometida"), validators=[Optional()])
    # Ids are checked against the customer's open invoices in validate_invoice_id, so a
    # tampered value gets a Spanish message next to the field, not WTForms' own.
    invoice_id = SelectField(_l("Factura (opcional)"), validate_choice=False)

    def __init__(self, *args, open_invoices=(), today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_invoices = {invoice.id: invoice for invoice in open_invoices}
        # Looked up by the text sent, never int(): "²" passes isdigit() but int() refuses it.
        self._by_value = {str(invoice.id): invoice for invoice in open_invoices}
        self.today = today
        self.invoice_id.choices = [("", _l("Ninguna en particular"))] + [
            (str(invoice.id), _("%(code)s · saldo %(balance)s", code=invoice.code,
                                 balance=money(invoice.balance)))
            for invoice in open_invoices]

    @property
    def invoice(self):
        """The chosen open invoice (valid once validated), or None."""
        return self._by_value.get(self.invoice_id.data or "")

    @property
    def has_commitment(self) -> bool:
        return self.amount.data is not None

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Optional() ends the date's own checks when it is empty, so this one lives here.
        if self.amount.data is not None and self.due_on.data is None and not self.due_on.errors:
            self.due_on.errors.append(_l("Para un compromiso de pago escriba la fecha."))
            ok = False
        return ok

    def validate_amount(self, field):
        if field.errors:
            return
        if field.data is None:
            if _filled(self.due_on) or self.invoice_id.data:
                raise ValidationError(_l("Para un compromiso de pago escriba el valor."))
            return
        if field.data <= 0:
            raise ValidationError(_l("El valor debe ser mayor que cero."))
        invoice = self.invoice if self._invoice_ok() else None
        if invoice and field.data > invoice.balance:
            raise ValidationError(_l("El valor no puede superar el saldo de %(code)s "
                                     "(%(balance)s).", code=invoice.code,
                                     balance=money(invoice.balance)))

    def validate_due_on(self, field):
        if field.data and self.today and field.data < self.today:
            raise ValidationError(_l("La fecha prometida no puede ser anterior a hoy."))

    def validate_invoice_id(self, field):
        if field.data and not self._invoice_ok():
            raise ValidationError(_l("Elija una factura a crédito pendiente de este cliente."))

    def _invoice_ok(self) -> bool:
        return not self.invoice_id.data or self.invoice_id.data in self._by_value
