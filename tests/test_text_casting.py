"""Text answers as read from any file: written text kept as written, an empty cell missing, a
number in a text column (a spreadsheet's) as its code; the same whether the column comes as
Arrow strings (Parquet, our files), Python strings or mixed objects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from survey.responses.casting import TEXT_DTYPE, cast_text


@pytest.mark.parametrize("dtype", ["string", "str", object])
def test_text_is_kept_as_written_and_empty_is_missing(dtype):
    raw = pd.Series(["工资太低", "", None, " 加班 ", "other"], dtype=dtype, index=[3, 4, 5, 6, 7])
    text = cast_text(raw, "concerns__other_text")
    assert str(text.dtype) == TEXT_DTYPE and text.name == "concerns__other_text"
    assert list(text.index) == [3, 4, 5, 6, 7]
    assert text.tolist()[0] == "工资太低" and text.tolist()[3] == " 加班 "
    assert text.isna().tolist() == [False, True, True, False, False]


def test_numbers_in_a_text_column_are_written_as_their_codes():
    raw = pd.Series([1, 2.0, 2.5, None, np.nan, "x", "", True], dtype=object)
    assert cast_text(raw, "t").tolist() == ["1", "2", "2.5", pd.NA, pd.NA, "x", pd.NA, "1"]
    assert cast_text(pd.Series([1.0, np.nan, 3.5]), "t").tolist() == ["1", pd.NA, "3.5"]


def test_columns_with_nothing_written_are_all_missing():
    for raw in (pd.Series([], dtype=object), pd.Series([None, None], dtype=object),
                pd.Series([np.nan, np.nan]), pd.Series(["", ""], dtype="string")):
        text = cast_text(raw, "t")
        assert str(text.dtype) == TEXT_DTYPE and text.isna().all() and len(text) == len(raw)
