"""openqi.spc: statistical process control to the NHS Making Data Count standard.

The measurement core of OpenQI. It depends on the standard library and NumPy
only, takes plain values and returns frozen results (see
:mod:`openqi.spc.results`). The public API is listed in ``__all__``.

>>> from openqi.spc import xmr
>>> xmr([3, 4, 3, 5, 4, 3, 4, 5, 3, 4, 4, 3, 12]).variation
'neutral_high'
"""

from typing import Any

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
from .dispersion import MIN_DISPERSION_POINTS, overdispersion
from .results import (
    ASSURANCES,
    RULES,
    SIGNALS,
    VARIATIONS,
    AttributeBatchResult,
    BatchResult,
    ChartResult,
    Dispersion,
    Exclusion,
    FunnelResult,
    FunnelUnit,
    Phase,
    RunBatchResult,
    RunsAnalysis,
    Signal,
)

__all__ = [
    "ASSURANCES",
    "CHARTS",
    "COLOURS",
    "MIN_DISPERSION_POINTS",
    "RULES",
    "SIGNALS",
    "VARIATIONS",
    "AttributeBatchResult",
    "BatchResult",
    "ChartResult",
    "Dispersion",
    "Exclusion",
    "FunnelResult",
    "FunnelUnit",
    "InsufficientDataError",
    "Phase",
    "RunBatchResult",
    "RunsAnalysis",
    "Signal",
    "c_chart",
    "funnel",
    "g_chart",
    "mr_chart",
    "overdispersion",
    "p_batch",
    "p_chart",
    "pp_batch",
    "pp_chart",
    "render_funnel_svg",
    "render_svg",
    "run_batch",
    "run_chart",
    "spc_chart",
    "t_chart",
    "u_batch",
    "u_chart",
    "up_batch",
    "up_chart",
    "xmr",
    "xmr_batch",
]

# The batch engines, funnel plots and the SVG renderer load on first use, so a
# command-line run of one chart imports only what it needs (PEP 562).
_LAZY = {
    "xmr_batch": "batch",
    "p_batch": "batch_attribute",
    "u_batch": "batch_attribute",
    "pp_batch": "batch_attribute",
    "up_batch": "batch_attribute",
    "run_batch": "batch_run",
    "funnel": "funnel",
    "COLOURS": "_svg",
    "render_svg": "render_chart",
    "render_funnel_svg": "render_funnel",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
