"""Make the sample datasets in this folder (deterministic: fixed seed).

    python data_samples/make_samples.py

2,000 simulated respondents of questionnaires/industrial_workers.yaml with the findings of
industrial_workers.effects.yaml planted, written in the formats users bring.
"""

from __future__ import annotations

from pathlib import Path

from survey.questionnaire.loader import load_questionnaire
from survey.responses.dataset import Responses
from survey.simulation.effects import load_effects
from survey.simulation.generate import simulate
from survey.writers import write_responses
from survey.writers.table import write_csv

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "data_samples"
SEED = 20260
N = 2000


def our_formats(responses: Responses) -> None:
    write_responses(responses, HERE / "industrial_workers.sav")  # + .sps beside it
    write_responses(responses, HERE / "industrial_workers.parquet")
    write_responses(responses, HERE / "industrial_workers.xlsx")
    write_csv(responses, HERE / "industrial_workers_utf8.csv")  # UTF-8 with BOM
    write_csv(responses, HERE / "industrial_workers_gb18030.csv", encoding="gb18030")


def platform_layouts(responses: Responses) -> None:
    """Wenjuanxing and KoboToolbox exports of the same answers, as the platforms write them."""
    from survey.simulation.exports import write_kobo, write_wjx

    write_wjx(responses, HERE / "302594156_按序号_产业工人需求调查问卷_2000_2000.xlsx", view="序号")
    write_wjx(responses, HERE / "302594156_按文本_产业工人需求调查问卷_2000_2000.csv", view="文本",
              encoding="gb18030")
    write_kobo(responses, HERE / "industrial_workers_kobo.csv")  # XML values, ';', all quoted


def form(questionnaire) -> None:
    """The XLSForm the KoboToolbox export was collected with (`survey init` drafts from it)."""
    from survey.forms.xlsform import write_xlsform

    write_xlsform(questionnaire, HERE / "industrial_workers_xlsform.xlsx")


def main() -> None:
    questionnaire = load_questionnaire(ROOT / "questionnaires" / "industrial_workers.yaml")
    effects = load_effects(ROOT / "questionnaires" / "industrial_workers.effects.yaml",
                           questionnaire)
    responses = simulate(questionnaire, N, seed=SEED, effects=effects)
    our_formats(responses)
    platform_layouts(responses)
    form(questionnaire)


if __name__ == "__main__":
    main()
