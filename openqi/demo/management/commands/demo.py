"""``python manage.py demo [--size small|large]``: build the demo, print the sign-in details.

``openqi demo`` runs this command, so both print the same and refuse the same.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from openqi.demo.builder import (
    SIZES,
    DemoError,
    build_demo,
    describe,
    ensure_migrated,
)


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
            help="small: 1,200 staff records (default); large: benchmark "
            "scale, 10,000 staff records in the main trust",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            ensure_migrated()
            demo = build_demo(size=options["size"])
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(
                f"cannot use the database: {exc}; check DATABASE_URL and that the "
                "database server is running"
            ) from None
        self.stdout.write(describe(demo), ending="")
