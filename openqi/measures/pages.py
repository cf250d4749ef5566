"""What the measure pages share: the context every template reads, and small helpers."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseRedirect
from django.shortcuts import redirect

from openqi.organisations.models import Membership

from . import charts, importing
from .models import Measure


def page_context(
    membership: Membership, measure: Measure | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "measure": measure,
        "number_text": charts.number_text,
        "period_words": importing.period_words,
        **extra,
    }


def to_detail(measure: Measure) -> HttpResponseRedirect:
    return redirect("measures:detail", slug=measure.organisation.slug, pk=measure.pk)
