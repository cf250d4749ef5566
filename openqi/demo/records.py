"""The demo's content, read from the JSON files in ``openqi/demo/data``.

Each step module declares the shape of its records as frozen dataclasses and
named tuples, and :func:`records` builds them from the JSON by those types:
objects become records (a missing key takes the field's default), lists become
tuples, ISO dates become :class:`datetime.date`. A key the record does not have,
or a missing one without a default, is an error that names the file and where,
so a typo in the data fails at import rather than building a different demo.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import types
import typing
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import Any, TypeVar

__all__ = ["DataError", "build", "load", "read", "records"]

T = TypeVar("T")


class DataError(ValueError):
    """A demo data file does not match the records it holds."""


@cache
def load(name: str) -> Any:
    """The parsed content of ``openqi/demo/data/<name>.json``."""
    text = files("openqi.demo").joinpath("data", f"{name}.json").read_text("utf-8")
    return json.loads(text)


def records(kind: type[T], name: str, key: str) -> tuple[T, ...]:
    """The ``key`` list of ``data/<name>.json``, each item built as a ``kind``."""
    return tuple(
        build(kind, raw, f"{name}.json: {key}[{i}]")
        for i, raw in enumerate(load(name)[key])
    )


def read(kind: Any, name: str, key: str) -> Any:
    """The ``key`` entry of ``data/<name>.json`` built as a value of the type ``kind``."""
    return build(kind, load(name)[key], f"{name}.json: {key}")


def build(kind: Any, raw: Any, where: str = "") -> Any:
    """``raw`` (parsed JSON) as a value of the type ``kind``."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if raw is None and type(None) in args:
            return None
        (inner,) = (a for a in args if a is not type(None))
        return build(inner, raw, where)
    if origin is tuple:
        if not isinstance(raw, list):
            raise DataError(f"{where}: expected a list, got {raw!r}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(build(args[0], x, f"{where}[{i}]") for i, x in enumerate(raw))
        if len(raw) != len(args):
            raise DataError(f"{where}: expected {len(args)} items, got {len(raw)}")
        return tuple(
            build(a, x, f"{where}[{i}]")
            for i, (a, x) in enumerate(zip(args, raw, strict=True))
        )
    if origin is dict:
        return {k: build(args[1], v, f"{where}.{k}") for k, v in raw.items()}
    if origin is Callable or kind is typing.Any:
        return raw
    if kind is datetime.date:
        return datetime.date.fromisoformat(raw)
    if isinstance(kind, type) and (
        dataclasses.is_dataclass(kind) or issubclass(kind, tuple)
    ):
        return _record(kind, raw, where)
    return raw


def _record(kind: type, raw: Any, where: str) -> Any:
    """A dataclass or named tuple from a JSON object."""
    if not isinstance(raw, dict):
        raise DataError(f"{where}: expected an object, got {raw!r}")
    hints = typing.get_type_hints(kind)
    unknown = set(raw) - set(hints)
    if unknown:
        raise DataError(
            f"{where}: unknown {', '.join(sorted(unknown))}; "
            f"a {kind.__name__.lstrip('_')} has {', '.join(hints)}"
        )
    try:
        return kind(**{k: build(hints[k], v, f"{where}.{k}") for k, v in raw.items()})
    except TypeError as exc:
        raise DataError(f"{where}: {exc}") from None
