"""The person's reminders page, and the unsubscribe link in every reminder.

Neither belongs to an organisation. The reminders page is the signed-in
person's own (like their profile); the unsubscribe page needs no sign-in: the
signed token in its address names the one person whose choice it changes.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from openqi.accounts.models import User

from . import services
from .forms import ReminderChoiceForm
from .models import Frequency


@login_required
@require_http_methods(["GET", "POST"])
def choice(request: HttpRequest) -> HttpResponse:
    """Choose how often to get a reminder e-mail: daily, weekly or never."""
    user = cast(User, request.user)  # login_required: a signed-in person
    is_post = request.method == "POST"
    form = ReminderChoiceForm(
        request.POST if is_post else None,
        instance=services.choice_for(user, create=is_post),
    )
    if is_post and form.is_valid():
        saved = services.save_choice(form)
        messages.success(
            request,
            "You will get no reminder e-mails."
            if saved.frequency == Frequency.NONE
            else f"Saved: you will get a reminder e-mail "
            f"{'every day' if saved.frequency == Frequency.DAILY else 'once a week'} "
            "when something needs you.",
        )
        return redirect("reminders:choice")
    return render(
        request,
        "reminders/choice.html",
        {"form": form, "last_digest": services.last_digest(user)},
    )


# The signed token is the proof of who asks, not a cookie: mail programs send the
# one-click "unsubscribe" of RFC 8058 as a POST with neither cookie nor CSRF token.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Ask (GET) and stop reminders (POST) for the person the token names; a GET
    changes nothing, since mail scanners follow links."""
    user = services.user_for_token(token)
    if user is None:
        return render(request, "reminders/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        services.unsubscribe(user)
        return redirect(request.path)
    return render(
        request,
        "reminders/unsubscribe.html",
        {"is_unsubscribed": services.frequency_of(user) == Frequency.NONE},
    )
