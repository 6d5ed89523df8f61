"""Errors of a survey design that cannot be built or used."""

from __future__ import annotations

from survey.errors import SurveyError


class DesignError(SurveyError):
    """A design that cannot be built or used: the message says which column or stratum."""

    code = "bad-design"


class LonelyPSUError(DesignError):
    """A stratum with a single PSU under lonely_psu="fail" (R: survey.lonely.psu = "fail")."""

    code = "lonely-psu"
