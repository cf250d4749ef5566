"""Real public NHS data carried with OpenQI for its demo, its examples and its tests.

See ``README.md`` in this folder for each file's source and licence.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["AE_ATTENDANCES", "DATA", "LOS_MODEL"]

#: This folder.
DATA = Path(__file__).resolve().parent
#: Monthly A&E attendances, 4-hour breaches and admissions for every A&E provider in
#: England, April 2016 – March 2019 (NHS England, Open Government Licence v3.0).
AE_ATTENDANCES = DATA / "ae_attendances.csv"
#: Synthetic patients at ten fictional trusts with length of stay and death (CC0).
LOS_MODEL = DATA / "LOS_model.csv"
