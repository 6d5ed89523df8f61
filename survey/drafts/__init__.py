"""`survey init`: a questionnaire drafted from what a researcher already has.

An XLSForm, a labelled SPSS or Stata file, a Qualtrics .qsf, a Wenjuanxing export: each kind of
source fills a `Draft` (survey.drafts.draft), which is written as a commented questionnaire file
(survey.drafts.yaml_text), checked as `survey check` would before anything is written, or merged
into the researcher's file without touching what they edited (survey.drafts.update).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from survey.drafts.draft import Draft, InitError

if TYPE_CHECKING:
    from survey.drafts.writing import Drafted

__all__ = ["InitError", "draft_from", "init_questionnaire", "source_kind"]


def source_kind(paths: Sequence[Path]) -> str:
    """Which kind of source the files are, by their content where the suffix is not enough."""
    from survey.drafts.detect import detect

    return detect(paths)


def draft_from(sources: Sequence[str | Path], lang: str | None = None) -> Draft:
    """The draft of the questionnaire the source files describe."""
    from survey.drafts.detect import drafter

    paths = [Path(source) for source in sources]
    for path in paths:
        if not path.is_file():
            raise InitError(f"{path}: no such file")
    return drafter(source_kind(paths))(paths, lang)


def init_questionnaire(sources: Sequence[str | Path], output: str | Path, *,
                       lang: str | None = None, update: bool = False,
                       force: bool = False) -> Drafted:
    """Draft a questionnaire from `sources` and write it to `output`, checked; with `update`,
    add to the questionnaire already at `output` what the sources have and it lacks."""
    from survey.drafts.writing import write_draft

    return write_draft(draft_from(sources, lang), Path(output), update=update, force=force)
