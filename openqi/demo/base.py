"""What every demo step shares: the password, the sizes and the run's context."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: The one password of every demo account; printed with the sign-in details.
PASSWORD = "riverside-demo"

#: Staff records of the main trust at each size (the second trust gets a tenth).
#: Projects and measures have their own scale at large (LARGE_PROJECTS in
#: projects.py, LARGE_MEASURES in measures.py).
SIZES = {"small": 1_200, "large": 10_000}


class DemoError(ValueError):
    """The demo cannot be built (an unmigrated database, an unknown size)."""


@dataclass(frozen=True)
class SignIn:
    email: str
    name: str
    organisation: str
    role: str


@dataclass
class Demo:
    """The run's context, handed to every step in turn.

    Steps look up what earlier steps made (``organisations`` and ``users`` by slug
    and e-mail address), add the sign-ins to print, and count what they created.
    """

    size: str
    organisations: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    sign_ins: list[SignIn] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)

    @property
    def staff_records(self) -> int:
        return SIZES[self.size]
