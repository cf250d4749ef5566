"""``manage.py rebuild_chart_summaries``: compute every measure's stored chart
summary again (after an upgrade of OpenQI or its SPC engine)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openqi.measures import summaries
from openqi.measures.models import ChartSummary, Measure
from openqi.organisations.models import Organisation


class Command(BaseCommand):
    help = (
        "Compute the chart summaries the overview, portfolio, project pages and "
        "measures list read, for every measure (or one organisation's), in batches "
        "with the batch engine. Run after upgrading OpenQI."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            help="Only this organisation's measures.",
        )
        parser.add_argument(
            "--stale",
            action="store_true",
            help="Only summaries that are missing or were computed by another "
            "version (the rest are left as they are).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=summaries.BATCH,
            help=f"Measures computed and written together (default {summaries.BATCH}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        measures = Measure.objects.order_by("pk")
        if options["organisation"]:
            try:
                organisation = Organisation.objects.get(slug=options["organisation"])
            except Organisation.DoesNotExist:
                raise CommandError(
                    f"No organisation has the slug {options['organisation']!r}: "
                    "see the slugs in the addresses of its pages."
                ) from None
            measures = measures.filter(organisation=organisation)
        if options["stale"]:
            current = ChartSummary.objects.filter(engine=summaries.ENGINE)
            measures = measures.exclude(pk__in=current.values("measure_id"))
        size = options["batch_size"]
        if size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        ids = list(measures.values_list("pk", flat=True))
        total = len(ids)
        started = time.perf_counter()
        done = 0
        for start in range(0, total, size):
            chunk = ids[start : start + size]
            summaries.refresh_summaries(chunk)
            done += len(chunk)
            self.stdout.write(f"{done:,} of {total:,} measures")
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt {total:,} chart summar{'y' if total == 1 else 'ies'} "
                f"in {seconds:.1f} s ({summaries.ENGINE})."
            )
        )
