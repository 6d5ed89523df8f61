"""A one-screen text summary of a checked questionnaire (what `survey check` prints)."""

from __future__ import annotations

from pathlib import Path

from survey.files.encoding import read_text
from survey.files.source import Problem, SourceError, load_yaml
from survey.questionnaire.model import Questionnaire


def claims_beside(questionnaire: Path) -> Path | None:
    """QUESTIONNAIRE.claims.yaml beside a questionnaire file, if there is one."""
    beside = questionnaire.with_name(questionnaire.name.removesuffix(".yaml") + ".claims.yaml")
    return beside if beside.exists() else None


def summarise(model: Questionnaire, claims: Path | None = None, language: str | None = None) -> str:
    label = lambda text: model.label(text, language)  # noqa: E731
    info = model.survey
    lines = [f"{label(info.title)} ({info.id}, version {info.version}, "
             f"languages: {', '.join(info.languages)})"]
    counts = model.counts_by_type()
    lines.append(f"{len(model.questions)} questions: "
                 + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    rated = sum(len(q.items) for q in model.questions)
    if rated:
        lines.append(f"{rated} grid items; {len(model.items)} answerable variables")
    skips = [q.name for q in model.questions if q.relevant]
    lines.append(f"{len(skips)} with skip logic" + (f": {', '.join(skips)}" if skips else ""))
    if model.derived:
        lines.append(f"{len(model.derived)} derived: {', '.join(d.name for d in model.derived)}")
    if model.scales:
        lines.append(f"{len(model.scales)} scales: " + ", ".join(
            f"{s.name} ({len(s.items)} items, {len(s.reverse)} reversed)" for s in model.scales))
    if model.segments:
        lines.append(f"{len(model.segments)} segments:")
        lines += [f"  {name:<16} {label(s.label)}  [{s.where}]"
                  for name, s in model.segments.items()]
    design = {k: v for k, v in model.design.model_dump().items() if v is not None}
    if design:
        lines.append("design: " + ", ".join(f"{k}={v}" for k, v in design.items()))
    if claims is not None:
        lines.append(_claims_line(claims))
    lines.append("OK")
    return "\n".join(lines)


def _claims_line(path: Path) -> str:
    data, source = load_yaml(read_text(path), str(path), "a claims file starts with 'claims:'")
    entries = data.get("claims") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        mark = source.mark(())
        raise SourceError([Problem(str(path), mark.line, mark.column, "bad-claims",
                                   "a claims file is a mapping with a 'claims' list")])
    ids = [str(c.get("id")) for c in entries if isinstance(c, dict)]
    findings = sorted({i.split("-")[0] for i in ids},
                      key=lambda f: (len(f), f))  # F2 before F10
    return f"{len(ids)} claims in {path.name} covering {', '.join(findings)}"
