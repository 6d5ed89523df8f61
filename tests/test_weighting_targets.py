"""Targets YAML: the format of DESIGN.md, and every problem located at FILE:LINE:COLUMN."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from located import position

from analysis.weighting.raking import rake
from analysis.weighting.targets import Targets, load_targets, parse_targets
from survey.files.source import SourceError

GOOD = """\
targets:                      # population shares; each margin sums to 1
  sex: {1: 0.624, 2: 0.376}
  workplace: {1: 0.18, 3: 0.62, 5: 0.20}
"""
COLUMNS = ["sex", "workplace", "weight"]

# (id, old, new, anchor, code, message fragment); the anchor's first occurrence after the edit
CATALOGUE = [
    ("share-not-a-number", "2: 0.376", "2: lots", "lots", "not-a-number",
     "'sex' category 2: share 'lots' is not a number"),
    ("share-is-a-percent-string", "1: 0.18", "1: '18%'", "'18%'", "not-a-number",
     "share '18%' is not a number"),
    ("margin-not-summing-to-one", "5: 0.20", "5: 0.25", "workplace", "margin-sum",
     "'workplace' shares sum to 1.05, not 1"),
    ("negative-share", "{1: 0.624, 2: 0.376}", "{1: 1.2, 2: -0.2}", "-0.2", "negative-share",
     "share -0.2 must be between 0 and 1"),
    ("unknown-variable", "  sex:", "  sexe:", "sexe", "unknown-variable",
     "no variable 'sexe' in the data; did you mean 'sex'?"),
    ("same-code-twice", "{1: 0.624, 2: 0.376}", "{1: 0.624, '1': 0.376}", "'1'",
     "duplicate-code", "code '1' is the same category as 1"),
    ("margin-not-a-mapping", "{1: 0.624, 2: 0.376}", "[0.624, 0.376]", "[0.624",
     "bad-margin", "'sex' must map category codes to shares"),
    ("unknown-section", "targets:", "target:", "target", "unknown-section",
     "did you mean 'targets'"),
    ("empty-targets", "targets:                      # population shares; each margin sums to 1\n"
     "  sex: {1: 0.624, 2: 0.376}\n  workplace: {1: 0.18, 3: 0.62, 5: 0.20}\n",
     "targets: {}\n", "{}", "bad-targets", "'targets' must map each variable"),
    ("yaml-syntax", "{1: 0.18,", "{1: 0.18", "3: 0.62", "yaml-syntax", "YAML syntax"),
]




@pytest.mark.parametrize("old, new, anchor, code, fragment", [c[1:] for c in CATALOGUE],
                         ids=[c[0] for c in CATALOGUE])
def test_bad_targets_are_located(old, new, anchor, code, fragment):
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    with pytest.raises(SourceError) as raised:
        parse_targets(text, "targets.yaml", columns=COLUMNS)
    problem = raised.value.problems[0]
    assert problem.code == code
    assert fragment in problem.message
    if code != "yaml-syntax":
        assert (problem.line, problem.column) == position(text, anchor)
    assert str(problem).startswith(f"targets.yaml:{problem.line}:{problem.column}: ")


def test_every_problem_is_reported_at_once():
    text = GOOD.replace("2: 0.376", "2: lots").replace("  workplace:", "  workplce:")
    with pytest.raises(SourceError) as raised:
        parse_targets(text, "t.yaml", columns=COLUMNS)
    assert [p.code for p in raised.value.problems] == ["not-a-number", "unknown-variable"]


def test_good_file_loads_and_rakes(tmp_path):
    path = tmp_path / "targets.yaml"
    path.write_text(GOOD, encoding="utf-8")
    targets = load_targets(path, columns=COLUMNS)
    assert isinstance(targets, Targets) and targets.file == str(path)
    assert targets.variables == ("sex", "workplace")
    assert dict(targets.margins["workplace"]) == {1: 0.18, 3: 0.62, 5: 0.20}
    with pytest.raises(TypeError):
        targets.margins["sex"][1] = 0.5  # type: ignore[index]
    frame = pd.DataFrame({"sex": ["1", "2", "1", "2", "1", "2", "1"],
                          "workplace": pd.Categorical([1, 3, 5, 1, 3, 5, 3])})
    result = rake(frame, targets)
    achieved = frame.assign(w=result.weights).groupby("sex").w.sum() / result.weights.sum()
    np.testing.assert_allclose(achieved.loc[["1", "2"]], [0.624, 0.376], atol=1e-8)


def test_without_columns_any_variable_is_accepted():
    assert parse_targets(GOOD.replace("  sex:", "  gender:")).variables == ("gender", "workplace")


def test_gb18030_file(tmp_path):
    path = tmp_path / "targets.yaml"
    text = "# 目标\ntargets:\n  单位: {国有: 0.3, 私营: 0.7}\n"
    path.write_bytes(text.encode("gb18030"))
    assert dict(load_targets(path).margins["单位"]) == {"国有": 0.3, "私营": 0.7}
