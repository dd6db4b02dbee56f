"""The one way to record a movement, and the one way to read a timeline."""
from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timezone
from threading import Lock
from typing import Any

from flask import abort, current_app, render_template, request, url_for
from flask_babel import get_locale, get_timezone
from markupsafe import Markup
from sqlalchemy import Row, Select, select, tuple_

from . import clock
from .extensions import db
from .formatting import is_recent
from .models import Customer, HistoryEntry, Invoice, User

PAGE_SIZE = 30
RENDERED_ENTRIES = 20_000  # about 10 MB of HTML per worker
# What history/_entry.html shows of an entry (a row of these reads like a HistoryEntry).
ENTRY_COLUMNS = (HistoryEntry.id, HistoryEntry.kind, HistoryEntry.actor_email,
                 HistoryEntry.created_at, HistoryEntry.body, HistoryEntry.data)


def record_event(kind: str, *, actor: User, invoice: Invoice | None = None,
                 customer: Customer | None = None, body: str = "",
                 changes: list[dict[str, Any]] | None = None,
                 data: dict[str, Any] | None = None) -> HistoryEntry:
    """Append a history entry to the current unit of work; the caller commits."""
    payload = dict(data or {})
    if changes:
        payload["changes"] = changes
    entry = HistoryEntry(kind=kind, invoice=invoice, customer=customer, actor_id=actor.id,
                         actor_email=actor.email, created_at=clock.now(), body=body,
                         data=payload)
    db.session.add(entry)
    return entry


def timeline(*, invoice_id: int | None = None, customer_id: int | None = None,
             before: tuple[datetime, int] | None = None) -> Select:
    """Newest-first entries of one timeline, keyset-paginated on (created_at, id).

    It reads plain rows of the columns an entry shows, not ORM objects: entries never
    change, so a timeline needs no identity map, and rows cost a third as much to load.
    """
    query = select(*ENTRY_COLUMNS)
    if invoice_id is not None:
        query = query.where(HistoryEntry.invoice_id == invoice_id)
    else:
        query = query.where(HistoryEntry.customer_id == customer_id)
    if before is not None:
        at, entry_id = before
        # A row value, so the index range starts right at the cursor (an OR of the two
        # columns would make SQLite walk every newer entry of the timeline first).
        query = query.where(tuple_(HistoryEntry.created_at, HistoryEntry.id) < (at, entry_id))
    return query.order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc())


def page(query: Select, limit: int = PAGE_SIZE) -> tuple[list[Row], str | None]:
    """Run a timeline query; return its entries and the cursor of the next page, if any."""
    entries = db.session.execute(query.limit(limit + 1)).all()
    if len(entries) <= limit:
        return entries, None
    entries = entries[:limit]
    last = entries[-1]
    return entries, encode_cursor(last.created_at, last.id)


def requested_page(endpoint: str, *, invoice_id: int | None = None,
                   customer_id: int | None = None) -> dict[str, Any]:
    """The timeline page this request asks for (?before=cursor); 400 for a bad cursor."""
    try:
        before = decode_cursor(request.args.get("before"))
    except ValueError:
        abort(400)
    entries, cursor = page(timeline(invoice_id=invoice_id, customer_id=customer_id,
                                    before=before))
    owner = {"invoice_id": invoice_id} if invoice_id is not None else \
        {"customer_id": customer_id}
    more_url = cursor and url_for(endpoint, before=cursor, **owner)
    return {"entries": entries, "more_url": more_url, "is_next_page": before is not None}


def encode_cursor(at: datetime, entry_id: int) -> str:
    return f"{at.strftime('%Y%m%dT%H%M%S.%f')}_{entry_id}"


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """Parse a 'Ver más' cursor: None for the first page, ValueError if malformed."""
    if not cursor:
        return None
    stamp, _, entry_id = cursor.partition("_")
    at = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f").replace(tzinfo=timezone.utc)
    if not entry_id.isascii() or not entry_id.isdigit() or int(entry_id) >= 2**31:
        raise ValueError(f"bad entry id in cursor: {entry_id!r}")
    return at, int(entry_id)


class RenderedEntries:
    """The HTML of entries already shown, per language and timezone, kept by each app.

    Entries never change (the database refuses UPDATE), so an entry's <li> is rendered once
    and then served from memory: a Historial page costs about the same with 30 entries as
    with 3. history/_entry.html must depend on nothing but the entry, the language and the
    timezone (no user, no role), and on the time only through when(..., relative=True).
    """

    def __init__(self, size: int = RENDERED_ENTRIES):
        self.size = size
        self.html: OrderedDict[tuple, Markup] = OrderedDict()
        self.lock = Lock()

    def __call__(self, entries) -> list[Markup]:
        """The <li> of each entry, in order (the language is looked up once per page)."""
        language = (str(get_locale()), str(get_timezone()))
        # Debug mode reloads templates: keep nothing.
        keep = not current_app.debug
        return [self.one(entry, language, keep) for entry in entries]

    def one(self, entry, language: tuple[str, str], keep: bool) -> Markup:
        # A recent entry reads "hace 5 minutos", which changes: it is rendered each time
        # until it is old enough to show its date.
        if not keep or is_recent(entry.created_at):
            return Markup(render_template("history/_entry.html", entry=entry))
        key = (entry.id, *language)
        with self.lock:
            html = self.html.get(key)
            if html is not None:
                self.html.move_to_end(key)
                return html
        html = Markup(render_template("history/_entry.html", entry=entry))
        with self.lock:
            self.html[key] = html
            if len(self.html) > self.size:
                self.html.popitem(last=False)
        return html


def init_app(app) -> None:
    """Give the app's templates its own cache of rendered entries."""
    app.jinja_env.globals["rendered_entries"] = RenderedEntries()
