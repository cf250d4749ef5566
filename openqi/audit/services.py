"""Recording the audit trail for every registered organisation-owned model.

A model joins the trail with ``register(Model)``; it must answer
``audit_organisation()``. Saves and deletes are recorded from Django's model
signals, so nothing that goes through the ORM escapes; the actor comes from
:func:`acting_as` (``openqi/core/acting.py``: set per request by the middleware,
per API call by the API's authentication, and by management commands).

Many-to-many fields of a registered model (a project's team, a barrier's
projects) are recorded from ``m2m_changed``, from either side of the relation:
the event's before and after hold the members' ids, so the trail shows who was
added and who removed. Within one :func:`acting_as` block (one request) a
change of members is folded into the event of the save before it, so a form
that saves a project and its team makes one event.

Bulk writes (``bulk_create``, ``bulk_update``) send no signals: the service that
makes them records one event for the lot with :func:`record_rows`.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any, Protocol, cast

from django.db import models
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
)

# acting_as and set_actor are core's (who acts is known below every app); they are
# named here too because the trail is what they are for.
from openqi.core.acting import acting_as, block_memory, current_actor, set_actor
from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, Organisation

from .models import AuditEvent

__all__ = [
    "BULK_ROWS",
    "BULK_SUMMARY",
    "acting_as",
    "get_event_for",
    "record_rows",
    "register",
    "registered_models",
    "set_actor",
    "snapshot",
]

_registered: set[type[models.Model]] = set()
#: Each audited many-to-many field by its through model.
_m2m_fields: dict[Any, Any] = {}

#: Keys of an event from :func:`record_rows` (no model field can be called so).
BULK_ROWS = "bulk_rows"
BULK_SUMMARY = "bulk_summary"


def _latest() -> dict[tuple[str, str], AuditEvent] | None:
    """The latest event of each object within the current acting_as block, keyed by
    (model label, pk): a change of its many-to-many members is folded into it."""
    return block_memory()


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


class Audited(Protocol):
    """What :func:`register` asks of a model: the organisation whose trail its
    rows' events go on (None, or one not yet saved, for a row kept off it)."""

    def audit_organisation(self) -> Organisation | None: ...


def _key(instance: models.Model) -> tuple[str, str]:
    return (instance._meta.label, str(instance.pk))


def _record(
    instance: models.Model, action: str, before: Any, after: Any
) -> AuditEvent | None:
    organisation = cast(Audited, instance).audit_organisation()
    if organisation is None or organisation.pk is None:
        return None
    actor, via = current_actor() or (None, "system")
    is_user = getattr(actor, "is_authenticated", False)
    event: AuditEvent = AuditEvent.objects.create(
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
    latest = _latest()
    if latest is not None:
        latest[_key(instance)] = event
    return event


def record_rows(
    instance: models.Model,
    *,
    summary: str,
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
) -> AuditEvent | None:
    """One event for many rows under ``instance`` written at once (a data import).

    ``before`` and ``after`` map each row's key (a period) to its values before
    and after: a new row is only in ``after``. ``summary`` says what happened in a
    sentence. The audit pages list every row's old and new values.
    """
    return _record(
        instance,
        AuditEvent.Action.UPDATE,
        {BULK_ROWS: _plain(before)},
        {BULK_ROWS: _plain(after), BULK_SUMMARY: summary},
    )


def _pre_save(
    sender: type[models.Model], instance: models.Model, raw: bool = False, **_: Any
) -> None:
    if raw or instance.pk is None or instance._state.adding:
        instance.__dict__["_audit_before"] = None
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance.__dict__["_audit_before"] = snapshot(old) if old is not None else None


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
        latest = _latest()
        if latest is not None:
            latest.pop(_key(instance), None)
        return
    _record(
        instance, "create" if created else "update", None if created else before, after
    )


def _pre_delete(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    # The links go before the row does (and send no m2m_changed): keep them now.
    instance.__dict__["_audit_members"] = {
        field.name: _members(field, [instance.pk])[instance.pk]
        for field in sender._meta.local_many_to_many
    }


def _post_delete(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    before = snapshot(instance)
    before.update(
        {k: v for k, v in getattr(instance, "_audit_members", {}).items() if v}
    )
    _record(instance, "delete", before, None)


def _members(field: Any, owners: list[Any]) -> dict[Any, list[Any]]:
    """The sorted ids of each owner's members through ``field``."""
    through = field.remote_field.through
    source = through._meta.get_field(field.m2m_field_name()).attname
    target = through._meta.get_field(field.m2m_reverse_field_name()).attname
    found: dict[Any, list[Any]] = {owner: [] for owner in owners}
    rows = through._default_manager.filter(**{f"{source}__in": owners})
    for owner, member in rows.values_list(source, target):
        found.setdefault(owner, []).append(_plain(member))
    return {owner: sorted(members) for owner, members in found.items()}


def _m2m_changed(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    reverse: bool,
    model: type[models.Model],
    pk_set: set[Any] | None,
    **_: Any,
) -> None:
    field = _m2m_fields.get(sender)
    if field is None or action not in (
        "pre_add",
        "pre_remove",
        "pre_clear",
        "post_add",
        "post_remove",
        "post_clear",
    ):
        return
    pending: dict[tuple[str, bool], tuple[list[Any], dict[Any, list[Any]]]]
    pending = instance.__dict__.setdefault("_audit_m2m_pending", {})
    if action.startswith("pre_"):
        if not reverse:
            owners = [instance.pk]
        elif pk_set is not None:
            owners = sorted(pk_set)
        else:  # clearing from the other side: every owner linked to it
            through: Any = sender._meta
            source = through.get_field(field.m2m_field_name()).attname
            target = through.get_field(field.m2m_reverse_field_name()).attname
            owners = sorted(
                sender._default_manager.filter(**{target: instance.pk}).values_list(
                    source, flat=True
                )
            )
        pending[(field.name, reverse)] = (owners, _members(field, owners))
        return
    owners, before = pending.pop((field.name, reverse), ([], {}))
    if not owners:
        return
    after = _members(field, owners)
    changed = [owner for owner in owners if before.get(owner) != after.get(owner)]
    if not changed:
        return
    if reverse:
        objects = field.model._default_manager.in_bulk(changed)
    else:
        objects = {instance.pk: instance}
    for owner in changed:
        if owner in objects:
            _record_members(
                objects[owner], field.name, before.get(owner, []), after[owner]
            )


def _record_members(
    instance: models.Model, name: str, before: list[Any], after: list[Any]
) -> None:
    """Fold a change of members into the object's latest event in this block, or record one."""
    latest = _latest()
    event = latest.get(_key(instance)) if latest is not None else None
    if event is None or event.action == AuditEvent.Action.DELETE:
        _record(instance, AuditEvent.Action.UPDATE, {name: before}, {name: after})
        return
    new_after = dict(event.after or {})
    new_after[name] = after
    if event.action == AuditEvent.Action.UPDATE:
        new_before = dict(event.before or {})
        new_before.setdefault(name, before)
        if new_before[name] == after:  # put back as it was
            del new_before[name], new_after[name]
        event.before = new_before
    event.after = new_after
    event.save(update_fields=["before", "after"])


def register(model: type[models.Model]) -> type[models.Model]:
    """Put ``model`` on the audit trail (usable as a class decorator)."""
    if model in _registered:
        return model
    uid = f"openqi-audit-{model._meta.label}"
    pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + "-pre")
    post_save.connect(_post_save, sender=model, dispatch_uid=uid + "-post")
    post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + "-delete")
    if model._meta.local_many_to_many:
        pre_delete.connect(_pre_delete, sender=model, dispatch_uid=uid + "-predelete")
    for field in model._meta.local_many_to_many:
        through: Any = field.remote_field.through
        _m2m_fields[through] = field
        m2m_changed.connect(
            _m2m_changed, sender=through, dispatch_uid=f"{uid}-m2m-{field.name}"
        )
    _registered.add(model)
    return model


def registered_models() -> set[type[models.Model]]:
    return set(_registered)


def get_event_for(membership: Membership, pk: int) -> AuditEvent:
    """The event ``pk`` of the member's organisation's trail, or 404."""
    events = AuditEvent.objects.for_organisation(membership.organisation)
    return find_for(membership, events.select_related("actor"), pk, "event", "audit")
