"""What each member shares with its system.

A member organisation shares nothing until one of its administrators says so, on
its own "Sharing with <system>" page (or through the API); each choice is a
versioned row on the member's own audit trail. The row names the system it was
made for: a member that moves to another system shares nothing with the new one
until it chooses again.
"""

from __future__ import annotations

from django.db import models

from openqi.core.versioning import VersionedModel
from openqi.organisations.models import Organisation, OrganisationOwnedQuerySet

#: What may be shared, with what the sharing page says of each.
PARTS: tuple[tuple[str, str, str], ...] = (
    (
        "portfolio",
        "Our project portfolio",
        "Each project's title, strategic priorities, status and latest progress "
        "rating. Nothing else: no aims, people, notes or measures.",
    ),
    (
        "capability",
        "Our improvement capability, as counts",
        "How many people have reached each skill level, against our targets. "
        "Counts below 5 are never shown.",
    ),
    (
        "readiness",
        "Our readiness for improvement, as scores",
        "The latest closed readiness round's score in each domain. A score from "
        "fewer than 5 answers is never shown.",
    ),
)


class Sharing(VersionedModel):
    """A member organisation's choice of what its system may see."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="system_sharing"
    )
    #: The system the choice was made for (the member's system at the time).
    system = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="shared_with"
    )
    portfolio = models.BooleanField("share our project portfolio", default=False)
    capability = models.BooleanField("share capability counts", default=False)
    readiness = models.BooleanField("share readiness scores", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "system"], name="system_sharing_once"
            )
        ]

    def __str__(self) -> str:
        shared = [name for name, _, _ in PARTS if getattr(self, name)]
        return f"Shares with its system: {', '.join(shared) or 'nothing'}"

    @property
    def anything(self) -> bool:
        return self.portfolio or self.capability or self.readiness

    def audit_organisation(self) -> Organisation:
        return self.organisation
