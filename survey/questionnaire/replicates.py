"""The replicate-weight part of a `design:` block: the types R's svrepdesign knows and which
options each takes. One home for both the questionnaire's located checks and the design built
for analysis (`analysis.design.replicate_design`), so they say the same things."""

from __future__ import annotations

from collections.abc import Callable, Iterator

# R's svrepdesign types; "SDR" is its "successive-difference", which its "ACS" also is
REPLICATE_TYPES: tuple[str, ...] = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "SDR")
ALIASES = {t.lower(): t for t in REPLICATE_TYPES} | {"successive-difference": "SDR", "acs": "SDR"}
FIXED_SCALE = ("BRR", "Fay", "SDR")  # svrepdesign sets the scale of these itself
TAYLOR_PARTS = ("strata", "cluster", "fpc")


def replicate_type(name: object) -> str | None:
    """The type as R spells it, from any case ("jk1", "fay"; "ACS" and "successive-difference"
    are "SDR"), or None when it is no type."""
    return ALIASES.get(str(name).strip().lower())


def option_problems(kind: str, *, scale: bool, rscales: bool, rho: float | None
                    ) -> Iterator[tuple[str, str]]:
    """(key, message) for each option that does not fit a `kind` design, as svrepdesign would
    refuse or ignore it: we refuse what R would silently ignore."""
    if kind == "Fay" and rho is None:
        yield "replicate_type", "a Fay design needs rho, the Fay coefficient (e.g. 0.5)"
    if rho is not None and kind != "Fay":
        yield "rho", f"rho is the coefficient of Fay's method; a {kind} design has none"
    if rho is not None and not 0 <= rho < 1:
        yield "rho", f"rho must be at least 0 and below 1, not {rho}"
    if scale and kind in FIXED_SCALE:
        yield "replicate_scale", f"a {kind} design's scale is fixed by the method; leave it out"
    if rscales and kind == "SDR":
        yield "replicate_rscales", "an SDR design's rscales are fixed by the method (all 1)"
    if kind == "JKn" and not rscales:
        yield "replicate_type", ("a JKn design needs replicate_rscales, (n_h - 1) / n_h for the "
                                 "stratum each replicate leaves a unit out of")


def check_design(design, add: Callable[..., None]) -> None:
    """Report through `add(path, code, message)` each replicate option of a `design:` block that
    does not hold together with the rest."""
    replicate = ("replicate_type", "replicate_scale", "replicate_rscales", "mse", "rho")
    if design.replicate_weights is None:
        for key in replicate:
            if getattr(design, key) is not None:
                add(("design", key), "replicate-option", f"'{key}' is for a replicate-weight "
                    "design; give replicate_weights too, or leave it out")
        return
    for key in TAYLOR_PARTS:
        if getattr(design, key) is not None:
            add(("design", key), "replicate-conflict",
                f"a design has replicate weights or {key}, not both: replicate weights stand "
                "for the strata, clusters and fpc of the sample")
    if design.weight is None:
        add(("design", "replicate_weights"), "replicate-option",
            "a replicate-weight design needs the full-sample weight: give 'weight' too")
    if design.replicate_type is None:
        add(("design", "replicate_weights"), "replicate-option",
            "give replicate_type too: one of " + ", ".join(REPLICATE_TYPES))
        return
    for key, message in option_problems(design.replicate_type,
                                        scale=design.replicate_scale is not None,
                                        rscales=design.replicate_rscales is not None,
                                        rho=design.rho):
        add(("design", key), "replicate-option", message)
