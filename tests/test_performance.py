"""Fast at any size: a constant number of queries per request, timelines read off their
index, searches that never read every invoice, light and cacheable static files.

Times are for `make bench`; these tests assert what makes them hold: query counts and plans.
"""
import gzip
import re
from contextlib import contextmanager
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, func, select

from pos_notes import clock
from pos_notes.extensions import db
from pos_notes.history import page, timeline
from pos_notes.invoices import services
from pos_notes.models import Customer, HistoryEntry, Invoice

from .conftest import ADMIN, at, user

STATIC = Path(__file__).parent.parent / "pos_notes" / "static"
JS_BUDGET = 20 * 1024
MORE = re.compile(r'<li class="more">\s*<a class="button" href="([^"]+)"')
ENTRY_ID = re.compile(r'<li class="entry" id="entry-(\d+)"')


@contextmanager
def statements(app):
    """Every SQL statement sent to the database inside the block, with its parameters."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def queries(app, client, url, htmx=False):
    """How many statements one request sends (the request must succeed)."""
    with statements(app) as seen:
        response = client.get(url, htmx=htmx)
    assert response.status_code == 200, url
    return [statement for statement, _ in seen]


def add_notes(app, invoice_id, count, start="2026-11-01 12:00", step=timedelta(seconds=1),
              same_second=1):
    """`count` annotations, `same_second` of them sharing each timestamp; one commit."""
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        actor = user()
        for i in range(count):
            clock.freeze(at(start) + step * (i // same_second))
            services.add_annotation(invoice, text=f"nota-{i:03d}", actor=actor)
        db.session.commit()
    clock.freeze(None)


def many_lines(n):
    return [{"description": f"Producto {i}", "quantity": 1, "unit_price": 1000 + i}
            for i in range(n)]


def assert_constant(counts, at_most=6):
    """Same number of statements whatever the number of rows, and a small one."""
    sizes = {size: len(found) for size, found in counts.items()}
    assert len(set(sizes.values())) == 1, (sizes, counts)
    assert max(sizes.values()) <= at_most, counts


# --- Query counts -------------------------------------------------------------------------

def test_invoice_page_costs_the_same_queries_with_1_or_60_lines_and_entries(
        app, admin_client, make_invoice):
    counts = {}
    for size in (1, 60):
        invoice_id = make_invoice(lines=many_lines(size))
        add_notes(app, invoice_id, size)
        counts[size] = queries(app, admin_client, f"/invoices/{invoice_id}")
    assert_constant(counts)


def test_historial_fragment_costs_the_same_queries_with_1_or_100_entries(
        app, admin_client, make_invoice):
    counts = {}
    for size in (1, 100):
        invoice_id = make_invoice()
        add_notes(app, invoice_id, size)
        counts[size] = queries(app, admin_client, f"/invoices/{invoice_id}/history", htmx=True)
    assert_constant(counts)


def test_deep_historial_page_costs_the_same_queries_as_the_second(app, admin_client,
                                                                   make_invoice):
    invoice_id = make_invoice()
    add_notes(app, invoice_id, 200)
    url, counts = f"/invoices/{invoice_id}/history", {}
    for number in range(1, 7):
        body = admin_client.get(url, htmx=True).get_data(as_text=True)
        url = MORE.search(body).group(1).replace("&amp;", "&")
        if number in (1, 5):
            counts[number + 1] = queries(app, admin_client, url, htmx=True)
    assert_constant(counts)


@pytest.mark.parametrize("search", ["", "?q=Pérez", "?q=POS-3", "?status=por_cobrar",
                                    "?q=perez&status=por_cobrar"])
def test_invoice_list_costs_the_same_queries_with_1_or_60_invoices(
        app, admin_client, make_customer, make_invoice, search):
    """60 invoices of 60 customers: more than one page, and no query per row's customer."""
    counts = {}
    make_invoice(make_customer("Ana Pérez", "1"))
    counts[1] = queries(app, admin_client, f"/invoices/{search}")
    for i in range(59):
        make_invoice(make_customer(f"Cliente {i} Pérez", f"9{i}"))
    counts[60] = queries(app, admin_client, f"/invoices/{search}")
    assert_constant(counts)
    body = admin_client.get(f"/invoices/{search}").get_data(as_text=True)
    assert body.count('<tr id="invoice-') == (1 if "POS-3" in search else 50)


def test_customer_page_costs_the_same_queries_with_1_or_60_invoices(
        app, admin_client, make_customer, make_invoice):
    counts = {}
    for size in (1, 60):
        customer_id = make_customer(f"Cliente {size}", str(size))
        for _i in range(size):
            make_invoice(customer_id)
        counts[size] = queries(app, admin_client, f"/customers/{customer_id}")
    # One statement per panel of the Consulta (balances, invoices, commitments, timeline...).
    assert_constant(counts, at_most=12)


@pytest.mark.parametrize("url", ["/invoices/new", "/customers/pick?customer_q=pérez"])
def test_sale_customer_picker_costs_the_same_with_3_or_300_customers(
        app, admin_client, make_customer, make_invoice, url):
    """A sale offers a few customers, found off indexes: not a <select> of all of them."""
    counts, sizes, made = {}, {}, 0
    for total in (3, 300):
        for i in range(made, total):
            make_invoice(make_customer(f"Cliente {i} Pérez", f"8{i}"))
        made = total
        counts[total] = queries(app, admin_client, url)
        sizes[total] = len(admin_client.get(url).data)
    assert_constant(counts)
    assert sizes[300] - sizes[3] < 2000  # five more offered, not 297


@pytest.mark.sqlite_only  # SQLite's plans and BEGIN IMMEDIATE
def test_annotation_post_holds_one_transaction_and_reloads_nothing_after_commit(
        app, admin_client, make_invoice):
    """After the commit the response renders from memory: no second BEGIN IMMEDIATE
    holding SQLite's write lock while the template renders, whatever the history size."""
    counts = {}
    for size in (1, 60):
        invoice_id = make_invoice()
        add_notes(app, invoice_id, size)
        admin_client.get(f"/invoices/{invoice_id}/history")  # the CSRF token
        with statements(app) as seen:
            response = admin_client.post(f"/invoices/{invoice_id}/annotations",
                                         {"text": "nota"}, htmx=True)
        assert response.status_code == 200
        found = [statement for statement, _ in seen]
        assert [s for s in found if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE"], found
        written = next(i for i, s in enumerate(found) if s.startswith("INSERT INTO history"))
        assert not any(s.startswith(("SELECT", "BEGIN")) for s in found[written:]), found
        counts[size] = found
    assert_constant(counts)


@pytest.mark.sqlite_only  # SQLite's BEGIN IMMEDIATE
def test_annotation_post_takes_the_write_lock_only_for_its_own_statements(
        app, admin_client, make_invoice):
    """The login check reads the user on its own, and the form is checked before the
    view's first query: SQLite's write lock, which every other worker's note waits for,
    covers the invoice, the idempotency key and the INSERTs only."""
    invoice_id = make_invoice()
    admin_client.get(f"/invoices/{invoice_id}/history")  # the CSRF token
    with statements(app) as seen:
        response = admin_client.post(f"/invoices/{invoice_id}/annotations",
                                     {"text": "nota"}, htmx=True)
    assert response.status_code == 200
    found = [statement for statement, _ in seen]
    assert "FROM users" in found[0], found
    assert found[1] == "BEGIN IMMEDIATE", found
    assert "FROM invoices" in found[2], found
    assert "FROM idempotency_keys" in found[3], found  # a double tap answers as the first
    assert [s.split()[2] for s in found[4:]] == ["history_entries", "idempotency_keys"], found
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HistoryEntry).where(
            HistoryEntry.invoice_id == invoice_id, HistoryEntry.body == "nota")) == 1


# --- Plans --------------------------------------------------------------------------------

def plan(app, statement, parameters):
    with app.app_context():
        rows = db.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return [row[-1] for row in rows]


def timeline_statement(app, client, url):
    with statements(app) as seen:
        assert client.get(url, htmx=True).status_code == 200
    found = [(s, p) for s, p in seen if "FROM history_entries" in s]
    assert len(found) == 1, seen
    return found[0]


def assert_reads_the_index(steps, index):
    assert any(f"SEARCH history_entries USING INDEX {index}" in step for step in steps), steps
    assert not any("SCAN history_entries" in step for step in steps), steps
    assert not any("TEMP B-TREE" in step for step in steps), steps


@pytest.mark.sqlite_only  # SQLite's plans and BEGIN IMMEDIATE
def test_timeline_query_reads_its_index_without_scan_or_sort(app, admin_client, make_invoice):
    invoice_id = make_invoice()
    add_notes(app, invoice_id, 40)
    url = f"/invoices/{invoice_id}/history"
    first = timeline_statement(app, admin_client, url)
    assert_reads_the_index(plan(app, *first), "ix_history_invoice_time (invoice_id=?)")

    body = admin_client.get(url, htmx=True).get_data(as_text=True)
    deeper = timeline_statement(app, admin_client, MORE.search(body).group(1).replace("&amp;", "&"))
    steps = plan(app, *deeper)
    # The cursor is part of the index range: a deep page starts where it is, not at the top.
    assert_reads_the_index(steps, "ix_history_invoice_time (invoice_id=? AND created_at<")


@pytest.mark.sqlite_only  # SQLite's plans and BEGIN IMMEDIATE
def test_customer_timeline_query_reads_its_index_without_scan_or_sort(app, make_customer):
    customer_id = make_customer()
    with app.app_context():
        with statements(app) as seen:
            entries, _cursor = page(timeline(customer_id=customer_id))
            page(timeline(customer_id=customer_id,
                          before=(entries[0].created_at, entries[0].id)))
    found = [(s, p) for s, p in seen if "FROM history_entries" in s]
    assert len(found) == 2, seen
    for statement, parameters in found:
        assert_reads_the_index(plan(app, statement, parameters),
                               "ix_history_customer_time (customer_id=?")


def invoice_list_plan(app, client, url):
    with statements(app) as seen:
        assert client.get(url).status_code == 200
    return [(statement, plan(app, statement, parameters)) for statement, parameters in seen
            if "FROM invoices" in statement or "customers_search" in statement]


def list_steps(app, client, url):
    return [step for _statement, steps in invoice_list_plan(app, client, url) for step in steps]


@pytest.mark.sqlite_only  # SQLite's plans and BEGIN IMMEDIATE
def test_search_of_one_customer_reads_their_invoices_newest_first_off_an_index(
        app, admin_client, make_customer, make_invoice):
    make_invoice(make_customer("Ana Pérez", "1.020.304"))
    make_invoice(make_customer("Beto Gómez", "2"))
    for url in ("/invoices/?q=perez", "/invoices/?q=perez&status=pagada&before=99"):
        steps = list_steps(app, admin_client, url)
        assert "SCAN customers_search VIRTUAL TABLE INDEX 0:M2" in steps, steps
        assert any(step.startswith("SEARCH invoices USING INDEX ix_invoices_customer_number "
                                   "(customer_id=?") for step in steps), steps
        assert not any("TEMP B-TREE" in step or step.startswith("SCAN invoices")
                       for step in steps), steps


@pytest.mark.sqlite_only  # SQLite's plans and BEGIN IMMEDIATE
def test_search_of_a_few_customers_reads_only_their_invoices(
        app, admin_client, make_customer, make_invoice):
    for i in range(3):
        make_invoice(make_customer(f"Ana Pérez {i}", str(i)))
    for url in ("/invoices/?q=perez", "/invoices/?q=perez&status=por_cobrar"):
        steps = list_steps(app, admin_client, url)
        # Sorting only these customers' invoices; never a walk over all invoices or a status.
        assert any(step.startswith("SEARCH invoices USING INDEX ix_invoices_customer_")
                   and "(customer_id=?" in step for step in steps), steps
        assert not any(step.startswith("SCAN invoices") or "status" in step
                       for step in steps), steps


@pytest.mark.sqlite_only  # SQLite's plans and BEGIN IMMEDIATE
def test_search_of_many_customers_walks_the_number_index_without_sorting(
        app, admin_client, make_customer, make_invoice, monkeypatch):
    from pos_notes.invoices import views
    monkeypatch.setattr(views, "FEW_CUSTOMERS", 1)
    for i in range(3):
        make_invoice(make_customer(f"Ana Pérez {i}", str(i)))
    steps = list_steps(app, admin_client, "/invoices/?q=perez")
    assert any(re.match(r"(SCAN|SEARCH) invoices USING INDEX sqlite_autoindex_invoices_1", step)
               for step in steps), steps
    assert not any("TEMP B-TREE" in step or "customer_id" in step for step in steps), steps


@pytest.mark.parametrize("url, index", [
    # SQLite names the index of the unique number constraint sqlite_autoindex_invoices_1.
    ("/invoices/", r"SCAN invoices USING INDEX sqlite_autoindex_invoices_1$"),
    ("/invoices/?q=POS-12",
     r"SEARCH invoices USING INDEX sqlite_autoindex_invoices_1 \(number=\?\)"),
    ("/invoices/?status=pagada", r"SEARCH invoices USING INDEX ix_invoices_status_number "
                                 r"\(status=\?\)"),
])
@pytest.mark.sqlite_only  # SQLite's plans and BEGIN IMMEDIATE
def test_invoice_list_reads_newest_first_off_an_index(app, admin_client, make_invoice, url,
                                                      index):
    make_invoice()
    steps = list_steps(app, admin_client, url)
    assert any(re.match(index, step) for step in steps), steps
    assert not any("TEMP B-TREE" in step for step in steps), steps


# --- Search -------------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["perez", "PÉREZ", "ana pér", "1020304", "1.020", "304"])
def test_customer_search_ignores_accents_case_and_dots(admin_client, make_customer,
                                                       make_invoice, q):
    make_invoice(make_customer("Ana Pérez", "1.020.304"))
    make_invoice(make_customer("Beto Gómez", "79.555.111"))
    body = admin_client.get(f"/invoices/?q={q}").get_data(as_text=True)
    assert "Ana Pérez" in body and "Beto Gómez" not in body


def test_search_follows_a_renamed_customer(app, admin_client, make_customer, make_invoice):
    customer_id = make_customer("Ana Pérez", "1")
    make_invoice(customer_id)
    with app.app_context():
        db.session.get(Customer, customer_id).name = "Ana Rodríguez"
        db.session.commit()
    assert "Ana Rodríguez" in admin_client.get("/invoices/?q=rodriguez").get_data(as_text=True)
    assert "No hay facturas" in admin_client.get("/invoices/?q=perez").get_data(as_text=True)


def test_search_of_many_customers_pages_newest_first_without_gaps(
        app, admin_client, make_customer, make_invoice, monkeypatch):
    """Past FEW_CUSTOMERS matches the list walks the number index; pages stay whole."""
    from pos_notes.invoices import views
    monkeypatch.setattr(views, "FEW_CUSTOMERS", 3)
    monkeypatch.setattr(views, "LIST_SIZE", 4)
    ids = [make_invoice(make_customer(f"Cliente {i} Pérez", str(i))) for i in range(10)]
    make_invoice(make_customer("Beto Gómez", "99"))
    shown, url = [], "/invoices/?q=perez"
    while url:
        body = admin_client.get(url).get_data(as_text=True)
        shown += [int(i) for i in re.findall(r'<tr id="invoice-(\d+)"', body)]
        more = re.search(r'<tr class="more">.*?href="([^"]+)"', body, re.S)
        url = more and more.group(1).replace("&amp;", "&")
    assert shown == sorted(ids, reverse=True)


# --- Keyset pages under writes ------------------------------------------------------------

def test_notes_added_while_the_list_is_open_never_duplicate_or_hide_entries(
        app, admin_client, make_invoice):
    """100 entries, three per second (ties broken by id); a note lands before every page."""
    clock.freeze(at("2026-11-01 11:00"))
    invoice_id = make_invoice()
    add_notes(app, invoice_id, 100, same_second=3)
    with app.app_context():
        expected = [entry.id for entry in db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.invoice_id == invoice_id)
            .order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc()))]
    clock.freeze(at("2026-11-01 12:00:33"))  # the same second as the newest listed entries
    url, shown, new = f"/invoices/{invoice_id}/history", [], []
    while url:
        body = admin_client.get(url, htmx=True).get_data(as_text=True)
        shown += [int(i) for i in ENTRY_ID.findall(body)]
        more = MORE.search(body)
        url = more and more.group(1).replace("&amp;", "&")
        response = admin_client.post(f"/invoices/{invoice_id}/annotations",
                                     {"text": f"nueva {len(new)}"}, htmx=True)
        new += [int(i) for i in ENTRY_ID.findall(response.get_data(as_text=True))]
    assert shown == expected  # every entry once, newest first, none of the new ones
    assert len(new) == 4 and not set(new) & set(shown)
    top = admin_client.get(f"/invoices/{invoice_id}/history", htmx=True).get_data(as_text=True)
    assert [int(i) for i in ENTRY_ID.findall(top)][:4] == new[::-1]


# --- Light pages --------------------------------------------------------------------------

def test_all_javascript_is_under_20_kb_gzipped():
    scripts = sorted(STATIC.rglob("*.js"))
    assert scripts
    size = sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in scripts)
    assert size < JS_BUDGET, {path.name: path.stat().st_size for path in scripts}


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs
                      if name in ("src", "href", "action", "hx-get", "hx-post", "srcset",
                                  "poster", "data") and value]


def test_no_request_leaves_the_server(app, admin_client, make_invoice):
    invoice_id = make_invoice()
    pages = ["/login", "/invoices/", f"/invoices/{invoice_id}", f"/invoices/{invoice_id}/history",
             "/invoices/new", "/customers/new", f"/invoices/{invoice_id}/edit"]
    customer_id = admin_client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    pages += re.findall(r'href="(/customers/\d+)"', customer_id)[:1]
    checked = 0
    for url in pages:
        body = admin_client.get(url).get_data(as_text=True)
        links = Links()
        links.feed(body)
        for link in links.urls:
            parts = urlsplit(link)
            assert not parts.netloc and parts.scheme in ("", "mailto", "tel"), (url, link)
            checked += 1
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", body), url
        assert "@import" not in body, url
    for css in STATIC.rglob("*.css"):
        text = css.read_text()
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), css
        assert not re.search(r"@import\s+(url\()?['\"]?(https?:)?//", text), css
    assert checked > 20


def fetch(client, url, **headers):
    """A static file, read and closed (send_file leaves the file open until then)."""
    response = client.raw.get(url, headers=headers)
    response.get_data()
    response.close()
    return response


def static_urls(body):
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', body)


def test_static_urls_carry_a_fingerprint_and_are_cached_for_a_year(admin_client):
    urls = static_urls(admin_client.get("/invoices/").get_data(as_text=True))
    scripts = [url for url in urls if ".js" in url]
    assert len(scripts) >= 2 and all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in scripts)
    for url in urls:
        response = fetch(admin_client, url)
        if response.status_code == 404:  # a stylesheet another branch adds
            continue
        assert response.status_code == 200, url
        assert response.cache_control.public and response.cache_control.immutable
        assert response.cache_control.max_age == 365 * 24 * 3600
        assert response.headers["ETag"]


def test_stale_or_bare_static_url_revalidates_with_its_etag(admin_client):
    response = fetch(admin_client, "/static/htmx-2.0.11.min.js?v=000000000000")
    assert response.status_code == 200 and response.cache_control.no_cache
    again = fetch(admin_client, "/static/htmx-2.0.11.min.js",
                  **{"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_static_files_are_sent_gzipped_to_browsers_that_accept_it(admin_client):
    url = next(url for url in static_urls(admin_client.get("/invoices/").get_data(as_text=True))
               if "htmx" in url)
    plain = fetch(admin_client, url)
    zipped = fetch(admin_client, url, **{"Accept-Encoding": "gzip, deflate, br"})
    assert plain.headers.get("Content-Encoding") is None
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.vary and "Accept-Encoding" in plain.vary
    assert gzip.decompress(zipped.data) == plain.data
    assert int(zipped.headers["Content-Length"]) == len(zipped.data) < len(plain.data) / 2
    assert zipped.headers["ETag"].startswith('W/')
    again = fetch(admin_client, url, **{"Accept-Encoding": "gzip",
                                        "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304


def test_healthz_is_public_and_touches_no_database(app, client):
    with statements(app) as seen:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.data == b"ok" and seen == []


def test_models_and_migrations_agree(runner):
    """`flask db migrate` would find nothing to do: the indexes of speed_1 are in the models,
    and the FTS5 search tables are left to their migration."""
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


# --- Rendered entries are kept ------------------------------------------------------------

@contextmanager
def entry_renders(app):
    from flask import template_rendered
    rendered = []

    def record(sender, template, context, **extra):
        if template.name == "history/_entry.html":
            rendered.append(context["entry"].id)

    template_rendered.connect(record, app)
    try:
        yield rendered
    finally:
        template_rendered.disconnect(record, app)


def test_an_entry_is_rendered_once_then_served_from_memory(app, admin_client, make_invoice):
    clock.freeze(at("2026-10-01 10:00"))  # old entries: they show their date, so they are kept
    invoice_id = make_invoice()
    add_notes(app, invoice_id, 40)
    url = f"/invoices/{invoice_id}/history"
    with entry_renders(app) as first:
        before = admin_client.get(url, htmx=True).get_data(as_text=True)
    with entry_renders(app) as second:
        after = admin_client.get(url, htmx=True).get_data(as_text=True)
    assert len(first) == 30 and second == []
    start = before.index('<li class="entry"')
    assert before[start:] == after[after.index('<li class="entry"'):]


def test_kept_entries_follow_the_reader_language(app, client, cashier_client, make_invoice):
    """Spanish first, so a cache keyed on the entry alone would show English readers 'dic'."""
    clock.freeze(at("2026-12-03 15:42"))
    invoice_id = make_invoice()
    clock.freeze(at("2026-12-05 09:00"))  # old enough to show its date, so kept
    client.login(ADMIN)
    spanish = cashier_client.get(f"/invoices/{invoice_id}/history", htmx=True)
    with app.app_context():
        user(ADMIN).locale = "en"
        db.session.commit()
    english = client.get(f"/invoices/{invoice_id}/history", htmx=True)
    assert "dic 2026" in spanish.get_data(as_text=True)
    assert "Dec" in english.get_data(as_text=True) and "dic" not in english.get_data(as_text=True)


def test_a_recent_entry_is_rendered_afresh_until_it_shows_its_date(app, admin_client,
                                                                    make_invoice):
    clock.freeze(at("2026-12-03 15:42"))
    invoice_id = make_invoice()
    url = f"/invoices/{invoice_id}/history"
    shown = []
    for moment in ("2026-12-03 15:42:30", "2026-12-03 15:52", "2026-12-04 15:42",
                   "2026-12-09 15:42"):
        clock.freeze(at(moment))
        body = admin_client.get(url, htmx=True).get_data(as_text=True)
        shown.append(re.search(r'<li class="entry".*?<time[^>]*>([^<]+)</time>', body,
                               re.S).group(1))
    assert shown[:2] == ["hace un momento", "hace 10 minutos"]
    assert shown[2] == shown[3] and shown[2].startswith("3 dic 2026, 10:42")
