"""The SPC engine on Apache Spark: Making Data Count charts for millions of series.

``pip install 'openqi[spark]'`` (PySpark; Spark needs Java 17). :func:`spc`
takes a Spark DataFrame in long form — the series' key columns, a period, a
value, optionally a denominator and a phase — and returns two DataFrames: the
points (centre, limits, rule, signal, phase) and one summary per series
(variation and assurance icons, the latest point, warnings). The work runs in
Spark's Python workers through Arrow (``groupBy(...).applyInArrow``): the rows
are spread over groups by a hash of the series key, and each group — many
whole series — is charted by :func:`openqi.longjob.chart_table`, the same job
``openqi spc-batch`` runs on one machine, with the SPC core's batch functions
(no Python loop over series or points). Each series gets exactly what ``openqi
spc`` gives it alone. See docs/scale.md.

>>> from openqi.spark import spc                               # doctest: +SKIP
>>> charts = spc(df, keys=["org_code"], period="month",         # doctest: +SKIP
...              value="attendances", improvement="increase")
>>> charts.summaries.where("variation LIKE 'concern%'").show()  # doctest: +SKIP
"""

from __future__ import annotations

try:
    import pyspark  # noqa: F401
except ImportError as error:  # the optional `spark` extra
    raise ImportError(
        "openqi.spark needs PySpark 4: pip install 'openqi[spark]' (Spark also needs "
        "Java 17 or newer)"
    ) from error

from openqi.spark.charts import SpcFrames, spc
from openqi.spark.session import local_session

__all__ = ["SpcFrames", "local_session", "spc"]
