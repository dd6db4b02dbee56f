"""Spanish by default, English complete, and dates, times and money in the user's language."""
import os
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import force_locale

from pos_notes import clock, formatting
from pos_notes.extensions import db
from pos_notes.models import User

from .conftest import ADMIN, CASHIER, PASSWORD, at

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "pos_notes/translations/en/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# A narrow no-break space sits inside "a. m." and before "AM" in CLDR's patterns.
SPACES = str.maketrans({"\u202f": " ", "\xa0": " "})


def extracted_msgids() -> dict[str, str]:
    """Every msgid in the code and templates, as `make translations` extracts them."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=keywords):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, filename)
    return found


def test_extraction_finds_templates_and_python():
    msgids = extracted_msgids()
    assert "Historial" in msgids and msgids["Historial"].endswith(".html")
    assert "Escriba un texto: no puede estar vacío." in msgids
    assert msgids["Escriba un texto: no puede estar vacío."].endswith(".py")
    assert len(msgids) > 100


def test_every_msgid_has_an_english_translation():
    with open(CATALOGUE, "rb") as po:
        catalogue = read_po(po)
    missing = {msgid: where for msgid, where in extracted_msgids().items()
               if msgid not in catalogue}
    untranslated = sorted(m.id for m in catalogue if m.id and not m.string)
    fuzzy = sorted(m.id for m in catalogue if m.id and m.fuzzy)
    assert not catalogue.fuzzy, "the catalogue header is marked fuzzy"
    assert not missing, f"run `make translations` and translate: {missing}"
    assert not untranslated, f"translate in {CATALOGUE.name}: {untranslated}"
    assert not fuzzy, f"review fuzzy translations: {fuzzy}"


def test_english_keeps_every_placeholder():
    with open(CATALOGUE, "rb") as po:
        catalogue = read_po(po)
    for message in catalogue:
        if message.id:
            assert sorted(PLACEHOLDER.findall(message.id)) == \
                sorted(PLACEHOLDER.findall(message.string)), message.id


def test_an_uncompiled_catalogue_stops_the_app_loudly(tmp_path):
    folder = tmp_path / "translations/en/LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text('msgid ""\nmsgstr ""\n')
    fake_app = SimpleNamespace(root_path=str(tmp_path))
    with pytest.raises(RuntimeError, match="make install"):
        formatting.check_catalogues(fake_app)
    mo = folder / "messages.mo"
    mo.write_bytes(b"")
    formatting.check_catalogues(fake_app)  # compiled: fine
    os.utime(mo, (0, 0))  # the .po changed after the last compile
    with pytest.raises(RuntimeError, match="not compiled"):
        formatting.check_catalogues(fake_app)


def test_dates_times_and_money_the_colombian_way(app):
    moment = at("2026-12-03 15:42")  # 10:42 in Bogotá
    with app.test_request_context():
        assert formatting.local_datetime(moment).translate(SPACES) == "3 dic 2026, 10:42 a. m."
        assert formatting.money(12345) == "$ 12.345"
        assert formatting.money(1234567) == "$ 1.234.567"
        assert formatting.local_date(date(2026, 12, 3)) == "3 dic 2026"
        assert formatting.iso_datetime(moment) == "2026-12-03T10:42:00-05:00"


def test_dates_times_and_money_in_english(app):
    moment = at("2026-12-03 22:05")  # 5:05 pm in Bogotá
    with app.test_request_context(), force_locale("en"):
        assert formatting.local_datetime(moment).translate(SPACES) == "Dec 3, 2026, 5:05 PM"
        assert formatting.money(12345) == "$12,345"
        assert formatting.local_date(date(2026, 12, 3)) == "Dec 3, 2026"
        assert formatting.iso_datetime(moment) == "2026-12-03T17:05:00-05:00"


def test_recent_entries_read_relative_with_the_exact_time_in_the_title(
        app, admin_client, make_invoice):
    clock.freeze(at("2026-12-03 15:42"))
    invoice_id = make_invoice()
    clock.freeze(at("2026-12-03 15:47"))
    body = admin_client.get(f"/invoices/{invoice_id}/history", htmx=True).get_data(as_text=True)
    body = body.translate(SPACES)
    assert re.search(r'<time datetime="2026-12-03T10:42:00-05:00" '
                     r'title="3 dic 2026, 10:42 a. m.">hace 5 minutos</time>', body)

    clock.freeze(at("2026-12-04 15:47"))  # a day later the date says more
    body = admin_client.get(f"/invoices/{invoice_id}/history", htmx=True).get_data(as_text=True)
    assert ">3 dic 2026, 10:42 a.\u202fm.</time>" in body


def test_a_note_just_saved_reads_just_now(app, admin_client, make_invoice):
    clock.freeze(at("2026-12-03 15:42"))
    invoice_id = make_invoice()
    body = admin_client.post(f"/invoices/{invoice_id}/annotations", {"text": "Llamó"},
                             htmx=True).get_data(as_text=True)
    assert ">hace un momento</time>" in body


def test_spanish_is_the_default(admin_client):
    body = admin_client.get("/invoices/").get_data(as_text=True)
    assert '<html lang="es-CO">' in body
    assert "Nueva factura" in body and "Salir" in body


def test_each_user_chooses_a_language_and_it_is_remembered_across_logins(app, admin_client,
                                                                         make_invoice):
    clock.freeze(at("2026-12-03 15:42"))
    invoice_id = make_invoice()
    response = admin_client.post("/language", {"locale": "en"},
                                 environ_overrides={"HTTP_REFERER":
                                                    f"http://localhost/invoices/{invoice_id}"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/invoices/{invoice_id}")
    body = admin_client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert '<html lang="en">' in body
    assert "POS sales invoice" in body and "History" in body and "Modify" in body
    assert "Unpaid" in body and "$6,400" in body and "Historial" not in body
    with app.app_context():
        assert db.session.scalar(db.select(User.locale).where(User.email == ADMIN)) == "en"

    admin_client.post("/logout")
    admin_client.login(ADMIN, PASSWORD)
    body = admin_client.get("/invoices/").get_data(as_text=True)
    assert "New invoice" in body and "Log out" in body and "Dec 3, 2026" in body

    other = app.test_client()
    from .conftest import Client
    cashier = Client(other)
    cashier.login(CASHIER)
    assert "Nueva factura" in cashier.get("/invoices/").get_data(as_text=True)


def test_an_unknown_language_is_refused(app, admin_client):
    admin_client.post("/language", {"locale": "fr"})
    with app.app_context():
        assert db.session.scalar(db.select(User.locale).where(User.email == ADMIN)) is None
    assert "Nueva factura" in admin_client.get("/invoices/").get_data(as_text=True)


def test_the_header_offers_the_language_form(admin_client):
    body = admin_client.get("/invoices/").get_data(as_text=True)
    assert 'action="/language"' in body
    assert '<label for="language-select">Idioma</label>' in body
    assert '<option value="en" lang="en">English</option>' in body
