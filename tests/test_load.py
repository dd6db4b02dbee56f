"""The real server under load and under a crash: gunicorn with 2 workers on loopback,
clients that log in and post annotations as browsers do. Nothing lost, nothing doubled."""
import http.client
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

from .conftest import ADMIN, CASHIER, FIGURES, PASSWORD, TOKEN
from .pg import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
CLIENTS, POSTS = 8, 100
ANSWERED = (http.client.HTTPException, OSError)  # the server went away mid-request


class Server:
    """gunicorn -w 2 serving app:app on a free 127.0.0.1 port, in its own process group."""

    def __init__(self, database_uri: str, log: Path, env: dict | None = None):
        self.port = free_port()
        env = {**os.environ, "POS_NOTES_SQLALCHEMY_DATABASE_URI": database_uri,
               "POS_NOTES_SECRET_KEY": "load-test-secret", **(env or {})}
        self.log = open(log, "ab")
        self.process = subprocess.Popen(
            [str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
             "--timeout", "60", "--no-control-socket", "app:app"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                if Browser(self.port).get("/login")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"gunicorn did not start; see {log}")
            time.sleep(0.1)

    def kill(self, sig=signal.SIGKILL) -> None:
        """Signal the master and every worker at once (kill -9 by default)."""
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)
        self.log.close()


class Browser:
    """Just enough of a browser: a session cookie and form posts, over plain HTTP."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""
        self.token = ""

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            page = response.read().decode()
        finally:
            connection.close()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, response.getheader("Location"), page

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, {"csrf_token": self.token, **form})

    def try_login(self, email, password) -> int:
        """One login attempt through the form; its status (302 when it worked)."""
        self.token = TOKEN.search(self.get("/login")[2]).group(1)
        return self.post("/login", {"email": email, "password": password})[0]

    def login(self, email=CASHIER):
        status = self.try_login(email, PASSWORD)
        assert status == 302, status
        return self


def _invoice(app, make_invoice) -> int:
    invoice_id = make_invoice()
    with app.app_context():
        from pos_notes.extensions import db
        db.engine.dispose()  # the server owns the database from here on
    return invoice_id


def _annotations(database_uri: str) -> list[str]:
    engine = create_engine(database_uri)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(text(
                "SELECT body FROM history_entries WHERE kind = 'annotation'")))
    finally:
        engine.dispose()


def _integrity(database_uri: str) -> str:
    engine = create_engine(database_uri)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                return connection.scalar(text("PRAGMA integrity_check"))
            # PostgreSQL: amcheck reads every table's pages and checks every B-tree index
            # against its table (heapallindexed: each row is found in each index).
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            tables = list(connection.scalars(text(
                "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r'")))
            damaged = [row for table in tables for row in connection.execute(
                text("SELECT * FROM verify_heapam(:t)"), {"t": table})]
            indexes = connection.scalars(text(
                "SELECT i.indexrelid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_am am ON am.oid = c.relam "
                "WHERE am.amname = 'btree' AND i.indrelid = ANY(:tables)"),
                {"tables": tables}).all()
            for index in indexes:  # raises on a damaged index
                connection.execute(text("SELECT bt_index_check(:i, true)"), {"i": index})
            return "ok" if tables and indexes and not damaged else f"damaged: {damaged}"
    finally:
        engine.dispose()


def _post_annotations(port, invoice_id, client, results, stop=None):
    """One cashier posting POSTS notes; records (text, status) of each answered post."""
    browser = Browser(port).login(CASHIER if client % 2 else ADMIN)
    for n in range(POSTS):
        if stop is not None and stop.is_set():
            return
        note = f"carga cliente {client} nota {n}"
        try:
            status, location, _page = browser.post(
                f"/invoices/{invoice_id}/annotations",
                {"text": note, "idempotency_key": uuid.uuid4().hex})
        except ANSWERED:
            if stop is not None:
                return  # the server was killed: this post got no answer
            raise
        results.append((note, status, location))


def _run_clients(port, invoice_id, results, stop=None):
    errors = []

    def client(number):
        try:
            _post_annotations(port, invoice_id, number, results, stop)
        except Exception as error:  # reported below, with the client that hit it
            errors.append((number, repr(error)))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    return threads, errors


def test_800_concurrent_annotations_through_gunicorn_are_all_stored_once(
        app, make_invoice, database_uri, tmp_path):
    invoice_id = _invoice(app, make_invoice)
    server = Server(database_uri, tmp_path / "gunicorn.log")
    results = []
    try:
        started = time.monotonic()
        threads, errors = _run_clients(server.port, invoice_id, results)
        for thread in threads:
            thread.join(timeout=300)
        elapsed = time.monotonic() - started
    finally:
        server.kill(signal.SIGTERM)
    assert errors == []
    statuses = [status for _note, status, _location in results]
    server_errors = sum(status >= 500 for status in statuses)
    stored = _annotations(database_uri)
    expected = {f"carga cliente {c} nota {n}" for c in range(CLIENTS) for n in range(POSTS)}
    FIGURES.append(f"load: {len(results)} annotation posts by {CLIENTS} clients through "
                   f"gunicorn -w 2 in {elapsed:.1f} s ({len(results) / elapsed:.0f}/s), "
                   f"5xx: {server_errors}, stored: {len(stored)}, "
                   f"lost: {len(expected - set(stored))}")
    assert server_errors == 0
    assert set(statuses) == {302}
    assert len(stored) == CLIENTS * POSTS == 800
    assert set(stored) == expected  # each exactly once: 800 distinct texts in 800 rows


def test_killed_server_loses_no_acknowledged_annotation(app, make_invoice, database_uri,
                                                        tmp_path):
    invoice_id = _invoice(app, make_invoice)
    server = Server(database_uri, tmp_path / "gunicorn.log")
    results, stop = [], threading.Event()
    try:
        threads, errors = _run_clients(server.port, invoice_id, results, stop)
        deadline = time.monotonic() + 60
        while len(results) < 250 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()  # kill -9, master and workers, in the middle of the load
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        if server.process.poll() is None:
            server.kill()
    assert errors == []
    acknowledged = {note for note, status, _location in results if status == 302}
    assert 250 <= len(acknowledged) < CLIENTS * POSTS  # killed mid-load, not before or after
    assert all(status == 302 for _note, status, _location in results)

    assert _integrity(database_uri) == "ok"
    restarted = Server(database_uri, tmp_path / "gunicorn-restarted.log")
    try:
        browser = Browser(restarted.port).login()
        status, _location, _page = browser.post(f"/invoices/{invoice_id}/annotations",
                                                {"text": "después del reinicio"})
        assert status == 302
        history = browser.get(f"/invoices/{invoice_id}/history")[2]
    finally:
        restarted.kill(signal.SIGTERM)
    stored = _annotations(database_uri)
    lost = acknowledged - set(stored)
    FIGURES.append(f"crash: kill -9 after {len(acknowledged)} acknowledged posts; "
                   f"{len(stored) - 1} stored before the restart; lost: {len(lost)}; "
                   "integrity check ok")
    assert lost == set()
    assert len(stored) == len(set(stored))  # nothing doubled either
    assert "después del reinicio" in history


def test_the_same_key_posted_at_once_by_eight_threads_creates_one_entry(
        app, make_invoice, database_uri, tmp_path):
    invoice_id = _invoice(app, make_invoice)
    server = Server(database_uri, tmp_path / "gunicorn.log")
    key, answers = uuid.uuid4().hex, []
    try:
        browser = Browser(server.port).login()
        barrier = threading.Barrier(CLIENTS)

        def tap():
            twin = Browser(server.port)
            twin.cookie, twin.token = browser.cookie, browser.token
            barrier.wait()
            answers.append(twin.post(f"/invoices/{invoice_id}/annotations",
                                     {"text": "doble toque", "idempotency_key": key})[:2])

        threads = [threading.Thread(target=tap) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        server.kill(signal.SIGTERM)
    assert len(answers) == CLIENTS
    assert {status for status, _location in answers} == {302}
    assert len({location for _status, location in answers}) == 1
    assert _annotations(database_uri) == ["doble toque"]

