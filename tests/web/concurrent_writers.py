"""Twenty writers and a long import at once, through Django, on the database that
``DATABASE_URL`` names (a SQLite file or PostgreSQL).

Run by tests/web/test_concurrent_writes.py in a process of its own, because settings
are read once per process, from the environment. It migrates the (empty) database,
starts a long write transaction (an import that holds the write lock while it
commits), then lets every writer go at once. Each writer reads and then writes in one
transaction, the pattern SQLite refuses with "database is locked" when two deferred
transactions try to upgrade to writing together. Prints a JSON summary: the errors
met (none, we hope) and the rows written.
"""

from __future__ import annotations

import json
import os
import threading
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openqi.web.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from openqi.organisations.models import Organisation, Unit  # noqa: E402

WRITERS = 20
WRITES_EACH = 10
IMPORT_ROWS = 300
#: How long the import holds the write lock before it commits: shorter than the
#: busy timeout, longer than writers would wait without one.
IMPORT_HOLDS_LOCK_SECONDS = 2.0


def main() -> dict[str, object]:
    call_command("migrate", verbosity=0, interactive=False)
    organisation = Organisation.objects.create(name="Busy Trust", slug="busy-trust")
    import_has_lock = threading.Event()
    errors: list[str] = []

    def long_import() -> None:
        try:
            with transaction.atomic():
                for row in range(IMPORT_ROWS):
                    Unit.objects.create(
                        organisation=organisation,
                        name=f"Imported unit {row}",
                        level=Unit.Level.DIVISION,
                    )
                    import_has_lock.set()
                time.sleep(IMPORT_HOLDS_LOCK_SECONDS)
        except Exception as error:  # reported, not raised: the summary lists them
            errors.append(f"import: {error!r}")
        finally:
            import_has_lock.set()
            connection.close()

    def writer(number: int) -> None:
        import_has_lock.wait()
        try:
            for write in range(WRITES_EACH):
                with transaction.atomic():
                    # Read first, then write: a deferred transaction would have to
                    # upgrade its read lock to a write lock here.
                    current = Organisation.objects.get(pk=organisation.pk)
                    Unit.objects.create(
                        organisation=current,
                        name=f"Writer {number} unit {write}",
                        level=Unit.Level.DIVISION,
                    )
                Organisation.objects.filter(pk=organisation.pk).update(
                    name=f"Busy Trust (writer {number})"
                )
        except Exception as error:
            errors.append(f"writer {number}: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=long_import)] + [
        threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "vendor": connection.vendor,
        "errors": errors,
        "units": Unit.objects.filter(organisation=organisation).count(),
        "expected_units": IMPORT_ROWS + WRITERS * WRITES_EACH,
    }


if __name__ == "__main__":
    print(json.dumps(main()))
