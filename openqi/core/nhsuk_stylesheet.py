"""The NHS.UK frontend stylesheet the pages load, with no request to another host.

nhsuk-frontend's compiled CSS declares its Frutiger fonts with ``@font-face`` rules
that load them from the NHS CDN (https://assets.nhs.uk), so every page would ask
another host for them. Unless ``OPENQI_NHS_FONTS_CDN`` is on, this view serves that
CSS without those rules (what nhsuk-frontend's Sass builds with
``$nhsuk-include-font-face: false``): text falls back to Arial, the design system's
own fallback. It is derived from the installed package when first asked for, so
there is no Sass build step. Its icons' ``url(/assets/…)``, which assume the package
is served at the site's root, are pointed at the package's static files.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

SOURCE = "nhsuk/nhsuk-frontend.min.css"
ROUTE = "nhsuk-stylesheet"
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
_SOURCE_MAP = re.compile(r"/\*#\s*sourceMappingURL=[^*]*\*/\s*")
_ROOT_ASSETS = re.compile(r"""url\((["']?)/assets/""")


def _source() -> Path:
    # node_modules when it is there (development); else collectstatic's copy, as a
    # server needs node_modules only to install (docs/install.md).
    found = finders.find(SOURCE)
    if not found and staticfiles_storage.exists(SOURCE):
        found = staticfiles_storage.path(SOURCE)
    if not found:
        raise FileNotFoundError(
            f"{SOURCE} is not among the static files: run `make install` "
            "(npm ci installs nhsuk-frontend into node_modules)"
        )
    return Path(found)


@lru_cache(maxsize=4)
def _build(
    source: Path, modified: float, has_cdn_fonts: bool, static_url: str
) -> tuple[str, str]:
    """The stylesheet and a digest of it; ``modified`` renews the cache on an upgrade."""
    css = source.read_text(encoding="utf-8")
    if not has_cdn_fonts:
        css = _FONT_FACE.sub("", css)
    css = _SOURCE_MAP.sub("", css)  # the map describes the original, not this
    css = _ROOT_ASSETS.sub(rf"url(\1{static_url}nhsuk/assets/", css)
    return css, hashlib.sha256(css.encode()).hexdigest()[:12]


def _stylesheet() -> tuple[str, str]:
    source = _source()
    return _build(
        source,
        source.stat().st_mtime,
        settings.OPENQI_NHS_FONTS_CDN,
        settings.STATIC_URL,
    )


def stylesheet_url() -> str:
    """Where the pages load the NHS.UK stylesheet from (its digest in the name)."""
    return reverse(ROUTE, kwargs={"digest": _stylesheet()[1]})


@require_safe
@gzip_page
def stylesheet(request: HttpRequest, digest: str) -> HttpResponse:
    css, current = _stylesheet()
    if digest != current:  # a page from before an upgrade or a change of setting
        return redirect(stylesheet_url())
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
