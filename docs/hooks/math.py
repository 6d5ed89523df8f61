"""MkDocs hook: TeX between `$$` lines (a display) or `$...$` (inline) becomes MathML at build
time, which browsers draw themselves: no MathJax or KaTeX script, nothing fetched. Code blocks
and inline code are left alone."""

from __future__ import annotations

import re

from latex2mathml.converter import convert

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
DISPLAY = re.compile(r"^\$\$[ \t]*\n(.*?)\n\$\$[ \t]*$", re.M | re.S)
INLINE = re.compile(r"(?<![\\$\w])\$(?=\S)([^$\n]+?)(?<=\S)\$(?![\w$])")
CODE = re.compile(r"(`+)(.+?)\1", re.S)


def on_page_markdown(markdown: str, page, config, files) -> str:
    pieces, last = [], 0
    for fence in FENCE.finditer(markdown):
        pieces += [_prose(markdown[last:fence.start()]), fence.group(0)]
        last = fence.end()
    pieces.append(_prose(markdown[last:]))
    return "".join(pieces)


def _prose(text: str) -> str:
    text = DISPLAY.sub(lambda m: "\n" + convert(" ".join(m[1].split()), display="block") + "\n",
                       text)
    out, last = [], 0
    for code in CODE.finditer(text):
        out += [INLINE.sub(_inline, text[last:code.start()]), code.group(0)]
        last = code.end()
    out.append(INLINE.sub(_inline, text[last:]))
    return "".join(out)


def _inline(match: re.Match) -> str:
    # in a span: Markdown takes a line that starts with <math> for a block of its own
    return f'<span class="math">{convert(match[1])}</span>'
