"""A local Spark session for trying OpenQI on Spark on one machine (the tests,
``make bench`` and the example in docs/scale.md use it). On Databricks or a
cluster, use the session you are given."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def local_session(
    cores: int = 2,
    *,
    memory: str = "2g",
    partitions: int | None = None,
    name: str = "openqi",
) -> SparkSession:
    """A Spark session on this machine with ``cores`` worker threads.

    Its Python workers run this interpreter (so they import the same OpenQI
    and PyArrow), it listens on 127.0.0.1 only, and it starts no web UI.
    ``partitions`` sets ``spark.sql.shuffle.partitions`` (default: 4 per core).
    """
    from pyspark.sql import SparkSession

    # PySpark checks the pandas it finds installed; OpenQI hands it Arrow only.
    warnings.filterwarnings(
        "ignore",
        message="PySpark does not yet fully support pandas",
        category=FutureWarning,
    )
    # py4j says "closing down" as the interpreter exits, after logging has shut.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(name)
        .config("spark.driver.memory", memory)
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(partitions or 4 * cores))
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
