"""Email out: through SMTP when a server is configured, else as .eml files in the outbox."""
from __future__ import annotations

import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from .. import clock


class MailError(Exception):
    """The message was not delivered; the text is for the user."""


def build_message(*, to: str, subject: str, body: str) -> EmailMessage:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    # The sender's domain, not socket.getfqdn(): that can stall on a closed network.
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(body)
    return message


def outbox_path() -> Path:
    return Path(current_app.config.get("MAIL_OUTBOX") or
                Path(current_app.instance_path) / "outbox")


def deliver(message: EmailMessage) -> Path | None:
    """Send the message; with no MAIL_SERVER, write it to the outbox and return the file."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return _write_outbox(message)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"],
                          local_hostname=config.get("MAIL_LOCAL_HOSTNAME"),
                          timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                # str(): POS_NOTES_* variables are parsed as JSON, so "123456" arrives as int.
                smtp.login(str(config["MAIL_USERNAME"]), str(config.get("MAIL_PASSWORD") or ""))
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        raise _refused(code, reply) from error
    except smtplib.SMTPResponseException as error:
        raise _refused(error.smtp_code, error.smtp_error) from error
    except (smtplib.SMTPException, OSError) as error:
        current_app.logger.warning("SMTP %s:%s unreachable: %r", config["MAIL_SERVER"],
                                   config["MAIL_PORT"], error)
        raise MailError(_("No se pudo conectar con el servidor de correo. No se envió ni se "
                          "registró nada; puede intentarlo de nuevo.")) from error
    return None


def _refused(code: int, reply: bytes | str) -> MailError:
    reply = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    current_app.logger.warning("SMTP refused the message: %s %s", code, reply)
    return MailError(_("El servidor de correo rechazó el mensaje (%(code)s %(reply)s). No se "
                       "envió ni se registró nada; puede intentarlo de nuevo.",
                       code=code, reply=reply[:200]))


def _write_outbox(message: EmailMessage) -> Path:
    folder = outbox_path()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{clock.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(message.as_bytes())
    return path
