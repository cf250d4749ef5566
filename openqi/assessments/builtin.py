"""The built-in instruments: written for OpenQI, shipped as definition files in
``builtin/``, and loaded into every database as instruments with no organisation.

Change a built-in's wording freely; change its items, scales or sections only
under a new ``version``, so that rounds already answered keep the definition
they were answered against. A data migration that calls
:func:`load_builtin_instruments` brings every database up to date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .definition import Definition, parse_definition
from .models import Instrument

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"


def builtin_definitions() -> list[Definition]:
    """The built-in definitions, validated, in file-name order."""
    return [
        parse_definition(path.read_text(encoding="utf-8"))
        for path in sorted(BUILTIN_DIR.glob("*.json"))
    ]


def load_builtin_instruments(instrument_model: Any = None) -> list[Any]:
    """Create or update the built-in instruments; running it again changes nothing.

    ``instrument_model`` lets a data migration pass its historical model.
    """
    model: Any = instrument_model or Instrument  # or a migration's historical model
    instruments = []
    for definition in builtin_definitions():
        fields = {
            "name": definition.name,
            "description": definition.description,
            "definition": definition.to_dict(),
        }
        # Not update_or_create: a built-in whose fields have not changed is not
        # saved again, so the audit trail and updated rows stay quiet.
        instrument = model.objects.filter(
            organisation__isnull=True, key=definition.key, version=definition.version
        ).first()
        if instrument is None:
            instrument = model.objects.create(
                organisation=None,
                key=definition.key,
                version=definition.version,
                **fields,
            )
        elif any(getattr(instrument, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(instrument, name, value)
            instrument.save()
        instruments.append(instrument)
    return instruments
