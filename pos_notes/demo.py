"""A believable demo shop: two users, ten customers, forty invoices with their histories."""
import random
from datetime import timedelta
from decimal import Decimal

from . import clock
from .customers.services import create_customer
from .extensions import db
from .invoices import services
from .models import User

USERS = [("dueno@tienda.demo", "demo1234", "admin"), ("cajero@tienda.demo", "demo1234", "cashier")]

CUSTOMERS = [
    ("María Fernanda Gómez", "52.431.876", "maria.gomez@example.com", "+57 310 555 0101"),
    ("Tienda Don Pepe S.A.S.", "900.123.456-7", "compras@donpepe.example.com", "+57 601 555 0102"),
    ("Carlos Andrés Rojas", "80.765.432", "carlos.rojas@example.com", "+57 315 555 0103"),
    ("Luz Marina Restrepo", "43.210.987", "luzmarina@example.com", "+57 300 555 0104"),
    ("Restaurante El Fogón", "901.555.222-1", "pagos@elfogon.example.com", "+57 604 555 0105"),
    ("Jorge Iván Castaño", "71.345.678", "", "+57 311 555 0106"),
    ("Ana Lucía Martínez", "1.020.304.050", "ana.martinez@example.com", "+57 320 555 0107"),
    ("Panadería La Espiga", "900.987.654-3", "laespiga@example.com", "+57 602 555 0108"),
    ("Pedro Pablo Ospina", "79.111.222", "pedro.ospina@example.com", ""),
    ("Consumidor final", "222222222222", "", ""),
]

PRODUCTS = [("Arroz Diana 500 g", 3200), ("Aceite Premier 1 L", 14900), ("Café Sello Rojo 250 g", 9800),
            ("Huevos AA x 30", 21500), ("Leche Alpina 1 L", 4600), ("Panela 500 g", 3500),
            ("Azúcar Manuelita 1 kg", 5200), ("Jabón Rey x 3", 6900), ("Gaseosa 1.5 L", 6500),
            ("Pan tajado", 7200), ("Atún Van Camps", 7900), ("Chocolate Corona 250 g", 8400)]

NOTES = ["El cliente pidió factura electrónica a su correo.", "Entregado a domicilio.",
         "Cliente dice que paga el viernes.", "Se revisó el cambio con el cliente.",
         "Llamó para confirmar el saldo.", "Pagará con transferencia Nequi."]


def load(seed: int = 7) -> None:
    """Create the demo shop through the same services the app uses."""
    rng = random.Random(seed)
    users = []
    for email, password, role in USERS:
        user = User(email=email, role=role)
        user.set_password(password)
        db.session.add(user)
        users.append(user)
    db.session.flush()
    owner, cashier = users
    start = clock.now() - timedelta(days=60)
    try:
        clock.freeze(start)
        customers = [create_customer({"name": n, "identification": i, "email": e, "phone": p},
                                     actor=owner) for n, i, e, p in CUSTOMERS]
        db.session.flush()
        for k in range(40):
            moment = start + timedelta(days=1 + k * 1.4, hours=rng.randint(0, 8),
                                       minutes=rng.randint(0, 59))
            clock.freeze(moment)
            actor = rng.choice(users)
            credit = k % 3 != 0
            lines = [{"description": d, "quantity": Decimal(rng.randint(1, 4)), "unit_price": p}
                     for d, p in rng.sample(PRODUCTS, rng.randint(1, 4))]
            invoice = services.create_invoice(
                customer=rng.choice(customers[:-1] if credit else customers),
                payment_form="credito" if credit else "contado",
                due_date=(moment + timedelta(days=30)).date() if credit else None,
                observations="", lines=lines, actor=actor)
            db.session.flush()
            _later_movements(rng, invoice, k, moment, owner, users)
            db.session.flush()
        db.session.commit()
    finally:
        clock.freeze(None)


def _later_movements(rng, invoice, k, moment, owner, users) -> None:
    def step(hours):
        clock.freeze(moment + timedelta(hours=hours))
    if rng.random() < 0.5:
        step(rng.randint(1, 30))
        services.add_annotation(invoice, text=rng.choice(NOTES), actor=rng.choice(users))
    if k % 7 == 1:
        step(40)
        lines = [{"description": line.description, "quantity": line.quantity + 1,
                  "unit_price": line.unit_price} for line in invoice.lines]
        services.modify_invoice(invoice, customer=invoice.customer, due_date=invoice.due_date,
                                observations="Se agregó una unidad más.", lines=lines,
                                actor=owner)
    if invoice.payment_form == "credito" and k % 3 == 1:
        step(72)
        services.register_payment(invoice, amount=invoice.total // 2,
                                  paid_on=clock.now().date(), method="efectivo", actor=owner)
    if invoice.payment_form == "credito" and k % 6 == 2:
        step(96)
        services.register_payment(invoice, amount=invoice.balance, paid_on=clock.now().date(),
                                  method="transferencia", actor=owner)
    if k % 9 == 3:  # cash sales: annulled without reversing abonos
        step(120)
        services.annul_invoice(invoice, reason="Error en la digitación de los productos.",
                               actor=owner)
        step(121)
        services.add_annotation(invoice, text="Se volvió a facturar correctamente.",
                                actor=owner)
