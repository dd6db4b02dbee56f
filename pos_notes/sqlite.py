"""SQLite tuned for several cashiers at once: WAL, a busy timeout, early write locks."""
from contextlib import contextmanager

from collections.abc import Mapping

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READING_ALONE = "sqlite_reading_alone"


def configure(engine: Engine, config: Mapping) -> None:
    """Attach the pragmas and the transaction start to a SQLite engine; `config` is the
    app's, read as each connection opens (SQLITE_BUSY_TIMEOUT, in seconds)."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let us issue BEGIN ourselves instead of pysqlite's lazy, lock-late one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(config['SQLITE_BUSY_TIMEOUT'] * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # A POST writes: its transaction takes the write lock at its first statement
        # (BEGIN IMMEDIATE, below), so two writers queue on busy_timeout instead of one
        # failing with "database is locked" when it upgrades a read lock.
        if not writing_request():
            connection.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def begin_immediate(connection, _cursor, statement, *_args):
        # A POST's transaction starts with its first statement, except those of
        # reading_alone() (the login check's read of the user), which run on their own:
        # the write lock is then not held while the session, the user and the form are
        # checked, so the other workers' notes are not kept waiting for them.
        if (writing_request() and not g.get(READING_ALONE) and not statement.startswith("BEGIN")
                and not connection.connection.dbapi_connection.in_transaction):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def writing_request() -> bool:
    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")


@contextmanager
def reading_alone():
    """Reads in this block run outside the request's transaction (and its write lock).

    Only for reads whose result may be a moment older than the transaction that follows,
    such as the logged-in user.
    """
    previous = g.get(READING_ALONE, False)
    setattr(g, READING_ALONE, True)
    try:
        yield
    finally:
        setattr(g, READING_ALONE, previous)
