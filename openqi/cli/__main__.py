"""``python -m openqi.cli``: the same as the ``openqi`` console script."""

from __future__ import annotations

import sys

from openqi.cli import main

__all__: list[str] = []

sys.exit(main())
