"""What a KoboToolbox or ODK Central header names: a question, a select_multiple's option, an
'other' text, metadata or a form helper; by XML name under any group path, or by label.

XML names never hold `/`, but they may hold `.` and `-`, which are also group separators (Kobo
joins groups with `/` or, when asked, `.`; ODK Central with `-`). So a header is not split
blindly: every cut at a separator is tried, and the name that the questionnaire knows wins
(`g1-birth-year` is the question `birth-year` under the group `g1`, not `year`).
"""

from __future__ import annotations

import re
from typing import Literal

from survey.questionnaire.columns import SEPARATOR, TEXT_SUFFIX
from survey.readers.mapping import HeaderIndex, HeaderKey, normalise

Flavour = Literal["kobo", "odk"]
KOBO_META = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
             "_submitted_by", "__version__", "_tags", "_index")
ODK_LEADING = ("SubmissionDate", "meta-instanceID")
ODK_TRAILER = ("KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
               "Status", "ReviewState", "DeviceID", "Edits", "FormVersion")
# XLSForm metadata fields, named after their type by habit, and the XForm `meta` group's fields
# as ODK Central writes them without group paths (`groupPaths=false`: `instanceID`); a question
# of the same name wins
FORM_META = ("start", "end", "today", "deviceid", "phonenumber", "username", "email",
             "simserial", "subscriberid", "audit", "instanceID", "instanceName", "deprecatedID",
             "rootUuid")
RENAMED = {"_id": "respondent_id", "KEY": "respondent_id", "_submission_time": "submitted_at",
           "SubmissionDate": "submitted_at"}
GROUP_SEPARATORS = "/.-"
LABEL_SEPARATORS = "/."  # between group, question and option labels (Kobo's group_sep)
_PICK = re.compile(r"__pick(?:$|[/.])")  # a rank's pick step in our XLSForm, or its options
_META_GROUP = re.compile(r"^meta[/.-]")  # the XForm `meta` group: instanceID, instanceName, …
_GEOPOINT_PART = re.compile(r"^_(?P<name>.+)_(latitude|longitude|altitude|precision)$")


def header_key(header: str, index: HeaderIndex) -> HeaderKey | None:
    """What a Kobo/ODK header names: platform metadata, else an XML name (any group path), else
    a label text (any language of the questionnaire); None when it names nothing we know."""
    if header in RENAMED:
        return HeaderKey(meta=RENAMED[header])
    if is_platform_meta(header):
        return HeaderKey(meta=header)
    key = xml_key(header, index)
    if key is not None:
        return key
    if header in FORM_META:
        return HeaderKey(meta=header)
    return label_key(header, index)


def is_platform_meta(header: str) -> bool:
    """A column the platform or our XLSForm adds that holds no answer of its own."""
    return header in KOBO_META or header in ODK_TRAILER or header in ODK_LEADING or \
        bool(_PICK.search(header) or _META_GROUP.match(header))


def xml_key(header: str, index: HeaderIndex) -> HeaderKey | None:
    """A header of XML names: `[group<sep>…]name`, `[group<sep>…]set<sep>option` (`/` or the
    group separator before the option), or `[group<sep>…]q__code_text`, an option's free text."""
    cuts = [i for i, ch in enumerate(header) if ch in GROUP_SEPARATORS]
    for cut in cuts:  # a known option of a select_multiple/rank, or an item of a grid
        owner = _owner(header[:cut], index)
        option = header[cut + 1:]
        if owner and _known(index, owner, option):
            return HeaderKey(owner, "name", option)
    derived = {d.name for d in index.q.derived}
    for start in [0] + [i + 1 for i in cuts]:  # the longest name the questionnaire knows
        name = header[start:]
        if name.lower() in derived:  # a calculate field of the form: recomputed from answers
            return HeaderKey(meta=header)
        if (point := _GEOPOINT_PART.match(name)) and named(index, point["name"]):
            return HeaderKey(meta=header)  # Kobo's parts of a geopoint answer
        if (known := named(index, name)) is not None:
            return HeaderKey(known, "name")
        text = _other_text(name, index)
        if text is not None:
            return text
    for cut in cuts:  # an option the question does not have: an unknown-column error
        owner = _owner(header[:cut], index)
        if owner and index.by_name[owner][0].is_set:
            return HeaderKey(owner, "name", header[cut + 1:])
    return None


def _owner(left: str, index: HeaderIndex) -> str | None:
    """The set or grid question that `left` ends with, after any group path."""
    starts = [0] + [i + 1 for i, ch in enumerate(left) if ch in GROUP_SEPARATORS]
    for start in starts:
        name = named(index, left[start:])
        found = index.by_name.get(name) if name else None
        if found and found[1] is None and (found[0].is_set or found[0].type == "grid"):
            return name
    return None


def named(index: HeaderIndex, name: str) -> str | None:
    """The questionnaire's name for an XML name: the same, or the only one that differs from
    it in case alone (an XLSForm's `Age` is the questionnaire's `age`)."""
    if name in index.by_name:
        return name
    folded = index.by_folded_name.get(name.lower(), [])
    return folded[0] if len(folded) == 1 else None


def _known(index: HeaderIndex, owner: str, option: str) -> bool:
    question = index.by_name[owner][0]
    if question.type == "grid":
        return index.item(question, option) is not None
    return any(str(code) == option for code in index.options(question))


def _other_text(name: str, index: HeaderIndex) -> HeaderKey | None:
    """`q__code_text`, the free text of option `code` of question `q` (our XLSForm's name), or
    `q_other`, the text of an `or_other` select's option `other` (KoboToolbox's name)."""
    if name.endswith("_other") and (owner := named(index, name[:-6])) is not None \
            and index.by_name[owner][1] is None and index.by_name[owner][0].other == "other":
        return HeaderKey(owner, "name", "other", text=True)
    if not name.endswith(TEXT_SUFFIX):
        return None
    stem = name[:-len(TEXT_SUFFIX)]
    at = stem.find(SEPARATOR)
    while at > 0:
        question, code = stem[:at], stem[at + len(SEPARATOR):]
        if question in index.by_name and code:
            return HeaderKey(question, "name", code, text=True)
        at = stem.find(SEPARATOR, at + 1)
    return None


def label_key(header: str, index: HeaderIndex) -> HeaderKey | None:
    """Label headers may contain '/' or '.' themselves, so try every cut: a (suffix of the)
    header is a question label, or ends in '/option label' after a set question's label."""
    cuts = [-1] + [i for i, ch in enumerate(header) if ch in LABEL_SEPARATORS]
    for cut in cuts[1:]:  # 'grid or set question label/item or option label' first
        left, option = header[:cut], header[cut + 1:]
        for start in [-1] + [i for i, ch in enumerate(left) if ch in LABEL_SEPARATORS]:
            found = index.by_label.get(normalise(left[start + 1:]))
            if not found or found[1] is not None:
                continue
            question = found[0]
            known = index.item(question, option) if question.type == "grid" else \
                index.option(question, option) if question.is_set else None
            if known is not None:
                return HeaderKey(left[start + 1:], "label", option)
    for cut in cuts:
        if normalise(header[cut + 1:]) in index.by_label:
            return HeaderKey(header[cut + 1:], "label")
    return None


def under_rank_label(header: str, index: HeaderIndex) -> HeaderKey | None:
    """'rank question label/other text': what may be a level of a form-builder rank in a label
    export (the reader checks its cells)."""
    for cut in [i for i, ch in enumerate(header) if ch in LABEL_SEPARATORS]:
        left = header[:cut]
        for start in [-1] + [i for i, ch in enumerate(left) if ch in LABEL_SEPARATORS]:
            found = index.by_label.get(normalise(left[start + 1:]))
            if found and found[1] is None and found[0].type == "rank":
                return HeaderKey(left[start + 1:], "label", header[cut + 1:])
    return None


def is_form_helper(header: str, derived: set[str]) -> bool:
    """A column of our XLSForm that holds no answer of its own: a rank's `__pick` step (summary
    or option column) or a calculate field (a derived variable), under any group path."""
    if _PICK.search(header):
        return True
    starts = [0] + [i + 1 for i, ch in enumerate(header) if ch in GROUP_SEPARATORS]
    return any(header[start:] in derived for start in starts)
