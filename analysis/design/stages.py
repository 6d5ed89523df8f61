"""How a design's columns become codes: strata, PSUs within strata, second-stage units, the
population sizes of the fpc and the weights, checked as R's `svydesign` checks them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from analysis.design.errors import DesignError

LonelyPSU = Literal["fail", "remove", "adjust", "certainty"]
LONELY_PSU_OPTIONS: tuple[str, ...] = ("fail", "remove", "adjust", "certainty")


def codes_of(values: np.ndarray | pd.Series, what: str) -> tuple[np.ndarray, tuple[object, ...]]:
    """Integer codes 0..k-1 (in sorted order of the values) and the values they stand for."""
    s = pd.Series(np.asarray(values) if not isinstance(values, pd.Series) else values)
    if s.isna().any():
        raise DesignError(f"{what} has {int(s.isna().sum())} missing value(s); a design needs all")
    counted = _counted_codes(s)
    if counted is not None:
        return counted
    codes, uniques = pd.factorize(s, sort=True)
    return codes.astype(np.int64), tuple(uniques.tolist())


def _counted_codes(s: pd.Series) -> tuple[np.ndarray, tuple[object, ...]] | None:
    """codes_of for integer ids within a span of a few times the rows, as most strata and
    cluster ids are: counted in one pass, where factorizing sorts (a third of a design's build
    at a million); None for other values."""
    kind = s.dtype.kind if isinstance(s.dtype, np.dtype) else "O"
    if not len(s) or kind not in ("i", "u") or (kind == "u" and s.dtype.itemsize == 8):
        return None  # (uint64 ids may not fit the int64 offsets below)
    ints = s.to_numpy()
    low = int(ints.min())
    if int(ints.max()) - low >= 4 * len(ints):
        return None
    present, codes = unique_codes(ints.astype(np.int64) - low)
    return codes, tuple((present + low).tolist())


def unique_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(codes, return_inverse=True) for non-negative integer codes; counted in one
    pass when they are few for the rows (strata x clusters), as sorting a million is slow."""
    if len(codes) and codes.max() < 4 * len(codes):
        present = np.bincount(codes) > 0
        rank = np.cumsum(present) - 1
        return np.flatnonzero(present), rank[codes]
    return np.unique(codes, return_inverse=True)


def constant_within(values: np.ndarray, groups: np.ndarray, n_groups: int, what: str,
                    labels: Sequence[object]) -> np.ndarray:
    """The one value each group has, or an error naming the first group where it varies."""
    first = np.full(n_groups, np.nan)
    first[groups[::-1]] = values[::-1]
    bad = values != first[groups]
    if bad.any():
        g = groups[np.argmax(bad)]
        raise DesignError(f"{what} varies within {labels[g]!r}; it must be constant there")
    return first


def population_sizes(fpc: np.ndarray, groups: np.ndarray, n_units: np.ndarray, what: str,
                     labels: Sequence[object]) -> np.ndarray:
    """Population size per group from an fpc given as sizes or as sampling fractions (as.fpc)."""
    fpc = np.asarray(fpc, dtype=float)
    if np.isnan(fpc).any():
        raise DesignError(f"{what} has missing values")
    per = constant_within(fpc, groups, len(n_units), what, labels)
    if np.all(per <= 1):  # sampling fractions, as R's svydesign accepts
        if np.any(per <= 0):
            raise DesignError(f"{what} as a sampling fraction must be in (0, 1]")
        return n_units / per
    if np.any(per < n_units):
        g = int(np.argmax(per < n_units))
        raise DesignError(f"{what} for {labels[g]!r} is {per[g]:g}, smaller than the "
                          f"{int(n_units[g])} units sampled there")
    return per


def check_lonely_psu(lonely_psu: str) -> None:
    """Refuse a lonely-PSU rule that the variance does not implement, before any work is done."""
    if lonely_psu not in LONELY_PSU_OPTIONS:
        raise DesignError(f"lonely_psu must be one of {', '.join(LONELY_PSU_OPTIONS)}; "
                          f"got {lonely_psu!r} ('average' is not supported)")


def design_column(data: pd.DataFrame | None, spec: object, what: str) -> np.ndarray:
    """A design column: named in `data`, or given as an array."""
    if isinstance(spec, str):
        if data is None or spec not in data.columns:
            raise DesignError(f"{what} column {spec!r} is not in the data")
        return data[spec].to_numpy()
    return np.asarray(spec)


def per_stage(spec: object) -> list[object]:
    """One spec per stage: none, a list or tuple of them, or a single one."""
    if spec is None:
        return []
    if isinstance(spec, (list, tuple)):
        return list(spec)
    return [spec]


def respondents(data: pd.DataFrame | None, n: int | None, weight: object, strata: object,
                cluster: object) -> int:
    """The number of respondents: the data's rows, n, or the length of the first array given."""
    size = len(data) if data is not None else n
    if size is None:
        for spec in (weight, strata, *per_stage(cluster)):
            if spec is not None and not isinstance(spec, str):
                size = len(np.asarray(spec))
                break
    if size is None:
        raise DesignError("give data or the number of respondents n")
    if size == 0:
        raise DesignError("the data have no rows")
    return size


def stages(cluster: object, fpc: object) -> tuple[list[object], list[object]]:
    """The cluster and fpc of each sampling stage, checked to make at most two matching stages."""
    clusters = per_stage(cluster)
    if len(clusters) > 2:
        raise DesignError("at most two stages of clusters are supported")
    fpcs = per_stage(fpc)
    if len(fpcs) > max(1, len(clusters)):
        raise DesignError("give one fpc per sampling stage")
    if len(clusters) == 2 and len(fpcs) == 1:
        raise DesignError("a two-stage design needs an fpc for both stages, or none "
                          "(then only the first stage enters the variance, as in R)")
    return clusters, fpcs


def first_stage(data: pd.DataFrame | None, clusters: list[object], s_codes: np.ndarray,
                size: int, nest: bool) -> tuple[np.ndarray, np.ndarray, tuple[object, ...]]:
    """PSU code per respondent, stratum per PSU and PSU labels; PSUs are nested in strata."""
    if not clusters:  # each respondent is its own PSU, rows in stratum order so PSUs sort too
        order = np.argsort(s_codes, kind="stable")
        psu = np.empty(size, np.int64)
        psu[order] = np.arange(size)
        return psu, s_codes[order], tuple(range(size))
    c_codes, c_labels_all = codes_of(design_column(data, clusters[0], "cluster"), "cluster")
    pairs, psu = unique_codes(s_codes * len(c_labels_all) + c_codes)
    pair_cluster = pairs % len(c_labels_all)
    if not nest and len(pair_cluster) > len(c_labels_all):
        bad = c_labels_all[int(np.argmax(np.bincount(pair_cluster) > 1))]
        raise DesignError(f"cluster {bad!r} appears in more than one stratum: "
                          "clusters are not nested in strata (use nest=True if "
                          "cluster ids are only unique within a stratum)")
    psu_stratum = (pairs // len(c_labels_all)).astype(np.int64)
    psu_labels = tuple(c_labels_all[i] for i in pair_cluster)
    return np.asarray(psu, dtype=np.int64), psu_stratum, psu_labels


def second_stage(data: pd.DataFrame | None, cluster: object, fpcs: list[object],
                 psu: np.ndarray, n_psus: int, psu_labels: Sequence[object],
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """SSU code per respondent, PSU per SSU, SSUs sampled and in the population per PSU (from
    the second of `fpcs`, looked up only once the SSUs are known). Without a second-stage fpc
    the PSU is the unit: only the first stage enters the variance, as in R."""
    ssu_raw, ssu_labels = codes_of(design_column(data, cluster, "second-stage cluster"), "cluster")
    if len(fpcs) < 2:
        return psu, np.arange(n_psus, dtype=np.int64), None, None
    pairs2, unit = np.unique(psu * len(ssu_labels) + ssu_raw, return_inverse=True)
    unit = unit.astype(np.int64)
    unit_psu = (pairs2 // len(ssu_labels)).astype(np.int64)
    n_ssu = np.bincount(unit_psu, minlength=n_psus).astype(float)
    popsize2 = population_sizes(design_column(data, fpcs[1], "fpc (stage 2)"), psu, n_ssu,
                                "fpc (stage 2)", psu_labels)
    return unit, unit_psu, n_ssu, popsize2


def fpc_weights(w: np.ndarray, s_codes: np.ndarray, popsize: np.ndarray, n_psu: np.ndarray,
                psu: np.ndarray, popsize2: np.ndarray | None,
                n_ssu: np.ndarray | None) -> np.ndarray:
    """Weights as inverse sampling fractions of each stage, as R's svydesign makes them."""
    w = w * (popsize / n_psu)[s_codes]
    if popsize2 is not None and n_ssu is not None:
        w = w * (popsize2 / n_ssu)[psu]
    return w


def given_weights(values: np.ndarray) -> np.ndarray:
    """The weight column as floats, refused if any is missing, infinite or not positive."""
    w = np.asarray(values)
    w = np.asarray(w if w.dtype.kind in "fiub" else pd.to_numeric(pd.Series(values)), dtype=float)
    if not np.isfinite(w).all():
        raise DesignError("weight has missing or infinite values")
    if (w <= 0).any():
        raise DesignError(f"weight has {int((w <= 0).sum())} value(s) <= 0; "
                          "drop those respondents instead")
    return w


def spec_name(spec: object) -> str | None:
    """How a spec is described: its column name, '<array>', or None when not given."""
    return spec if isinstance(spec, str) else (None if spec is None else "<array>")


def description(weight: object, strata: object, clusters: list[object],
                fpcs: list[object]) -> dict[str, str | None]:
    """The design as specified, by column names, for printing and reports."""
    return {"weight": spec_name(weight), "strata": spec_name(strata),
            "cluster": ",".join(c if isinstance(c, str) else "<array>" for c in clusters) or None,
            "fpc": ",".join(f if isinstance(f, str) else "<array>" for f in fpcs) or None}
