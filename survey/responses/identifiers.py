"""Direct identifiers that platforms put in their exports, left out of cleaned data by default.

A survey of workers promises them that their answers cannot be traced back to them; an export
carries what the platform knows about the respondent (an IP address, a name, a phone, a place).
These columns are never questions of ours: a questionnaire column is kept whatever its name.
"""

from __future__ import annotations

from collections.abc import Iterable

# Exact export headers, matched without regard to case (see ../shared/formats.md)
IDENTIFIERS = frozenset(name.lower() for name in (
    "来自IP", "IP地址", "填写人IP", "微信昵称", "微信性别", "微信地区", "微信头像",  # Wenjuanxing
    "IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
    "LocationLatitude", "LocationLongitude",  # Qualtrics
    "EmailAddress", "Name",  # Qualtrics legacy exports (V5, V3: the recipient's e-mail and name)
    "_submitted_by", "deviceid", "phonenumber", "simserial", "subscriberid", "username",
    "email", "SubmitterID", "SubmitterName", "_geolocation",  # KoboToolbox and ODK
))


def identifier_columns(columns: Iterable[str], layout: Iterable[str]) -> list[str]:
    """The columns among `columns` that are direct identifiers and not questionnaire columns."""
    ours = set(layout)
    return [c for c in columns if str(c).lower() in IDENTIFIERS and c not in ours]
