"""The board report as a PDF: WeasyPrint lays out the report's print HTML.

One function, :func:`html_to_pdf`, so the engine can be swapped. The PDF is an
accessible tagged PDF (PDF/UA-1: headings, lists, tables and figures tagged, the
document's language and title in its metadata), A4 with the report's title at the
top of every page and "Page N of M" at the foot (``static/reports/print.css``).
Charts and icons are inline SVG and stay vector graphics.

Nothing is fetched from the network: the only resources the HTML may name are
``data:`` URLs and the application's own static files, read from disk.
WeasyPrint and the system libraries it needs (Pango, HarfBuzz: docs/install.md)
are imported on first use, so the rest of the application runs without them.
"""

from __future__ import annotations

import base64
import functools
import logging
import mimetypes
import re
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from django.conf import settings
from django.contrib.staticfiles import finders

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcherResponse

logger = logging.getLogger(__name__)
# WeasyPrint logs every step of every page at INFO; the server's log needs none of it.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

__all__ = ["LANGUAGE", "PDFUnavailable", "html_to_pdf", "local_fetcher"]

#: The document language written into the PDF when the HTML names none.
LANGUAGE = "en-GB"
#: Accessible tagged PDF; WeasyPrint writes the structure tree, MarkInfo and
#: DisplayDocTitle for it.
PDF_VARIANT = "pdf/ua-1"
PRINT_STYLESHEET = Path(__file__).resolve().parent / "static" / "reports" / "print.css"
#: Where relative URLs in the report's HTML resolve to: ``/static/…`` becomes
#: ``file:///static/…``, which :func:`local_fetcher` maps to the static file.
BASE_URL = "file:///"
SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation"


class PDFUnavailable(RuntimeError):
    """WeasyPrint cannot run here: the system libraries it needs are missing."""


@functools.cache
def _print_css() -> str:
    return PRINT_STYLESHEET.read_text(encoding="utf-8")


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string: quotes, backslashes and control
    characters escaped, so a report's title cannot end the rule."""
    escaped = re.sub(
        r'["\\\x00-\x1f\x7f]',
        lambda m: f"\\{ord(m.group()):x} ",
        " ".join(text.split()),
    )
    return f'"{escaped}"'


def _with_print_styles(html: str, title: str) -> str:
    """The HTML with the print stylesheet (unless it carries it already) and the
    running header last in its head, after (and so winning over) any other
    stylesheet it has."""
    css = _print_css()
    style = (
        f"<style>{'' if css in html else css}\n"
        f"@page {{ @top-left {{ content: {_css_string(title)}; }} }}</style>"
    )
    match = re.search(r"</head\s*>", html, flags=re.IGNORECASE)
    if match is None:
        return style + html
    return html[: match.start()] + style + html[match.start() :]


#: An inline SVG this long or longer (a chart, not an icon) is handed to WeasyPrint
#: as an image: see :func:`_charts_as_images`.
LARGE_SVG = 8_000
_SVG = re.compile(r"<svg\b[^>]*>.*?</svg\s*>", re.DOTALL | re.IGNORECASE)
_MARK_TOOLTIP = re.compile(
    r"(<(circle|path|rect|line|polygon|polyline|ellipse)\b[^>]*?)\s*>"
    r"\s*<title\b[^>]*>[^<]*</title>\s*</\2\s*>"
)


_SVG_NS = "http://www.w3.org/2000/svg"
#: Attributes that place one mark; marks alike in every other attribute merge.
_PLACING = {"cx", "cy", "d", "class"}
#: A quarter circle as a cubic Bézier curve: the control points' distance, a radius.
_KAPPA = 0.5523


def _mark_key(
    element: ElementTree.Element,
) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    if element.tag not in (f"{{{_SVG_NS}}}circle", f"{{{_SVG_NS}}}path"):
        return None
    if len(element) or "id" in element.attrib:
        return None
    if element.tag.endswith("path") and not element.get("d", "").lstrip().startswith(
        "M"
    ):
        return None
    rest = tuple(sorted((k, v) for k, v in element.attrib.items() if k not in _PLACING))
    return element.tag, rest


def _subpath(element: ElementTree.Element) -> str:
    if element.tag.endswith("path"):
        return element.get("d", "")
    x, y, r = (float(element.get(name, "0")) for name in ("cx", "cy", "r"))
    k = r * _KAPPA
    return (
        f"M{x + r:.2f} {y:.2f}C{x + r:.2f} {y + k:.2f} {x + k:.2f} {y + r:.2f} {x:.2f} {y + r:.2f}"
        f"C{x - k:.2f} {y + r:.2f} {x - r:.2f} {y + k:.2f} {x - r:.2f} {y:.2f}"
        f"C{x - r:.2f} {y - k:.2f} {x - k:.2f} {y - r:.2f} {x:.2f} {y - r:.2f}"
        f"C{x + k:.2f} {y - r:.2f} {x + r:.2f} {y - k:.2f} {x + r:.2f} {y:.2f}Z"
    )


def _merge_marks(parent: ElementTree.Element) -> None:
    """Runs of alike marks (a chart's points: circles, diamonds, triangles of one
    colour) drawn as one path each: the same marks, but WeasyPrint draws one
    shape where it drew hundreds, each with its own graphical state."""
    for element in list(parent):
        _merge_marks(element)
    children = list(parent)
    runs: list[list[ElementTree.Element]] = []
    keys: list[object] = []
    for child in children:
        key = _mark_key(child)
        if key is not None and runs and keys[-1] == key:
            runs[-1].append(child)
        else:
            runs.append([child])
            keys.append(key)
    if len(runs) == len(children):
        return
    for child in children:
        parent.remove(child)
    for run, run_key in zip(runs, keys, strict=True):
        if len(run) == 1 or run_key is None:
            parent.extend(run)
            continue
        merged = ElementTree.Element(f"{{{_SVG_NS}}}path")
        merged.attrib.update(
            (k, v) for k, v in run[0].attrib.items() if k not in _PLACING | {"r"}
        )
        merged.set("d", "".join(_subpath(mark) for mark in run))
        parent.append(merged)


def _chart_as_image(match: re.Match[str]) -> str:
    svg = match.group(0)
    if len(svg) < LARGE_SVG:
        return svg
    # A point's tooltip means nothing on paper.
    svg = _MARK_TOOLTIP.sub(r"\1/>", svg)
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError:
        return match.group(0)
    _merge_marks(root)
    # Written with a namespace prefix ("ns0:svg"): the same SVG to an XML parser.
    svg = ElementTree.tostring(root, encoding="unicode")
    title = root.find("{http://www.w3.org/2000/svg}title")
    alt = " ".join((title.text or "").split()) if title is not None else ""
    size = "".join(
        f' {name}="{escape(root.get(name, ""))}"'
        for name in ("width", "height")
        if root.get(name)
    )
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img class="openqi-print-chart" src="data:image/svg+xml;base64,{data}"'
        f' alt="{escape(alt)}"{size}>'
    )


def _charts_as_images(html: str) -> str:
    """Each chart's inline SVG as an SVG image: the same vector drawing (and its
    title as the figure's text alternative), but WeasyPrint then parses it with
    an XML parser and gives its thousands of marks no CSS cascade, which makes a
    report of 30 long charts several times faster to lay out."""
    return _SVG.sub(_chart_as_image, html)


def _static_file(url: str) -> Path | None:
    """The file on disk that ``url`` names among the app's static files, or None."""
    static_url = settings.STATIC_URL or "/static/"
    parts = urlsplit(url)
    if parts.scheme == "file" and not parts.netloc:
        prefix = urlsplit(static_url).path
        path = parts.path
    elif url.startswith(static_url) and "://" in static_url:
        # STATIC_URL on another host (a CDN): the same files are on this disk.
        prefix, path = static_url, url.split("?")[0].split("#")[0]
    else:
        return None
    if not path.startswith(prefix):
        return None
    relative = unquote(path[len(prefix) :])
    if not relative or any(part in ("", ".", "..") for part in relative.split("/")):
        return None
    found = finders.find(relative)
    if isinstance(found, str):
        return Path(found)
    # Under the manifest storage the name is hashed; collectstatic wrote it here.
    root = Path(settings.STATIC_ROOT).resolve()
    candidate = (root / relative).resolve()
    if candidate.is_relative_to(root) and candidate.is_file():
        return candidate
    return None


def _refuse(url: str) -> NoReturn:
    raise ValueError(
        f"refused to fetch {url[:200]!r}: a report's PDF reads only data: URLs "
        "and the application's own static files"
    )


@functools.cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        """data: URLs and the app's static files; every other URL is refused."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url[:5].lower() == "data:":
                # urllib decodes it in memory (its DataHandler); no socket opens.
                return super().fetch(url, headers)
            path = _static_file(url)
            if path is None:
                _refuse(url)
            content_type = (
                mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            )
            return URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return LocalFetcher


def local_fetcher() -> Any:
    """A WeasyPrint URL fetcher that never touches the network."""
    return _fetcher_class()(allowed_protocols={"data", "file"}, timeout=1)


def html_to_pdf(html: str, *, title: str) -> bytes:
    """The PDF of a whole HTML document (the report's print HTML).

    ``title`` is the document's title in the PDF's metadata (what a reader's
    window and a screen reader announce) and the running header of every page:
    the report's title, organisation and month. Raises :class:`PDFUnavailable`
    when WeasyPrint's system libraries are missing.
    """
    try:
        from weasyprint import HTML
    except OSError as error:  # Pango or HarfBuzz not found by WeasyPrint's cffi
        raise PDFUnavailable(
            f"WeasyPrint cannot load its system libraries ({error}); "
            f"install them: apt-get install {SYSTEM_PACKAGES}"
        ) from error
    document = HTML(
        string=_with_print_styles(_charts_as_images(html), title),
        base_url=BASE_URL,
        url_fetcher=local_fetcher(),
        media_type="print",
    ).render(pdf_variant=PDF_VARIANT)
    document.metadata.title = title
    if not document.metadata.lang:
        document.metadata.lang = LANGUAGE
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    return pdf
