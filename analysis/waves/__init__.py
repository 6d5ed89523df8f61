"""Waves: two waves of the same questionnaire compared, per segment (`compare.py`), whether the
samples are independent or a panel of the same respondents (`panel.py`), shown as JSON and on
a terminal (`render.py`)."""
