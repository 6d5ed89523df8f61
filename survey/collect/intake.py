"""A submission's body from the wire to plain JSON values, with every limit a hostile client meets.

Before the questionnaire's rules (`survey.collect.validation`) see a submission, its body must be
`application/json`, at most `MAX_BODY` bytes, arrive within `BODY_SECONDS` (a client that stalls
after its headers does not hold a connection for ever), decode as UTF-8 JSON without NaN or
Infinity, nest no deeper than `MAX_DEPTH`, and hold only strings that are valid Unicode
(``"\\ud800"`` is valid JSON but no UTF-8 text: no store can hold it). Each refusal is a 4xx
answer whose size is bounded whatever the request: at most `MAX_PROBLEMS` problems are listed,
the last saying how many more there were, and no message quotes more than a short piece of what
was sent.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

from survey.collect.validation import Problem

MAX_BODY = 256 * 1024
BODY_SECONDS = 10.0
MAX_DEPTH = 32  # a submission nests 3 deep: envelope, answers, a list of codes
MAX_PROBLEMS = 20
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                  "X-Frame-Options": "DENY"}


class _TooLarge(Exception):
    pass


def problems_response(status: int, problems: list[Problem]) -> JSONResponse:
    """The 4xx answer listing `problems`: the first `MAX_PROBLEMS`, then how many more."""
    shown = [p.as_json() for p in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        shown.append(Problem("more-problems", None, f"and {len(problems) - MAX_PROBLEMS} more "
                             "problems").as_json())
    return JSONResponse({"problems": shown}, status_code=status, headers=COMMON_HEADERS)


def refuse(status: int, code: str, message: str, headers: dict[str, str] | None = None
           ) -> JSONResponse:
    """The 4xx (or 503) answer with one problem."""
    response = problems_response(status, [Problem(code, None, message)])
    response.headers.update(headers or {})
    return response


async def submitted_json(request: Request, max_body: int = MAX_BODY,
                         seconds: float = BODY_SECONDS) -> tuple[Any, JSONResponse | None]:
    """The submitted JSON, or the refusal of a body that is not acceptable JSON (see above)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        return None, refuse(415, "unsupported-media-type", "send the submission as "
                            "application/json")
    try:
        async with asyncio.timeout(seconds):
            body = await _read_body(request, max_body)
    except _TooLarge:
        return None, refuse(413, "too-large", f"a submission is at most {max_body} bytes")
    except TimeoutError:
        return None, refuse(408, "timeout", f"the body did not arrive within {seconds:g} "
                            "seconds", {"Connection": "close"})
    except ClientDisconnect:  # nobody will read this answer, but the log stays clean
        return None, refuse(400, "incomplete-body", "the client left before sending the body")
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_no_constants)
    except RecursionError:
        return None, refuse(400, "too-deep", f"the JSON nests deeper than {MAX_DEPTH} levels")
    except (UnicodeDecodeError, ValueError):  # also an integer of over 4,300 digits
        return None, refuse(400, "bad-json", "the body is not valid UTF-8 JSON")
    problem = unfit(data)
    return (None, problems_response(400, [problem])) if problem else (data, None)


def unfit(data: Any) -> Problem | None:
    """Why parsed JSON cannot be a submission whatever its content: too deep, or a string (or
    key) that is not valid Unicode. Iterative, so that no depth can exhaust the stack."""
    todo: list[tuple[Any, int]] = [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if depth > MAX_DEPTH:
            return Problem("too-deep", None, f"the JSON nests deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            if not all(_unicode(key) for key in value):
                return _not_unicode()
            todo.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            todo.extend((v, depth + 1) for v in value)
        elif isinstance(value, str) and not _unicode(value):
            return _not_unicode()
    return None


def _unicode(text: str) -> bool:
    """Whether `text` can be written as UTF-8 (no lone surrogate such as "\\ud800")."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _not_unicode() -> Problem:
    return Problem("bad-unicode", None, "a string in the body is not valid Unicode (a lone "
                   "surrogate escape such as \\ud800)")


async def _read_body(request: Request, max_body: int) -> bytes:
    """The request body, read no further than `max_body` bytes (else _TooLarge)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not (declared.isascii() and declared.isdigit())
                                 or len(declared) > 15 or int(declared) > max_body):
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_body:
            raise _TooLarge
    return bytes(body)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
