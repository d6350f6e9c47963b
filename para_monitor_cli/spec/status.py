"""An uptime check's expected HTTP status (``expected_status:``): what it accepts, in the forms
Sentry can express.

Sentry expresses "which answers count as up" as the uptime subscription's ``assertion``: a tree
of ``and`` / ``or`` / ``not`` groups over ``status_code_check`` leaves (``{"op":
"status_code_check", "operator": {"cmp": "equals" | "greater_than" | "less_than" ...}, "value":
200}``; the op tree is getsentry/uptime-checker src/assertions/mod.rs ``Op``). When a monitor has
an assertion the checker decides up or down by it alone (reqwest_checker.rs
``to_check_status_and_reason``); without one, any 2xx is up. Sentry's own default is therefore
the pair "> 199 and < 300" (migration 0055_backfill_2xx_status_assertion, and the pair the
monitor form sends).

The file writes a code (``200``), a class (``2xx``), a range (``200-204``) or a list of those.
They are held as merged, sorted, inclusive ranges of codes; :func:`status_tokens` writes them
back in the shortest of those forms, so the file, the plan and an export say the same thing.

Limits mirrored: codes 100 to 599 (the bounds of the status-code input of Sentry's assertion
form, static/app/views/alerts/rules/uptime/assertions/opStatusCode.tsx), and at most 16
operations per assertion, groups included (the checker's ``max_assertion_ops`` default in
src/config.rs; ``compile`` fails with "Too many assertion operations" past it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

StatusRange = tuple[int, int]
"""Inclusive range of status codes."""

LOWEST_STATUS, HIGHEST_STATUS = 100, 599
MAX_ASSERTION_OPS = 16
DEFAULT_EXPECTED: tuple[StatusRange, ...] = ((200, 299),)
"""Any 2xx: the checker's rule without an assertion, and Sentry's default assertion."""

_CLASS = re.compile(r"^([1-5])xx$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d{3})\s*-\s*(\d{3})$")
EXPECTED_STATUS_HELP = (
    "a status code (200), a class (2xx), a range (200-204) or a list of those; codes 100 to 599"
)


def _code(value: int) -> int:
    if not LOWEST_STATUS <= value <= HIGHEST_STATUS:
        raise ValueError(
            f"status code {value} is outside {LOWEST_STATUS}-{HIGHEST_STATUS} "
            "(the codes Sentry's uptime assertion form accepts)"
        )
    return value


def _one(item: object) -> StatusRange:
    if isinstance(item, bool):
        raise ValueError(f"expected a status code, got {item!r}; {EXPECTED_STATUS_HELP}")
    if isinstance(item, int):
        code = _code(item)
        return code, code
    if isinstance(item, str):
        text = item.strip()
        if text.isdigit():
            code = _code(int(text))
            return code, code
        if found := _CLASS.match(text):
            low = int(found.group(1)) * 100
            return low, low + 99
        if found := _RANGE.match(text):
            low, high = _code(int(found.group(1))), _code(int(found.group(2)))
            if low > high:
                raise ValueError(f"range {text!r} ends before it starts")
            return low, high
    raise ValueError(f"{item!r} is not a status; {EXPECTED_STATUS_HELP}")


def merge(ranges: Iterable[StatusRange]) -> tuple[StatusRange, ...]:
    """Sorted, with overlapping and touching ranges joined."""
    out: list[StatusRange] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return tuple(out)


def parse_expected_status(value: object) -> tuple[StatusRange, ...]:
    """The file's value: one item or a non-empty list of items. Raises ValueError."""
    items = list(value) if isinstance(value, list | tuple) else [value]
    if not items:
        raise ValueError(f"expected_status may not be empty; {EXPECTED_STATUS_HELP}")
    return merge(_one(item) for item in items)


def _pieces(low: int, high: int) -> Iterable[StatusRange]:
    """A range cut so that every whole class in it stands alone (200-399 -> 2xx, 3xx)."""
    start = low
    while start <= high:
        first_class = -(-start // 100) * 100
        if start % 100 == 0 and start + 99 <= high:
            yield start, start + 99
            start += 100
            continue
        whole = first_class if first_class + 99 <= high else high + 1
        yield start, min(high, whole - 1)
        start = min(high, whole - 1) + 1


def status_tokens(ranges: Iterable[StatusRange]) -> tuple[str, ...]:
    """``("2xx",)``, ``("200", "204")``, ``("200-204",)``: the shortest written form."""
    out: list[str] = []
    for low, high in merge(ranges):
        for a, b in _pieces(low, high):
            if a == b:
                out.append(str(a))
            elif a % 100 == 0 and b == a + 99:
                out.append(f"{a // 100}xx")
            else:
                out.append(f"{a}-{b}")
    return tuple(out)


def status_text(ranges: Iterable[StatusRange]) -> str:
    return ", ".join(status_tokens(ranges)) or "nothing"


def status_yaml(ranges: Iterable[StatusRange]) -> int | str | list[int | str]:
    """How the file writes it: a bare code or token when there is one, else a list."""
    values: list[int | str] = [int(t) if t.isdigit() else t for t in status_tokens(ranges)]
    return values[0] if len(values) == 1 else values


def accepts(ranges: Iterable[StatusRange], code: int) -> bool:
    return any(low <= code <= high for low, high in ranges)


def assertion_ops(ranges: Iterable[StatusRange]) -> int:
    """Operations in the assertion ``kinds/uptime.py`` writes for these ranges (groups count):
    one range -> ``and`` over ``equals`` (2) or ``greater_than`` + ``less_than`` (3); several ->
    ``or`` over one ``equals`` per single code and an ``and`` of the pair per range."""
    merged = merge(ranges)
    if len(merged) == 1:
        low, high = merged[0]
        return 2 if low == high else 3
    return 1 + sum(1 if low == high else 3 for low, high in merged)


__all__ = [
    "DEFAULT_EXPECTED",
    "EXPECTED_STATUS_HELP",
    "HIGHEST_STATUS",
    "LOWEST_STATUS",
    "MAX_ASSERTION_OPS",
    "StatusRange",
    "accepts",
    "assertion_ops",
    "merge",
    "parse_expected_status",
    "status_text",
    "status_tokens",
    "status_yaml",
]
