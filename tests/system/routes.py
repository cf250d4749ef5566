"""The system pages, for the access walk (see tests/access.py).

The cast's organisation is a provider with no system. For the system's pages it
is made a system (the walk's cast then holds every role in a system); for the
sharing page it is made a member of a new system. The page crawl's cast, played
by the demo, is Riverside in its system: its administrator is given a role in the
system organisation so that the system's pages are crawled too.
"""

from __future__ import annotations

from typing import Any

from openqi.organisations.models import Membership, Organisation, Role
from tests.access import Route, Write


def as_system(cast: Any) -> dict[str, Any]:
    """The slug of a system organisation the cast's members have roles in."""
    organisation = Organisation.objects.get(pk=cast.org.pk)
    if organisation.system_id is not None:  # the page crawl: the demo's system
        system = Organisation.objects.get(pk=organisation.system_id)
        Membership.objects.get_or_create(
            user=cast.editor, organisation=system, defaults={"role": Role.ADMIN}
        )
        return {"slug": system.slug}
    Organisation.objects.filter(pk=organisation.pk).update(
        kind=Organisation.Kind.SYSTEM
    )
    return {"slug": organisation.slug}


def in_system(cast: Any) -> dict[str, Any]:
    """The slug of the cast's organisation, a member of a system."""
    organisation = Organisation.objects.get(pk=cast.org.pk)
    if organisation.system_id is None:
        system, _ = Organisation.objects.get_or_create(
            slug="walk-system",
            defaults={
                "name": "Walkers Integrated Care System",
                "kind": Organisation.Kind.SYSTEM,
            },
        )
        Organisation.objects.filter(pk=organisation.pk).update(system=system)
    return {"slug": organisation.slug}


ROUTES: list[Route] = [
    Route("system:portfolio", kwargs=as_system),
    Route("system:projects", kwargs=as_system),
    Route(
        "system:sharing",
        kwargs=in_system,
        writes=(Write(data=lambda cast: {"portfolio": "on", "capability": "on"}),),
    ),
]
