"""The board report's PDF (openqi/reports/pdf.py): tagged and titled, page numbers
and the running header on every page, charts as vector graphics, and nothing
fetched from the network."""

from __future__ import annotations

import base64
import datetime
import re
import socket
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any
from unittest.mock import patch
from xml.etree import ElementTree

import numpy as np
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openqi.measures.charts import number_text
from openqi.measures.models import Measure
from openqi.reports import pdf as report_pdf
from openqi.reports import pdf_views
from openqi.reports.models import BoardReport
from openqi.reports.pdf import PDFUnavailable, html_to_pdf, local_fetcher
from openqi.spc import xmr
from openqi.spc.render_chart import render_svg
from tests.base import BaseTestCase
from tests.reports.pdf_reading import (
    need_pdf_tools,
    pdf_info,
    pdf_objects,
    pdf_text,
    squeezed,
)
from tests.reports.report_helpers import (
    SHIFT_UP,
    STEADY,
    add_entry,
    make_charted_measure,
    make_report,
    published_report,
)

TITLE = "Board report, March 2026 — Riverside University Hospitals"


@pytest.fixture
def _pdf_tools() -> None:
    need_pdf_tools()


pytestmark = pytest.mark.usefixtures("_pdf_tools")


def _chart(number: int) -> str:
    values = np.random.default_rng(number).normal(50, 5, 24)
    periods = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(24)]
    result = xmr(values, periods=periods)
    return render_svg(
        result, title=f"Chart of measure {number}", id_prefix=f"m{number}-"
    )


def _document(sections: int = 2, *, lang: str | None = "en-GB", head: str = "") -> str:
    body = "".join(
        f"<section><h2>Measure {n}</h2><figure>{_chart(n)}</figure>"
        f"<p>Latest value {n}0.5, common cause variation.</p></section>"
        for n in range(1, sections + 1)
    )
    lang_attribute = f' lang="{lang}"' if lang else ""
    return (
        f"<!doctype html><html{lang_attribute}><head><meta charset='utf-8'>"
        f"<title>Board report</title>{head}</head>"
        f"<body><h1>Board report, March 2026</h1>{body}</body></html>"
    )


def test_the_pdf_is_tagged_for_accessibility_with_its_title_and_language() -> None:
    pdf = html_to_pdf(_document(), title=TITLE)

    assert pdf.startswith(b"%PDF-")
    info = pdf_info(pdf)
    assert info["Tagged"] == "yes"
    assert info["Title"] == TITLE
    objects = pdf_objects(pdf)
    assert b"/StructTreeRoot" in objects
    assert b"/MarkInfo <</Marked true>>" in objects
    assert b"/DisplayDocTitle true" in objects
    assert b"/Lang (en-GB)" in objects
    assert b"pdfuaid:part" in objects  # the PDF/UA-1 claim in the XMP metadata
    # Headings are tagged as headings, and each chart as a figure whose
    # alternative text is the chart's own title.
    assert objects.count(b"/S /H1") == 1
    assert objects.count(b"/S /H2") == 2
    assert objects.count(b"/S /Figure") == 2
    assert b"/Alt (Chart of measure 1)" in objects


def test_a_document_without_a_language_is_marked_british_english() -> None:
    objects = pdf_objects(html_to_pdf(_document(lang=None), title=TITLE))

    assert b"/Lang (en-GB)" in objects


def test_every_page_has_the_report_title_and_page_n_of_m() -> None:
    pdf = html_to_pdf(_document(sections=6), title=TITLE)

    pages = pdf_text(pdf).split("\f")[:-1]  # pdftotext ends each page with a form feed
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert TITLE in page
        assert f"Page {number} of {len(pages)}" in page


def test_charts_stay_vector_graphics_with_their_text() -> None:
    pdf = html_to_pdf(_document(sections=1), title=TITLE)

    assert b"/Subtype /Image" not in pdf_objects(pdf)
    text = squeezed(pdf_text(pdf))
    assert "Chart of measure 1" in text  # drawn as text, not pixels
    assert "Latest value 10.5, common cause variation." in text


def test_a_title_cannot_break_out_of_the_header_rule() -> None:
    title = 'Report "March" \\ } body { display: none } /*'
    pdf = html_to_pdf(_document(sections=1), title=title)

    text = squeezed(pdf_text(pdf))
    assert title in text
    assert "Board report, March 2026" in text
    assert pdf_info(pdf)["Title"] == title


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every attempt to look up a host or open a connection, refused and recorded."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("the PDF tests allow no network access")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts


def test_no_request_leaves_the_machine(connections: list[Any]) -> None:
    head = (
        '<link rel="stylesheet" href="https://example.org/remote.css">'
        '<link rel="stylesheet" href="http://example.org/plain.css">'
        "<style>@import url('https://example.org/imported.css');"
        "h1 { background: url('https://example.org/background.png') }</style>"
    )
    html = _document(sections=1, head=head).replace(
        "<h1>",
        '<img src="https://example.org/logo.png" alt="Logo">'
        '<img src="ftp://example.org/logo.png" alt="Old logo">'
        '<img src="file:///etc/hostname" alt="A file">'
        '<img src="//example.org/relative.png" alt="Another host">'
        "<h1>",
    )

    pdf = html_to_pdf(html, title=TITLE)

    assert connections == []
    assert "Board report, March 2026" in pdf_text(pdf)


def test_the_fetcher_reads_data_urls_and_static_files_and_refuses_the_rest(
    connections: list[Any],
) -> None:
    fetcher = local_fetcher()

    css = fetcher.fetch("file:///static/reports/print.css")
    assert css.read() == report_pdf.PRINT_STYLESHEET.read_bytes()
    assert css.content_type == "text/css"
    assert fetcher.fetch("data:text/plain;base64,T3BlblFJ").read() == b"OpenQI"
    for url in (
        "https://example.org/remote.css",
        "http://127.0.0.1:8000/static/reports/print.css",
        "ftp://example.org/file",
        "file:///etc/hostname",
        "file:///static/../../../../etc/hostname",
        "file:///static/reports/%2e%2e/%2e%2e/%2e%2e/pdf.py",
        "file:///static/reports/no-such-file.css",
        "file://example.org/static/reports/print.css",
    ):
        with pytest.raises(ValueError, match="refused to fetch"):
            fetcher.fetch(url)
    assert connections == []


def test_missing_system_libraries_are_named_with_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import builtins

    real_import = builtins.__import__

    def without_pango(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_pango)
    with pytest.raises(report_pdf.PDFUnavailable, match="apt-get install libpango"):
        html_to_pdf(_document(sections=1), title=TITLE)


def test_the_print_stylesheet_is_the_apps_own_static_file() -> None:
    assert report_pdf.PRINT_STYLESHEET == (
        Path(report_pdf.__file__).parent / "static" / "reports" / "print.css"
    )
    assert "counter(pages)" in report_pdf.PRINT_STYLESHEET.read_text()


# The PDF download of a board report -------------------------------------------


def _page_text(html: str) -> str:
    """A page's visible words, tags dropped, white space squeezed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return squeezed(unescape(re.sub(r"<[^>]+>", " ", text)))


def _without_icon_letters(text: str) -> str:
    """The PDF's text without the Making Data Count icons' letters (H, L, P, F),
    which pdftotext's layout puts amid the line the icon stands beside."""
    return squeezed(re.sub(r"(?<!\S)[HLPF](?!\S)", " ", text))


class ReportPdfTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.falls = make_charted_measure(
            cls.org,
            "Falls with harm",
            SHIFT_UP,
            owner=cls.member,
            improvement=Measure.Improvement.DECREASE,
            target=9,
        )
        cls.sepsis = make_charted_measure(
            cls.org,
            "Sepsis screening",
            STEADY,
            improvement=Measure.Improvement.INCREASE,
            target=30,
        )
        cls.report = published_report(
            cls.org,
            datetime.date(2025, 4, 1),
            measures=[cls.falls, cls.sepsis],
            by=cls.qi_lead,
        )

    def setUp(self) -> None:
        need_pdf_tools()
        cache.clear()

    def _url(self, report: BoardReport) -> str:
        return reverse(
            "reports:report_pdf", kwargs={"slug": self.org.slug, "pk": report.pk}
        )

    def _download(self, report: BoardReport) -> bytes:
        response = self.client.get(self._url(report))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        return bytes(response.content)

    def test_the_pdf_shows_the_figures_of_the_measure_pages(self) -> None:
        self.sign_in(self.viewer)
        pdf = self._download(self.report)

        text = _without_icon_letters(pdf_text(pdf))
        for measure in (self.falls, self.sepsis):
            page = self.client.get(
                reverse(
                    "measures:detail", kwargs={"slug": self.org.slug, "pk": measure.pk}
                )
            )
            shown = _page_text(page.content.decode())
            variation = re.search(r"Variation\. (.+?\.)", shown)
            assurance = re.search(r"Assurance\. (.+?\.)(?= [A-Z]|$)", shown)
            assert variation is not None and assurance is not None, shown[:400]
            point = measure.points.latest("period")
            latest = f"{number_text(point.value, measure)} ({point.period:%B %Y})"
            with self.subTest(measure=measure.name):
                self.assertIn(measure.name, text)
                self.assertIn(f"Variation. {variation.group(1)}", text)
                self.assertIn(f"Assurance. {assurance.group(1)}", text)
                self.assertIn(f"Latest: {latest}", text)
        # The shift upwards in falls (lower is better) is a concern, listed first.
        self.assertIn("Special cause concern", text)
        self.assertIn("Page 1 of", text)
        self.assertIn(
            "Falls with harm", text.split("Concerns and failing assurance")[1]
        )

    def test_the_pdf_is_a_tagged_download_named_after_the_month(self) -> None:
        self.sign_in(self.member)
        response = self.client.get(self._url(self.report))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="board-report-2025-04.pdf"',
        )
        info = pdf_info(bytes(response.content))
        self.assertEqual(info["Tagged"], "yes")
        self.assertEqual(
            info["Title"], "Board report, April 2025 — Northfield Hospitals NHS Trust"
        )
        pages = pdf_text(bytes(response.content)).split("\f")[:-1]
        for number, page in enumerate(pages, start=1):
            self.assertIn(info["Title"], page)
            self.assertIn(f"Page {number} of {len(pages)}", page)

    def test_a_published_reports_pdf_is_made_once(self) -> None:
        self.sign_in(self.viewer)
        with patch.object(
            pdf_views, "html_to_pdf", wraps=pdf_views.html_to_pdf
        ) as making:
            first = self._download(self.report)
            with CaptureQueriesContext(connection) as queries:
                second = self._download(self.report)

        self.assertEqual(making.call_count, 1)
        self.assertEqual(first, second)
        # The person's memberships (and session), and the report: no snapshot read.
        self.assertLessEqual(len(queries), 4, [q["sql"] for q in queries])

    def test_a_drafts_pdf_shows_it_as_it_is_now_to_who_may_see_the_draft(self) -> None:
        draft = make_report(self.org, datetime.date(2025, 5, 1))
        add_entry(draft, self.sepsis)
        self.sign_in(self.qi_lead)

        with patch.object(
            pdf_views, "html_to_pdf", wraps=pdf_views.html_to_pdf
        ) as making:
            text = squeezed(pdf_text(self._download(draft)))
            self._download(draft)
        self.assertEqual(making.call_count, 2)  # a draft changes: never kept
        self.assertIn("Sepsis screening", text)
        self.assertIn("draft", text)

        self.sign_in(self.viewer)  # owns no measure in it
        self.assertEqual(self.client.get(self._url(draft)).status_code, 404)

    def test_an_outsider_gets_404_and_no_pdf(self) -> None:
        self.sign_in(self.outsider)
        response = self.client.get(self._url(self.report))

        self.assertEqual(response.status_code, 404)
        self.assertNotEqual(response.get("Content-Type"), "application/pdf")

    def test_without_weasyprints_libraries_the_download_says_so(self) -> None:
        self.sign_in(self.viewer)
        with patch.object(
            pdf_views,
            "html_to_pdf",
            side_effect=PDFUnavailable("no libpango-1.0-0"),
        ):
            with self.assertLogs("openqi.reports.pdf_views", "ERROR"):
                response = self.client.get(self._url(self.report))

        self.assertEqual(response.status_code, 503)
        self.assertIn("cannot be made on this server", response.content.decode())

    def test_the_api_gives_the_same_pdf_as_the_page(self) -> None:
        self.sign_in(self.viewer)
        page = self._download(self.report)
        response = self.client.get(
            f"/api/v1/organisations/{self.org.slug}/reports/{self.report.pk}/pdf"
        )

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(bytes(response.content), page)
        self.assertIn("board-report-2025-04.pdf", response["Content-Disposition"])

    def test_the_api_answers_503_in_the_error_shape_without_the_libraries(
        self,
    ) -> None:
        self.sign_in(self.viewer)
        with patch.object(
            pdf_views, "html_to_pdf", side_effect=PDFUnavailable("no libpango-1.0-0")
        ):
            response = self.client.get(
                f"/api/v1/organisations/{self.org.slug}/reports/{self.report.pk}/pdf"
            )

        self.assertEqual(response.status_code, 503)
        self.assertEqual(
            response.json(), {"error": pdf_views.UNAVAILABLE, "status": 503}
        )

    def test_an_outsider_gets_404_from_the_api(self) -> None:
        self.sign_in(self.outsider)
        response = self.client.get(
            f"/api/v1/organisations/{self.org.slug}/reports/{self.report.pk}/pdf"
        )

        self.assertEqual(response.status_code, 404)


def test_a_charts_alike_marks_are_drawn_as_one_shape_without_tooltips() -> None:
    marks = "".join(
        f'<circle class="point" cx="{x}" cy="5" r="2" fill="#a6a6a6">'
        f"<title>point {x}</title></circle>"
        for x in range(1, 200)
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="400">'
        f'<title>A chart</title><g>{marks}<circle cx="1" cy="1" r="3" fill="red"/></g></svg>'
    )

    image = report_pdf._charts_as_images(f"<p>{svg}</p>")

    assert image.startswith(
        '<p><img class="openqi-print-chart" src="data:image/svg+xml'
    )
    assert 'alt="A chart"' in image and 'width="800"' in image
    encoded = re.search(r"base64,([^\"]+)", image)
    assert encoded is not None
    drawn = ElementTree.fromstring(base64.b64decode(encoded.group(1)))
    tags = [element.tag.split("}")[1] for element in drawn.iter()]
    assert tags == ["svg", "title", "g", "path", "circle"]
    assert drawn[0].text == "A chart"
