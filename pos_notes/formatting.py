"""Jinja filters: money, dates and labels in the user's language and the shop's timezone."""
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_timedelta, \
    get_locale, gettext as _, lazy_gettext as _l, to_user_timezone

from . import clock

STATUS_LABELS = {
    "pagada": _l("Pagada"),
    "por_cobrar": _l("Por Cobrar"),
    "pagada_parcialmente": _l("Pagada Parcialmente"),
    "anulada": _l("Anulada"),
}
PAYMENT_FORM_LABELS = {"contado": _l("Contado"), "credito": _l("Crédito")}
PAYMENT_METHOD_LABELS = {"efectivo": _l("Efectivo"), "transferencia": _l("Transferencia"),
                         "tarjeta": _l("Tarjeta"), "otro": _l("Otro")}
CHANNEL_LABELS = {"email": _l("Correo"), "whatsapp": _l("WhatsApp")}
KIND_LABELS = {
    "created": _l("Creación"), "modified": _l("Modificación"), "annulled": _l("Anulación"),
    "annotation": _l("Anotación"), "payment": _l("Abono"),
    "payment_reversed": _l("Abono reversado"), "reminder": _l("Recordatorio"),
    "customer_created": _l("Cliente creado"), "customer_modified": _l("Cliente modificado"),
    "commitment": _l("Compromiso de pago"),
}
FIELD_LABELS = {
    "customer": _l("Cliente"), "due_date": _l("Vencimiento"),
    "observations": _l("Observaciones"), "payment_form": _l("Forma de pago"),
    "total": _l("Total"), "line": _l("Línea"), "name": _l("Nombre"),
    "identification": _l("Identificación"), "email": _l("Correo electrónico"),
    "phone": _l("Teléfono"), "address": _l("Dirección"),
}


# Per language: the Colombian way in Spanish, the usual English order in English.
DATETIME_PATTERNS = {"es": "d MMM y, h:mm a", "en": "MMM d, y, h:mm a"}
DATE_PATTERNS = {"es": "d MMM y", "en": "MMM d, y"}
MONEY_PATTERNS = {"es": "$ {}", "en": "${}"}
# Within this span a time reads better as "hace 5 minutos"; older ones show the date.
RELATIVE_SPAN = timedelta(hours=12)


def _language() -> str:
    locale = get_locale()
    return locale.language if locale and locale.language in DATE_PATTERNS else "es"


def money(amount: int | None) -> str:
    """COP without cents: $ 12.345 in Spanish, $12,345 in English."""
    return MONEY_PATTERNS[_language()].format(format_decimal(amount or 0, "#,##0"))


def local_datetime(moment: datetime) -> str:
    """3 dic 2026, 10:42 a. m. (Dec 3, 2026, 10:42 AM) in the shop's timezone."""
    return format_datetime(moment, DATETIME_PATTERNS[_language()])


def iso_datetime(moment: datetime) -> str:
    """ISO 8601 with the shop's offset, for <time datetime>."""
    return to_user_timezone(moment).isoformat(timespec="seconds")


def local_date(day: date | None) -> str:
    return format_date(day, DATE_PATTERNS[_language()]) if day else ""


def iso_date(text: str | None) -> str:
    """A stored ISO date (2026-12-03) shown the local way."""
    return local_date(date.fromisoformat(text)) if text else ""


def ago(moment: datetime) -> str:
    """Hace 5 minutos (5 minutes ago); under a minute, "hace un momento"."""
    elapsed = clock.now() - moment
    if timedelta(0) <= elapsed < timedelta(minutes=1):
        return _("hace un momento")
    return format_timedelta(-elapsed, add_direction=True)


def is_recent(moment: datetime) -> bool:
    """True when a relative time ("hace 5 minutos") says more than the date would."""
    return timedelta(0) <= clock.now() - moment < RELATIVE_SPAN


def check_catalogues(app: Flask) -> None:
    """Refuse to start with an uncompiled catalogue: Babel would fall back to Spanish silently."""
    translations = Path(app.root_path) / "translations"
    for po in translations.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            raise RuntimeError(f"{po.relative_to(app.root_path)} is not compiled (or changed "
                               "since): run `make install` (pybabel compile).")


def init_app(app: Flask) -> None:
    check_catalogues(app)
    app.add_template_filter(money)
    app.add_template_filter(local_datetime)
    app.add_template_filter(iso_datetime)
    app.add_template_filter(local_date)
    app.add_template_filter(iso_date)
    app.add_template_filter(ago)
    app.add_template_test(is_recent, "recent")
    app.jinja_env.globals.update(get_locale=get_locale, STATUS_LABELS=STATUS_LABELS,
                                 PAYMENT_FORM_LABELS=PAYMENT_FORM_LABELS,
                                 PAYMENT_METHOD_LABELS=PAYMENT_METHOD_LABELS,
                                 CHANNEL_LABELS=CHANNEL_LABELS, FIELD_LABELS=FIELD_LABELS,
                                 KIND_LABELS=KIND_LABELS)
