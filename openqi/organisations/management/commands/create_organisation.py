"""``python manage.py create_organisation``: the first organisation on a new server.

Every other organisation change happens in the app, by an administrator; this
command makes the organisation that first administrator belongs to, and e-mails
them an invitation (valid for 14 days) to set their name and password.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from openqi.core.acting import acting_as
from openqi.organisations import services
from openqi.organisations.models import Organisation, Role


class Command(BaseCommand):
    help = (
        "Create an organisation and e-mail its first administrator an invitation. "
        'Example: create_organisation "Riverside University Hospitals NHS Foundation '
        'Trust" --slug riverside --admin qi.lead@example.org --site-url https://openqi.example.org'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the organisation's full name")
        parser.add_argument("--slug", required=True, help="its short name in addresses")
        parser.add_argument(
            "--kind",
            choices=Organisation.Kind.values,
            default=Organisation.Kind.PROVIDER,
        )
        parser.add_argument(
            "--system", metavar="SLUG", help="the system a provider belongs to"
        )
        parser.add_argument(
            "--admin", required=True, metavar="EMAIL", help="who to invite"
        )
        parser.add_argument(
            "--site-url",
            required=True,
            metavar="URL",
            help="the address people use, which starts the link in the e-mail",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        system = None
        if options["system"]:
            system = Organisation.objects.filter(slug=options["system"]).first()
            if system is None:
                raise CommandError(
                    f"there is no organisation with the slug {options['system']!r}"
                )
        organisation = Organisation(
            name=options["name"],
            slug=options["slug"],
            kind=options["kind"],
            system=system,
        )
        try:
            validate_email(options["admin"])
            organisation.full_clean()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        with transaction.atomic(), acting_as(None, "command"):
            organisation.save()
            services.invite(
                organisation,
                email=options["admin"],
                role=Role.ADMIN,
                unit=None,
                invited_by=None,
                site_url=options["site_url"],
            )
        self.stdout.write(
            f"Created {organisation.name} ({organisation.slug}) and e-mailed an invitation "
            f"to {options['admin'].strip().lower()} to join as its administrator."
        )
