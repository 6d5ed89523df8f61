"""SPSS files whose multi and rank questions are multiple-response sets (MRSETS) under another
project's names: dichotomy sets found by the question's label and matched by variable labels,
category sets of mentions read through value labels, and ours, written with the record."""

from __future__ import annotations

from pathlib import Path

import pyreadstat

from catalogue import Layout
from catalogue.statistical import coded, expected, numeric
from survey.writers.spss_mrsets import MRSet, add_mrsets

INSURANCE = {"insurance__pension": "ins_1", "insurance__injury": "ins_2",
             "insurance__none": "ins_3"}
CONCERNS = ("income", "medical", "housing", "career_growth")


def dichotomies(folder: Path) -> Path:
    """insurance as ins_1..ins_3 (labelled with the options), in a set `$ins` labelled with the
    question's text; its variables in another order than the questionnaire's."""
    frame = numeric(coded()).rename(columns=INSURANCE)
    frame = frame[[c for c in frame.columns if c not in INSURANCE.values()] +
                  ["ins_3", "ins_1", "ins_2"]]
    labels = {"ins_1": "养老保险", "ins_2": "工伤保险", "ins_3": "都没有"}
    path = folder / "dichotomies.sav"
    pyreadstat.write_sav(frame, str(path), column_labels=labels)
    add_mrsets(path, [MRSet("ins", "参加的保险", ("ins_3", "ins_1", "ins_2"))])
    return path


def mentions(folder: Path) -> Path:
    """concerns (rank, at most 3) as three mention variables holding option numbers 1-4,
    explained by value labels, in a category set named `$CONCERNS`."""
    frame = numeric(coded())
    block = frame[[f"concerns__{c}" for c in CONCERNS]]
    for place in (1, 2, 3):
        frame[f"c{place}"] = block.apply(
            lambda row, p=place: next((float(i + 1) for i, v in enumerate(row) if v == p), None),
            axis=1)
        answered = block.notna().any(axis=1)
        frame[f"c{place}"] = frame[f"c{place}"].where(answered | frame[f"c{place}"].notna())
    frame = frame.drop(columns=block.columns)
    labels = {float(i + 1): text for i, text in enumerate(["工资收入", "医疗", "住房", "职业成长"])}
    path = folder / "mentions.sav"
    pyreadstat.write_sav(frame, str(path),
                         variable_value_labels={f"c{p}": labels for p in (1, 2, 3)})
    add_mrsets(path, [MRSet("CONCERNS", "Main concerns", ("c1", "c2", "c3"), None)])
    return path


def _expected(path: Path, rename: dict[str, str]):
    frame, _ = pyreadstat.read_sav(str(path))
    return expected(frame.astype(object).where(frame.notna(), ""), rename)


def ours(folder: Path) -> Path:
    import survey
    from catalogue import simulated

    return survey.write(simulated(seed=21), folder / "ours_with_sets.sav")


LAYOUTS = [
    Layout("spss-mrset-dichotomies-their-names", dichotomies, lambda p: _expected(p, INSURANCE)),
    Layout("spss-mrset-category-mentions", mentions,
           lambda p: _expected(p, {f"concerns__{c}": f"c{i}" for i, c in
                                   zip((1, 2, 3, 3), CONCERNS, strict=True)})),
    Layout("spss-ours-with-mrsets", ours, lambda p: _expected(p, {})),
]
