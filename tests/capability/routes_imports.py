"""The capability import pages, for the access walk (see tests/access.py).

An upload is its uploader's (the administrator of the cast here): anyone else
who opens or posts its preview is sent back to upload (302)."""

from __future__ import annotations

import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from openqi.capability import imports
from openqi.capability.models import HeldImport
from tests.access import Route, Write
from tests.capability.helpers import make_programme, make_staff

_numbers = itertools.count(1)
#: Opened by anyone but its uploader, a preview sends them back to upload.
NOT_YOURS = (200, 302)


class RewindingUpload(SimpleUploadedFile):
    """A file the walk can post several times (once per person)."""

    def read(self, *args: Any) -> bytes:
        self.seek(0)
        return super().read(*args)


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _staff_csv() -> bytes:
    return f"Employee Number,Staff Group\nWALK{next(_numbers):05d},nursing\n".encode()


def _completions_csv(cast: Any) -> bytes:
    person = make_staff(cast.org)
    programme = make_programme(cast.org)
    return (
        "Employee Number,Course Title,Completion Date\n"
        f"{person.reference},{programme.name},2025-03-14\n"
    ).encode()


def _held_staff(cast: Any) -> dict[str, Any]:
    held = imports.hold(
        cast.org, cast.editor, HeldImport.Kind.STAFF, "staff.csv", _staff_csv()
    )
    return {"slug": cast.org.slug, "token": held.token}


def _held_completions(cast: Any) -> dict[str, Any]:
    held = imports.hold(
        cast.org,
        cast.editor,
        HeldImport.Kind.COMPLETIONS,
        "lms.csv",
        _completions_csv(cast),
    )
    return {"slug": cast.org.slug, "token": held.token}


ROUTES: list[Route] = [
    Route(
        "capability:import_staff",
        kwargs=_org,
        writes=(
            Write(
                data=lambda cast: {"file": RewindingUpload("staff.csv", _staff_csv())},
                ok=(302,),
            ),
        ),
    ),
    Route(
        "capability:import_staff_preview",
        kwargs=_held_staff,
        get_ok=NOT_YOURS,
        writes=(
            Write(setup=lambda cast: {"token": _held_staff(cast)["token"]}, ok=(302,)),
        ),
    ),
    Route(
        "capability:import_completions",
        kwargs=_org,
        writes=(
            Write(
                data=lambda cast: {
                    "file": RewindingUpload("lms.csv", _completions_csv(cast))
                },
                ok=(302,),
            ),
        ),
    ),
    Route(
        "capability:import_completions_preview",
        kwargs=_held_completions,
        get_ok=NOT_YOURS,
        writes=(
            Write(
                setup=lambda cast: {"token": _held_completions(cast)["token"]},
                ok=(302,),
            ),
        ),
    ),
]
