"""Registrar abono and Reversar abono: the status follows the money, every movement is an
entry in the invoice's Historial, and nothing is ever deleted."""
import pytest
from sqlalchemy import func, select

from pos_notes import clock
from pos_notes.extensions import db
from pos_notes.models import HistoryEntry, Invoice, Payment

from .conftest import ADMIN, CASHIER, at


def _invoice(app, invoice_id):
    with app.app_context():
        return db.session.get(Invoice, invoice_id)


def _entries(app, invoice_id):
    with app.app_context():
        return list(db.session.scalars(select(HistoryEntry).where(
            HistoryEntry.invoice_id == invoice_id).order_by(HistoryEntry.id)))


def _payments(app, invoice_id):
    with app.app_context():
        return list(db.session.scalars(select(Payment).where(Payment.invoice_id == invoice_id)
                                       .order_by(Payment.id)))


def _pay(client, invoice_id, amount, paid_on="2026-12-03", method="efectivo"):
    return client.post(f"/invoices/{invoice_id}/payments",
                       {"amount": amount, "paid_on": paid_on, "method": method})


def test_status_follows_the_money_and_each_payment_is_an_entry(app, cashier_client,
                                                                make_invoice):
    invoice_id = make_invoice()  # credit, total $ 6.400
    page = cashier_client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Registrar abono" in page and "Por Cobrar" in page
    clock.freeze(at("2026-12-03 15:00"))

    response = _pay(cashier_client, invoice_id, "2.000", method="transferencia")
    assert response.status_code == 302
    invoice = _invoice(app, invoice_id)
    assert (invoice.paid, invoice.balance, invoice.status) == (2000, 4400, "pagada_parcialmente")
    payment = _entries(app, invoice_id)[-1]
    assert (payment.kind, payment.actor_email, payment.created_at) == (
        "payment", CASHIER, at("2026-12-03 15:00"))
    assert payment.data["amount"] == 2000 and payment.data["method"] == "transferencia"

    assert _pay(cashier_client, invoice_id, "$ 4.400").status_code == 302
    invoice = _invoice(app, invoice_id)
    assert (invoice.paid, invoice.balance, invoice.status) == (6400, 0, "pagada")
    page = cashier_client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Pagada" in page and "Registrar abono" not in page
    historial = cashier_client.get(f"/invoices/{invoice_id}/history", htmx=True)
    text = historial.get_data(as_text=True)
    assert text.count('data-kind="payment"') == 2
    assert "$ 2.000 · Transferencia" in text and "$ 4.400 · Efectivo" in text
    assert text.index("$ 4.400 · Efectivo") < text.index("$ 2.000 · Transferencia")


@pytest.mark.parametrize("amount, paid_on, method, message", [
    ("6.401", "2026-12-03", "efectivo", "no puede ser mayor que el saldo ($ 6.400)"),
    ("0", "2026-12-03", "efectivo", "mayor que cero"),
    ("-500", "2026-12-03", "efectivo", "Escriba un valor en pesos"),
    ("", "2026-12-03", "efectivo", "Escriba el valor del abono"),
    ("999999999999", "2026-12-03", "efectivo", "demasiado grande"),
    ("1.000", "2026-12-04", "efectivo", "no puede ser futura"),
    ("1.000", "2026-12-03", "trueque", "Elija un medio de pago"),
], ids=["over-payment", "zero", "negative", "empty", "absurd", "future", "method"])
def test_bad_payment_is_refused_and_records_nothing(app, admin_client, make_invoice, amount,
                                                    paid_on, method, message):
    invoice_id = make_invoice()
    clock.freeze(at("2026-12-03 20:00"))  # 3 p.m. in Bogotá
    response = _pay(admin_client, invoice_id, amount, paid_on, method)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _payments(app, invoice_id) == []
    assert _invoice(app, invoice_id).paid == 0
    assert [e.kind for e in _entries(app, invoice_id)] == ["created"]


def test_payments_on_paid_annulled_or_cash_invoices_are_refused(app, admin_client,
                                                                make_invoice):
    paid = make_invoice()
    assert _pay(admin_client, paid, "6.400").status_code == 302
    annulled = make_invoice()
    assert admin_client.post(f"/invoices/{annulled}/annul",
                             {"reason": "Venta duplicada"}).status_code == 302
    cash = make_invoice(payment_form="contado")
    for invoice_id, message in ((paid, "La factura ya está pagada."),
                                (annulled, "No se pueden registrar abonos en una factura anulada."),
                                (cash, "Solo las ventas a crédito reciben abonos.")):
        before = len(_entries(app, invoice_id))
        response = _pay(admin_client, invoice_id, "100")
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
        assert len(_entries(app, invoice_id)) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payment)) == 1


def test_credit_invoice_with_abonos_is_annulled_only_after_reversal(app, admin_client,
                                                                    cashier_client, make_invoice):
    invoice_id = make_invoice()
    assert _pay(admin_client, invoice_id, "1.500").status_code == 302
    [payment] = _payments(app, invoice_id)

    refused = admin_client.post(f"/invoices/{invoice_id}/annul", {"reason": "Error"})
    assert refused.status_code == 422
    assert "reverse los abonos antes de anularla" in refused.get_data(as_text=True)
    assert _invoice(app, invoice_id).status == "pagada_parcialmente"

    url = f"/invoices/{invoice_id}/payments/{payment.id}/reverse"
    assert cashier_client.post(url, {"reason": "Me equivoqué"}).status_code == 403
    assert "Reversar abono" not in cashier_client.get(
        f"/invoices/{invoice_id}").get_data(as_text=True)
    blank = admin_client.post(url, {"reason": "  "})
    assert blank.status_code == 422 and "no puede estar vacío" in blank.get_data(as_text=True)
    assert [e.kind for e in _entries(app, invoice_id)] == ["created", "payment"]

    assert admin_client.post(url, {"reason": "El cheque rebotó"}).status_code == 302
    invoice = _invoice(app, invoice_id)
    assert (invoice.paid, invoice.status) == (0, "por_cobrar")
    [payment] = _payments(app, invoice_id)  # still there, marked
    assert payment.reversed_at is not None and payment.reversal_reason == "El cheque rebotó"
    reversal = _entries(app, invoice_id)[-1]
    assert (reversal.kind, reversal.body, reversal.actor_email) == (
        "payment_reversed", "El cheque rebotó", ADMIN)
    assert reversal.data["amount"] == 1500 and reversal.data["payment_id"] == payment.id
    page = admin_client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Reversado" in page and "El cheque rebotó" in page

    again = admin_client.post(url, {"reason": "otra vez"})
    assert again.status_code == 422 and "ya fue reversado" in again.get_data(as_text=True)
    assert _invoice(app, invoice_id).paid == 0

    assert admin_client.post(f"/invoices/{invoice_id}/annul",
                             {"reason": "Error"}).status_code == 302
    assert _invoice(app, invoice_id).status == "anulada"


def test_reversal_keeps_partial_status_when_other_abonos_remain(app, admin_client, make_invoice):
    invoice_id = make_invoice()
    _pay(admin_client, invoice_id, "1.000")
    _pay(admin_client, invoice_id, "5.400")
    assert _invoice(app, invoice_id).status == "pagada"
    first, _second = _payments(app, invoice_id)
    admin_client.post(f"/invoices/{invoice_id}/payments/{first.id}/reverse",
                      {"reason": "Duplicado"})
    invoice = _invoice(app, invoice_id)
    assert (invoice.paid, invoice.status) == (5400, "pagada_parcialmente")


def test_reversing_another_invoices_payment_is_404(app, admin_client, make_invoice):
    one, other = make_invoice(), make_invoice()
    _pay(admin_client, one, "1.000")
    [payment] = _payments(app, one)
    response = admin_client.post(f"/invoices/{other}/payments/{payment.id}/reverse",
                                 {"reason": "x"})
    assert response.status_code == 404
    assert _payments(app, one)[0].reversed_at is None


def test_cash_invoice_shows_no_payment_form(admin_client, make_invoice):
    invoice_id = make_invoice(payment_form="contado")
    page = admin_client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Registrar abono" not in page and "Abonos" not in page


def test_a_repeated_payment_submission_records_one_abono(app, admin_client, make_invoice):
    invoice_id = make_invoice()  # credit, total $ 6.400
    page = admin_client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    key = page.split('name="idempotency_key"')[1].split('value="')[1].split('"')[0]
    data = {"amount": "1.000", "paid_on": "2026-12-03", "method": "efectivo",
            "idempotency_key": key}
    first = admin_client.post(f"/invoices/{invoice_id}/payments", data)
    again = admin_client.post(f"/invoices/{invoice_id}/payments", data)  # a double tap
    assert first.status_code == again.status_code == 302
    assert [p.amount for p in _payments(app, invoice_id)] == [1000]
    assert [e.kind for e in _entries(app, invoice_id)] == ["created", "payment"]
