"""Security baseline: response headers, cookie flags, login throttling."""
from flask import Flask, abort, current_app, request
from flask_limiter import Limiter
from flask_login import current_user
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

# Ids are 32-bit integers in PostgreSQL: a larger number in a URL is simply not found.
MAX_ID = 2**31 - 1

# Scripts and styles only from our own files: no inline code, no eval, no framing.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

# In memory by default (one app server); RATELIMIT_STORAGE_URI="redis://host:6379" shares
# the counts between several app servers.
limiter = Limiter(get_remote_address, default_limits=[], headers_enabled=False)


class IdConverter(IntegerConverter):
    """<int:...> in our URLs: 1 to MAX_ID, so a huge number is a 404, not a database error."""

    def __init__(self, map, **kwargs):
        super().__init__(map, **{"min": 1, "max": MAX_ID, **kwargs})


def init_app(app: Flask) -> None:
    """Cookie flags, throttling, bounded ids, and the headers on every response.

    Call it before the blueprints are registered: their routes use the id converter.
    """
    app.url_map.converters["int"] = IdConverter
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:
        # Behind a reverse proxy: take the client's address and scheme from its headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.config.setdefault("SESSION_COOKIE_SECURE", False)  # True when served over HTTPS
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    # If the shared storage (Redis) goes down, count in memory meanwhile: logins go on.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    app.config.setdefault("LOGIN_LIMIT_PER_ADDRESS", "30 per 15 minutes")
    limiter.init_app(app)

    @app.before_request
    def refuse_nul_bytes():
        # No one types a NUL; PostgreSQL cannot store one. Refuse it before any form sees it.
        for values in (request.args, request.form):
            for key, value in values.items(multi=True):
                if "\x00" in key or "\x00" in value:
                    abort(400)

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def login_account_key() -> str:
    """The account a password is tried against, whether or not such a user exists: the
    login's email, or the logged-in user's when they change their password."""
    email = request.form.get("email") or getattr(current_user, "email", "")
    return "login-account:" + email.strip().lower()[:254]


def login_address_key() -> str:
    return "login-address:" + (get_remote_address() or "")


def failed_login(response) -> bool:
    """Only failed attempts count against the limits; a good login redirects."""
    return request.method == "POST" and response.status_code != 302


def account_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def address_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def throttle_login(view):
    """Failed password tries throttled per account and per address (429 once over
    either); the counts are shared by every view that checks a password."""
    view = limiter.shared_limit(account_limit, "login-account", key_func=login_account_key,
                                methods=["POST"], deduct_when=failed_login)(view)
    return limiter.shared_limit(address_limit, "login-address", key_func=login_address_key,
                                methods=["POST"], deduct_when=failed_login)(view)
