"""Several app servers over one database, as the README sets them up for a shop that grows:
two gunicorn servers (2 workers each), one secret key, and the login throttle's counts in
a real Redis server, so that a wrong password counts wherever the request lands."""
import signal
import uuid
from types import SimpleNamespace

import pytest

from .conftest import ADMIN, CASHIER, PASSWORD
from .redis_server import redis_server
from .test_load import Browser, Server, _annotations, _invoice

WRONG = "no-es-la-clave"


def _try_login(port: int, email: str, password: str) -> int:
    """One login attempt from a new browser, as a cashier at another till would make it."""
    return Browser(port).try_login(email, password)


@pytest.fixture
def servers(app, make_invoice, database_uri, tmp_path):
    """`start(**settings)` runs two servers over this test's database, which holds the
    users and one invoice (`invoice_id`)."""
    started = []

    def start(**settings):
        env = {f"POS_NOTES_{name}": value for name, value in settings.items()}
        started.extend(Server(database_uri, tmp_path / f"gunicorn-{n}.log", env)
                       for n in range(2))
        return started

    # The servers own the database from here on.
    yield SimpleNamespace(start=start, invoice_id=_invoice(app, make_invoice))
    for server in started:
        server.kill(signal.SIGTERM)


def test_failed_logins_on_either_server_count_together_through_redis(servers):
    with redis_server() as (url, redis_process):
        first, second = servers.start(RATELIMIT_STORAGE_URI=url)
        # Five wrong passwords, alternating servers (and whichever worker answers).
        assert [_try_login((first, second)[n % 2].port, ADMIN, WRONG)
                for n in range(5)] == [422] * 5
        # The sixth try waits on both servers, even with the right password.
        assert _try_login(first.port, ADMIN, PASSWORD) == 429
        assert _try_login(second.port, ADMIN, PASSWORD) == 429
        assert _try_login(second.port, CASHIER, PASSWORD) == 302  # other accounts go on

        # Redis goes away: the servers count in memory meanwhile; nobody gets a 500.
        redis_process.kill()
        redis_process.wait(timeout=10)
        assert _try_login(first.port, CASHIER, WRONG) == 422
        assert _try_login(second.port, CASHIER, PASSWORD) == 302


def test_without_redis_each_server_counts_on_its_own(servers):
    """Why the setting exists: in memory, five failures spread over two servers (three and
    two) leave the account open on both."""
    first, second = servers.start()
    assert [_try_login((first, second)[n % 2].port, ADMIN, WRONG)
            for n in range(5)] == [422] * 5
    assert _try_login(first.port, ADMIN, PASSWORD) == 302
    assert _try_login(second.port, ADMIN, PASSWORD) == 302


def test_a_session_and_a_note_from_one_server_are_good_on_the_other(servers, database_uri):
    first, second = servers.start()
    at_the_counter = Browser(first.port).login(CASHIER)
    note = f"anotada en un servidor {uuid.uuid4().hex[:8]}"
    status, _location, _page = at_the_counter.post(
        f"/invoices/{servers.invoice_id}/annotations", {
        "text": note, "idempotency_key": uuid.uuid4().hex})
    assert status == 302
    # The same browser (cookie and CSRF token) lands on the other server: still logged in.
    at_the_counter.port = second.port
    status, _location, page = at_the_counter.get(f"/invoices/{servers.invoice_id}/history")
    assert status == 200 and note in page
    assert _annotations(database_uri) == [note]
