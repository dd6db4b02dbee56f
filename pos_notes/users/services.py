"""The shop's users: the owner adds cashiers, changes roles and passwords, deactivates.
Nothing here commits."""
from flask_babel import gettext as _

from ..extensions import db
from ..models import User


class UserError(Exception):
    """A change to a user that cannot be made; the message is for the user."""


def create_user(*, email: str, role: str, password: str) -> User:
    user = User(email=email.strip().lower(), role=role)
    user.set_password(password)
    db.session.add(user)
    return user


def modify_user(user: User, *, role: str, active: bool, password: str | None,
                actor: User) -> bool:
    """Apply the owner's change; True if anything changed. The owner cannot demote or
    deactivate themselves, so the shop always keeps an active owner."""
    if user.id == actor.id and (role != "admin" or not active):
        raise UserError(_("No puede quitarse el rol de dueño ni desactivar su propia cuenta."))
    changed = (user.role, user.active) != (role, active) or bool(password)
    user.role, user.active = role, active
    if password:
        user.set_password(password)
    return changed
