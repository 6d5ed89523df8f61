"""What a crosstab loads: only what its table needs, so that the command starts fast.

Each check runs a fresh interpreter (what a user's command is): a module imported by an earlier
test would hide an import the command makes. The time itself is measured in bench/, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
Q = "questionnaires/industrial_workers.yaml"
# what other commands or options need: the findings' models, charts, the engines, the report,
# rich (a terminal table; `--json` prints none),
# scipy.stats (0.7 s to import), scipy.special's package (its array-API layer imports
# numpy.f2py and numpy.testing)
NOT_FOR_A_CROSSTAB = ("scipy.stats", "scipy.special", "numpy.f2py", "numpy.testing",
                      "statsmodels", "matplotlib", "duckdb", "pyspark", "analysis.engines.banner",
                      "analysis.findings", "analysis.report", "rich")


def fresh(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("data", ["data_samples/industrial_workers.sav",
                                  "data_samples/industrial_workers.parquet"])
def test_a_crosstab_imports_only_what_its_table_needs(data: str) -> None:
    code = f"""
import json, sys
from cli import app
app(["crosstab", {data!r}, "-q", {Q!r}, "--row", "concerns", "--by", "state_owned,migrant",
     "--json"], standalone_mode=False)
print(json.dumps(sorted(m for m in {NOT_FOR_A_CROSSTAB!r} if m in sys.modules)))
"""
    out = fresh(code)
    table, loaded = out[:out.rindex("\n[")], json.loads(out[out.rindex("\n[") + 1:])
    assert json.loads(table)["tests"], "the crosstab printed no table"
    assert loaded == [], f"a crosstab imported {loaded}"


def test_distributions_use_scipy_special_functions_without_its_package() -> None:
    """The compiled functions are scipy.special's own (so equal to its values by construction),
    and scipy.special and scipy.stats import as usual afterwards."""
    code = """
import sys
from analysis.design import distributions as dist
alone = "scipy.special" not in sys.modules and "numpy.f2py" not in sys.modules
from scipy import special, stats
same = all(getattr(dist.special, f) is getattr(special, f) for f in dist.FUNCTIONS)
equal = stats.t.ppf(0.975, 8) == dist.t_ppf(0.975, 8)
print(alone, same, special.__name__, callable(special.gamma), equal)
"""
    alone, same, name, whole, equal = fresh(code).split()
    assert alone == "True", "scipy.special's package was imported: the fast path no longer " \
                            "applies to this scipy (distributions fell back to the full import)"
    assert (same, name, whole, equal) == ("True", "scipy.special", "True", "True")


def test_a_run_builds_only_the_command_it_names() -> None:
    """`survey import --help` (a command named otherwise than its function) and a misspelt name
    answer as with every command built; the app keeps all its commands after a run."""
    code = """
from cli import app
before = len(app.registered_commands)
for args in (["import", "--help"], ["crosstab", "--help"], ["crostab"]):
    try:
        app(args, standalone_mode=False)
    except Exception as error:
        print(type(error).__name__, error)
print(before > 10, len(app.registered_commands) == before)
"""
    out = fresh(code)
    assert "Read an export into the documented layout" in out
    assert "A banner table of ROW by each BY variable" in out
    assert "No such command 'crostab'" in out
    assert out.rstrip().endswith("True True")


def test_a_report_draws_in_workers_and_compares_waves_only_when_asked() -> None:
    """The report's own process imports neither matplotlib (the chart workers draw) nor
    scipy.stats (the wave comparison's t distribution is the compiled one; 1 s of a report's
    start, for a section most reports do not have)."""
    code = """
import sys
from analysis.report.build import report
import analysis.report.changes
print(sorted(m for m in ("matplotlib", "scipy.stats", "scipy.special") if m in sys.modules))
"""
    assert fresh(code).strip() == "[]"


def test_importing_cli_loads_no_command() -> None:
    """The report's chart workers re-run the `survey` script, as multiprocessing does with a
    main script: importing `cli` loads nothing of the app (it cost each report 0.6 s of a
    core); `cli.app` still gives the whole app."""
    code = """
import sys
import cli
print(sorted(m for m in ("typer", "pandas", "numpy", "cli.common", "survey") if m in sys.modules))
from cli import app
print(len(app.registered_commands) > 10)
"""
    assert fresh(code).split("\n")[:2] == ["[]", "True"]
