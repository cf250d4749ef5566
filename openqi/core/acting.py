"""Who is acting: the person, and the way in (web, api, command), that every change
made inside a block is attributed to.

The audit trail (openqi/audit/services.py) reads it when it records a change. It
lives in core, below every app, so that any app can say who acts (a management
command of the organisations app, the demo builders) without depending on the
audit trail: the middleware sets it per request, the API's authentication per
call, and commands around their work.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

_actor: contextvars.ContextVar[tuple[Any, str] | None] = contextvars.ContextVar(
    "openqi_actor", default=None
)
_memory: contextvars.ContextVar[dict[Any, Any] | None] = contextvars.ContextVar(
    "openqi_acting_memory", default=None
)


@contextlib.contextmanager
def acting_as(user: Any, via: str) -> Iterator[None]:
    """Attribute every change made inside the block to ``user`` (``via``: web, api, command)."""
    token = _actor.set((user, via))
    memory = _memory.set({})
    try:
        yield
    finally:
        _memory.reset(memory)
        _actor.reset(token)


def set_actor(user: Any, via: str) -> None:
    """Attribute the rest of this request's changes to ``user`` (the API's token sign-in)."""
    _actor.set((user, via))


def current_actor() -> tuple[Any, str] | None:
    """``(user, via)`` of the innermost :func:`acting_as` or :func:`set_actor`; None outside."""
    return _actor.get()


def block_memory() -> dict[Any, Any] | None:
    """A dict that lasts as long as the innermost :func:`acting_as` block (None
    outside one): the audit trail keeps each object's latest event there, so a
    change of members is folded into the save before it."""
    return _memory.get()
