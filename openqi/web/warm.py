"""Work a server does once at start-up rather than on the first request of each page.

Every Jinja2 template is compiled to Python on first use (about 10 ms a template;
2 s for all of them) and the URL resolver is built on the first ``reverse``. A
restarted server would pay that on the first view of each page; :func:`warm_up`,
called by openqi/web/wsgi.py before the workers fork (gunicorn's ``preload_app``),
pays it once, so the first view after a restart costs what every later one does.
"""

from __future__ import annotations

from django.template import engines
from django.urls import get_resolver

#: The templates to compile: pages, partials and the NHS.UK macros they import.
TEMPLATE_SUFFIXES = (".html", ".jinja", ".txt", ".svg", ".xml")


def warm_up() -> int:
    """Compile every Jinja2 template and build the URL resolver; the number of
    templates compiled."""
    env = engines["jinja2"].env  # type: ignore[attr-defined]  # the Jinja2 backend's environment
    names = env.list_templates(
        filter_func=lambda name: name.endswith(TEMPLATE_SUFFIXES)
    )
    for name in names:
        env.get_template(name)
    get_resolver()._populate()  # noqa: SLF001  # what the first reverse() would do
    return len(names)
