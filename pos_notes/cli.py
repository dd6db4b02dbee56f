"""Command line: create users, load the demo shop."""
import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from .extensions import db
from .models import ROLES, Invoice, User


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(demo)


@click.command("create-user")
@click.argument("email")
@click.option("--password", required=True, help="The user's password.")
@click.option("--role", type=click.Choice(ROLES), default="cashier", show_default=True)
@with_appcontext
def create_user(email: str, password: str, role: str) -> None:
    """Create a user who can log in."""
    email = email.strip().lower()
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        raise click.ClickException(f"A user with email {email} already exists.")
    user = User(email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}.")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load a demo shop, unless the database already has invoices."""
    from . import demo as demo_data
    if db.session.scalar(select(func.count()).select_from(Invoice)):
        click.echo("The database already has invoices: demo data not loaded, nothing changed.")
    else:
        demo_data.load()
        click.echo("Demo shop loaded.")
    for email, password, role in demo_data.USERS:
        if db.session.scalar(select(User).where(User.email == email)):
            click.echo(f"  Demo {role}: {email} / {password}")
