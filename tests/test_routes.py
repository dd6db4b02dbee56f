"""Every route needs a login; every POST needs a CSRF token."""
import pytest

from pos_notes import PUBLIC_ENDPOINTS, create_app

from .conftest import _config

_app = create_app(_config("sqlite://"))
RULES = [rule for rule in _app.url_map.iter_rules() if rule.endpoint not in PUBLIC_ENDPOINTS]


def _url(rule):
    return rule.rule.replace("<int:", "<").replace("<invoice_id>", "1") \
        .replace("<customer_id>", "1").replace("<payment_id>", "1").replace("<reminder_id>", "1")


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
