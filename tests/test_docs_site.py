"""The documentation site builds with `mkdocs build --strict` (a broken link, a page missing from
the navigation or a warning of any plugin fails), in English and Chinese, fetching nothing; the
pages a researcher reads have their own Chinese text; the reference written from the code has
every command, option, public name and error code."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import survey

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TRANSLATED = ("index", "tutorials/wenjuanxing", "tutorials/kobotoolbox", "tutorials/spss",
              "methods", "coming-from", "reference/questionnaire", "reference/init",
              "reference/mapping", "reference/claims", "reference/errors")


def documented_codes(path: Path) -> set[str]:
    """The codes of an error catalogue's tables (as tests/test_error_codes.py reads them)."""
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", path.read_text(encoding="utf-8"), re.M))


def nav_pages() -> list[str]:
    """Every page of mkdocs.yml's navigation, as its path without `.md`."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    found: list[str] = []

    def walk(items):
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                walk(value)
            else:
                found.append(value.removesuffix(".md"))

    walk(config["nav"])
    return found


class _Loader(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` tags; their values do not matter here."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(folder)], cwd=ROOT, capture_output=True, text=True,
                          env=os.environ | {"NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr[-4000:]
    return folder


def page(site: Path, name: str, lang: str = "") -> str:
    path = site / lang / ("" if name == "index" else name) / "index.html"
    assert path.exists(), f"{lang or 'en'}: {name} was not built"
    return path.read_text(encoding="utf-8")


def text_of(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


@pytest.mark.long
def test_both_languages_have_every_page(site):
    pages = nav_pages()
    assert len(pages) >= 20 and set(TRANSLATED) <= set(pages)
    for name in pages:
        assert '<html lang="en"' in page(site, name)
        assert '<html lang="zh"' in page(site, name, "zh")
    assert not sorted({p.relative_to(DOCS).as_posix().removesuffix(".md")
                       for p in DOCS.rglob("*.md") if not p.name.endswith(".zh.md")}
                      - set(pages)), "a page is missing from the navigation of mkdocs.yml"


@pytest.mark.long
def test_the_pages_a_researcher_reads_are_in_chinese(site):
    for name in TRANSLATED:
        assert (DOCS / f"{name}.zh.md").exists(), name
        words = text_of(page(site, name, "zh"))
        chinese = len(re.findall(r"[\u4e00-\u9fff]", words))
        assert chinese > 200, f"zh/{name} has {chinese} Chinese characters"


@pytest.mark.long
def test_nothing_is_fetched_from_elsewhere(site):
    """No web fonts, scripts or styles from another host: the site reads offline."""
    for path in site.rglob("*.html"):
        markup = path.read_text(encoding="utf-8")
        outside = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?:)?//[^"]+', markup)
        assert not outside, (path, outside)
        assert "fonts.googleapis" not in markup and "mathjax" not in markup.lower(), path


@pytest.mark.long
def test_formulas_are_mathml(site):
    for lang in ("", "zh"):
        methods = page(site, "methods", lang)
        assert methods.count("<math") > 20 and "$$" not in text_of(methods)


@pytest.mark.long
def test_the_command_reference_has_every_command_and_option(site):
    import typer.main

    from cli import app

    group = typer.main.get_command(app)
    ctx = group.context_class(group, info_name="survey")
    for lang in ("", "zh"):
        reference = text_of(page(site, "reference/cli", lang))
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert f"survey {name}" in reference, name
            for param in command.params:
                for flag in param.opts if param.param_type_name == "option" else []:
                    assert flag in reference, (name, flag)


@pytest.mark.long
def test_the_python_reference_has_every_public_name_with_its_docstring(site):
    for lang in ("", "zh"):
        reference = "".join(text_of(page(site, "reference/python", lang)).split())
        for name in survey.__all__:
            assert f"survey.{name}" in reference, name
            first = "".join(re.sub(r"[`*]", "", getattr(survey, name).__doc__ or "").split())
            assert first[:30] in reference, (name, first)


@pytest.mark.long
def test_both_error_catalogues_list_every_code(site):
    english = documented_codes(DOCS / "reference" / "errors.md")
    assert documented_codes(DOCS / "reference" / "errors.zh.md") == english
    for lang in ("", "zh"):
        catalogue = text_of(page(site, "reference/errors", lang))
        assert all(code in catalogue for code in english)
