"""Optimistic locking: two people editing the same record never lose a change.

A model that people edit at the same time inherits :class:`VersionedModel`. Its
``version`` goes up by one on every save, through a conditional UPDATE
(``… WHERE id = %s AND version = %s``); when another save got there first the
UPDATE matches no row and :class:`VersionConflict` is raised, so nothing is
overwritten. The check sits in ``Model._do_update`` (the hook django-concurrency
also uses), so saves still send Django's signals and the audit trail records them;
we keep these few lines rather than add django-concurrency, whose admin and
trigger machinery we do not need (docs/adr/0004-optimistic-locking.md).

Edit forms inherit :class:`VersionedForm`: the page carries the version it was
loaded with in a hidden field, and a stale one turns the form back with the
fields that differ (the person's value against the value now saved). Saving
again keeps the person's values; reloading takes the saved ones.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.db import models, router, transaction
from django.forms.models import model_to_dict

from openqi.core.forms import SaysWhatToEnter

T = TypeVar("T")

#: How often a change that names no version is tried again after a concurrent save.
ATTEMPTS = 3

CONFLICT_MESSAGE = (
    "Someone else saved this while you were changing it. Your changes are not "
    "saved yet: compare them with what is saved now, below. To keep yours, save "
    "again; to take the saved values, reload the page."
)


class VersionConflict(Exception):
    """A save carried a version that is no longer the saved one."""

    def __init__(self, instance: models.Model, expected: int | None = None) -> None:
        self.instance = instance
        self.expected = expected
        name = instance._meta.verbose_name
        super().__init__(
            f"This {name} was changed by someone else after you loaded it "
            f"(you sent version {expected if expected is not None else getattr(instance, 'version', '?')}). "
            f"Load it again to get the current version, then send your change with it."
        )


class VersionedModel(models.Model):
    """A model whose saves are checked against the version they were loaded with."""

    # db_default too: the demo's bulk loader inserts rows with plain SQL.
    version = models.PositiveIntegerField(
        default=1,
        db_default=1,
        editable=False,
        help_text="Goes up by one on every save; a save that carries an older one is refused.",
    )

    #: The audit trail records what changed, not the counter.
    AUDIT_EXCLUDE: tuple[str, ...] = ("version",)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # A savepoint of its own: a refused save leaves the caller's transaction usable.
        with transaction.atomic(using=using):
            super().save(*args, **kwargs)

    def _do_update(  # type: ignore[override]  # Django 5.2's signature (pinned); django-stubs describe a later one
        self,
        base_qs: Any,
        using: Any,
        pk_val: Any,
        values: list[tuple[Any, Any, Any]],
        update_fields: Any,
        forced_update: Any,
    ) -> bool:
        loaded = self.version
        values = [
            (field, model, loaded + 1 if field.attname == "version" else value)
            for field, model, value in values
        ]
        updated = base_qs.filter(pk=pk_val, version=loaded)._update(values) > 0
        if updated:
            self.version = loaded + 1
            return True
        if base_qs.filter(pk=pk_val).exists():
            raise VersionConflict(self, loaded)
        return False  # the row is gone: Django's own handling (insert or error)


def saved_again(attempt: Callable[[], T], *, is_strict: bool) -> T:
    """Run ``attempt`` (load, change, save); when a concurrent save gets between its
    load and its save, run it again on the fresh row, unless the caller named the
    version it changes (``is_strict``): then the conflict stands.

    An attempt's first write is the checked save (services wrap what follows it in
    their own transaction), so a conflict leaves nothing half-written to undo.
    """
    for _ in range(ATTEMPTS - 1):
        try:
            return attempt()
        except VersionConflict:
            if is_strict:
                raise
    return attempt()


@dataclass(frozen=True)
class FieldConflict:
    """One field whose value on the form differs from the value saved now."""

    name: str
    label: str
    yours: str
    saved: str


def _shown(field: forms.Field, value: Any) -> str:
    if value in (None, "", [], ()):
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date):
        return value.strftime("%-d %B %Y")
    if isinstance(value, Iterable) and not isinstance(value, str):
        return ", ".join(_shown(field, v) for v in value) or "(empty)"
    choices = dict(getattr(field, "choices", None) or ())
    return str(choices.get(value, choices.get(str(value), value)))


class VersionedForm(SaysWhatToEnter, forms.ModelForm):
    """A model form that carries the version its instance was loaded with.

    A form posted with an older version than the one saved now is invalid, says
    so, and lists the differing fields in ``conflicts``. Its hidden version moves
    on to the saved one, so saving the same form again keeps the person's values.
    A post without a version (an older page, a script) is not checked here; the
    conditional save still refuses to overwrite a change made in between.
    """

    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, label="Version"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conflicts: list[FieldConflict] = []
        self.sent_version: int | None = None
        if self.instance.pk is None:
            del self.fields["version"]
        else:
            self.fields["version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # Kept out of cleaned_data, which views hand to services as field values.
        self.sent_version = cleaned.pop("version", None)
        if self.sent_version is not None and self.instance.pk is not None:
            saved = type(self.instance)._base_manager.filter(pk=self.instance.pk)
            current = saved.values_list("version", flat=True).first()
            if current is not None and self.sent_version != current:
                self.report_conflict(current)
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # Django's BaseModelForm hook, not in django-stubs
        sent = getattr(self, "sent_version", None)
        if sent is not None and self.instance.pk is not None:
            self.instance.version = sent

    def report_conflict(self, current: int | None = None) -> None:
        """Mark the form as stale: the message, the differing fields, and the saved
        version in the hidden field so that saving again keeps the person's values."""
        fresh = type(self.instance)._base_manager.filter(pk=self.instance.pk).first()
        if fresh is None:
            return
        if current is None:
            current = fresh.version
        names = [n for n in self.fields if n != "version"]
        saved = model_to_dict(fresh, fields=names)
        self.conflicts = []
        for name in names:
            if name not in saved:
                continue
            field = self.fields[name]
            bound = self[name]
            if not field.has_changed(saved[name], bound.data):
                continue
            yours = (
                self.cleaned_data.get(name, bound.data)
                if hasattr(self, "cleaned_data")
                else bound.data
            )
            value = getattr(fresh, name)
            if isinstance(value, models.Manager):
                value = list(value.all())
            self.conflicts.append(
                FieldConflict(
                    name=name,
                    label=str(bound.label),
                    yours=_shown(field, yours),
                    saved=_shown(field, value),
                )
            )
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or dict; the stubs say Mapping
        data[self.add_prefix("version")] = str(current)
        self.data = data
        self.instance.version = current
        if CONFLICT_MESSAGE not in self.non_field_errors():
            self.add_error(None, CONFLICT_MESSAGE)
