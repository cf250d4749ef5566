"""``manage.py publish_round_results``: compute and store the results of closed rounds."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openqi.assessments.models import AssessmentRound
from openqi.assessments.services import has_stored_results, publish_results


class Command(BaseCommand):
    help = (
        "Compute and store the published results of every closed assessment round "
        "that has none, or has them from an older method version. --all computes "
        "every closed round's again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Compute every closed round's results again, even when stored.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rounds = (
            AssessmentRound.objects.filter(status=AssessmentRound.Status.CLOSED)
            .select_related("instrument")
            .order_by("pk")
        )
        published = 0
        for assessment_round in rounds.iterator(chunk_size=50):
            if options["all"] or not has_stored_results(assessment_round):
                publish_results(assessment_round)
                published += 1
        self.stdout.write(
            f"Stored the results of {published} closed round"
            f"{'' if published == 1 else 's'}."
        )
