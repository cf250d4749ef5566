"""Loading an organisation's own instruments from a definition file, and exporting any
instrument as one."""

from __future__ import annotations

import json
from typing import IO, Any

from openqi.organisations.models import Organisation

from .definition import DefinitionError, load_definition_text, parse_definition
from .models import Instrument

#: Larger than any sensible instrument; a bigger upload is refused unread.
MAX_DEFINITION_BYTES = 1_000_000


def import_instrument(
    organisation: Organisation, file_or_text: str | bytes | IO[Any]
) -> Instrument:
    """A new instrument for ``organisation`` from a JSON definition (text, bytes or
    an open or uploaded file).

    Raises :class:`~openqi.assessments.definition.DefinitionError`, whose ``errors``
    list every problem, if the definition is not valid or its key and version are taken.
    """
    if hasattr(file_or_text, "read"):
        text = file_or_text.read(MAX_DEFINITION_BYTES + 1)
    else:
        text = file_or_text
    if len(text) > MAX_DEFINITION_BYTES:
        raise DefinitionError(
            [
                f"the file is larger than {MAX_DEFINITION_BYTES // 1_000_000} MB; "
                "an instrument definition is far smaller — check it is the right file"
            ]
        )
    definition = parse_definition(load_definition_text(text))
    if Instrument.objects.filter(
        organisation__isnull=True, key=definition.key
    ).exists():
        raise DefinitionError(
            [
                f"key: '{definition.key}' is the key of a built-in instrument; "
                "give your instrument a key of its own"
            ]
        )
    if Instrument.objects.filter(
        organisation=organisation, key=definition.key, version=definition.version
    ).exists():
        raise DefinitionError(
            [
                f"version: '{definition.key}' version '{definition.version}' is already "
                "loaded; change the version to load the new definition alongside it"
            ]
        )
    return Instrument.objects.create(
        organisation=organisation,
        key=definition.key,
        version=definition.version,
        name=definition.name,
        description=definition.description,
        definition=definition.to_dict(),
    )


def export_instrument(instrument: Instrument) -> str:
    """The instrument's definition as JSON text, ready to load elsewhere."""
    return json.dumps(instrument.definition, indent=2, ensure_ascii=False) + "\n"


def export_filename(instrument: Instrument) -> str:
    """A file name for the exported definition: ``<key>-<version>.json``."""
    return f"{instrument.key}-{instrument.version}.json"
