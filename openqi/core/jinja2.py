"""The Jinja2 environment for every page: Django's helpers plus the NHS.UK macros.

Templates live in each app's ``templates/<app>/`` folder (house style); the
NHS.UK frontend component macros come from the ``nhsuk-frontend-jinja`` package
(``{% from "nhsuk/components/button/macro.jinja" import button %}``). Django form
fields are rendered through ``core/macros.html`` (``field``, ``error_summary``),
which uses the helpers below. Why Jinja2: docs/adr/0003.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.middleware.csrf import get_token
from django.template.backends.jinja2 import Jinja2
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.timezone import localtime
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader
from markupsafe import Markup

from openqi.core import icons, slots
from openqi.core.mail import local_mail
from openqi.core.nhsuk_stylesheet import stylesheet_url as nhsuk_stylesheet_url


class Jinja2Templates(Jinja2):
    """Django's Jinja2 backend, reading app templates from ``templates/`` as the house style asks.

    Only OpenQI's own apps: third-party apps (django-allauth) ship Django
    templates, which the Django engine after this one renders unless an OpenQI
    app overrides them in Jinja2.
    """

    app_dirname = "templates"

    @cached_property
    def template_dirs(self) -> tuple[Any, ...]:
        openqi = Path(__file__).resolve().parents[1]
        return tuple(
            folder
            for folder in super().template_dirs
            if not self.app_dirs
            or folder in self.dirs
            or Path(folder).resolve().is_relative_to(openqi)
        )


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def widget_kind(bound_field: forms.BoundField) -> str:
    """Which NHS.UK component renders this field (see core/macros.html)."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    if isinstance(widget, DayMonthYearWidget):
        return "date"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


def field_value(bound_field: forms.BoundField) -> str:
    """The field's value as the input should show it ('' for nothing)."""
    value = bound_field.value()
    if value is None:
        return ""
    formatted = bound_field.field.widget.format_value(value)
    return "" if formatted is None else str(formatted)


def choice_items(bound_field: forms.BoundField) -> list[dict[str, Any]]:
    """Items for the select, radios and checkboxes macros, with the chosen ones marked."""
    value = bound_field.value()
    chosen = (
        {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    )
    if value is None:
        chosen = set()
    items = []
    for choice_value, text in getattr(bound_field.field, "choices", ()):
        string = "" if choice_value is None else str(choice_value)
        is_chosen = string in chosen
        items.append(
            {
                "value": string,
                "text": str(text),
                "selected": is_chosen,
                "checked": is_chosen,
            }
        )
    return items


def date_parts(bound_field: forms.BoundField) -> dict[str, str]:
    """Day, month and year as typed (when bound) or from the initial date."""
    name = bound_field.html_name
    if bound_field.form.is_bound:
        data = bound_field.form.data
        return {
            part: data.get(f"{name}_{part}", "") for part in ("day", "month", "year")
        }
    value = bound_field.value()
    if isinstance(value, datetime.date):
        return {
            "day": str(value.day),
            "month": str(value.month),
            "year": str(value.year),
        }
    return {"day": "", "month": "", "year": ""}


def error_anchor(bound_field: forms.BoundField) -> str:
    """Where the error summary links for this field: its first input."""
    kind = widget_kind(bound_field)
    if kind == "date":
        return f"#{bound_field.auto_id}-day"
    return f"#{bound_field.auto_id}"


def _date(value: Any, fmt: str = "j F Y") -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime) and value.tzinfo:
        value = localtime(value)
    return date_format(value, fmt)


class DayMonthYearWidget(forms.MultiWidget):
    """Three boxes (day, month, year), the NHS.UK date input.

    Hands the field ``YYYY-M-D`` (or the partial text typed) so the ordinary
    ``DateField`` validation gives the error. Defined here so the template
    helpers can recognise it; forms import it from ``openqi.core.forms``.
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {"day": forms.TextInput, "month": forms.TextInput, "year": forms.TextInput},
            attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str | None:  # type: ignore[override]  # a string, not MultiWidget's list, so DateField parses and validates it
        day, month, year = (
            data.get(f"{name}_{part}", "").strip() for part in ("day", "month", "year")
        )
        if not (day or month or year):
            return None
        return f"{year}-{month}-{day}"

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(f"{name}_{part}" in data for part in ("day", "month", "year"))


class NHSUKLoader(PackageLoader):
    """nhsuk-frontend-jinja's templates, less the page template's inline script.

    ``nhsuk/template.jinja`` marks the body as having JavaScript with an inline
    ``<script>``, which the Content-Security-Policy refuses (no inline script);
    core/base.html loads ``core/js-enabled.js``, which does the same, instead.
    """

    PAGE = "nhsuk/template.jinja"
    _INLINE_SCRIPT = re.compile(r"<script\b.*?>document\.body\.className.*?</script>")

    def get_source(self, environment: Environment, template: str) -> Any:
        source, filename, uptodate = super().get_source(environment, template)
        if template == self.PAGE:
            source, found = self._INLINE_SCRIPT.subn("", source)
            if found != 1:
                raise RuntimeError(
                    f"{self.PAGE} no longer has the one inline script OpenQI takes "
                    "out (openqi/core/jinja2.py): check what the new nhsuk-frontend-jinja "
                    "does and that core/js-enabled.js still matches it"
                )
        return source, filename, uptodate


#: How many distinct component calls each process keeps (a header per person and
#: page, a tag per colour and text, ...): a few hundred kilobytes at most.
COMPONENT_CACHE_SIZE = 2048


class Components:
    """NHS.UK component macros called from Python, their HTML kept per parameters.

    The macros of nhsuk-frontend-jinja are pure functions of their parameters and
    general enough to be slow (each call builds its attributes through further
    macros): the header costs about 1.5 ms a page, a tag ~0.1 ms a row. A page calls
    ``nhsuk("header", {...})`` instead of ``header({...})`` for components it
    renders with the same parameters again and again; the first call renders
    through the macro and later ones read the HTML back (an LRU of
    :data:`COMPONENT_CACHE_SIZE` entries a process). Parameters must be plain JSON
    (text, numbers, lists, dicts); a part that differs on every request (the
    sign-out form's CSRF token) is passed as ``holes``: the macro renders a marker
    in its place, and the cached HTML has the value put back each time.
    """

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.render = functools.lru_cache(maxsize=COMPONENT_CACHE_SIZE)(self._render)

    def __call__(self, name: str, params: dict[str, Any], **holes: Any) -> Markup:
        # Keys keep their order: a macro writes an attributes dict in the order given.
        key = json.dumps(params, separators=(",", ":"))
        html = self.render(name, key)
        for hole, value in holes.items():
            html = html.replace(Markup(self.marker(hole)), Markup(value))
        return html

    @staticmethod
    def marker(hole: str) -> str:
        """The text a hole's value replaces: ``{"html": marker("sign_out")}``."""
        return f"<!--openqi-hole:{hole}-->"

    def _render(self, name: str, key: str) -> Markup:
        if not re.fullmatch(r"[a-z][a-z-]*(/[a-z][a-z-]*)?", name):
            raise ValueError(f"{name!r} is not an NHS.UK component name")
        module = self.env.get_template(f"nhsuk/components/{name}/macro.jinja").module
        macro = getattr(module, _macro_name(name.rsplit("/", 1)[-1]))
        return Markup(macro(json.loads(key)))


#: Components whose macro is not named after them in camel case.
_MACRO_NAMES = {"do-dont-list": "list"}


def _macro_name(component: str) -> str:
    """The macro a component's ``macro.jinja`` defines: "summary-list" → "summaryList"."""
    if component in _MACRO_NAMES:
        return _MACRO_NAMES[component]
    first, *rest = component.split("-")
    return first + "".join(part.capitalize() for part in rest)


def environment(**options: Any) -> Environment:
    loader = options.pop("loader")
    options["undefined"] = ChainableUndefined
    # Every template stays compiled (openqi/web/warm.py compiles them all at start-up):
    # Jinja2's default keeps 400, fewer than the pages and macros together may number.
    options.setdefault("cache_size", 5000)
    options["loader"] = ChoiceLoader([loader, NHSUKLoader("nhsuk_frontend_jinja")])
    env = Environment(**options)
    env.globals.update(
        {
            "static": static,
            # A folder (such as the NHS.UK assets) has no manifest entry of its
            # own, so templates build folder URLs from STATIC_URL.
            "STATIC_URL": settings.STATIC_URL,
            "nhsuk_stylesheet_url": nhsuk_stylesheet_url,
            "url": url,
            "csrf_token_value": get_token,
            "get_messages": messages.get_messages,
            "local_mail": local_mail,
            "widget_kind": widget_kind,
            "field_value": field_value,
            "choice_items": choice_items,
            "date_parts": date_parts,
            "error_anchor": error_anchor,
            "mdc_variation_icon": icons.variation_icon,
            "mdc_assurance_icon": icons.assurance_icon,
            "mdc_icon_symbols": icons.icon_symbols,
            # A place on the page a higher app fills (openqi/core/slots.py).
            "slot": slots.fill,
        }
    )
    components = Components(env)
    env.globals.update({"nhsuk": components, "nhsuk_hole": Components.marker})
    env.filters.update({"date": _date})
    return env
