"""How a design finds a variable by name: in the data it was built from, or among the names a
`Responses` knows (derived variables, segments). Shared by both kinds of design."""

from __future__ import annotations

import dataclasses

import pandas as pd

from analysis.design.errors import DesignError


class NamedVariables:
    """For a frozen dataclass with fields `data` (a DataFrame or None) and `variables` (a
    function from a name to a Series, or None)."""

    def column(self, name: str) -> pd.Series:
        """A column of the data the design was built from, or a variable it knows by name."""
        data = getattr(self, "data", None)
        if data is not None and name in data.columns:
            return data[name]
        variables = getattr(self, "variables", None)
        if variables is not None:
            return variables(name)
        raise DesignError(f"column {name!r} is not in the design's data")

    def with_variables(self, variables):
        """This design, looking names up with `variables` too (e.g. `Responses.series`)."""
        return dataclasses.replace(self, variables=variables)  # type: ignore[type-var]
