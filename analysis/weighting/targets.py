"""Raking targets: population shares per variable, read from YAML with located errors.

The file (DESIGN.md, "Raking targets"):

    targets:                      # population shares; each margin sums to 1
      sex: {1: 0.624, 2: 0.376}
      workplace: {1: 0.18, 3: 0.62, 5: 0.20}

Every problem is reported as FILE:LINE:COLUMN through `survey.files.source`, all at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from analysis.weighting.common import SHARE_TOLERANCE, canonical
from survey.files.encoding import read_text
from survey.files.source import Problem, SourceError, SourceMap, load_yaml, suggest


@dataclass(frozen=True)
class Targets:
    """Population shares per raking variable: {variable: {category code: share}}, read-only."""

    margins: Mapping[str, Mapping[Any, float]]
    file: str | None = None

    def __post_init__(self) -> None:
        frozen = {name: MappingProxyType(dict(margin)) for name, margin in self.margins.items()}
        object.__setattr__(self, "margins", MappingProxyType(frozen))

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(self.margins)


def load_targets(path: str | Path, *, columns: Iterable[str] | None = None) -> Targets:
    """Read a targets YAML file; `columns` (the data's) lets unknown variables be reported."""
    path = Path(path)
    return parse_targets(read_text(path), str(path), columns=columns)


def parse_targets(text: str, file: str = "<targets>", *,
                  columns: Iterable[str] | None = None) -> Targets:
    """Parse targets YAML text; raise SourceError listing every located problem."""
    data, source = load_yaml(text, file, "a targets file starts with 'targets:'")
    problems: list[Problem] = []
    known = None if columns is None else [str(c) for c in columns]
    if not isinstance(data, dict):
        raise SourceError([source.problem((), "not-a-mapping",
                                          "a targets file is a mapping starting with 'targets:'")])
    for key in data:
        if key != "targets":
            problems.append(source.problem((key,), "unknown-section",
                                           f"unknown section '{key}'{suggest(key, ['targets'])}; "
                                           "a targets file has only 'targets:'", key=True))
    if "targets" not in data:
        problems.append(source.problem((), "missing-section", "the 'targets' section is missing"))
        raise SourceError(problems)
    margins_data = data["targets"]
    if not isinstance(margins_data, dict) or not margins_data:
        problems.append(source.problem(("targets",), "bad-targets",
                                       "'targets' must map each variable to its shares, e.g. "
                                       "'sex: {1: 0.62, 2: 0.38}'"))
        raise SourceError(problems)
    margins: dict[str, dict[Any, float]] = {}
    for name, margin in margins_data.items():
        where = ("targets", name)
        if not isinstance(name, str):
            problems.append(source.problem(where, "bad-variable",
                                           f"'{name}' is not a variable name", key=True))
            continue
        if known is not None and name not in known:
            problems.append(source.problem(where, "unknown-variable",
                                           f"no variable '{name}' in the data"
                                           f"{suggest(name, known)}", key=True))
        parsed = _margin(margin, where, source, problems)
        if parsed is not None:
            margins[name] = parsed
    if problems:
        raise SourceError(problems)
    return Targets(margins, file)


def _margin(margin: Any, where: tuple, source: SourceMap,
            problems: list[Problem]) -> dict[Any, float] | None:
    """One margin's {code: share}, or None after recording its problems."""
    name = where[-1]
    if not isinstance(margin, dict) or not margin:
        problems.append(source.problem(where, "bad-margin",
                                       f"'{name}' must map category codes to shares, e.g. "
                                       "{1: 0.62, 2: 0.38}"))
        return None
    result: dict[Any, float] = {}
    seen: dict[str, Any] = {}
    ok = True
    for code, share in margin.items():
        at = where + (code,)
        same = seen.setdefault(canonical(code), code)
        if same is not code:
            problems.append(source.problem(at, "duplicate-code",
                                           f"'{name}': code {code!r} is the same category as "
                                           f"{same!r}", key=True))
            ok = False
        if isinstance(share, bool) or not isinstance(share, int | float):
            problems.append(source.problem(at, "not-a-number",
                                           f"'{name}' category {code}: share {share!r} is not a "
                                           "number; write it as a fraction such as 0.25"))
            ok = False
        elif not math.isfinite(share) or share < 0:
            problems.append(source.problem(at, "negative-share",
                                           f"'{name}' category {code}: share {share} must be "
                                           "between 0 and 1"))
            ok = False
        else:
            result[code] = float(share)
    if not ok:
        return None
    total = sum(result.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        problems.append(source.problem(where, "margin-sum",
                                       f"'{name}' shares sum to {total:.6g}, not 1; each margin "
                                       "is a population distribution", key=True))
        return None
    return result
