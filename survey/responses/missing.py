"""Kinds of missing answers, and how our own files spell them.

In memory (`Responses.missing`) a kind is a small integer (docs/reference/responses.md). In our own
coded files (.sav, .dta, CSV, Excel) a missing answer of a coded or number question is written as a
negative code in the value column, as Wenjuanxing does (-3 skipped, -2 not shown), so the kind
survives programs that know nothing of ours. A "don't know" answer keeps the question's own
`dont_know` code (e.g. 99), which .sav declares user-missing.
"""

from __future__ import annotations

ANSWERED = 0
SKIPPED = 1
NOT_SHOWN = 2
EMPTY = 3
DONT_KNOW = 4

KIND_NAMES = {ANSWERED: "answered", SKIPPED: "skipped", NOT_SHOWN: "not_shown", EMPTY: "empty",
              DONT_KNOW: "dont_know"}

# Codes written in coded and number columns of our files (wjx uses -3 skipped, -2 not shown).
FILE_CODES = {SKIPPED: -3, NOT_SHOWN: -2, EMPTY: -1}
KIND_OF_FILE_CODE = {code: kind for kind, code in FILE_CODES.items()}
FILE_CODE_LABELS = {
    -3: {"zh": "（跳过）", "en": "(skipped by logic)"},
    -2: {"zh": "（未显示）", "en": "(not shown)"},
    -1: {"zh": "（空）", "en": "(left empty)"},
}
# Stata extended missing values for the same kinds (.a skipped, .b not shown, .c empty, .d dk).
STATA_CODES = {SKIPPED: "a", NOT_SHOWN: "b", EMPTY: "c", DONT_KNOW: "d"}
KIND_OF_STATA_CODE = {letter: kind for kind, letter in STATA_CODES.items()}
