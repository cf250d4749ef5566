"""The categories every part of OpenQI tags its data with (overview: first-class data).

The four enabler categories of an organisation-wide approach to improvement and
the seven barrier categories tag assessment sections, action-plan items,
barriers and board reports alike.
"""

from django.db import models


class EnablerCategory(models.TextChoices):
    LEADERSHIP = "leadership", "Leadership and governance"
    INFRASTRUCTURE = "infrastructure", "Infrastructure and resources"
    SKILLS = "skills", "Skills and workforce"
    CULTURE = "culture", "Culture and environment"


class BarrierCategory(models.TextChoices):
    CULTURE = "culture", "Culture"
    LEADERSHIP = "leadership", "Leadership"
    FOCUS = "focus", "Focus"
    RESOURCES = "resources", "Resources"
    INFORMATION = "information", "Information"
    TIMING = "timing", "Timing"
    ENGAGEMENT = "engagement", "Engagement"
