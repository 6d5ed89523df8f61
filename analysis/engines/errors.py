"""What an engine cannot do, said in one line."""

from __future__ import annotations

from survey.errors import SurveyError


class EngineError(SurveyError):
    """An analysis the out-of-core engines do not support (yet), or a file they cannot read."""

    code = "engine-unsupported"
