"""Forms made from a questionnaire: web form, XLSForm, paper, codebook, Wenjuanxing text.

`write_form(questionnaire, format, path)` writes any of them (what `survey form` runs); each
format's module also has its own writer and the pure function that makes its content.
"""

from __future__ import annotations

from pathlib import Path

from survey.errors import InputError
from survey.files.source import suggest

FORM_FORMATS = ("html", "xlsform", "paper", "codebook", "wjx")


def write_form(questionnaire, format: str, path: str | Path,
               lang: str | None = None) -> tuple[list[Path], list[str]]:
    """Write one form; return the files written and what the format could not express."""
    if format == "html":
        from survey.forms.html import write_html

        return [write_html(questionnaire, path, lang)], []
    if format == "xlsform":
        from survey.forms.xlsform import write_xlsform

        return [write_xlsform(questionnaire, path, lang)], []
    if format == "paper":
        from survey.forms.paper import write_paper

        return [write_paper(questionnaire, path, lang)], []
    if format == "codebook":
        from survey.forms.codebook import write_codebook

        return write_codebook(questionnaire, path, lang), []
    if format == "wjx":
        from survey.forms.wjx import write_wjx

        result = write_wjx(questionnaire, path, lang)
        return [Path(path)], [str(loss) for loss in result.losses]
    raise InputError(f"unknown form format {format!r}{suggest(format, FORM_FORMATS)}; use one "
                     f"of {', '.join(FORM_FORMATS)}", code="unknown-form-format")
