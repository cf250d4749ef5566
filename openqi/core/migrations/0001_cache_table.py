"""The database cache's table, ``openqi_cache`` (``OPENQI_CACHE_URL=db``, and the
default when ``OPENQI_DEBUG`` is false; openqi/web/env.py names the same table).

Created on every database, whichever cache is configured, so a server can switch to
the database cache, or run with it by default, without ``createcachetable``. Its
columns are Django's own (``manage.py createcachetable``, whose code this calls);
there is no model, as the cache reads and writes the table itself.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.createcachetable import Command
from django.db import migrations

CACHE_TABLE = "openqi_cache"


def create_cache_table(apps: Any, schema_editor: Any) -> None:
    command = Command()
    command.verbosity = 0
    # Does nothing when the table already exists (say, made by createcachetable).
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps: Any, schema_editor: Any) -> None:
    quoted = schema_editor.quote_name(CACHE_TABLE)
    schema_editor.execute(f"DROP TABLE IF EXISTS {quoted}")


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
