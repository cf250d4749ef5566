"""``python manage.py demo [--size small|large]``: the same as ``openqi demo``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openqi.demo import SIZES, DemoError, build_demo, describe, ensure_migrated


class Command(BaseCommand):
    help = (
        "Create the demo organisation (a fictional trust in a fictional integrated "
        "care system) and print the sign-in details. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            choices=tuple(SIZES),
            default="small",
            help="small (the default) or large (benchmark scale: 10,000 staff records)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            ensure_migrated()
            demo = build_demo(size=options["size"])
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(describe(demo), ending="")
