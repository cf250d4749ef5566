"""Reading a PDF in tests: its text as pdftotext lays it out, what pdfinfo says of
it, and its objects (every compressed stream inflated) to look for structure.

pdftotext and pdfinfo come from poppler-utils, and WeasyPrint needs Pango: a test
that needs them is skipped on a developer's machine without them (saying what to
install) and fails in CI, which installs them (.ci/run).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zlib

import pytest

PACKAGES = "poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"


def _missing(what: str) -> None:
    message = f"{what} is missing: apt-get install {PACKAGES}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must run the PDF tests")
    pytest.skip(message)


def need_pdf_tools() -> None:
    """Skip (fail in CI) unless WeasyPrint loads and pdftotext and pdfinfo exist."""
    try:
        import weasyprint  # noqa: F401
    except OSError:
        _missing("Pango or HarfBuzz (for WeasyPrint)")
    for tool in ("pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            _missing(tool)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as ``pdftotext -layout`` reads it."""
    need_pdf_tools()
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode("utf-8")


def pdf_info(pdf: bytes) -> dict[str, str]:
    """What ``pdfinfo`` says of the PDF: ``{"Title": …, "Tagged": "yes", …}``."""
    need_pdf_tools()
    done = subprocess.run(
        ["pdfinfo", "-enc", "UTF-8", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    )
    info: dict[str, str] = {}
    for line in done.stdout.decode("utf-8").splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)


def pdf_objects(pdf: bytes) -> bytes:
    """The file's bytes with every Flate stream inflated after them: the objects
    WeasyPrint packs into compressed object streams become searchable."""
    parts = [pdf]
    for match in _STREAM.finditer(pdf):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def squeezed(text: str) -> str:
    """Text with every run of white space made one space (layout spreads words)."""
    return " ".join(text.split())
