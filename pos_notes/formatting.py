"""Jinja filters: money, dates and labels in the user's language and the shop's timezone."""
from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, get_locale, format_datetime, format_decimal, format_timedelta, \
    lazy_gettext as _l, to_user_timezone

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


def money(amount: int | None) -> str:
    """COP the Colombian way: $ 12.345 (no cents)."""
    return "$ " + format_decimal(amount or 0, "#,##0")


def local_datetime(moment: datetime) -> str:
    """3 dic 2026, 10:42 a. m. in the shop's timezone."""
    return format_datetime(moment, "d MMM y, h:mm a")


def iso_datetime(moment: datetime) -> str:
    """ISO 8601 with the shop's offset, for <time datetime>."""
    return to_user_timezone(moment).isoformat(timespec="seconds")


def local_date(day: date | None) -> str:
    return format_date(day, "d MMM y") if day else ""


def iso_date(text: str | None) -> str:
    """A stored ISO date (2026-12-03) shown the local way."""
    return local_date(date.fromisoformat(text)) if text else ""


def ago(moment: datetime) -> str:
    """Hace 5 minutos."""
    return format_timedelta(moment - clock.now(), add_direction=True)


def init_app(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(local_datetime)
    app.add_template_filter(iso_datetime)
    app.add_template_filter(local_date)
    app.add_template_filter(iso_date)
    app.add_template_filter(ago)
    app.jinja_env.globals.update(get_locale=get_locale, STATUS_LABELS=STATUS_LABELS,
                                 PAYMENT_FORM_LABELS=PAYMENT_FORM_LABELS,
                                 PAYMENT_METHOD_LABELS=PAYMENT_METHOD_LABELS,
                                 CHANNEL_LABELS=CHANNEL_LABELS, FIELD_LABELS=FIELD_LABELS,
                                 KIND_LABELS=KIND_LABELS)
