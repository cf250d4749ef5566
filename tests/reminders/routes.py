"""The reminders pages, for the access walk (see tests/access.py).

The reminders page is the signed-in person's own (personal); the unsubscribe
page answers anyone holding the link, whose signed token names the person.
"""

from __future__ import annotations

from typing import Any

from openqi.reminders.services import unsubscribe_token
from tests.access import Route, Write


def _editor_link(cast: Any) -> dict[str, Any]:
    return {"token": unsubscribe_token(cast.editor)}


ROUTES = [
    Route(
        "reminders:choice",
        personal=True,
        writes=(Write(data=lambda cast: {"frequency": "daily"}),),
    ),
    Route("reminders:unsubscribe", public=True, kwargs=_editor_link, writes=(Write(),)),
]
