"""``manage.py import_national_file ae-4-hour --organisation riverside-wolds``:
load a national benchmark from a public file carried with OpenQI."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openqi.benchmark.national import NATIONAL_FILES, load_national
from openqi.organisations.models import Organisation


class Command(BaseCommand):
    help = "Load a national benchmark (funnel and SPC per provider) from a public file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", choices=sorted(NATIONAL_FILES))
        parser.add_argument(
            "--organisation",
            required=True,
            help="Slug of the organisation (usually a system) that owns the benchmark.",
        )
        parser.add_argument(
            "--replace", action="store_true", help="Load the values again."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["organisation"]
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(
                f"There is no organisation {slug!r}: give the slug of an existing one."
            )
        benchmark, loaded = load_national(
            organisation, options["file"], replace=options["replace"]
        )
        result = getattr(benchmark, "result", None)
        if loaded:
            self.stdout.write(
                f"Loaded {benchmark.name} for {organisation.name}: "
                f"{benchmark.participants.count()} providers; the funnel for "
                f"{result.period:%B %Y} has {result.participants} providers."
                if result and result.period
                else f"Loaded {benchmark.name}."
            )
        else:
            self.stdout.write(
                f"{benchmark.name} is already loaded for {organisation.name}; "
                "use --replace to load it again."
            )
