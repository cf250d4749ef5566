"""The Jinja2 environment for every page: Django's helpers plus the NHS.UK macros.

Templates live in each app's ``templates/<app>/`` folder (house style); the
NHS.UK frontend component macros come from the ``nhsuk-frontend-jinja`` package
(``{% from "nhsuk/components/button/macro.jinja" import button %}``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.middleware.csrf import get_token
from django.template.backends.jinja2 import Jinja2
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader


class Jinja2Templates(Jinja2):
    """Django's Jinja2 backend, reading app templates from ``templates/`` as the house style asks."""

    app_dirname = "templates"


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options: Any) -> Environment:
    loader = options.pop("loader")
    options["undefined"] = ChainableUndefined
    options["loader"] = ChoiceLoader([loader, PackageLoader("nhsuk_frontend_jinja")])
    env = Environment(**options)
    env.globals.update(
        {
            "static": static,
            "url": url,
            "csrf_token_value": get_token,
            "get_messages": messages.get_messages,
        }
    )
    env.filters.update(
        {
            "date": lambda value, fmt="j F Y": (
                date_format(
                    localtime(value)
                    if hasattr(value, "tzinfo") and value.tzinfo
                    else value,
                    fmt,
                )
                if value
                else ""
            ),
        }
    )
    return env
