"""A catalogue of hostile YAML files, for every kind of YAML file we read (questionnaire, claims,
targets, effects, mapping): each is refused by the loader with its code at FILE:LINE:COLUMN
within a second, and by the command line with exit 2, that one line and nothing written.

The bodies are what an attacker (or a runaway script) would try: aliases that expand to billions
of values or into themselves, nesting far deeper than the parser's recursion allows, huge files
and scalars, binary and wrongly encoded bytes, tags that construct objects, and malformed values.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cli_helpers import invoke
from export_samples import SMALL, questionnaire, responses

from analysis.findings.claims import load_claims
from analysis.weighting.targets import load_targets
from survey.files.source import SourceError
from survey.questionnaire.loader import load_questionnaire
from survey.readers.mapping_file import load_overrides
from survey.simulation.effects import load_effects
from survey.simulation.exports import write_wjx
from survey.writers import write_responses

Q = questionnaire()
START = {  # a valid first line of each kind, so that the hostile part is what is refused
    "questionnaire": "survey:\n",
    "claims": "claims:\n",
    "targets": "targets:\n",
    "effects": "marginals:\n",
    "mapping": "columns:\n",
}


def laughs(levels: int = 9) -> str:
    """The billion-laughs file: each line nine aliases of the line before (9**9 values)."""
    lines = ["  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def quadratic() -> str:
    """One anchored list of 10,000 items, repeated by 8 aliases: 80,000 values from 50 KB."""
    return "  big: &big [" + ", ".join(["x"] * 10_000) + "]\n" + \
        "".join(f"  copy{i}: *big\n" for i in range(8))


def deep_block(levels: int = 200) -> str:
    return "".join("  " * (i + 1) + f"k{i}:\n" for i in range(levels)) + "  " * levels + "  x\n"


# (id, body after the first line: str or bytes, code, line, column); line 1 is START's
BODIES = [
    ("billion-laughs", laughs(), "too-many-values", 6, 37),
    ("quadratic-aliases", quadratic(), "too-many-values", 6, 10),
    ("recursive-alias-list", "  a: &a [1, *a]\n", "recursive-alias", 2, 13),
    ("recursive-alias-mapping", "  a: &a {b: *a}\n", "recursive-alias", 2, 13),
    ("deep-flow-lists", "  a: " + "[" * 3000 + "]" * 3000 + "\n", "too-deep", 2, 68),
    ("deep-flow-mappings", "  a: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", "too-deep", 2, 251),
    ("deep-block-mappings", deep_block(), "too-deep", 64, 127),
    ("over-50000-values", "  list:\n" + "    - 1\n" * 60_000, "too-many-values", 49_998, 7),
    ("huge-scalar", "  text: '" + "a" * 2_500_000 + "'\n", "too-large", 1, 1),
    ("huge-file", b"  text: '" + "工".encode() * 3_000_000 + b"'\n", "too-large", 1, 1),
    ("nul-byte", "  a: b\x00c\n", "not-text", 2, 7),
    ("bell-character", "  a: b\x07c\n", "not-text", 2, 7),
    ("utf16-without-bom", "  a: 1\n".encode("utf-16-le"), "not-text", 2, 2),
    ("latin1-bytes", "  a: café\n".encode("latin-1"), "encoding", 2, 1),
    ("mixed-encodings", "  a: 工人\n".encode("gb18030") + "  b: 工人\n".encode(),
     "mixed-encoding", 3, 1),
    ("binary-garbage", bytes(range(256)) * 4, "encoding", 3, 1),
    ("tab-indentation", "\ta: 1\n", "yaml-syntax", 2, 1),
    ("duplicate-anchor", "  a: &x 1\n  b: &x 2\n", "yaml-syntax", 3, 6),
    ("undefined-alias", "  a: *nowhere\n", "yaml-syntax", 2, 6),
    ("python-object-tag", "  a: !!python/object/apply:os.system [echo pwned]\n", "unknown-tag",
     2, 6),
    ("python-name-tag", "  a: !!python/name:os.system ''\n", "unknown-tag", 2, 6),
    ("binary-tag", "  a: !!binary aGVsbG8=\n", "unknown-tag", 2, 6),
    ("set-tag", "  a: !!set {x, y}\n", "unknown-tag", 2, 6),
    ("local-tag", "  a: !include /etc/passwd\n", "unknown-tag", 2, 6),
    ("merge-key", "  a: &base {x: 1}\n  b:\n    <<: *base\n", "bad-key", 4, 5),
    ("list-as-key", "  ? [a, b]\n  : 1\n", "bad-key", 2, 5),
    ("impossible-date", "  a: 2024-13-45\n", "bad-value", 2, 6),
    ("5000-digit-integer", "  a: " + "9" * 5000 + "\n", "bad-value", 2, 6),
    ("two-documents", "  a: 1\n---\nb: 2\n", "yaml-syntax", 3, 1),
    ("unclosed-quote", "  a: 'never closed\n", "yaml-syntax", 3, 1),
    ("megabyte-duplicate-key", ("  ? " + "k" * 600_000 + "\n  : 1\n") * 2, "duplicate-key", 4, 5),
]
# the hostile bodies every other kind of file is tried with as well
EVERY_KIND = ("billion-laughs", "recursive-alias-list", "deep-flow-lists", "huge-file",
              "nul-byte", "python-object-tag")


def loader(kind: str):
    return {"questionnaire": load_questionnaire, "claims": lambda p: load_claims(p, Q),
            "targets": load_targets, "effects": lambda p: load_effects(p, Q),
            "mapping": lambda p: load_overrides(p, Q)}[kind]


def command(kind: str, path: Path, tmp: Path) -> tuple[list[object], Path]:
    """The command line that reads `path` as a file of `kind`, and the output it would write."""
    output = tmp / "out.parquet"
    if kind == "questionnaire":
        return ["check", path], output
    if kind == "claims":
        return ["findings", write_responses(responses(), tmp / "data.parquet"), "-q", SMALL,
                "--claims", path, "-o", tmp / "findings.csv"], tmp / "findings.csv"
    if kind == "targets":
        return ["weight", write_responses(responses(), tmp / "data.parquet"), "-q", SMALL,
                "--targets", path, "-o", output], output
    if kind == "effects":
        return ["simulate", SMALL, "-n", 5, "--effects", path, "-o", output], output
    export = write_wjx(responses(), tmp / "123_按序号_小问卷_4_4.csv")
    return ["import", export, "-q", SMALL, "--mapping", path, "-o", output], output


CASES = [(kind, *body) for kind in START for body in BODIES
         if kind == "questionnaire" or body[0] in EVERY_KIND]


@pytest.mark.parametrize("kind, name, body, code, line, column", CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_hostile_yaml_is_a_located_refusal(tmp_path, kind, name, body, code, line, column):
    start = START[kind]
    data = start.encode() + body if isinstance(body, bytes) else (start + body).encode()
    path = tmp_path / f"{kind}.yaml"
    path.write_bytes(data)
    began = time.perf_counter()
    with pytest.raises(SourceError) as raised:
        loader(kind)(path)
    took = time.perf_counter() - began
    problem = raised.value.problems[0]
    assert (problem.code, problem.line, problem.column) == (code, line, column), problem
    assert took < 1.0, f"{took:.2f}s"
    assert len(problem.message) < 250 and "\n" not in str(problem)
    args, output = command(kind, path, tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [str(problem)]
    assert not output.exists()


def test_the_catalogue_covers_every_kind():
    kinds = {kind for kind, *_ in CASES}
    assert kinds == set(START) and len(CASES) >= 50


def test_an_honest_anchor_is_still_read(tmp_path):
    """Aliases are capped, not banned: a choice list's labels written once and repeated."""
    text = SMALL.read_text(encoding="utf-8")
    assert "{zh: 其他意见, en: Other comments}" in text
    text = text.replace("{zh: 其他意见, en: Other comments}",
                        "&comments {zh: 其他意见, en: Other comments}", 1)
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_questionnaire(path).items["comments"].label == Q.items["comments"].label


def test_a_device_that_never_ends_is_too_large():
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    with pytest.raises(SourceError) as raised:
        load_questionnaire("/dev/zero")
    assert raised.value.problems[0].code == "too-large"


@pytest.mark.parametrize("name", ["billion-laughs", "deep-flow-lists", "recursive-alias-list",
                                  "nul-byte", "tab-indentation"])
def test_pyyaml_without_libyaml_refuses_them_alike(monkeypatch, tmp_path, name):
    """Where PyYAML was built without libyaml its own parser gives the events: same refusals."""
    from survey.files import core_schema

    _, body, code, line, column = next(b for b in BODIES if b[0] == name)
    path = tmp_path / "q.yaml"
    path.write_text(START["questionnaire"] + body, encoding="utf-8")
    monkeypatch.setattr(core_schema, "Events", core_schema.PythonEvents)
    with pytest.raises(SourceError) as raised:
        load_questionnaire(path)
    problem = raised.value.problems[0]
    assert (problem.code, problem.line, problem.column) == (code, line, column)
    assert load_questionnaire(SMALL).items == Q.items


def test_an_alias_of_a_refused_value_is_that_one_problem(tmp_path):
    """An alias repeats its anchor's value, and with it the anchor's problem, at the anchor's
    place: one located problem, said once (not a 'recursive node' syntax error)."""
    path = tmp_path / "q.yaml"
    path.write_text("survey:\n  a: &day 2024-13-45\n  b: *day\n  c: [*day, &k {x: 1, x: 2}, *k]\n",
                    encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        load_questionnaire(path)
    assert [(p.code, p.line, p.column) for p in raised.value.problems] == [
        ("bad-value", 2, 6), ("duplicate-key", 4, 23)]
