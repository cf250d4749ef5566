"""openqi.spc: statistical process control to the NHS Making Data Count standard.

The measurement core of OpenQI. It depends on the standard library and NumPy
only, takes plain values and returns frozen results (see
:mod:`openqi.spc.results`). The public API is listed in ``__all__``.

>>> from openqi.spc import xmr
>>> xmr([3, 4, 3, 5, 4, 3, 4, 5, 3, 4, 4, 3, 12]).variation
'neutral_high'
"""

from .charts import (
    CHARTS,
    InsufficientDataError,
    c_chart,
    g_chart,
    mr_chart,
    p_chart,
    pp_chart,
    run_chart,
    spc_chart,
    t_chart,
    u_chart,
    up_chart,
    xmr,
)
from .results import (
    ASSURANCES,
    RULES,
    SIGNALS,
    VARIATIONS,
    BatchResult,
    ChartResult,
    Exclusion,
    FunnelResult,
    FunnelUnit,
    Phase,
    RunsAnalysis,
    Signal,
)

__all__ = [
    "ASSURANCES",
    "CHARTS",
    "RULES",
    "SIGNALS",
    "VARIATIONS",
    "BatchResult",
    "ChartResult",
    "Exclusion",
    "FunnelResult",
    "FunnelUnit",
    "InsufficientDataError",
    "Phase",
    "RunsAnalysis",
    "Signal",
    "c_chart",
    "g_chart",
    "mr_chart",
    "p_chart",
    "pp_chart",
    "run_chart",
    "spc_chart",
    "t_chart",
    "u_chart",
    "up_chart",
    "xmr",
]
