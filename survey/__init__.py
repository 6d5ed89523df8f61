"""worker-survey: questionnaires, exports and design-correct statistics for surveys of workers.

The calls a notebook needs, in the order of an analysis (docs/reference/api.md walks one)::

    import survey

    q = survey.load_questionnaire("questionnaires/industrial_workers.yaml")
    r = survey.read("data_samples/industrial_workers.sav", q)        # any export we read
    d = survey.design(r)                                            # weights, strata, clusters
    survey.mean(d, "birth_year", by="state_owned").to_frame()       # by a segment, by name
    survey.quantile(d, "birth_year", [0.25, 0.5, 0.75], by="migrant")  # Woodruff intervals
    b = survey.banner(r, "concerns", by=["state_owned", "migrant"], design=d)
    f = survey.check_claims(r, "questionnaires/industrial_workers.claims.yaml", design=d)
    survey.report(r, "report/", claims=..., design=d)
    survey.compare(r_previous, r, "concerns", by="migrant")          # the change since a wave

Every error on bad input is a `survey.SurveyError` with a stable `code` (docs/reference/errors.md).
The command line calls these same functions. Names load on first use, so `import survey` is quick
and the instrument side (`survey.*` packages) never imports the statistics (`analysis.*`).
"""

from __future__ import annotations

import importlib
from typing import Any

from survey.errors import SurveyError

_API = {
    # the instrument and the data
    "load_questionnaire": "survey.questionnaire.loader:load_questionnaire",
    "draft_questionnaire": "survey.drafts:draft_from",
    "init_questionnaire": "survey.drafts:init_questionnaire",
    "read": "survey.readers:read_responses",
    "import_export": "survey.responses.importing:import_export",
    "validate": "survey.responses.validation:validate",
    "write": "survey.writers:write_responses",
    "describe": "survey.responses.describe:codebook",
    "simulate": "survey.simulation.generate:simulate",
    "write_form": "survey.forms:write_form",
    # design and estimation
    "design": "analysis.design.choice:survey_design",
    "mean": "analysis.design.estimation:mean",
    "total": "analysis.design.estimation:total",
    "proportions": "analysis.design.estimation:proportions",
    "ratio": "analysis.design.estimation:ratio",
    "quantile": "analysis.design.quantiles:quantile",
    "quantile_difference": "analysis.design.quantiles:quantile_difference",
    "wald_test": "analysis.design.wald:wald_test",
    "design_residuals": "analysis.design.wald:design_residuals",
    # tables, weighting, findings, report
    "banner": "analysis.banner.build:banner",
    "BannerOptions": "analysis.banner.build:BannerOptions",
    "weight": "analysis.weighting.apply:weight",
    "load_claims": "analysis.findings.claims:load_claims",
    "check_claims": "analysis.findings.verdicts:check_claims",
    "findings_table": "analysis.findings.table:findings_table",
    "scale_reliability": "analysis.findings.reliability:scale_reliability",
    "report": "analysis.report.build:report",
    "compare": "analysis.waves.compare:compare",  # two waves: the change per segment
    # out of core: a Parquet or CSV file aggregated by DuckDB (or Spark), never loaded whole
    "banner_file": "analysis.engines.banner:file_banner",
    "file_mean": "analysis.engines.estimators:mean",
    "file_total": "analysis.engines.estimators:total",
    "file_proportions": "analysis.engines.estimators:proportions",
    "FileDesign": "analysis.engines.design:DesignSpec",
}

__all__ = ["SurveyError", *_API]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'survey' has no attribute {name!r}")
    module, attribute = _API[name].split(":")
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
