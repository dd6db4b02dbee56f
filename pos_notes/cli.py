"""Command line: create users, load the demo shop, back up the database."""
import sqlite3
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from . import clock
from .extensions import db
from .models import ROLES, Invoice, User


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(demo)
    app.cli.add_command(backup)


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


@click.command("backup")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup(folder: Path | None) -> None:
    """Copy the SQLite database, consistent even while cashiers write, into FOLDER
    (default instance/backups), and check the copy."""
    if db.engine.dialect.name != "sqlite":
        raise click.ClickException("This database is PostgreSQL: back it up with pg_dump "
                                   "(pg_dump --format=custom ...), as its README says.")
    folder = folder or Path(current_app.instance_path) / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"pos_notes-{clock.now():%Y%m%d-%H%M%S}.db"
    # SQLite's online backup copies a consistent snapshot; writers wait only for its pages.
    source = sqlite3.connect(db.engine.url.database)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        invoices = copy.execute("SELECT count(*) FROM invoices").fetchone()[0]
    finally:
        copy.close()
        source.close()
    if check != "ok":
        raise click.ClickException(f"The copy {target} failed its integrity check: {check}")
    click.echo(f"Backup written: {target} ({invoices} invoices, integrity check ok).")
