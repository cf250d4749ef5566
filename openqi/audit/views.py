"""The audit trail pages: an organisation's administrators read who changed what."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.timezone import localtime

from openqi.organisations.models import Organisation
from openqi.organisations.permissions import MemberRequest, page_access

from .forms import AuditFilterForm
from .models import AuditEvent, SignInEvent
from .permissions import VIEW_TRAIL
from .services import BULK_ROWS, BULK_SUMMARY, get_event_for

PAGE_SIZE = 50
#: Rows of a bulk change (a data import) on one page of its event.
ROWS_PAGE_SIZE = 500


#: Not worth a line in the list: the row's id, and the organisation it is in.
_SAME_FOR_EVERY_EVENT = ("id", "organisation_id")


@dataclass
class Change:
    field: str
    before: str
    after: str
    #: For a many-to-many field: who was added and who removed, in words.
    detail: str = ""


@dataclass
class RowChange:
    """One row of a bulk change: its key (a period) and its values before and after."""

    key: str
    before: str
    after: str


class _Describer:
    """Turns an event's stored values into words: field labels, choice labels, names.

    Foreign keys are shown by name, looked up within the organisation (people by
    their name); lookups are remembered for the page.
    """

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self._names: dict[tuple[str, Any], str] = {}

    def model(self, label: str) -> type[models.Model] | None:
        try:
            return apps.get_model(label)
        except (LookupError, ValueError):
            return None

    def model_name(self, label: str) -> str:
        model = self.model(label)
        return str(model._meta.verbose_name).capitalize() if model else label

    def _field(self, model: type[models.Model] | None, attname: str) -> Any:
        if model is None:
            return None
        for field in (*model._meta.concrete_fields, *model._meta.many_to_many):
            if field.attname == attname:
                return field
        return None

    def _members(self, field: Any, value: Any) -> list[str]:
        return [self._related_name(field.related_model, pk) for pk in value or []]

    def _rows(self, related: type[models.Model]) -> Any:
        """The rows of ``related`` this organisation's trail may name."""
        if related is get_user_model() or related is Organisation:
            return related._default_manager.all()
        if hasattr(related._default_manager, "for_organisation"):
            return related._default_manager.for_organisation(self.organisation)
        return related._default_manager.none()

    def _related_name(self, related: type[models.Model], pk: Any) -> str:
        key = (related._meta.label, pk)
        if key not in self._names:
            found = self._rows(related).filter(pk=pk).first()
            self._names[key] = str(found) if found else f"#{pk} (no longer exists)"
        return self._names[key]

    def prime(self, events: Iterable[AuditEvent]) -> None:
        """Look up every row the events name at once: one query per related model,
        however many events and fields name one (not one query per row)."""
        wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        for event in events:
            if is_bulk(event):
                continue
            model = self.model(event.model)
            for values in (event.before or {}, event.after or {}):
                for name, value in values.items():
                    field = self._field(model, name)
                    if field is None or not field.is_relation:
                        continue
                    if not field.related_model or value is None or value == "":
                        continue
                    pks = value if field.many_to_many else [value]
                    if isinstance(pks, list):
                        wanted[field.related_model].update(
                            pk for pk in pks if isinstance(pk, int | str)
                        )
        for related, raw_pks in wanted.items():
            label = related._meta.label
            raw_pks = {pk for pk in raw_pks if (label, pk) not in self._names}
            pk_field = related._meta.pk
            assert pk_field is not None
            cleaned: dict[Any, Any] = {}
            for raw in raw_pks:
                try:
                    cleaned[raw] = pk_field.to_python(raw)
                except ValidationError:
                    continue  # left to _related_name, one by one
            found = {
                row.pk: str(row)
                for row in self._rows(related).filter(pk__in=set(cleaned.values()))
            }
            for raw, pk in cleaned.items():
                self._names[(label, raw)] = found.get(pk, f"#{raw} (no longer exists)")

    def value(self, model: type[models.Model] | None, attname: str, value: Any) -> str:
        if value is None or value == "":
            return "(empty)"
        field = self._field(model, attname)
        if field is not None and field.many_to_many:
            return ", ".join(self._members(field, value)) or "(none)"
        if field is not None and field.is_relation and field.related_model:
            return self._related_name(field.related_model, value)
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            try:
                moment = localtime(datetime.datetime.fromisoformat(value))
                return date_format(moment, "j M Y, H:i")
            except ValueError:
                return value
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "Yes" if value else "No"
        return str(value)

    def field_label(self, model: type[models.Model] | None, attname: str) -> str:
        field = self._field(model, attname)
        return str(field.verbose_name).capitalize() if field is not None else attname

    def detail(
        self, model: type[models.Model] | None, name: str, before: Any, after: Any
    ) -> str:
        """Who was added and who removed, for a many-to-many field; "" otherwise."""
        field = self._field(model, name)
        if field is None or not field.many_to_many:
            return ""
        old, new = set(before or []), set(after or [])
        added = self._members(field, [pk for pk in after or [] if pk not in old])
        removed = self._members(field, [pk for pk in before or [] if pk not in new])
        parts = []
        if added:
            parts.append("added " + ", ".join(added))
        if removed:
            parts.append("removed " + ", ".join(removed))
        return "; ".join(parts)

    def changes(self, event: AuditEvent) -> list[Change]:
        """The fields that changed (for a create or a delete: the values it had)."""
        if is_bulk(event):
            return [Change("Data", "", str((event.after or {}).get(BULK_SUMMARY, "")))]
        model = self.model(event.model)
        return [
            Change(
                self.field_label(model, name),
                self.value(model, name, before),
                self.value(model, name, after),
                self.detail(model, name, before, after),
            )
            for name, before, after in event.changes()
            if event.action == AuditEvent.Action.UPDATE
            or name not in _SAME_FOR_EVERY_EVENT
        ]

    def rows(self, event: AuditEvent) -> list[RowChange]:
        """Every row of a bulk change, in key order, with its values before and after."""
        before = (event.before or {}).get(BULK_ROWS) or {}
        after = (event.after or {}).get(BULK_ROWS) or {}
        return [
            RowChange(key, _row_text(before.get(key)), _row_text(after.get(key)))
            for key in sorted(set(before) | set(after))
        ]

    def fields(self, event: AuditEvent) -> list[tuple[str, str, str, bool]]:
        """Every stored field: (label, before, after, whether it changed)."""
        model = self.model(event.model)
        before, after = event.before or {}, event.after or {}
        return [
            (
                self.field_label(model, name),
                self.value(model, name, before.get(name)) if event.before else "",
                self.value(model, name, after.get(name)) if event.after else "",
                before.get(name) != after.get(name),
            )
            for name in sorted(set(before) | set(after))
        ]


def is_bulk(event: AuditEvent) -> bool:
    """Whether the event records many rows written at once (``record_rows``)."""
    return isinstance(event.after, dict) and BULK_ROWS in event.after


def _row_text(values: dict[str, Any] | None) -> str:
    if values is None:
        return ""
    return ", ".join(
        f"{name.replace('_', ' ')} {'(empty)' if v is None else _number(v)}"
        for name, v in values.items()
    )


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


@page_access(get=VIEW_TRAIL)
def log(request: MemberRequest, slug: str) -> HttpResponse:
    """The organisation's audit trail, newest first, with filters."""
    membership = request.membership
    organisation = membership.organisation
    describe = _Describer(organisation)
    events = AuditEvent.objects.for_organisation(organisation)
    model_names = {
        label: describe.model_name(label)
        for label in events.order_by().values_list("model", flat=True).distinct()
    }
    form = AuditFilterForm(request.GET or None, events=events, model_names=model_names)
    page = Paginator(form.filter(events).select_related("actor"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    describe.prime(page)
    rows = [
        {
            "event": event,
            "model_name": model_names.get(event.model, event.model),
            "changes": describe.changes(event),
        }
        for event in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "membership": membership,
        "organisation": organisation,
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "is_filtered": bool(query),
    }
    return render(request, "audit/log.html", context)


@page_access(get=VIEW_TRAIL)
def event(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    found = get_event_for(membership, pk)
    describe = _Describer(organisation)
    bulk = is_bulk(found)
    rows = None
    if bulk:
        rows = Paginator(describe.rows(found), ROWS_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    context = {
        "membership": membership,
        "organisation": organisation,
        "event": found,
        "model_name": describe.model_name(found.model),
        "fields": [] if bulk else describe.fields(found),
        "summary": (found.after or {}).get(BULK_SUMMARY, "") if bulk else "",
        "rows": rows,
    }
    return render(request, "audit/event.html", context)


@page_access(get=VIEW_TRAIL)
def sign_ins(request: MemberRequest, slug: str) -> HttpResponse:
    """Sign-in events of the organisation's current members (administrators only).

    Signing in is about a person, not an organisation, so each administrator
    sees the events of everyone who is a member now, whichever organisation
    they were working in; attempts for addresses with no account are not shown.
    """
    membership = request.membership
    organisation = membership.organisation
    events = (
        SignInEvent.objects.filter(  # access: the members of the checked organisation
            user__memberships__organisation=organisation
        )
        .select_related("user")
        .order_by("-at", "-pk")
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/sign_ins.html",
        {"membership": membership, "organisation": organisation, "page": page},
    )
