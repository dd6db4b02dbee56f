"""Every route needs a login; every POST needs a CSRF token."""
import re

import pytest

from pos_notes import PUBLIC_ENDPOINTS, create_app

from .conftest import Client, _config

_app = create_app(_config("sqlite://"))
RULES = [rule for rule in _app.url_map.iter_rules() if rule.endpoint not in PUBLIC_ENDPOINTS]


def _url(rule):
    """The rule with every id set to 1: the records fixtures make first."""
    return re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)


@pytest.mark.parametrize("rule", [r for r in RULES if "GET" in r.methods], ids=str)
def test_get_route_requires_login(client, rule):
    response = client.get(_url(rule))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("rule", [r for r in RULES if "POST" in r.methods], ids=str)
def test_post_route_requires_login(client, rule):
    response = client.post(_url(rule), {})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("rule", [r for r in RULES if "POST" in r.methods], ids=str)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_post_without_csrf_token_is_refused(admin_client, make_invoice, rule, htmx):
    make_invoice()
    response = admin_client.post(_url(rule), {"text": "nota", "reason": "motivo"},
                                 csrf=False, htmx=htmx)
    assert response.status_code == 400
    assert "Recargue la página" in response.get_data(as_text=True)


def test_login_page_is_public_and_in_spanish(client):
    page = client.get("/login").get_data(as_text=True)
    for words in ("Correo electrónico", "Contraseña", "Ingresar"):
        assert words in page


def test_unknown_invoice_is_404(admin_client):
    assert admin_client.get("/invoices/999999").status_code == 404
    assert admin_client.post("/invoices/999999/annotations", {"text": "x"}).status_code == 404


@pytest.mark.parametrize("rule", [r for r in RULES if "POST" in r.methods], ids=str)
@pytest.mark.parametrize("token", ["missing", "bad-field", "bad-header", "other-session"])
def test_post_with_missing_or_bad_csrf_token_is_refused_and_changes_nothing(
        app, admin_client, make_invoice, make_customer, rule, token):
    from .test_security import FORM_DATA, snapshot, url_for_rule
    customer_id = make_customer()
    invoice_id = make_invoice(customer_id=customer_id)
    url = url_for_rule(rule, {"invoice_id": invoice_id, "customer_id": customer_id})
    before = snapshot(app)
    data, headers = dict(FORM_DATA), {"HX-Request": "true"}
    if token == "bad-field":
        data["csrf_token"] = admin_client._token()[:-4] + "AAAA"
    elif token == "bad-header":
        headers["X-CSRFToken"] = "not-a-token"
    elif token == "other-session":
        other = Client(app.test_client())
        data["csrf_token"] = other._token()  # valid, but for someone else's session
    response = admin_client.raw.post(url, data=data, headers=headers)
    assert response.status_code == 400
    assert "Recargue la página" in response.get_data(as_text=True)
    assert snapshot(app) == before
    assert admin_client.get("/invoices/").status_code == 200  # still logged in
