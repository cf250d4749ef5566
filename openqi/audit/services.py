"""Recording the audit trail for every registered organisation-owned model.

A model joins the trail with ``register(Model)``; it must answer
``audit_organisation()``. Saves and deletes are recorded from Django's model
signals, so nothing that goes through the ORM escapes; the actor comes from
:func:`acting_as` (set per request by the middleware, per API call by the API's
authentication, and by management commands).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import decimal
import uuid
from collections.abc import Iterator
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from .models import AuditEvent

_actor: contextvars.ContextVar[tuple[Any, str] | None] = contextvars.ContextVar(
    "openqi_audit_actor", default=None
)
_registered: set[type[models.Model]] = set()


@contextlib.contextmanager
def acting_as(user: Any, via: str) -> Iterator[None]:
    """Attribute every change made inside the block to ``user`` (``via``: web, api, command)."""
    token = _actor.set((user, via))
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(user: Any, via: str) -> None:
    """Attribute the rest of this request's changes to ``user`` (the API's token sign-in)."""
    _actor.set((user, via))


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The row's concrete field values, JSON-ready (foreign keys as their ids)."""
    out = {}
    for field in instance._meta.concrete_fields:
        if field.name in getattr(instance, "AUDIT_EXCLUDE", ()):
            continue
        out[field.attname] = _plain(getattr(instance, field.attname))
    return out


def _record(instance: models.Model, action: str, before: Any, after: Any) -> None:
    organisation = instance.audit_organisation()  # type: ignore[attr-defined]
    if organisation is None or organisation.pk is None:
        return
    actor, via = _actor.get() or (None, "system")
    is_user = getattr(actor, "is_authenticated", False)
    AuditEvent.objects.create(
        organisation=organisation,
        actor=actor if is_user else None,
        actor_label=str(actor) if is_user else "",
        via=via,
        action=action,
        model=instance._meta.label,
        object_pk=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
    )


def _pre_save(
    sender: type[models.Model], instance: models.Model, raw: bool = False, **_: Any
) -> None:
    if raw or instance.pk is None or instance._state.adding:
        instance._audit_before = None  # type: ignore[attr-defined]
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old is not None else None  # type: ignore[attr-defined]


def _post_save(
    sender: type[models.Model],
    instance: models.Model,
    created: bool,
    raw: bool = False,
    **_: Any,
) -> None:
    if raw:
        return
    before = getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    if not created and before == after:
        return
    _record(
        instance, "create" if created else "update", None if created else before, after
    )


def _post_delete(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    _record(instance, "delete", snapshot(instance), None)


def register(model: type[models.Model]) -> type[models.Model]:
    """Put ``model`` on the audit trail (usable as a class decorator)."""
    if model in _registered:
        return model
    uid = f"openqi-audit-{model._meta.label}"
    pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + "-pre")
    post_save.connect(_post_save, sender=model, dispatch_uid=uid + "-post")
    post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + "-delete")
    _registered.add(model)
    return model


def registered_models() -> set[type[models.Model]]:
    return set(_registered)
