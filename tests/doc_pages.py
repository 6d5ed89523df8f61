"""Running a documentation page as its reader would, so that a page can never lie.

A page's `console` blocks are terminal sessions: a line starting `$ ` is a command (a line ending
in `\\` goes on to the next), the lines after it, up to the next command, are what it prints.
`survey` commands run in-process (tests/cli_helpers.py: stdout and stderr as a terminal shows
them), anything else (`ls`, `head`) in bash. A fenced block after `<!-- file: NAME -->` is written
to NAME, after `<!-- append: NAME -->` added to its end: the files a reader writes in an editor.
`<!-- exit: N -->` before a console block says its commands end with exit code N (an error the
page shows on purpose); otherwise every command must succeed.

Everything runs in one folder that holds links to the repository's data_samples/ and
questionnaires/. Outputs are compared line by line after removing trailing spaces; the only
other differences forgiven are the folder's own path, written `.` in the page, and rounding noise
(a number printed as 5.55e-16 is any number below 1e-12: how close to zero floating point lands
may differ between machines).

    python3 tests/doc_pages.py docs/tutorials/spss.md ...   # rewrite the outputs shown
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```|~~~)(?P<info>.*)$")
DIRECTIVE = re.compile(r"^\s*<!-- (?P<what>file|append|exit): (?P<value>\S+) -->\s*$")
SHARED = ("data_samples", "questionnaires")


@dataclass(frozen=True)
class Step:
    """One thing a page does: write a file, or run a command and print `expected`."""

    kind: str  # "file", "append" or "command"
    text: str  # the file's content, or the command line
    line: int  # where it starts in the page (1-based)
    target: str = ""  # the file written
    expected: str = ""  # what the command prints
    exit_code: int = 0
    output_lines: tuple[int, int] = (0, 0)  # the page lines of `expected`, [start, end)


def steps(page: str) -> list[Step]:
    """The files and commands of a page, in order."""
    lines = page.split("\n")
    found: list[Step] = []
    directive: dict[str, str] = {}
    i = 0
    while i < len(lines):
        if m := DIRECTIVE.match(lines[i]):
            directive[m["what"]] = m["value"]
            i += 1
            continue
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, start = m["indent"], i + 1
        end = next(j for j in range(start, len(lines))
                   if lines[j].strip() == m["fence"] and lines[j].startswith(indent))
        body = [line[len(indent):] for line in lines[start:end]]
        if "file" in directive or "append" in directive:
            kind = "file" if "file" in directive else "append"
            found.append(Step(kind, "\n".join(body) + "\n", start, target=directive[kind]))
        elif m["info"].strip().split(" ")[0] == "console":
            found += _session(body, start, int(directive.get("exit", 0)))
        directive = {}
        i = end + 1
    return found


def _session(body: list[str], first: int, exit_code: int) -> list[Step]:
    commands: list[Step] = []
    i = 0
    while i < len(body):
        if not body[i].startswith("$ "):
            raise ValueError(f"line {first + i + 1}: a console block starts with '$ COMMAND'")
        line, command = first + i + 1, body[i][2:]
        while command.endswith("\\"):
            i += 1
            command = command[:-1] + " " + body[i].strip()
        i += 1
        out = i
        while i < len(body) and not body[i].startswith("$ "):
            i += 1
        commands.append(Step("command", command, line, expected="\n".join(body[out:i]),
                             exit_code=exit_code, output_lines=(first + out, first + i)))
    return commands


NOISE = re.compile(r"\b\d(\.\d+)?e-(1[2-9]|[2-9]\d|\d{3})\b")


def normalise(text: str, folder: Path) -> str:
    """What is compared: `shown` text without the folder's path, trailing spaces or noise."""
    return NOISE.sub("~0", as_shown(text, folder))


def as_shown(text: str, folder: Path) -> str:
    """Printed text as a page shows it: paths in the folder relative, no trailing spaces."""
    text = text.replace(str(folder.resolve()) + "/", "").replace(str(folder) + "/", "")
    lines = [line.rstrip() for line in text.replace(str(folder), ".").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def run(command: str, folder: Path) -> tuple[int, str]:
    """Exit code and what a terminal would show (stdout and stderr) of one command line."""
    argv = shlex.split(command)
    if argv[0] != "survey":
        done = subprocess.run(["bash", "-c", command], cwd=folder, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return done.returncode, done.stdout
    from cli_helpers import invoke

    from cli.common import err, out

    widths = out.width, err.width
    out.width = err.width = 80  # the page shows an 80-column terminal, whatever runs the tests
    try:
        with _inside(folder):
            result = invoke(*argv[1:])
    finally:
        out.width, err.width = widths
    return result.exit_code, result.output


@contextmanager
def _inside(folder: Path):
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def prepare(folder: Path) -> Path:
    """A folder where a page runs: links to the samples and questionnaires, nothing else."""
    for name in SHARED:
        if not (folder / name).exists():
            (folder / name).symlink_to(ROOT / name)
    return folder


def played(page: str, folder: Path) -> Iterator[tuple[Step, int, str]]:
    """Do a page's steps in `folder`: each command with its exit code and what it printed."""
    prepare(folder)
    for step in steps(page):
        if step.kind == "command":
            yield (step, *run(step.text, folder))
            continue
        with open(folder / step.target, "w" if step.kind == "file" else "a",
                  encoding="utf-8") as handle:
            handle.write(step.text)


def check_page(path: Path, folder: Path) -> list[str]:
    """Run a page; the differences between what it shows and what happened (none: it is true)."""
    problems = []
    for step, code, printed in played(path.read_text(encoding="utf-8"), folder):
        shown, happened = normalise(step.expected, folder), normalise(printed, folder)
        shown_path = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        where = f"{shown_path}:{step.line}: $ {step.text}"
        if code != step.exit_code:
            problems.append(f"{where}\nexit code {code}, the page expects {step.exit_code}\n"
                            f"{printed}")
        elif shown != happened:
            diff = difflib.unified_diff(shown.split("\n"), happened.split("\n"), "page",
                                        "printed", lineterm="")
            problems.append(f"{where}\n" + "\n".join(diff))
    return problems


def update_page(path: Path) -> None:
    """Rewrite the outputs a page shows with what its commands print now."""
    lines = path.read_text(encoding="utf-8").split("\n")
    replaced: list[tuple[tuple[int, int], list[str]]] = []
    with tempfile.TemporaryDirectory() as temporary:
        for step, _, printed in played("\n".join(lines), Path(temporary)):
            indent = re.match(r"[ \t]*", lines[step.line - 1])[0]
            shown = as_shown(printed, Path(temporary)).split("\n") if printed.strip() else []
            replaced.append((step.output_lines, [indent + line if line else line
                                                 for line in shown]))
    for (start, end), new in reversed(replaced):
        lines[start:end] = new
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    for name in sys.argv[1:]:
        update_page(Path(name).resolve())
        print("updated", name)
