"""Responses written in other platforms' export layouts: Wenjuanxing, KoboToolbox/ODK, Qualtrics.

These writers make test and sample files in the shapes real exports have, so the platform readers
(`survey.readers.wjx`, `.kobo`, `.qualtrics`) can be checked by round trip and the catalogue of
malformed exports built from them. The layouts themselves (metadata columns, missing-value tokens,
separators) are described and defined once in those reader modules; the writers import them.
"""

from survey.simulation.exports.kobo import write_kobo
from survey.simulation.exports.qualtrics import write_qualtrics
from survey.simulation.exports.wjx import write_wjx

__all__ = ["write_kobo", "write_qualtrics", "write_wjx"]
