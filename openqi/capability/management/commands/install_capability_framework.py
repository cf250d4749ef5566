"""``python manage.py install_capability_framework SLUG``: put OpenQI's built-in
capability framework into an organisation whose framework has no levels.

The framework page does the same on an organisation's first visit; this is for
setting an organisation up before anyone visits (and for the demo's builders).
An organisation with levels of its own is left as it is."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openqi.capability import services
from openqi.core.acting import acting_as
from openqi.organisations.models import Organisation


class Command(BaseCommand):
    help = (
        "Put the built-in capability framework (six levels) into an organisation "
        "whose framework is empty. Example: install_capability_framework riverside"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the organisation's short name in addresses")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["slug"]).first()
        if organisation is None:
            raise CommandError(
                f"there is no organisation with the slug {options['slug']!r}"
            )
        with acting_as(None, "command"):
            try:
                levels = services.install_builtin_framework(organisation)
            except services.FrameworkNotEmpty:
                self.stdout.write(
                    f"{organisation.name}'s framework already has levels; left as it is."
                )
                return
        self.stdout.write(
            f"Installed the built-in framework's {len(levels)} levels for {organisation.name}."
        )
