"""htmx keeps working under the strict Content-Security-Policy, and hostile notes stay text."""
from playwright.sync_api import expect

WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
"""


def test_htmx_works_under_the_csp_and_hostile_notes_render_as_text(
        page, live_server, logged_in, make_invoice):
    invoice_id = make_invoice()
    page.add_init_script(WATCH_CSP)
    refused, dialogs = [], []
    page.on("console", lambda message: "Content Security Policy" in message.text
            and refused.append(message.text))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    logged_in()
    response = page.goto(f"{live_server}/invoices/{invoice_id}")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    with page.expect_response(f"**/invoices/{invoice_id}/history"):
        page.get_by_text("Historial", exact=True).click()
    entries = page.locator(f"#entries-invoice-{invoice_id} > li")
    expect(entries).to_have_count(1)
    page.evaluate("window.__samePage = true")
    hostile = '<img src=x onerror=alert(1)> <script>alert(2)</script> {{7*7}} hx-get="/logout"'
    page.get_by_label("Anotación").fill(hostile)
    page.get_by_role("button", name="Guardar").click()
    expect(entries.first).to_contain_text(hostile)  # shown exactly as typed
    expect(entries).to_have_count(2)
    assert page.evaluate("window.__samePage") is True  # saved by htmx, no page load
    assert entries.first.locator("img, script").count() == 0
    assert page.get_by_text("Salir").is_visible()  # the hx-get="/logout" did nothing

    assert dialogs == []
    assert page.evaluate("window.__cspViolations") == []
    assert refused == []
