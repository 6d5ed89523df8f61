"""MkDocs hook: the reference pages written from the code at build time, so they cannot drift.

`<!-- cli-reference -->` becomes every `survey` command with its usage, its help and a table of
its arguments and options, walked from the Typer app's click command; `<!-- api-reference -->`
becomes one mkdocstrings block per public name of `import survey` (survey/__init__.py `_API`),
headed by the name a notebook uses.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI_MARK = "<!-- cli-reference -->"
API_MARK = "<!-- api-reference -->"


def on_page_markdown(markdown: str, page, config, files) -> str:
    if CLI_MARK in markdown:
        markdown = markdown.replace(CLI_MARK, cli_reference())
    if API_MARK in markdown:
        markdown = markdown.replace(API_MARK, api_reference())
    return markdown


def _root_command():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import typer.main

    from cli import app

    return typer.main.get_command(app)


def cli_reference() -> str:
    """Markdown for every command of `survey`, in the order `survey --help` lists them."""
    group = _root_command()
    top = group.context_class(group, info_name="survey")
    parts = ["## survey", "", "```text", "survey [--debug] COMMAND [ARGS]...", "```", "",
             _escape(group.help or ""), "", _options_table(group, top)]
    for name in group.list_commands(top):
        command = group.get_command(top, name)
        if command.hidden:
            continue
        ctx = command.context_class(command, info_name=name, parent=top)
        usage = " ".join(["survey", name, "[OPTIONS]", *map(_argument, _arguments(command))])
        parts += [f"## survey {name}", "", "```text", usage, "```", "",
                  _escape(command.help or ""), "", _options_table(command, ctx)]
    return "\n".join(parts)


def _options_table(command, ctx) -> str:
    rows = ["| argument or option | what it is |", "|---|---|"]
    for param in command.params:
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            label = f"`{_argument(param)}`"
            help_text = (param.help or "") + (" (required)" if param.required else "")
        else:
            record = param.get_help_record(ctx)
            if record is None:
                continue
            label, help_text = f"`{record[0]}`", record[1]
        rows.append(f"| {label} | {_escape(help_text)} |")
    rows.append("| `--help` | Show the command's help and exit. |")
    return "\n".join(rows) + "\n"


def _arguments(command) -> list:
    return [p for p in command.params if p.param_type_name == "argument"]


def _argument(param) -> str:
    return param.name.upper() + ("..." if param.nargs == -1 else "")


def _escape(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;")


def api_reference() -> str:
    """One mkdocstrings block per name of `survey.__all__`, where the name is defined."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import survey

    parts = []
    targets = {"SurveyError": "survey.errors:SurveyError", **survey._API}
    for name in survey.__all__:
        module, attribute = targets[name].split(":")
        parts += [f"## survey.{name}", "", f"::: {module}.{attribute}", "    options:",
                  "      show_root_heading: true", "      show_root_toc_entry: false",
                  "      show_root_full_path: false", ""]
    return "\n".join(parts)
