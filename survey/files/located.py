"""Pydantic validation whose errors become located problems (FILE:LINE:COLUMN: message).

Shared by every YAML file a user writes (questionnaire, claims, targets, effects): pydantic's
error locations are paths into the YAML value, which `survey.files.source.SourceMap` turns
into lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from survey.files.source import excerpt, suggest

Add = Callable[..., None]
UNION_TAGS = {"str", "int", "float", "bool", "date", "none"}


def validate(model: type[BaseModel] | TypeAdapter, value: Any, path: tuple, add: Add,
             context: dict | None = None) -> Any:
    """The validated value, or None after reporting each problem through `add(path, code, msg)`."""
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(value, context=context)
        return model.model_validate(value, context=context)
    except ValidationError as error:
        owner = model if isinstance(model, type) else BaseModel
        for detail in _one_per_place(error.errors()):
            _report(owner, path, detail, add)
        return None


def _report(model: type[BaseModel], path: tuple, detail: dict, add: Add) -> None:
    loc = _clean(detail["loc"])
    kind = detail["type"]
    where = path + loc
    field = next((x for x in reversed(loc) if isinstance(x, str)), path[-1] if path else "value")
    if "[key]" in detail["loc"]:
        add(where, kind.replace("_", "-"), detail["msg"], key=True)
    elif kind == "missing":
        add(where[:-1], "missing-key", f"'{field}' is required here")
    elif kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        add(where, "unknown-key", f"unknown key '{excerpt(field)}'{suggest(field, allowed)}",
            key=True)
    elif kind == "literal_error":
        expected = re.findall(r"'([^']*)'", detail.get("ctx", {}).get("expected", ""))
        noun = "question type" if field == "type" else field
        code = "unknown-type" if field == "type" else "bad-value"
        add(where, code, f"unknown {noun} '{excerpt(detail['input'])}'"
            f"{suggest(detail['input'], expected)}"
            f"; the {noun}s are: {', '.join(expected)}")
    elif kind in ("bool_type", "bool_parsing"):
        add(where, "bad-value", f"'{field}' must be true or false")
    elif kind in ("int_type", "int_parsing", "int_from_float"):
        add(where, "bad-value", f"'{field}' must be a whole number")
    elif kind in ("float_type", "float_parsing"):
        add(where, "bad-value", f"'{field}' must be a number")
    elif kind in ("dict_type", "list_type", "string_type"):
        noun = {"dict_type": "a mapping", "list_type": "a list", "string_type": "a text"}
        add(where, "bad-value", f"'{field}' must be {noun[kind]}")
    elif kind == "too_short":
        add(where, "bad-value", f"'{field}' needs more entries: {detail['msg']}")
    else:
        message = detail["msg"]
        add(where, kind.replace("_", "-"), f"{field}: {message[0].lower() + message[1:]}")


def _clean(loc: tuple) -> tuple:
    """A pydantic error location without its union-member and key tags: a path into the YAML."""
    return tuple(x for x in loc if not (isinstance(x, str) and ("[" in x or x in UNION_TAGS)))


def _one_per_place(errors: list[dict]) -> list[dict]:
    """One error per YAML place: of a union's failed members keep the most specific complaint."""
    by_place: dict[tuple, list[dict]] = {}
    for detail in errors:
        by_place.setdefault(_clean(detail["loc"]), []).append(detail)
    deeper = [place for place in by_place if place]
    kept = []
    for place, details in by_place.items():
        if _inside_union(place, deeper) and all(d["type"].endswith("_type") for d in details):
            continue  # 'must be a text' beside the real error of the mapping the user wrote
        specific = [d for d in details if not d["type"].endswith(("_type", "_parsing"))]
        kept.append((specific or details)[0])
    return kept


def _inside_union(place: tuple, places: list[tuple]) -> bool:
    """Whether another error lies below `place`: then a type error at `place` only says that
    another member of a union did not fit either."""
    return any(len(other) > len(place) and other[:len(place)] == place for other in places)


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names allowed at `loc` inside `model` (for 'did you mean' hints)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            break
        args = getattr(field.annotation, "__args__", ()) or (field.annotation,)
        nested = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if not nested:
            break
        current = nested[0]
    return list(getattr(current, "model_fields", {}))
