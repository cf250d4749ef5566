"""OpenQI's scoring of a sustainability check (plain values in, plain values out).

Each team member rates each factor from 1 (not at all) to 5 (fully). A factor's
team rating is the median of its members' ratings, and its spread their range
(lowest to highest). The check's score is out of 100, every factor weighing the
same::

    score = 100 × mean over rated factors of (median − 1) / 4

so ten factors all rated 5 score 100 and all rated 1 score 0. This equal-weight
scale is OpenQI's own; it does not reproduce the weights of the NHS
Sustainability Model (NHS Institute for Innovation and Improvement,
"Sustainability Model and Guide", 2010), whose factors it rates.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .builtin import FACTORS, SCALE

__all__ = ["CheckScore", "FactorScore", "WEAKEST", "check_score"]

#: How many of the lowest-rated factors are offered as the weakest.
WEAKEST = 3
LOWEST = min(SCALE)
HIGHEST = max(SCALE)


@dataclass(frozen=True)
class FactorScore:
    key: str
    group: str
    title: str
    action: str
    ratings: int
    median: float | None
    lowest: int | None
    highest: int | None

    @property
    def spread(self) -> int | None:
        """Highest minus lowest rating: 0 when the team agrees."""
        if self.lowest is None or self.highest is None:
            return None
        return self.highest - self.lowest


@dataclass(frozen=True)
class CheckScore:
    factors: tuple[FactorScore, ...]
    #: Out of 100, or None while no factor is rated.
    score: float | None
    raters: int

    @property
    def weakest(self) -> tuple[FactorScore, ...]:
        """The lowest medians first (a wider spread first among equals), only
        factors below the top of the scale."""
        rated = [f for f in self.factors if f.median is not None]
        rated.sort(key=lambda f: (f.median, -(f.spread or 0), f.lowest))
        return tuple(f for f in rated if f.median is not None and f.median < HIGHEST)[
            :WEAKEST
        ]


def check_score(ratings: Mapping[str, Sequence[int]], raters: int = 0) -> CheckScore:
    """The team's score from each factor's ratings (factor key → the members'
    ratings, 1–5). Raises ValueError for a rating off the scale."""
    factors = []
    for f in FACTORS:
        values = list(ratings.get(f.key, ()))
        for value in values:
            if not LOWEST <= value <= HIGHEST:
                raise ValueError(
                    f"A rating of {f.title} must be from {LOWEST} to {HIGHEST}; got {value}."
                )
        factors.append(
            FactorScore(
                key=f.key,
                group=f.group,
                title=f.title,
                action=f.action,
                ratings=len(values),
                median=float(statistics.median(values)) if values else None,
                lowest=min(values) if values else None,
                highest=max(values) if values else None,
            )
        )
    medians = [f.median for f in factors if f.median is not None]
    score = None
    if medians:
        span = HIGHEST - LOWEST
        score = round(100 * statistics.fmean((m - LOWEST) / span for m in medians), 1)
    return CheckScore(tuple(factors), score, raters)
