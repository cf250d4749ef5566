# %% [markdown]
# # Making Data Count for every series, on Spark
#
# A notebook a Databricks user can paste cell by cell (or run here as a plain
# script: `python docs/examples/spark_notebook.py`). It reads a table of
# A&E attendances — every provider's monthly attendances and 4-hour breaches
# (NHS England via NHSRdatasets, Open Government Licence v3.0, carried in
# `openqi/data`) — charts the share of patients waiting over 4 hours for every
# provider and department type, writes the signals, and picks the series whose
# latest month shows a special-cause concern that the month before did not.
#
# On Databricks: `%pip install "openqi[spark]"`, set `TABLE` to your own table
# and `OUT` to a volume or DBFS path, and leave `spark` as Databricks gives it.

# %%
import os
import tempfile

from pyspark.sql import functions as F

from openqi.spark import spc

OUT = os.environ.get("OPENQI_EXAMPLE_OUT") or tempfile.mkdtemp(prefix="openqi-")
TABLE = None  # e.g. "main.urgent_care.ae_attendances" on Databricks

try:
    spark  # noqa: B018  # Databricks (and pyspark's shell) define it
except NameError:
    from openqi.spark import local_session

    spark = local_session(2)
    spark.sparkContext.setLogLevel("ERROR")

# %% [markdown]
# ## 1. Read the table
# Long form: one row per provider, department type and month.

# %%
if TABLE:
    ae = spark.read.table(TABLE)
else:
    from openqi.data import AE_ATTENDANCES

    ae = spark.read.csv(str(AE_ATTENDANCES), header=True, inferSchema=True)
ae = ae.where(F.col("attendances") > 0)
ae.printSchema()

# %% [markdown]
# ## 2. Run the charts
# A p′ chart (Laney: the denominators are large) of breaches out of
# attendances, as a percentage; lower is better, the national standard is 5%.

# %%
options = dict(
    keys=["org_code", "type"],
    period="period",
    value="breaches",
    denominator="attendances",
    chart="pp",
    improvement="decrease",
    target=5.0,
    multiply=100.0,
)
charts = spc(ae, **options)
charts.summaries.groupBy("variation").count().orderBy(F.desc("count")).show()

# %% [markdown]
# ## 3. Write the signals
# Every point a rule flagged, and one summary row per series.

# %%
signals = charts.points.where(F.col("signal") != "common_cause")
signals.write.mode("overwrite").parquet(f"{OUT}/signals")
charts.summaries.write.mode("overwrite").parquet(f"{OUT}/summaries")
print(f"{signals.count():,} flagged points written to {OUT}/signals")

# %% [markdown]
# ## 4. Pick the series with a new special-cause concern
# Concern at the latest month now, but not in the charts as they stood a
# month earlier (a shift or trend that the latest point completes counts).

# %%
latest = ae.agg(F.max("period")).first()[0]
before = spc(ae.where(F.col("period") < F.lit(latest)), **options).summaries
now = charts.summaries.where(F.col("latest_period") == F.lit(latest))
new_concern = (
    now.alias("now")
    .join(before.alias("before"), on=["org_code", "type"], how="left")
    .where(F.col("now.variation").startswith("concern"))
    .where(
        F.col("before.variation").isNull()
        | ~F.col("before.variation").startswith("concern")
    )
    .select(
        "org_code",
        "type",
        F.col("now.latest_period").alias("month"),
        F.round("now.latest_value", 1).alias("percent_over_4h"),
        F.col("now.latest_rule").alias("rule"),
        F.col("before.variation").alias("variation_a_month_before"),
    )
    .orderBy("org_code", "type")
)
new_concern.show(truncate=False)
new_concern.write.mode("overwrite").parquet(f"{OUT}/new_concern")
