"""Reading a request's JSON body and query string, with the bounds every API input keeps.

Python's json module reads ``NaN`` and ``Infinity`` (which JSON does not have)
and whole numbers of any size, which the database then cannot store (SQLite
raises OverflowError past 64 bits). Here both are refused before any operation
sees them: :class:`OutOfBounds` becomes a 422 in the API's error shape
(openqi/api/errors.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from .schemas import MAX_INTEGER

WHOLE_NUMBER = re.compile(r"\s*[-+]?\d+\s*")


class OutOfBounds(ValueError):
    """A number in the request that no field takes; ``field`` names where it was."""

    def __init__(self, message: str, field: str = "body", location: str = "body"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.location = location


def _refuse_constant(token: str) -> Any:
    raise OutOfBounds(
        f"{token} is not a number JSON allows; send a finite number, or null for "
        "no value."
    )


def is_beyond_integer(text: str) -> bool:
    """Whether ``text``, a whole number, is larger either way than MAX_INTEGER."""
    digits = text.strip().lstrip("+-").lstrip("0")
    # Measured by length first: Python refuses to read a number of 4,300 digits.
    return len(digits) > len(str(MAX_INTEGER)) or (
        bool(digits) and int(digits) > MAX_INTEGER
    )


def _whole_number(text: str) -> int:
    if is_beyond_integer(text):
        raise OutOfBounds(_too_large(text))
    return int(text)


def _too_large(text: str) -> str:
    shown = text.strip() if len(text.strip()) <= 30 else text.strip()[:27] + "…"
    return (
        f"{shown} is too large a whole number: numbers run from -{MAX_INTEGER} "
        f"to {MAX_INTEGER}."
    )


class BoundedParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        return json.loads(
            request.body, parse_constant=_refuse_constant, parse_int=_whole_number
        )

    def parse_querydict(
        self,
        data: MultiValueDict[str, Any],
        list_fields: list[str],
        request: HttpRequest,
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        for key, value in result.items():
            for item in value if isinstance(value, list) else [value]:
                if (
                    isinstance(item, str)
                    and WHOLE_NUMBER.fullmatch(item)
                    and is_beyond_integer(item)
                ):
                    raise OutOfBounds(_too_large(item), field=key, location="query")
        return result
