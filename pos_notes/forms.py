"""Form pieces shared by every domain."""
import re
import uuid
from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from wtforms import Field, HiddenField, TextAreaField
from wtforms.validators import Length, StopValidation, ValidationError
from wtforms.widgets import TextInput

from .extensions import db
from .models import IdempotencyKey

NOTE_MAX = 2000
# Amounts are stored as 32-bit integers (PostgreSQL's INTEGER): 2.000 millones is plenty.
MONEY_MAX = 2_000_000_000
IDEMPOTENCY_KEY = re.compile(r"[0-9a-f]{32}")
PENDING = ""  # the result of a claimed key whose change is still under way


class EmptyForm(FlaskForm):
    """Gives a bare POST button its CSRF token."""


class IdempotentForm(FlaskForm):
    """A form that a double tap or a retry after a timeout cannot apply twice.

    Each rendering carries a fresh key. The view asks `earlier_result()` before changing
    anything; if the key was used, it answers as it did the first time. Otherwise it makes
    the change and calls `commit_once(...)`, which stores the key in the same transaction.
    A change that reaches outside the database (a message sent) cannot wait for the commit
    to find its twin: it `claim()`s the key first, then `settle()`s or `release()`s it.
    """

    # A label of its own: without one, WTForms translates a made-up label through its .mo
    # catalogue, which Flask-WTF loads from disk on every request that builds this form.
    idempotency_key = HiddenField("")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not IDEMPOTENCY_KEY.fullmatch(self.idempotency_key.data or ""):
            self.idempotency_key.data = uuid.uuid4().hex

    def earlier_result(self) -> str | None:
        """What the first submission with this key created (PENDING while it is still
        under way), or None if the key is new or the form was not submitted."""
        if not self.is_submitted():
            return None
        done = db.session.get(IdempotencyKey, self.idempotency_key.data)
        return done.result if done else None

    def create_once(self, model: type, create: Callable[[], object]):
        """What this submission creates, made and committed once; a repeat of the key gets
        the record the first submission created."""
        earlier = self.earlier_result()
        if earlier is None:
            record = create()
            earlier = self.commit_once(lambda: record.id)
            if int(earlier) == record.id:
                return record
        return db.session.get(model, int(earlier))

    def claim(self) -> bool:
        """Take this key, committed, before doing what cannot be undone (sending a
        message); False if a twin request took it first. `settle` or `release` follows."""
        return self._commit_with_key(PENDING)

    def settle(self, result: object) -> None:
        """Record what the claimed submission made; the caller commits it with the change."""
        db.session.get(IdempotencyKey, self.idempotency_key.data).result = str(result)

    def release(self) -> None:
        """Give the key back after the change failed, so the same form can try again."""
        db.session.rollback()
        db.session.execute(delete(IdempotencyKey).where(
            IdempotencyKey.key == self.idempotency_key.data))
        db.session.commit()

    def commit_once(self, result: Callable[[], object]) -> str:
        """Commit the pending change with this key; if a twin request won, return its result."""
        db.session.flush()  # gives the new record its id
        value = str(result())
        return value if self._commit_with_key(value) else self.earlier_result()

    def _commit_with_key(self, result: str) -> bool:
        """Commit the session with this key stored; False if a twin took the key first."""
        db.session.add(IdempotencyKey(key=self.idempotency_key.data, user_id=current_user.id,
                                      result=result))
        try:
            db.session.commit()
        except IntegrityError:
            # The same key committed meanwhile (PostgreSQL lets both run; SQLite queues them).
            db.session.rollback()
            if db.session.get(IdempotencyKey, self.idempotency_key.data) is None:
                raise  # another constraint, not the key
            return False
        return True


def finite_number(form, field):
    """Refuse NaN and Infinity, which Decimal accepts but no quantity can be."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_l("Escriba un número."))


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

    def __init__(self, label=None, validators=None, maximum=MONEY_MAX, **kwargs):
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
