"""The Historial: lazy fragment, inline Anotaciones, newest first, append-only."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from pos_notes import clock
from pos_notes.extensions import db
from pos_notes.models import HistoryEntry

from .conftest import ADMIN, CASHIER, at


def _kinds(app, invoice_id):
    with app.app_context():
        return list(db.session.scalars(select(HistoryEntry.kind).where(
            HistoryEntry.invoice_id == invoice_id).order_by(HistoryEntry.id)))


def test_invoice_page_does_not_carry_the_entries_but_links_to_them(admin_client, make_invoice):
    invoice_id = make_invoice()
    page = admin_client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Historial" in page
    assert 'data-kind="created"' not in page
    assert f'hx-get="/invoices/{invoice_id}/history"' in page
    assert f'href="/invoices/{invoice_id}/history"' in page  # works without JavaScript


def test_history_route_is_a_page_plainly_and_a_fragment_for_htmx(admin_client, make_invoice):
    invoice_id = make_invoice()
    plain = admin_client.get(f"/invoices/{invoice_id}/history")
    fragment = admin_client.get(f"/invoices/{invoice_id}/history", htmx=True)
    assert "<html" in plain.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    for response in (plain, fragment):
        body = response.get_data(as_text=True)
        assert 'data-kind="created"' in body and "Anotación" in body and "Guardar" in body
        assert "HX-Request" in response.headers["Vary"]


def test_entry_shows_kind_local_time_and_user_email(admin_client, make_invoice):
    clock.freeze(at("2026-12-03 15:42"))
    invoice_id = make_invoice()
    body = admin_client.get(f"/invoices/{invoice_id}/history", htmx=True).get_data(as_text=True)
    assert '<time datetime="2026-12-03T10:42:00-05:00"' in body
    assert "3 dic 2026, 10:42" in body
    assert ADMIN in body and "Creación" in body


def test_htmx_annotation_answers_fresh_form_and_entry_for_the_top(app, cashier_client,
                                                                  make_invoice):
    invoice_id = make_invoice()
    response = cashier_client.post(f"/invoices/{invoice_id}/annotations",
                                   {"text": "Pagará el viernes"}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'hx-swap-oob="afterbegin:#entries-invoice-{invoice_id}"' in body
    assert 'data-kind="annotation"' in body and "Pagará el viernes" in body and CASHIER in body
    assert "autofocus" in body and "</textarea>" in body and ">Pagará el viernes</textarea>" \
        not in body
    assert _kinds(app, invoice_id) == ["created", "annotation"]


def test_plain_annotation_redirects_to_the_history_showing_it(app, admin_client, make_invoice):
    invoice_id = make_invoice()
    response = admin_client.post(f"/invoices/{invoice_id}/annotations", {"text": "Sin JS"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/invoices/{invoice_id}/history"
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.index("Sin JS") < page.index('data-kind="created"')


def test_entries_are_newest_first(admin_client, make_invoice):
    clock.freeze(at("2026-12-01 12:00"))
    invoice_id = make_invoice()
    for i in range(3):
        clock.freeze(at("2026-12-01 12:00") + timedelta(minutes=i + 1))
        admin_client.post(f"/invoices/{invoice_id}/annotations", {"text": f"nota {i}"})
    body = admin_client.get(f"/invoices/{invoice_id}/history", htmx=True).get_data(as_text=True)
    positions = [body.index(marker) for marker in
                 ("nota 2", "nota 1", "nota 0", 'data-kind="created"')]
    assert positions == sorted(positions)


def test_annotation_on_annulled_invoice_is_saved(app, admin_client, make_invoice):
    invoice_id = make_invoice(payment_form="contado")
    admin_client.post(f"/invoices/{invoice_id}/annul", {"reason": "Error de digitación"})
    response = admin_client.post(f"/invoices/{invoice_id}/annotations",
                                 {"text": "Se refacturó como POS-9"}, htmx=True)
    assert response.status_code == 200
    assert _kinds(app, invoice_id) == ["created", "annulled", "annotation"]


@pytest.mark.parametrize("note, message", [
    ("", "no puede estar vacío"),
    ("   \n\t ", "no puede estar vacío"),
    ("x" * 2001, "Máximo 2000 caracteres"),
], ids=["empty", "whitespace", "too-long"])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_bad_note_is_refused_next_to_the_field_and_saves_nothing(app, admin_client, make_invoice,
                                                                 note, message, htmx):
    invoice_id = make_invoice()
    response = admin_client.post(f"/invoices/{invoice_id}/annotations", {"text": note},
                                 htmx=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in body and 'role="alert"' in body and 'aria-invalid="true"' in body
    assert ("<html" in body) is not htmx
    assert _kinds(app, invoice_id) == ["created"]


def test_note_of_exactly_2000_characters_is_kept(app, admin_client, make_invoice):
    invoice_id = make_invoice()
    admin_client.post(f"/invoices/{invoice_id}/annotations", {"text": "x" * 2000})
    assert _kinds(app, invoice_id) == ["created", "annotation"]


def test_note_text_is_shown_exactly_as_typed_never_as_markup(admin_client, make_invoice):
    invoice_id = make_invoice()
    note = "<script>alert(1)</script>\n<img src=x onerror=alert(2)> {{7*7}}\nsegunda línea"
    admin_client.post(f"/invoices/{invoice_id}/annotations", {"text": note.replace("\n", "\r\n")})
    body = admin_client.get(f"/invoices/{invoice_id}/history", htmx=True).get_data(as_text=True)
    assert "<script>alert(1)" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\n&lt;img src=x onerror=alert(2)&gt; {{7*7}}" \
        "\nsegunda línea" in body


def test_timeline_pages_by_30_without_gaps_or_duplicates(app, admin_client, make_invoice):
    clock.freeze(at("2026-12-01 12:00"))
    invoice_id = make_invoice()
    for i in range(64):
        admin_client.post(f"/invoices/{invoice_id}/annotations", {"text": f"nota-{i:02d}"})
    first = admin_client.get(f"/invoices/{invoice_id}/history", htmx=True).get_data(as_text=True)
    assert first.count("<li class=\"entry\"") == 30
    more = first.split('class="more"')[1].split('href="')[1].split('"')[0].replace("&amp;", "&")
    # A note added while the list is open goes to the top; pages below stay intact.
    admin_client.post(f"/invoices/{invoice_id}/annotations", {"text": "nota-nueva"})
    second = admin_client.get(more, htmx=True).get_data(as_text=True)
    assert "<html" not in second and second.count("<li class=\"entry\"") == 30
    third_url = second.split('class="more"')[1].split('href="')[1].split('"')[0]
    third = admin_client.get(third_url.replace("&amp;", "&"), htmx=True).get_data(as_text=True)
    assert 'class="more"' not in third
    seen = [f"nota-{i:02d}" for i in range(64) for page in (first, second, third)
            if f">nota-{i:02d}<" in page]
    assert sorted(seen) == [f"nota-{i:02d}" for i in range(64)]  # each exactly once
    assert "nota-nueva" not in second + third and 'data-kind="created"' in third


def test_malformed_cursor_is_a_400(admin_client, make_invoice):
    invoice_id = make_invoice()
    response = admin_client.get(f"/invoices/{invoice_id}/history?before=garbage")
    assert response.status_code == 400


@pytest.mark.parametrize("statement", [
    "UPDATE history_entries SET body = 'editado'",
    "DELETE FROM history_entries",
])
def test_the_database_refuses_to_change_or_remove_entries(app, make_invoice, statement):
    make_invoice()
    with app.app_context():
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(HistoryEntry)) == 2
