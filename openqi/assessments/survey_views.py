"""The public survey: answering through an anonymous link, without signing in.

Nothing about the person is stored: no account, no address, no time of day;
the response carries only what its link carries (unit, staff group,
respondent group) and the date.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from . import services
from .forms import SurveyForm
from .models import AssessmentRound


@never_cache
def answer(request: HttpRequest, token: str) -> HttpResponse:
    link = services.link_for_token(token)
    if link is None:
        raise Http404("No such survey link")
    assessment_round = link.round
    context: dict[str, Any] = {
        "assessment_round": assessment_round,
        "instrument": assessment_round.instrument,
        "organisation": assessment_round.organisation,
    }
    if link.used_at is not None:
        return render(request, "assessments/survey_used.html", context)
    if assessment_round.status != AssessmentRound.Status.OPEN:
        return render(request, "assessments/survey_closed.html", context)
    sections = services.survey_sections(
        services.definition_of(assessment_round), link.respondent_group
    )
    form = SurveyForm(
        request.POST if request.method == "POST" else None, sections=sections
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_response(link, form.answers())
        except services.LinkAlreadyUsed:
            return render(request, "assessments/survey_used.html", context)
        return redirect("survey:thanks")
    context |= {"form": form, "respondent_group": link.get_respondent_group_display()}
    return render(request, "assessments/survey.html", context)


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "assessments/survey_thanks.html", {})
