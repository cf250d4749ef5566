"""E-mail that stays on this machine: in development the pages say so and show the link.

In core because pages of several apps send e-mail (an invitation is the
organisations app's, a password reset the accounts app's).

On a laptop (``make run``) e-mail goes to the console backend: it is printed in the
server's console, not sent. The pages that send one (an invitation, a password
reset) then say so, and show the link the message carries, so a newcomer can follow
it without a mail server. Both happen only in development: ``DEBUG`` on and a
backend that keeps mail here (console, or locmem in the tests). With ``DEBUG`` off
or a real backend (SMTP) the pages show neither.

``shows_mail_links`` wraps a view: the links in the e-mail it sends are kept in
the session, and ``local_mail(request)`` (a template global; the partial
``core/_local_mail.html`` shows it) hands them to the next page.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends import console
from django.http import HttpRequest
from django.http.response import HttpResponseBase

CONSOLE = "openqi.core.mail.ConsoleEmailBackend"
#: Backends that keep e-mail on this machine, and where it goes.
LOCAL_BACKENDS = {
    CONSOLE: "printed in the server's console",
    "django.core.mail.backends.console.EmailBackend": "printed in the server's console",
    "django.core.mail.backends.locmem.EmailBackend": "kept in the server's memory",
}
SESSION_KEY = "openqi_mail_links"
_LINK = re.compile(r"https?://\S+")
_capture = threading.local()


class ConsoleEmailBackend(console.EmailBackend):
    """Django's console backend, which also hands what it prints to ``sent_here``."""

    def send_messages(self, email_messages: Any) -> int:
        count = super().send_messages(email_messages)
        sent = getattr(_capture, "sent", None)
        if sent is not None:
            sent.extend(email_messages)
        return count


def where_mail_goes() -> str | None:
    """Where e-mail ends up in development ("printed in the server's console"); else None."""
    if not settings.DEBUG:
        return None
    return LOCAL_BACKENDS.get(settings.EMAIL_BACKEND)


@contextmanager
def sent_here() -> Iterator[list[EmailMessage]]:
    """The e-mail sent inside the block, in development; always empty otherwise."""
    sent: list[EmailMessage] = []
    if where_mail_goes() is None:
        yield sent
        return
    outbox = getattr(mail, "outbox", None)  # the locmem backend's
    already = len(outbox) if outbox is not None else 0
    _capture.sent = sent
    try:
        yield sent
    finally:
        _capture.sent = None
        if outbox is not None:
            sent.extend(outbox[already:])


def links_in(message: EmailMessage) -> list[str]:
    return _LINK.findall(str(message.body))


def shows_mail_links(view: Callable[..., HttpResponseBase]) -> Callable[..., Any]:
    """Keep the links in the e-mail ``view`` sends for the next page (development only)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with sent_here() as sent:
            response = view(request, *args, **kwargs)
        found = [
            {"to": ", ".join(message.to), "link": link}
            for message in sent
            for link in links_in(message)
        ]
        if found:
            request.session[SESSION_KEY] = found
        return response

    return wrapped


def local_mail(request: HttpRequest) -> dict[str, Any] | None:
    """Where e-mail goes and the links just sent, read once; None in production."""
    where = where_mail_goes()
    if where is None:
        return None
    session = getattr(request, "session", None)
    links = session.pop(SESSION_KEY, []) if session is not None else []
    return {"where": where, "links": links}
