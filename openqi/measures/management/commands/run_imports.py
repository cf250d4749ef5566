"""``manage.py run_imports``: read, check and save the data files people upload.

The web request only keeps the upload and queues it; this command does the
heavy work, so a big file never holds a web worker. Run one or more beside the
web server (docs/install.md): each job is claimed by one runner only.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from openqi.measures.imports import run_pending_imports


class Command(BaseCommand):
    help = (
        "Read, check and save uploaded data files: claims each queued import "
        "and works on it. Runs until stopped, or once with --once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Process the imports waiting now, then stop.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between two looks for queued imports (default 1).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            processed = run_pending_imports()
            if processed or options["once"] or options["verbosity"] > 1:
                self.stdout.write(
                    f"Processed {processed} import{'' if processed == 1 else 's'}."
                )
            if options["once"]:
                return
            time.sleep(options["interval"])
            # A long-running loop drops a connection the database has closed or
            # that has outlived CONN_MAX_AGE, as a request's end would. Not before
            # the first pass: under a caller's transaction (--once in a test) it
            # would close the connection that holds it.
            close_old_connections()
