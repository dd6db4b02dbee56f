"""Customer changes; each records its entry in the customer's timeline. No commits here."""
from ..extensions import db
from ..history import record_event
from ..models import Customer, User

FIELDS = ("name", "identification", "email", "phone", "address")


def create_customer(data: dict, *, actor: User) -> Customer:
    customer = Customer(**{field: (data.get(field) or "").strip() for field in FIELDS})
    db.session.add(customer)
    record_event("customer_created", actor=actor, customer=customer)
    return customer
