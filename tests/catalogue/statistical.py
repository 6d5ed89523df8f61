"""SPSS, Stata and CSV files written by other people's projects for our questionnaire: their own
names (matched by case, by variable label, by a header that is a question's label, or through a
mapping file), answers written as labels, codes of their own explained by value labels, and their
own missing-value conventions (SPSS user-missing 98/99, Stata `.e`-`.z`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from catalogue import Expected, Layout, answered, cells, simulated, small
from survey.questionnaire.columns import block_columns
from survey.responses.coded import encode

WORKPLACE = {1: "国有", 3: "私营", 6: "其他"}  # small.yaml's workplace options, in Chinese
THEIR_CODES = {1: 10.0, 3: 20.0, 6: 30.0}  # the same options under another project's codes


def coded(seed: int = 21) -> pd.DataFrame:
    """Our coded layout of simulated answers, as numbers (missing answers as -3/-2/-1)."""
    return encode(simulated(seed=seed))


def numeric(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers for SPSS/Stata: codes and blocks as floats; missing codes as empty; text kept."""
    out = {}
    for column in frame.columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.notna().sum() == frame[column].notna().sum() and column != "respondent_id":
            out[column] = values.where(values >= 0)
        else:
            out[column] = frame[column].astype(object).where(frame[column].notna(), "")
    result = pd.DataFrame(out)
    result["start_date"] = pd.to_datetime(frame["start_date"], errors="coerce")
    return result


TRUTH_COLUMNS = ("workplace", "insurance__pension", "insurance__injury", "insurance__none",
                 "concerns__income", "concerns__medical")


def expected(frame: pd.DataFrame, rename: dict[str, str] | None = None,
             empty: tuple[str, ...] = ("", "nan", "NaT")) -> Expected:
    """Answers per question from the frame as read by pandas or pyreadstat alone, and the
    codes each respondent's answers must land on: those of the simulated data the file was
    written from, whatever codes or words the file uses."""
    rename = rename or {}
    q = small()
    answers = {}
    for name, question in q.items.items():
        columns = list(block_columns(question).values()) if question.is_set else [name]
        answers[name] = answered(frame, [rename.get(c, c) for c in columns], empty)
    truth = simulated(seed=21).frame
    return Expected(len(frame), answers, values={c: cells(truth[c]) for c in TRUTH_COLUMNS})


def _from_sav(path: Path, rename=None, drop_values: dict | None = None) -> Expected:
    frame, _ = pyreadstat.read_sav(str(path))  # user-missing values read as NaN
    for column, values in (drop_values or {}).items():
        frame[column] = frame[column].where(~frame[column].isin(values))
    return expected(frame.astype(object).where(frame.notna(), ""), rename)


def _from_dta(path: Path, rename=None) -> Expected:
    frame, _ = pyreadstat.read_dta(str(path))  # every extended missing value read as NaN
    return expected(frame.astype(object).where(frame.notna(), ""), rename)


# ------------------------------------------------------------------------------- layouts

def sav_upper_names(folder: Path) -> Path:
    frame = numeric(coded()).rename(columns={"birth_year": "Birth_Year", "workplace": "WORKPLACE",
                                             "comments": "Comments"})
    path = folder / "upper.sav"
    pyreadstat.write_sav(frame, str(path))
    return path


UPPER = {"birth_year": "Birth_Year", "workplace": "WORKPLACE", "comments": "Comments"}


def sav_labelled_variables(folder: Path) -> Path:
    """Their names are Q1..Qn; the variable labels are the questions' texts."""
    frame = numeric(coded())
    q = small()
    names = {"birth_year": "Q1", "workplace": "Q2", "pension_worry": "Q5", "comments": "Q9",
             "start_date": "Q8"}
    labels = {names[c]: q.label(q.items[c].label, "zh") for c in names}
    path = folder / "labelled.sav"
    pyreadstat.write_sav(frame.rename(columns=names), str(path), column_labels=labels)
    return path


LABELLED = {"birth_year": "Q1", "workplace": "Q2", "pension_worry": "Q5", "comments": "Q9",
            "start_date": "Q8"}


def sav_their_codes(folder: Path) -> Path:
    """workplace coded 10/20/30, explained by value labels that are our options' labels."""
    frame = numeric(coded())
    frame["workplace"] = frame["workplace"].map(THEIR_CODES)
    path = folder / "their_codes.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={
        "workplace": {THEIR_CODES[c]: text for c, text in WORKPLACE.items()}})
    return path


def sav_user_missing(folder: Path) -> Path:
    """Refusals coded 98 and declared user-missing, as SPSS projects do."""
    frame = numeric(coded())
    rows = frame.index[frame["workplace"].notna()][:5]
    frame.loc[rows, "workplace"] = 98.0
    path = folder / "user_missing.sav"
    pyreadstat.write_sav(frame, str(path), missing_ranges={"workplace": [98.0, 99.0]},
                         variable_value_labels={"workplace": {98.0: "拒答", 99.0: "不知道"}})
    return path


def sav_string_labels(folder: Path) -> Path:
    """workplace written as its Chinese labels (a string variable)."""
    frame = numeric(coded())
    frame["workplace"] = frame["workplace"].map(WORKPLACE).fillna("")
    path = folder / "strings.sav"
    pyreadstat.write_sav(frame, str(path))
    return path


def csv_english_labels(folder: Path) -> Path:
    """Our names, but single-choice answers written as their English labels."""
    frame = coded()
    q = small()
    for name in ("workplace", "pension_worry", "identity_1", "identity_2", "identity_3"):
        question = q.items[name]
        options = question.options if isinstance(question.options, dict) else \
            q.choice_lists[question.options]
        frame[name] = frame[name].map(lambda v, o=options: o[int(v)]["en"] if v > 0 else "")
    path = folder / "english.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def csv_label_headers(folder: Path) -> Path:
    """Headers that are the questions' Chinese labels, as a researcher retyped them."""
    frame = coded()
    q = small()
    renamed = {c: q.label(q.items[c].label, "zh") for c in LABELLED}
    frame.rename(columns=renamed).to_csv(folder / "headers.csv", index=False, encoding="utf-8")
    return folder / "headers.csv"


def _csv(path: Path, rename=None) -> Expected:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return expected(frame, rename, ("", "-1", "-2", "-3", "-1.0", "-2.0", "-3.0"))


def csv_with_mapping(folder: Path) -> Path:
    frame = coded().rename(columns={"birth_year": "yob", "workplace": "employer_type",
                                    "insurance__pension": "ins_a", "insurance__injury": "ins_b",
                                    "insurance__none": "ins_c"})
    frame["employer_type"] = frame["employer_type"].map({1: "SOE", 3: "PRIV", 6: "OTH"}).fillna("")
    (folder / "mapping.yaml").write_text(
        "columns:\n  yob: birth_year\n  employer_type: workplace\n  ins_a: insurance[pension]\n"
        "  ins_b: insurance[injury]\n  ins_c: insurance[都没有]\n"
        "values:\n  workplace: {SOE: 1, PRIV: 私营, OTH: 6}\n", encoding="utf-8")
    frame.to_csv(folder / "mapped.csv", index=False)
    return folder / "mapped.csv"


MAPPED = {"birth_year": "yob", "workplace": "employer_type", "insurance__pension": "ins_a",
          "insurance__injury": "ins_b", "insurance__none": "ins_c"}


def dta_their_letters(folder: Path) -> Path:
    """Stata's own reasons: `.r` refused, `.n` not applicable, beside our `.a`-`.c`."""
    frame = numeric(coded())
    rng = np.random.default_rng(4)
    rows = rng.choice(len(frame), 8, replace=False)
    frame["birth_year"] = frame["birth_year"].astype(object)
    frame["workplace"] = frame["workplace"].astype(object)
    frame.loc[rows[:4], "birth_year"] = "r"
    frame.loc[rows[4:], "workplace"] = "n"
    path = folder / "letters.dta"
    pyreadstat.write_dta(frame, str(path), missing_user_values={"birth_year": ["r"],
                                                                 "workplace": ["n"]})
    return path


def dta_their_codes(folder: Path) -> Path:
    frame = numeric(coded()).rename(columns={"workplace": "Workplace"})
    frame["Workplace"] = frame["Workplace"].map(THEIR_CODES)
    path = folder / "their_codes.dta"
    pyreadstat.write_dta(frame, str(path), variable_value_labels={
        "Workplace": {THEIR_CODES[c]: text for c, text in WORKPLACE.items()}})
    return path


def sav_with_mapping(folder: Path) -> Path:
    frame = numeric(coded()).rename(columns=MAPPED)
    frame["employer_type"] = frame["employer_type"].map({1: 7.0, 3: 8.0, 6: 9.0})
    (folder / "mapping.yaml").write_text(
        "columns:\n  yob: birth_year\n  employer_type: workplace\n  ins_a: insurance[pension]\n"
        "  ins_b: insurance[injury]\n  ins_c: insurance[none]\n"
        "values:\n  workplace: {7: 1, 8: 3, 9: 6}\n", encoding="utf-8")
    pyreadstat.write_sav(frame, str(folder / "mapped.sav"))
    return folder / "mapped.sav"


def _changed(found: Expected) -> Expected:
    """Layouts that blank some workplace answers on purpose (refusals): their values are
    checked in tests/test_named_files.py, the counts here."""
    values = {c: v for c, v in found.values.items() if c != "workplace"}
    return Expected(found.respondents, found.answers, found.unmatched, values)


LAYOUTS = [
    Layout("spss-upper-case-names", sav_upper_names, lambda p: _from_sav(p, UPPER)),
    Layout("spss-names-by-variable-label", sav_labelled_variables,
           lambda p: _from_sav(p, LABELLED)),
    Layout("spss-their-codes-by-value-labels", sav_their_codes, _from_sav),
    Layout("spss-user-missing-98", sav_user_missing, lambda p: _changed(_from_sav(p))),
    Layout("spss-answers-as-label-strings", sav_string_labels, _from_sav),
    Layout("csv-answers-as-english-labels", csv_english_labels, _csv),
    Layout("csv-headers-are-question-labels", csv_label_headers,
           lambda p: _csv(p, {c: small().label(small().items[c].label, "zh") for c in LABELLED})),
    Layout("csv-names-and-values-by-mapping", csv_with_mapping, lambda p: _csv(p, MAPPED),
           options={"mapping": "mapping.yaml"}),
    Layout("spss-names-and-codes-by-mapping", sav_with_mapping, lambda p: _from_sav(p, MAPPED),
           options={"mapping": "mapping.yaml"}),
    Layout("stata-their-missing-letters", dta_their_letters, lambda p: _changed(_from_dta(p))),
    Layout("stata-their-codes-by-value-labels", dta_their_codes,
           lambda p: _from_dta(p, {"workplace": "Workplace"})),
]
