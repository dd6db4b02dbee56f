"""Fixtures: a migrated database per test (SQLite file, or PostgreSQL when asked), the app,
a client that logs in through the real form and sends real CSRF tokens."""
import contextlib
import itertools
import os
import re
import shutil
import sqlite3
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

from pos_notes import clock, create_app
from pos_notes.extensions import db
from pos_notes.invoices import services as invoice_services
from pos_notes.customers import services as customer_services
from pos_notes.models import User

from .pg import postgres_server

PASSWORD = "clave-segura-1"
ADMIN = "dueno@tienda.test"
CASHIER = "cajero@tienda.test"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# `POS_NOTES_TEST_DB=postgresql pytest` runs the suite on a real PostgreSQL server.
TEST_DB = os.environ.get("POS_NOTES_TEST_DB", "sqlite")
if TEST_DB not in ("sqlite", "postgresql"):
    raise RuntimeError(f"POS_NOTES_TEST_DB must be sqlite or postgresql, not {TEST_DB!r}")
_database_names = itertools.count(1)
# Measured figures (load, crash, hostile inputs) printed at the end of the run.
FIGURES: list[str] = []


def pytest_collection_modifyitems(config, items):
    """Each run leaves out the tests of the other database's own machinery (SQLite's query
    plans and locks; PostgreSQL's restarts)."""
    other = "sqlite_only" if TEST_DB != "sqlite" else "postgresql_only"
    keep = [item for item in items if not item.get_closest_marker(other)]
    config.hook.pytest_deselected(items=[i for i in items if i not in keep])
    items[:] = keep


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section(f"figures ({TEST_DB})")
        for line in FIGURES:
            terminalreporter.write_line(line)


def _config(uri: str) -> dict:
    return {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": uri,
            "TIMEZONE": "America/Bogota"}


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    """One SQLite file migrated with Alembic; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app(_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_server():
    """The PostgreSQL server of the session (started on first use)."""
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def postgres(pg_server):
    """The server's base URL, an admin engine, and a database migrated once, as template."""
    base = pg_server.url
    # pre_ping: a test that restarts the server leaves no dead connection behind.
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE pos_notes_template"))
    app = create_app(_config(f"{base}/pos_notes_template"))
    with app.app_context():
        upgrade()
        db.engine.dispose()  # a template must have no open connections
    yield base, admin
    admin.dispose()


@pytest.fixture
def database_uri(request, tmp_path):
    """A fresh migrated database for each test: a copied SQLite file or a PostgreSQL clone."""
    if TEST_DB == "sqlite":
        path = tmp_path / "pos_notes.db"
        shutil.copy(request.getfixturevalue("migrated_db"), path)
        yield f"sqlite:///{path}"
        return
    base, admin = request.getfixturevalue("postgres")
    name = f"test_{next(_database_names)}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE pos_notes_template"))
    yield f"{base}/{name}"
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))


@pytest.fixture
def app(database_uri):
    app = create_app(_config(database_uri))
    with app.app_context():
        for email, role in ((ADMIN, "admin"), (CASHIER, "cashier")):
            # A cheap hash keeps the suite fast; the app itself uses werkzeug's default.
            user = User(email=email, role=role,
                        password_hash=generate_password_hash(PASSWORD, "pbkdf2:sha256:1000"))
            db.session.add(user)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _release_clock():
    yield
    clock.freeze(None)


class Client:
    """The test client plus the CSRF token of its session, as a browser would have."""

    def __init__(self, client):
        self.raw = client
        self.token = None

    def get(self, url, htmx=False, **kwargs):
        headers = {"HX-Request": "true"} if htmx else {}
        return self.raw.get(url, headers=headers, **kwargs)

    def post(self, url, data=None, htmx=False, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self._token())
        headers = {"HX-Request": "true"} if htmx else {}
        return self.raw.post(url, data=data, headers=headers, **kwargs)

    def _token(self):
        if self.token is None:
            self.token = TOKEN.search(self.raw.get("/login").get_data(as_text=True)).group(1)
        return self.token

    def login(self, email=ADMIN, password=PASSWORD):
        response = self.post("/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture
def client(app):
    return Client(app.test_client())


@pytest.fixture
def admin_client(client):
    client.login(ADMIN)
    return client


@pytest.fixture
def cashier_client(app):
    c = Client(app.test_client())
    c.login(CASHIER)
    return c


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def user(email=ADMIN) -> User:
    return db.session.scalar(db.select(User).where(User.email == email))


@pytest.fixture
def make_customer(app):
    def make(name="Ana Pérez", identification="1.020.304", email="ana@example.com",
             phone="+57 300 555 0000"):
        with app.app_context():
            customer = customer_services.create_customer(
                {"name": name, "identification": identification, "email": email,
                 "phone": phone}, actor=user())
            db.session.commit()
            return customer.id
    return make


@pytest.fixture
def make_invoice(app, make_customer):
    """An invoice made through the service, as the counter would; returns its id."""
    def make(customer_id=None, payment_form="credito", lines=None, actor=ADMIN, due="2026-12-31"):
        customer_id = customer_id or make_customer()
        with app.app_context():
            from pos_notes.models import Customer
            invoice = invoice_services.create_invoice(
                customer=db.session.get(Customer, customer_id), payment_form=payment_form,
                due_date=datetime.fromisoformat(due).date() if payment_form == "credito" else None,
                observations="", actor=user(actor),
                lines=lines or [{"description": "Arroz 500 g", "quantity": Decimal(2),
                                 "unit_price": 3200}])
            db.session.commit()
            return invoice.id
    return make


@contextlib.contextmanager
def sqlite_write_lock_held_elsewhere(app):
    """Another program (a backup, a query tool) holds SQLite's write lock; meanwhile the
    app's writes wait 0.2 s for it (its busy timeout, shortened), then give up."""
    app.config["SQLITE_BUSY_TIMEOUT"] = 0.2
    with app.app_context():
        db.engine.dispose()  # the app's next connections take the short timeout
        path = db.engine.url.database
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def at(text: str) -> datetime:
    """An aware UTC moment from '2026-12-03 15:42'."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
