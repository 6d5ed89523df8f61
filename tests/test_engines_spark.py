"""Past one machine: the same aggregation on Spark SQL (local mode), compared with the in-memory
engine. Needs pyspark and a Java runtime (.ci/run installs both); skipped without them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_engines import (
    DESIGNS,
    QUESTIONNAIRE,
    SAMPLE,
    R,
    memory_design,
    same_document,
    same_estimates,
    sample,
)

from analysis.banner.build import banner
from analysis.design import estimation
from analysis.design.choice import choose_design
from analysis.engines import estimators
from analysis.engines.banner import file_banner
from analysis.engines.design import DesignSpec

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)

pytestmark = pytest.mark.xdist_group("spark")  # one local Spark session per worker


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("worker-survey-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
               .getOrCreate())
    yield session
    session.stop()


def test_spark_means_and_proportions_equal_the_in_memory_engine(spark) -> None:
    from analysis.engines.connect import Spark

    for name in ("apistrat", "apiclus2", "worker"):
        engine = Spark(Path(R / f"{name}.csv"), session=spark)
        d = memory_design(name)
        spec = DesignSpec(**DESIGNS[name])
        conts = ["score"] if name == "worker" else ["api00", "enroll"]
        seg = "segment" if name == "worker" else "stype"
        same_estimates(estimation.mean(d, conts, by=seg, covariance=True),
                       estimators.mean(engine, conts, by=seg, design=spec, covariance=True))
        var = "cat5" if name == "worker" else "awards"
        same_estimates(estimation.proportions(d, var, by=seg, covariance=True),
                       estimators.proportions(engine, var, by=seg, design=spec,
                                              covariance=True))


def test_spark_banner_equals_the_in_memory_banner(spark) -> None:
    from analysis.engines.connect import Spark

    engine = Spark(SAMPLE, session=spark)
    for row, by in [("concerns", ["state_owned", "cohort"]), ("sat_income", ["migrant"])]:
        theirs = banner(sample(), row, by, design=choose_design(sample()).design)
        ours = file_banner(SAMPLE, QUESTIONNAIRE, row, by, engine=engine)
        same_document(theirs.to_json(), ours.to_json())
