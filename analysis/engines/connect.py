"""The engines that aggregate a data file where it lies: DuckDB (embedded, the default for files
larger than memory) and Spark SQL (past one machine). Both answer one question, the same SQL:
sums of expressions grouped by keys, returned as a small pandas frame.

Which engine a command uses (`choose_engine`): "memory" reads the file into pandas; "duckdb" and
"spark" aggregate in the engine; "auto" picks DuckDB for a Parquet or CSV file larger than
`AUTO_FRACTION` of the machine's memory (read into pandas, such a file takes several times its
size on disk), and memory otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import pandas as pd

from analysis.engines.errors import EngineError
from survey.expressions.sql import NUMBER, TEXT

ENGINES = ("auto", "memory", "duckdb", "spark")
AUTO_FRACTION = 1 / 8  # a file over this share of memory is aggregated by DuckDB under "auto"
SCANNED = (".parquet", ".csv")


class Engine(Protocol):
    """What the out-of-core estimators need of an engine."""

    name: str
    kinds: dict[str, str]  # column name -> "number", "text" or "other"

    def quote(self, name: str) -> str: ...

    def aggregate(self, keys: Sequence[str], sums: Sequence[str]) -> pd.DataFrame: ...


def memory_bytes() -> int:
    """The machine's physical memory."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def choose_engine(path: str | Path, engine: str = "auto") -> str:
    """The engine that analyses `path`: as asked, or under "auto" by the rule above."""
    if engine not in ENGINES:
        raise EngineError(f"engine {engine!r} is not one of {', '.join(ENGINES)}")
    suffix = Path(path).suffix.lower()
    if engine in ("duckdb", "spark") and suffix not in SCANNED:
        raise EngineError(f"the {engine} engine reads .parquet and .csv files, not {suffix or path}"
                          "; import it first (survey import ... -o data.parquet)")
    if engine != "auto":
        return engine
    big = suffix in SCANNED and Path(path).stat().st_size > AUTO_FRACTION * memory_bytes()
    return "duckdb" if big else "memory"


def _query(keys: Sequence[str], sums: Sequence[str], table: str) -> str:
    select = [f"{k} AS k{i}" for i, k in enumerate(keys)]
    select += [f"{s} AS s{i}" for i, s in enumerate(sums)]
    group = f" GROUP BY {', '.join(f'k{i}' for i in range(len(keys)))}" if keys else ""
    return f"SELECT {', '.join(select)} FROM {table}{group}"


def _kind(sql_type: str) -> str:
    t = sql_type.upper()
    if t.startswith(("VARCHAR", "STRING", "CHAR")):
        return TEXT
    numbers = ("INT", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER",
               "USMALLINT", "UTINYINT", "DOUBLE", "FLOAT", "REAL", "DECIMAL", "BOOLEAN", "LONG",
               "SHORT", "BYTE", "INTEGER")
    return NUMBER if t.split("(")[0] in numbers else "other"


class DuckDB:
    """A Parquet or CSV file scanned by DuckDB: only the columns a query names are read, in
    row groups, and only the grouped sums are held in memory."""

    name = "duckdb"

    def __init__(self, path: str | Path, *, memory_limit: str | None = None,
                 threads: int | None = None) -> None:
        try:
            import duckdb
        except ImportError:  # pragma: no cover - a dependency of the project
            raise EngineError("the duckdb engine needs the duckdb package "
                              "(pip install duckdb)") from None
        self.path = Path(path)
        if not self.path.exists():
            raise EngineError(f"{self.path}: no such file")
        self.con = duckdb.connect()
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        literal = "'" + str(self.path).replace("'", "''") + "'"
        self.table = (f"read_parquet({literal})" if self.path.suffix.lower() == ".parquet"
                      else f"read_csv({literal}, header = true, "  # Yes/No stay text
                      "auto_type_candidates = ['BIGINT', 'DOUBLE', 'VARCHAR'])")
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM {self.table}").fetchall()
        except duckdb.Error as error:
            raise EngineError(f"{self.path}: not a readable {self.path.suffix} file: "
                              f"{str(error).splitlines()[0]}") from None
        self.kinds = {row[0]: _kind(row[1]) for row in described}

    @staticmethod
    def quote(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def aggregate(self, keys: Sequence[str], sums: Sequence[str]) -> pd.DataFrame:
        return self.con.execute(_query(keys, sums, self.table)).df()

    def sql(self, text: str) -> pd.DataFrame:
        """Any query over the file, named `data` in `text`."""
        return self.con.execute(text.replace("{data}", self.table)).df()


class Spark:
    """A Parquet or CSV file read by Spark: the same SQL as DuckDB's, run by Spark SQL on the
    session's cluster (local mode on one machine: `local[*]`)."""

    name = "spark"

    def __init__(self, path: str | Path, session=None) -> None:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise EngineError("the spark engine needs pyspark and a Java runtime "
                              "(pip install pyspark; apt-get install default-jre-headless)"
                              ) from None
        self.path = Path(path)
        self.spark = session or (SparkSession.builder.master("local[*]")
                                 .appName("worker-survey")
                                 .config("spark.ui.enabled", "false")
                                 .config("spark.sql.shuffle.partitions", "8")
                                 .getOrCreate())
        reader = self.spark.read
        frame = (reader.parquet(str(self.path)) if self.path.suffix.lower() == ".parquet"
                 else reader.option("header", True).option("inferSchema", True)
                 .csv(str(self.path)))
        self.view = "survey_data_" + str(abs(hash(str(self.path))))
        frame.createOrReplaceTempView(self.view)
        self.kinds = {f.name: _kind(f.dataType.simpleString()) for f in frame.schema.fields}

    @staticmethod
    def quote(name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def aggregate(self, keys: Sequence[str], sums: Sequence[str]) -> pd.DataFrame:
        return self.spark.sql(_query(keys, sums, self.view)).toPandas()

    def sql(self, text: str) -> pd.DataFrame:
        return self.spark.sql(text.replace("{data}", self.view)).toPandas()


def open_engine(path: str | Path, engine: str = "duckdb", **settings) -> Engine:
    """An engine over `path` by name ("duckdb" or "spark")."""
    if engine == "duckdb":
        return DuckDB(path, **settings)
    if engine == "spark":
        return Spark(path, **settings)
    raise EngineError(f"engine {engine!r} does not aggregate files; use duckdb or spark")
