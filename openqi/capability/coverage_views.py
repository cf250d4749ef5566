"""The capability page: coverage against target as a unit × level heatmap, the
trend of each level, the gaps largest first with when each target will be met,
and the board's own development. Every member reads it; what it shows is
computed once per change (``coverage.coverage``) and its charts drawn once
per change too."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from markupsafe import Markup

from openqi.audit.kept import kept
from openqi.core.forms import SaysWhatToEnter
from openqi.organisations.models import StaffRecord
from openqi.organisations.permissions import MemberRequest, has, page_access

from . import coverage as service
from .charts import trend_svg
from .permissions import CHANGE_CAPABILITY, VIEW_CAPABILITY


class CoverageFilterForm(SaysWhatToEnter, forms.Form):
    group = forms.ChoiceField(
        choices=[("", "All staff groups"), *StaffRecord.StaffGroup.choices],
        required=False,
        label="Staff group",
        error_messages={
            "invalid_choice": "Choose a staff group from the list, or all staff groups."
        },
    )

    def group_shown(self) -> str:
        return str(self.cleaned_data["group"]) if self.is_valid() else ""


def _charts(found: service.Coverage) -> list[Markup]:
    return [
        trend_svg(level, found.months, points, cell, f"trend-{level.pk}")
        for level, points, cell in found.series()
    ]


@page_access(get=VIEW_CAPABILITY)
def coverage_page(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    form = CoverageFilterForm(request.GET or None)
    group = form.group_shown()
    found = service.coverage(organisation, group)
    key = f"capability-coverage-charts:{service.FORMAT}:{found.today}:{group}"
    charts = kept(organisation.pk, key, lambda: _charts(found))
    context: dict[str, Any] = {
        "membership": membership,
        "organisation": organisation,
        "can_edit": has(membership, CHANGE_CAPABILITY),
        "form": form,
        "group": group,
        "group_label": service.group_label(group),
        "coverage": found,
        "charts": list(zip(found.series(), charts, strict=True)),
        "percent": service.percent,
        "bands": service.BANDS,
        "band_words": service.BAND_WORDS,
    }
    return render(request, "capability/coverage.html", context)
