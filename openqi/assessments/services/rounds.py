"""Assessment rounds, their anonymous links and the responses given through them.

Closing a round publishes its results (``results.publish_results``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from openqi.core.tokens import new_token, token_hash
from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, Organisation, Unit

from ..models import AssessmentRound, Instrument, Response, ResponseLink
from .results import publish_results

#: The most links made at once.
MAX_LINKS = 500


def rounds_for(organisation: Organisation) -> QuerySet[AssessmentRound]:
    """The organisation's rounds, newest first, each with ``response_count``."""
    rounds: QuerySet[AssessmentRound] = (
        AssessmentRound.objects.for_organisation(organisation)
        .select_related("instrument")
        .defer("published_results")
        .annotate(response_count=Count("responses", distinct=True))
        .order_by("-created_at", "-pk")
    )
    return rounds


def get_round_for(membership: Membership, pk: int) -> AssessmentRound:
    """A round of the member's organisation (with ``response_count`` and its stored
    results, which ``rounds_for`` leaves out of lists), or 404."""
    return find_for(
        membership,
        rounds_for(membership.organisation).defer(None),
        pk,
        "assessment round",
        "rounds",
    )


def create_round(
    organisation: Organisation,
    *,
    instrument: Instrument,
    title: str,
    units: Iterable[Unit],
    created_by: Any = None,
) -> AssessmentRound:
    """A draft round; no units means the whole organisation."""
    with transaction.atomic():
        assessment_round = AssessmentRound.objects.create(
            organisation=organisation,
            instrument=instrument,
            title=title,
            created_by=created_by,
        )
        assessment_round.units.set(list(units))
    return assessment_round


def open_round(assessment_round: AssessmentRound) -> AssessmentRound:
    """Open a draft round for responses (a closed round stays closed)."""
    if assessment_round.status == AssessmentRound.Status.DRAFT:
        assessment_round.status = AssessmentRound.Status.OPEN
        assessment_round.opened_on = timezone.localdate()
        assessment_round.save()
    return assessment_round


def close_round(assessment_round: AssessmentRound) -> AssessmentRound:
    """Close an open round: its links stop taking responses, and its results are
    computed and stored (``publish_results``), together or not at all."""
    if assessment_round.status == AssessmentRound.Status.OPEN:
        with transaction.atomic():
            assessment_round.status = AssessmentRound.Status.CLOSED
            assessment_round.closed_on = timezone.localdate()
            assessment_round.save()
            publish_results(assessment_round)
    return assessment_round


# --- Anonymous links and responses ------------------------------------------


def link_counts(assessment_round: AssessmentRound) -> dict[str, int]:
    counts = assessment_round.links.aggregate(
        total=Count("pk"), used=Count("pk", filter=Q(used_at__isnull=False))
    )
    return {"used": counts["used"], "unused": counts["total"] - counts["used"]}


def create_links(
    assessment_round: AssessmentRound,
    *,
    count: int,
    unit: Unit | None,
    staff_group: str,
    respondent_group: str,
) -> list[str]:
    """Make ``count`` anonymous links and return their raw tokens.

    Only each token's hash is stored, so the tokens returned here are the only
    copy: the page shows them once.
    """
    tokens = [new_token() for _ in range(count)]
    ResponseLink.objects.bulk_create(
        ResponseLink(
            round=assessment_round,
            token_hash=token_hash(token),
            unit=unit,
            staff_group=staff_group,
            respondent_group=respondent_group,
        )
        for token in tokens
    )
    return tokens


def link_for_token(raw: str) -> ResponseLink | None:
    return (
        ResponseLink.objects.select_related("round__instrument", "round__organisation")
        .filter(token_hash=token_hash(raw))
        .first()
    )


class LinkAlreadyUsed(Exception):
    """The link was used while this response was being filled in."""


def submit_response(link: ResponseLink, answers: Mapping[str, Any]) -> Response:
    """Store one anonymous response and mark its link used, together or not at all.

    Only the date is stored, and nothing about who answered beyond what the
    link carries (unit, staff group, respondent group).
    """
    with transaction.atomic():
        # The update is the lock: of two submissions racing, only one marks the link.
        marked = ResponseLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not marked:
            raise LinkAlreadyUsed
        return Response.objects.create(
            round=link.round,
            unit=link.unit,
            staff_group=link.staff_group,
            respondent_group=link.respondent_group,
            submitted_on=timezone.localdate(),
            answers=dict(answers),
        )
