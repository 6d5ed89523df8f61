"""One error root and a complete catalogue of codes (docs/reference/errors.md); the CLI's error
policy."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import analysis
import survey
from cli import app
from survey.errors import SurveyError

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reference" / "errors.md"
CODE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# Calls whose string arguments include a problem code: Problem(...), source.problem(...), the
# loaders' add(path, code, message), readers' fail/error, the server's _refuse, validation's _bad.
PROBLEM_CALLS = ("problem", "bad", "fail", "error", "refuse")
NOT_CODES = {
    "answered",  # a value reported with answered-when-skipped, not a code
    "start", "end",  # KoboToolbox column names passed to a writer's add()
}


def codes_in_source() -> dict[str, set[str]]:
    """Every problem or error code written in the library, with the files that use it."""
    found: dict[str, set[str]] = {}
    files = [*ROOT.joinpath("survey").rglob("*.py"), *ROOT.joinpath("analysis").rglob("*.py"),
             *ROOT.joinpath("cli").rglob("*.py")]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for value in _code_values(node):
                if CODE.match(value) and value not in NOT_CODES:
                    found.setdefault(value, set()).add(str(path.relative_to(ROOT)))
    return found


def _code_values(node: ast.AST) -> list[str]:
    candidates: list[ast.expr] = []
    if isinstance(node, ast.Call):
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
        if name == "add" or any(word in name.lower() for word in PROBLEM_CALLS):
            candidates += node.args
        if name == "PydanticCustomError" and node.args:  # reported with '_' as '-'
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                candidates.append(ast.Constant(first.value.replace("_", "-")))
        candidates += [k.value for k in node.keywords if k.arg == "code"]
    elif isinstance(node, ast.ClassDef):
        for statement in node.body:
            targets = (statement.targets if isinstance(statement, ast.Assign)
                       else [statement.target] if isinstance(statement, ast.AnnAssign) else [])
            if any(getattr(t, "id", None) == "code" for t in targets) and statement.value:
                candidates.append(statement.value)
    return [c.value for c in candidates if isinstance(c, ast.Constant) and isinstance(c.value, str)]


def documented_codes() -> set[str]:
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", DOC.read_text(encoding="utf-8"), re.M))


def all_error_classes() -> list[type]:
    for package in (survey, analysis):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    found, todo = [], [Exception]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in ("survey", "analysis", "cli"):
                found.append(sub)
    return found


def test_every_code_in_the_source_is_documented():
    missing = {code: files for code, files in codes_in_source().items()
               if code not in documented_codes()}
    assert not missing, f"add these codes to docs/reference/errors.md: {missing}"


def test_every_documented_code_is_used():
    stale = documented_codes() - set(codes_in_source())
    assert not stale, f"docs/reference/errors.md lists codes the code never uses: {sorted(stale)}"


def test_every_library_error_derives_from_survey_error_and_has_a_documented_code():
    classes = all_error_classes()
    assert len(classes) >= 20  # the walk found the library's errors, not nothing
    private = {"_TooLarge"}  # the server's internal signal, turned into a 413 before any caller
    strays = [c.__qualname__ for c in classes if not issubclass(c, SurveyError | Warning)
              and c.__name__ not in private]
    assert not strays, f"errors outside the SurveyError root: {strays}"
    undocumented = [c.__qualname__ for c in classes
                    if issubclass(c, SurveyError) and c.code not in documented_codes()]
    assert not undocumented


def test_library_messages_do_not_name_command_line_flags():
    """A notebook user gets the same errors: they speak of data and files, not of flags."""
    flag = re.compile(r"(^|[\s(])--[a-z{]")
    offenders = []
    for path in [*ROOT.joinpath("survey").rglob("*.py"), *ROOT.joinpath("analysis").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}
        offenders += [f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
                      for node in ast.walk(tree)
                      if isinstance(node, ast.Constant) and isinstance(node.value, str)
                      and id(node) not in docstrings and flag.search(node.value)]
    assert not offenders, "\n".join(offenders)


runner = CliRunner()
QUESTIONNAIRE = str(ROOT / "questionnaires" / "industrial_workers.yaml")


def test_bad_input_is_one_line_and_exit_2():
    result = runner.invoke(app, ["check", str(ROOT / "no-such-questionnaire.yaml")])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("cannot read the file: No such file or directory")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_an_internal_error_is_a_bug_exit_70_and_debug_shows_the_traceback(monkeypatch):
    # A fault injected where no input can cause one: the CLI must not pass it off as bad input.
    import survey.questionnaire.summary as summary

    def broken(*args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(summary, "summarise", broken)
    result = runner.invoke(app, ["check", QUESTIONNAIRE])
    assert result.exit_code == 70
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "internal error" in lines[0] and "ZeroDivisionError" in lines[0]
    assert "--debug" in lines[0]
    for args in (["--debug", "check", QUESTIONNAIRE], ["check", QUESTIONNAIRE, "--debug"]):
        result = runner.invoke(app, args)
        assert isinstance(result.exception, ZeroDivisionError), args


@pytest.mark.parametrize("error", [SurveyError("x"), SurveyError("x", code="c", location="f")])
def test_a_survey_error_is_its_location_and_message(error):
    assert error.lines("where") == [f"{error.location or 'where'}: x"]


@pytest.mark.parametrize("option, kind", [
    ("--targets", "a targets file starts with 'targets:'"),
])
def test_an_empty_file_is_named_for_what_it_should_be(tmp_path, option, kind):
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    result = runner.invoke(app, ["weight", str(ROOT / "data_samples" / "industrial_workers.sav"),
                                 "-q", QUESTIONNAIRE, option, str(empty), "-o",
                                 str(tmp_path / "w.parquet")])
    assert result.exit_code == 2 and not (tmp_path / "w.parquet").exists()
    assert result.stderr.strip() == f"{empty}:1:1: the file is empty; {kind}"


@pytest.mark.parametrize("loader, kind", [
    ("analysis.findings.claims:parse_claims", "a claims file starts with 'claims:'"),
    ("survey.simulation.effects:parse_effects", "an effects file has sections such as"),
])
def test_empty_claims_and_effects_say_how_they_start(loader, kind):
    module, name = loader.split(":")
    q = survey.load_questionnaire(QUESTIONNAIRE)
    with pytest.raises(SurveyError) as caught:
        getattr(importlib.import_module(module), name)("", q, "x.yaml")
    assert kind in str(caught.value) and caught.value.code == "empty-file"
