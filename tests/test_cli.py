from sqlalchemy import func, select

from pos_notes.extensions import db
from pos_notes.models import HistoryEntry, Invoice, User


def test_create_user_then_log_in(runner, client):
    result = runner.invoke(args=["create-user", "nueva@tienda.test", "--password", "x-123456",
                                 "--role", "cashier"])
    assert result.exit_code == 0, result.output
    client.login("nueva@tienda.test", "x-123456")


def test_create_user_refuses_a_duplicate(runner):
    args = ["create-user", "otra@tienda.test", "--password", "x", "--role", "admin"]
    assert runner.invoke(args=args).exit_code == 0
    assert runner.invoke(args=args).exit_code != 0


def test_demo_loads_every_status_once_and_then_changes_nothing(app, runner):
    first = runner.invoke(args=["demo"])
    assert "Demo shop loaded." in first.output
    assert "dueno@tienda.demo / demo1234" in first.output
    with app.app_context():
        statuses = set(db.session.scalars(select(Invoice.status)))
        invoices = db.session.scalar(select(func.count()).select_from(Invoice))
        entries = db.session.scalar(select(func.count()).select_from(HistoryEntry))
        kinds = set(db.session.scalars(select(HistoryEntry.kind)))
    assert statuses == {"pagada", "por_cobrar", "pagada_parcialmente", "anulada"}
    assert 35 <= invoices <= 45
    assert {"created", "modified", "annulled", "annotation", "payment"} <= kinds
    second = runner.invoke(args=["demo"])
    assert "nothing changed" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HistoryEntry)) == entries
        assert db.session.scalar(select(func.count()).select_from(User)) == 4


def test_backup_copies_what_is_committed_while_a_cashier_writes(app, runner, make_invoice,
                                                                tmp_path):
    import re
    import sqlite3
    from sqlalchemy import text
    make_invoice()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            result = runner.invoke(args=["backup", str(tmp_path)])
            assert result.exit_code != 0 and "pg_dump" in result.output
            return
        # Another cashier is in the middle of a sale: begun, written, not committed.
        with db.engine.connect() as cashier:
            cashier.execute(text("UPDATE invoices SET observations = 'a medias'"))
            result = runner.invoke(args=["backup", str(tmp_path)])
            cashier.rollback()
    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output
    [copy] = tmp_path.glob("pos_notes-*.db")
    assert re.search(r"pos_notes-\d{8}-\d{6}\.db", copy.name)
    with sqlite3.connect(copy) as opened:
        assert opened.execute("SELECT count(*), max(observations) FROM invoices").fetchone() == (
            1, "")
        assert opened.execute("SELECT kind FROM history_entries WHERE invoice_id IS NOT NULL"
                              ).fetchall() == [("created",)]
