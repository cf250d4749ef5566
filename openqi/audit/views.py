"""The audit trail pages: an organisation's administrators read who changed what."""

from __future__ import annotations

import datetime
import functools
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
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from openqi.organisations.models import Organisation
from openqi.organisations.permissions import MemberRequest, page_access

from .forms import AuditFilterForm, trail_people
from .kept import kept
from .models import AuditEvent, SignInEvent
from .permissions import VIEW_TRAIL
from .services import BULK_ROWS, BULK_SUMMARY, get_event_for

PAGE_SIZE = 50
#: Rows of a bulk change (a data import) on one page of its event.
ROWS_PAGE_SIZE = 500


#: Not worth a line in the list: the row's id, and the organisation it is in.
_SAME_FOR_EVERY_EVENT = ("id", "organisation_id")

#: The columns ``str()`` reads for the models the trail names most often: their rows
#: are looked up with only these columns (tests/audit/test_audit_names.py holds each
#: entry to its model's ``str()``; a column left out would cost a query a row, never
#: a wrong name). Rows of any other model are loaded whole.
NAME_FIELDS: dict[str, tuple[str, ...]] = {
    "accounts.User": ("full_name", "email"),
    "organisations.Organisation": ("name",),
    "organisations.Unit": ("name",),
    "projects.Project": ("title",),
    "projects.Tag": ("name",),
    "measures.Measure": ("name",),
    "strategy.StrategicPriority": ("title",),
    "barriers.Barrier": ("title",),
    "journey.JourneyStep": ("number",),
    "assessments.AssessmentRound": ("title",),
    "assessments.Instrument": ("name", "version"),
}


@dataclass
class Change:
    field: str
    before: str
    after: str
    #: For a many-to-many field: who was added and who removed, in words.
    detail: str = ""
    #: What the list shows of it: the new value, "before → after" for an update,
    #: the value a deleted row had.
    shown: str = ""


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
        # The organisation itself, which many rows name, is known already.
        self._names: dict[tuple[str, Any], str] = {
            (Organisation._meta.label, organisation.pk): str(organisation)
        }
        self._days: dict[datetime.date, str] = {}

    def model(self, label: str) -> type[models.Model] | None:
        return _model(label)

    def model_name(self, label: str) -> str:
        model = self.model(label)
        return str(model._meta.verbose_name).capitalize() if model else label

    def _field(self, model: type[models.Model] | None, attname: str) -> Any:
        if model is None:
            return None
        return _fields_by_attname(model).get(attname)

    def _members(self, field: Any, value: Any) -> list[str]:
        return [self._related_name(field.related_model, pk) for pk in value or []]

    def _rows(self, related: type[models.Model]) -> Any:
        """The rows of ``related`` this organisation's trail may name (with only the
        columns their names need, when known)."""
        manager = related._default_manager
        if related is get_user_model() or related is Organisation:
            rows = manager.all()
        elif hasattr(manager, "for_organisation"):
            rows = manager.for_organisation(self.organisation)
        else:
            return manager.none()
        columns = NAME_FIELDS.get(related._meta.label)
        return rows.only(*columns) if columns else rows

    def _related_name(self, related: type[models.Model], pk: Any) -> str:
        key = (related._meta.label, pk)
        if key not in self._names:
            found = self._rows(related).filter(pk=pk).first()
            self._names[key] = str(found) if found else f"#{pk} (no longer exists)"
        return self._names[key]

    def prime(self, events: Iterable[AuditEvent]) -> None:
        """Look up every row the events' listed changes name at once: one query per
        related model, however many events and fields name one (not one per row)."""
        wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        for event in events:
            if is_bulk(event):
                continue
            model = self.model(event.model)
            for name, before, after in self._listed(event):
                field = self._field(model, name)
                if field is None or not field.is_relation or not field.related_model:
                    continue
                for value in (before, after):
                    if value is None or value == "":
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
            if not cleaned:
                continue
            found = {
                row.pk: str(row)
                for row in self._rows(related)
                .filter(pk__in=set(cleaned.values()))
                .order_by()
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
            except ValueError:
                return value
            return f"{self.day(moment)}, {moment:%H:%M}"
        if field is not None and field.choices:
            return str(_choice_labels(field).get(value, value))
        if isinstance(value, bool):
            return "Yes" if value else "No"
        return str(value)

    def day(self, moment: datetime.datetime) -> str:
        """``moment``'s day as "4 Dec 2026" (``date_format`` once a day on the page)."""
        day = moment.date()
        if day not in self._days:
            self._days[day] = date_format(moment, "j M Y")
        return self._days[day]

    def field_label(self, model: type[models.Model] | None, attname: str) -> str:
        if model is None:
            return attname
        return _field_labels(model).get(attname, attname)

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

    @staticmethod
    def _listed(event: AuditEvent) -> list[tuple[str, object, object]]:
        """The (field, before, after) the list shows of an event that is not bulk."""
        if event.action == AuditEvent.Action.UPDATE:
            return event.changes()
        return [
            change
            for change in event.changes()
            if change[0] not in _SAME_FOR_EVERY_EVENT
        ]

    def changes(self, event: AuditEvent) -> list[Change]:
        """The fields that changed (for a create or a delete: the values it had)."""
        action = event.action
        if is_bulk(event):
            summary = str((event.after or {}).get(BULK_SUMMARY, ""))
            return [Change("Data", "", summary, "", _shown(action, "", summary))]
        model = self.model(event.model)
        changes = []
        for name, before, after in self._listed(event):
            old = self.value(model, name, before)
            new = self.value(model, name, after)
            changes.append(
                Change(
                    self.field_label(model, name),
                    old,
                    new,
                    self.detail(model, name, before, after),
                    _shown(action, old, new),
                )
            )
        return changes

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


@functools.cache
def _model(label: str) -> type[models.Model] | None:
    """The model an event names (``projects.Project``), or None if it is gone."""
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


@functools.cache
def _field_labels(model: type[models.Model]) -> dict[str, str]:
    """The model's field labels by attribute name ("Unit" for ``unit_id``)."""
    return {
        attname: str(field.verbose_name).capitalize()
        for attname, field in _fields_by_attname(model).items()
    }


@functools.cache
def _fields_by_attname(model: type[models.Model]) -> dict[str, Any]:
    """The model's concrete and many-to-many fields by attribute name (``unit_id``)."""
    fields = (*model._meta.concrete_fields, *model._meta.many_to_many)
    return {field.attname: field for field in reversed(fields)}


@functools.cache
def _choice_labels(field: Any) -> dict[Any, Any]:
    """A field's choices as {value: label} (fields live as long as the process)."""
    return dict(field.flatchoices)


def _shown(action: str, before: str, after: str) -> str:
    """What the list shows of a change: an update's "before → after" (or the new
    value when there was none), a new row's value, a deleted row's value."""
    if action == AuditEvent.Action.UPDATE:
        return f"{before} → {after}" if before else after
    return after if action == AuditEvent.Action.CREATE else before


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


#: Each action's label and NHS.UK tag colour, as ``audit/_macros.html`` action_tag
#: shows them.
_ACTIONS = {
    AuditEvent.Action.CREATE.value: (AuditEvent.Action.CREATE.label, "green"),
    AuditEvent.Action.UPDATE.value: (AuditEvent.Action.UPDATE.label, "blue"),
    AuditEvent.Action.DELETE.value: (AuditEvent.Action.DELETE.label, "red"),
}


#: Part of the kept figures' keys: a release that changes them moves it.
_KEPT_FORMAT = 1


class _Counted(Paginator):
    """A paginator told its count (kept), rather than counting every event."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._count = count

    @property
    def count(self) -> int:  # a known number, not a cached count
        return self._count


@page_access(get=VIEW_TRAIL)
def log(request: MemberRequest, slug: str) -> HttpResponse:
    """The organisation's audit trail, newest first, with filters."""
    membership = request.membership
    organisation = membership.organisation
    describe = _Describer(organisation)
    events = AuditEvent.objects.for_organisation(organisation)
    # The filters' choices and the count change only with the trail itself: kept
    # until the next event (openqi.audit.kept), not read from every event each view.
    labels, people = kept(
        organisation.pk,
        f"audit-choices:{_KEPT_FORMAT}",
        lambda: (
            list(events.order_by().values_list("model", flat=True).distinct()),
            trail_people(events),
        ),
    )
    model_names = {label: describe.model_name(label) for label in labels}
    form = AuditFilterForm(
        request.GET or None, events=events, model_names=model_names, people=people
    )
    chosen = form.filter(events)
    query = request.GET.copy()
    query.pop("page", None)
    count = kept(
        organisation.pk,
        f"audit-count:{_KEPT_FORMAT}:{query.urlencode()}",
        chosen.count,
    )
    # The list shows who by the name kept with the event (actor_label): no people.
    page = _Counted(chosen, PAGE_SIZE, count).get_page(request.GET.get("page"))
    describe.prime(page)
    # Each row links to its event: the event's URL is the trail's with its id added
    # (urls.py), so it is built once rather than reversed on every row.
    log_url = reverse("audit:log", kwargs={"slug": organisation.slug})
    rows = []
    for event in page:
        moment = localtime(event.at)
        rows.append(
            {
                "event": event,
                "href": f"{log_url}{event.pk}/",
                "day": describe.day(moment),
                "time": f"{moment:%H:%M}",
                "action": _ACTIONS.get(event.action, (event.action, "grey")),
                "model_name": model_names.get(event.model, event.model),
                "changes": describe.changes(event),
            }
        )
    context = {
        "membership": membership,
        "organisation": organisation,
        "form": form,
        "page": page,
        "rows": rows,
        "log_url": log_url,
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
