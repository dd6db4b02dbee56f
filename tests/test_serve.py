"""`make serve`, the production server, as the README runs it: it migrates the database it
is pointed at (POS_NOTES_SQLALCHEMY_DATABASE_URI), then serves with gunicorn on HOST:PORT."""
import os
import signal
import subprocess
import time

import pytest
from sqlalchemy import create_engine, inspect, text

from .conftest import TEST_DB
from .pg import free_port
from .test_load import ROOT, Browser


@pytest.fixture
def empty_database_uri(request, tmp_path):
    """A database with no tables at all: the server must build it."""
    if TEST_DB == "sqlite":
        yield f"sqlite:///{tmp_path / 'tienda.db'}"
        return
    base, admin = request.getfixturevalue("postgres")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE tienda_nueva"))
    yield f"{base}/tienda_nueva"
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE tienda_nueva WITH (FORCE)"))


def test_make_serve_migrates_the_configured_database_then_serves(empty_database_uri, tmp_path):
    port = free_port()
    env = {name: value for name, value in os.environ.items()
           if name not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}  # not the outer make's jobs
    env.update(POS_NOTES_SQLALCHEMY_DATABASE_URI=empty_database_uri,
               POS_NOTES_SECRET_KEY="serve-test-secret")
    log = open(tmp_path / "serve.log", "wb")
    server = subprocess.Popen(["make", "serve", "HOST=127.0.0.1", f"PORT={port}"], cwd=ROOT,
                              env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, _location, page = Browser(port).get("/login")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
        assert status == 200 and "Ingresar" in page
        engine = create_engine(empty_database_uri)
        try:
            tables = set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
        assert {"alembic_version", "invoices", "history_entries", "users"} <= tables
        served = (tmp_path / "serve.log").read_text()
        assert "Running upgrade  -> 0001" in served  # migrated first
        while served.count("Booting worker") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # the second worker may boot after the first answered
            served = (tmp_path / "serve.log").read_text()
        assert served.count("Booting worker") == 2, served  # gunicorn, WORKERS=2 by default
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
