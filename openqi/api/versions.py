"""Changes that never lose another's: the version a PATCH names, in its body or an
If-Match header, and the retry for a PATCH that names none (docs/api.md,
"Changing a record two people may change").

Every record people change at once carries ``version`` (openqi/core/versioning.py).
GET answers it as the ``ETag`` (``"3"``). A PATCH that sends ``"version": 3`` or
``If-Match: "3"`` changes version 3 only: a newer one answers 409 (the body's
version) or 412 (If-Match). A PATCH that sends neither is applied to the row as
saved now: when another change lands between its load and its save, it is loaded
and applied again, so the other change's fields stay as that change left them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja.errors import HttpError

from openqi.core.versioning import VersionConflict, VersionedModel, saved_again

T = TypeVar("T")

_ETAG = re.compile(r'^\s*"(\d{1,9})"\s*$')

#: The header the API's single-record answers carry.
ETAG_HEADER = "ETag"


def etag(version: int) -> str:
    return f'"{version}"'


class Expected:
    """The version a PATCH says it changes, and where it said so."""

    def __init__(self, version: int | None, *, is_if_match: bool = False) -> None:
        self.version = version
        self.is_if_match = is_if_match

    @property
    def is_given(self) -> bool:
        return self.version is not None


def expected(request: HttpRequest, sent: Any) -> Expected:
    """The version named by the body's ``version`` or by ``If-Match`` (the body wins
    when both are sent and agree; when they disagree the request is refused)."""
    header = request.headers.get("If-Match")
    from_header: int | None = None
    if header is not None and header.strip() != "*":
        match = _ETAG.match(header)
        if match is None:
            raise HttpError(
                400,
                f'If-Match must be one ETag as GET answers it, such as "3"; got {header!r}.',
            )
        from_header = int(match.group(1))
    if sent is not None and from_header is not None and sent != from_header:
        raise HttpError(
            400,
            f"The body's version ({sent}) and If-Match ({from_header}) disagree; send one.",
        )
    if sent is not None:
        return Expected(int(sent))
    return Expected(from_header, is_if_match=from_header is not None)


def check(instance: VersionedModel, expect: Expected) -> None:
    """Refuse a change to a version that is no longer the saved one."""
    if expect.version is None or expect.version == instance.version:
        return
    if expect.is_if_match:
        raise HttpError(
            412,
            f"If-Match names version {expect.version}, but this "
            f"{instance._meta.verbose_name} is at version {instance.version} now: "
            "someone else changed it. GET it again and send your change with its ETag.",
        )
    raise VersionConflict(instance, expect.version)


def save(expect: Expected, attempt: Callable[[], T]) -> T:
    """Run ``attempt`` (load, :func:`check`, change, save) so that no concurrent change
    is lost: with a named version a concurrent save is a conflict (409 or 412); with
    none, the change is loaded and applied again on the row as saved now."""
    try:
        return saved_again(attempt, is_strict=expect.is_given)
    except VersionConflict as conflict:
        if expect.is_if_match:
            raise HttpError(
                412,
                "Someone else changed this record while your change was being saved. "
                "GET it again and send your change with its ETag.",
            ) from conflict
        raise


#: Field descriptions shared by every versioned record's schemas.
VERSION_OUT = (
    "Goes up by one on every change; also answered as the ETag. Send it back with "
    "a PATCH (or as If-Match) to change only this version."
)
VERSION_IN = (
    "The version you loaded (optional). A newer saved version answers 409; "
    "without it the change is applied to the record as saved now."
)
