"""pos_notes: POS sales invoices with a Historial a shop can trust."""
import os
import secrets
from contextlib import nullcontext
from pathlib import Path

from flask import Flask, redirect, request, session, url_for
from flask_login import current_user

from .extensions import babel, csrf, db, login_manager, migrate
from .search import not_search_index

# Endpoints reachable without logging in; everything else requires a user.
PUBLIC_ENDPOINTS = {"auth.login", "static", "healthz"}


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(app.instance_path) / 'pos_notes.db'}",
        TIMEZONE="America/Bogota",
        LANGUAGES=["es_CO", "en"],
        SHOP_NAME="Mi Tienda",
        # No MAIL_SERVER: reminders by email are written to instance/outbox/ as .eml files.
        MAIL_SERVER=None,
        MAIL_PORT=587,
        MAIL_USE_TLS=True,
        MAIL_USERNAME=None,
        MAIL_PASSWORD=None,
        MAIL_DEFAULT_SENDER="pos_notes@localhost",
        MAIL_TIMEOUT=5,
        REMINDER_COOLDOWN_HOURS=24,
        SQLITE_BUSY_TIMEOUT=10,  # seconds a write waits for another before giving up
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=256 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("POS_NOTES")
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app)
    on_sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    if not on_sqlite:
        # A database server restarts (an upgrade, a failover) under the running app: each
        # pooled connection is checked as it is taken, and a dead one replaced.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {}).setdefault("pool_pre_ping", True)
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["LANGUAGES"][0]
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"),
                     include_name=not_search_index)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    sqlite = None
    if on_sqlite:
        from . import sqlite
        with app.app_context():
            sqlite.configure(db.engine, app.config)

    from . import (auth, cli, customers, errors, formatting, history, invoices, payments,
                   reminders, security, settings, static_files, users)
    security.init_app(app)  # before the blueprints: their routes use its id converter
    app.register_blueprint(auth.bp)
    app.register_blueprint(invoices.bp)
    app.register_blueprint(customers.bp)
    app.register_blueprint(payments.bp)
    app.register_blueprint(reminders.bp)
    app.register_blueprint(settings.bp)
    app.register_blueprint(users.bp)
    app.register_blueprint(errors.bp)
    formatting.init_app(app)
    static_files.init_app(app)
    history.init_app(app)
    cli.init_app(app)

    @app.before_request
    def require_login():
        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        # On SQLite a POST's write lock waits for the view: the user is read on its own.
        with sqlite.reading_alone() if sqlite else nullcontext():
            authenticated = current_user.is_authenticated
        return None if authenticated else login_manager.unauthorized()

    @app.route("/")
    def index():
        return redirect(url_for("invoices.list_invoices"))

    @app.get("/healthz")
    def healthz():
        """Liveness for a load balancer, and the benchmark's floor: no session, no query."""
        return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}

    return app


def _instance_secret(app: Flask) -> str:
    """A generated secret kept in instance/, so sessions survive restarts."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        os.chmod(path, 0o600)
    return path.read_text().strip()


def _select_locale() -> str:
    """The user's chosen language, remembered on their record; Spanish by default."""
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    return session.get("locale") or "es_CO"
