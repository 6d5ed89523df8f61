"""A draft written to its file: checked as `survey check` checks it before a byte is written, and
never over a questionnaire the researcher may have edited (that is what `--update` is for)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from survey.drafts.draft import Draft, InitError
from survey.drafts.yaml_text import draft_yaml
from survey.files.atomic import write_atomic
from survey.questionnaire.loader import parse_questionnaire


@dataclass(frozen=True)
class Drafted:
    """What `init_questionnaire` wrote: the file, the draft, and what it says on the terminal."""

    path: Path
    draft: Draft
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    updated: bool = False

    def summary(self) -> list[str]:
        counts: dict[str, int] = {}
        for question in self.draft.questions:
            counts[question.type] = counts.get(question.type, 0) + 1
        kinds = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        lines = [f"wrote {self.path}: {len(self.draft.questions)} questions ({kinds}) from "
                 f"{self.draft.origin}"]
        if self.updated:
            lines = [f"updated {self.path}: {len(self.added)} new question(s) added"]
            lines += [f"  added {name}" for name in self.added]
            lines += [f"  {text}" for text in self.changed]
        lines += [f"note: {text}" for text in self.draft.notes]
        return lines


def checked(text: str, path: Path) -> str:
    """The text, once it loads as a questionnaire (a problem here is a bug of `survey init`)."""
    parse_questionnaire(text, str(path))
    return text


def write_draft(draft: Draft, output: Path, *, update: bool = False,
                force: bool = False) -> Drafted:
    if update:
        from survey.drafts.update import update_text

        if not output.is_file():
            raise InitError(f"{output}: there is no questionnaire here to update; write a new "
                            "one instead")
        merged = update_text(output, draft)
        write_atomic(output, checked(merged.text, output))
        return Drafted(output, draft, merged.added, merged.changed, updated=True)
    if output.exists() and not force:
        raise InitError(f"{output}: already exists; update it (which adds what the source has "
                        "and it lacks, and keeps your edits) or replace it")
    write_atomic(output, checked(draft_yaml(draft), output))
    return Drafted(output, draft)
