"""The web verbs of ``openqi``: a thin entry to the web application's management commands.

``openqi demo`` runs ``python manage.py demo`` (the command lives in the
:mod:`openqi.demo` app) through :func:`django.core.management.call_command`,
and ``openqi send-reminders`` runs ``python manage.py send_reminders`` (in
:mod:`openqi.reminders`) the same way.
This module sets Django up and calls the command by name; it imports no OpenQI
app, and Django only when a web verb runs, so the chart verbs never pay for it.
"""

from __future__ import annotations

import argparse
import io
import os
from typing import Any

from openqi.cli.errors import InputError

__all__ = ["add_verbs"]

_DEMO_EPILOG = """\
examples:
  python manage.py migrate && openqi demo
  DATABASE_URL=postgres://openqi@localhost/openqi openqi demo --size large

The database is the one the web application uses (DATABASE_URL, else SQLite
openqi.sqlite3 in the repository) and must be migrated first. Every demo
account has the same published password: never load the demo into a
database that holds real data. Exit status: 0 on success, 2 when the database
is not ready or the settings are wrong.
"""


def add_verbs(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the web verbs to the ``openqi`` parser's sub-parsers."""
    demo = verbs.add_parser(
        "demo",
        help="load the demo organisation into the web application's database",
        description="Create the demo organisation in the web application's database: a\n"
        "fictional NHS trust and a second trust in a fictional integrated care\n"
        "system, with divisions, directorates, teams, about 50 people in every role\n"
        "and staff records. Prints the sign-in details. Running it again creates\n"
        "only what is missing.",
        epilog=_DEMO_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--size",
        choices=("small", "large"),
        default="small",
        help="small: 1,200 staff records (default); large: benchmark scale, "
        "10,000 staff records in the main trust",
    )
    demo.set_defaults(run=_run_demo)
    _add_send_reminders(verbs)


def _run_demo(args: argparse.Namespace) -> tuple[str, str | None]:
    return _call("demo", size=args.size), None


_REMINDERS_EPILOG = """\
examples:
  openqi send-reminders --site-url https://openqi.example.org
  openqi send-reminders --site-url https://openqi.example.org --dry-run --date 2027-03-01

Run it once a day (cron or a systemd timer: docs/install.md). Running it again
sends nothing twice: each digest is recorded for its day (daily) or ISO week
(weekly, sent on the first run on or after Monday). Exit status: 0 on success,
2 when the settings or the database are wrong or an e-mail could not be sent
(run it again: what was sent is not sent twice).
"""


def _add_send_reminders(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    reminders = verbs.add_parser(
        "send-reminders",
        help="e-mail each person due a reminder what needs them",
        description="E-mail each person due a reminder (daily or weekly, by their\n"
        "own choice) what needs them in each of their organisations. Nobody\n"
        "nothing needs is sent anything. The same as python manage.py send_reminders.",
        epilog=_REMINDERS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    reminders.add_argument(
        "--site-url",
        required=True,
        metavar="URL",
        help="the address people use, which starts the links in the e-mails",
    )
    reminders.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="send as on this day (default today)",
    )
    reminders.add_argument(
        "--dry-run",
        action="store_true",
        help="send and record nothing; list who would get a digest",
    )
    reminders.set_defaults(run=_run_send_reminders)


def _run_send_reminders(args: argparse.Namespace) -> tuple[str, str | None]:
    options = {"site_url": args.site_url, "dry_run": args.dry_run}
    if args.date:
        options["date"] = args.date
    return _call("send_reminders", **options), None


def _call(command: str, **options: Any) -> str:
    """Run a management command of the web application; return what it printed."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openqi.web.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import CommandError, call_command
    from django.db import DatabaseError

    out = io.StringIO()
    try:
        django.setup()
        call_command(command, stdout=out, **options)
    except CommandError as exc:
        raise InputError(str(exc)) from None
    except ImproperlyConfigured as exc:
        raise InputError(f"the settings are wrong: {exc}") from None
    except DatabaseError as exc:
        raise InputError(
            f"cannot use the database: {exc}; check DATABASE_URL and that the "
            "database server is running"
        ) from None
    return out.getvalue()
