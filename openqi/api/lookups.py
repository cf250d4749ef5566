"""Shared by the strategy, project and measure operations: finding a row within
the caller's organisation, and checking input with the pages' forms or a model's
own rules so that errors name the API's fields."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as ModelValidationError
from django.db.models import Model, QuerySet

from openqi.organisations.access import organisation_api_path

from .errors import InvalidInput

__all__ = [
    "changes",
    "check",
    "choose",
    "date_fields",
    "organisation_api_path",
    "validate",
]

M = TypeVar("M", bound=Model)


def choose(queryset: QuerySet[M], pk: int | None, field: str, what: str) -> M | None:
    """The row a request names by id in ``field`` (None stays None), or a 422 on that field."""
    if pk is None:
        return None
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise InvalidInput(
            {field: [f"There is no {what} {pk} in this organisation; choose another."]}
        )
    return row


def validate(instance: Model, fields: dict[str, str] | None = None) -> None:
    """Run the model's own checks (``full_clean``); errors name the API's fields."""
    fields = {"__all__": "body", **(fields or {})}
    try:
        instance.full_clean()
    except ModelValidationError as error:
        raise InvalidInput(
            {
                fields.get(name, name): list(messages)
                for name, messages in error.message_dict.items()
            }
        ) from None


def check(form: Any, fields: dict[str, str] | None = None) -> dict[str, Any]:
    """The form's cleaned data, or a 422 whose details name the API's fields."""
    if not form.is_valid():
        fields = {"__all__": "body", **(fields or {})}
        raise InvalidInput({fields.get(f, f): list(m) for f, m in form.errors.items()})
    return dict(form.cleaned_data)


def date_fields(name: str, value: date | None) -> dict[str, str]:
    """A date as the three inputs of the forms' NHSDateField (nothing for no date)."""
    if value is None:
        return {}
    return {
        f"{name}_day": str(value.day),
        f"{name}_month": str(value.month),
        f"{name}_year": str(value.year),
    }


def changes(payload: Any) -> dict[str, Any]:
    """The fields a PATCH sent (those left out stay as they are)."""
    return dict(payload.dict(exclude_unset=True))
