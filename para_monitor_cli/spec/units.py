"""Human units of alert_rules.yaml and their parsed values.

The file says ``1h``, ``10m``, ``3s``, ``250ms``, ``95%``, ``p95(transaction.duration) > 3s``,
``>= fatal`` and ``> 100 in 1h``; the model keeps numbers:

* time spans (windows, intervals, action frequency, percent comparison deltas): **seconds**, int;
* thresholds: plain numbers in Sentry's unit for the aggregate: durations in **milliseconds**
  (``3s`` -> ``3000.0``, as Sentry stores ``transaction.duration``), percentages as the number
  before ``%`` (``99.5%`` -> ``99.5``), counts as they are.

Every ``parse_*`` function raises ``ValueError`` with a message that says what was expected;
every ``format_*`` function writes the value back in the file's form (for ``export``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION_RE = re.compile(r"^\s*(\d+)\s*(s|m|min|h|hr|d|w)\s*$")
_UNIT_ALIASES = {"min": "m", "hr": "h"}

#: Threshold units that are durations, with their value in milliseconds.
_THRESHOLD_DURATION_MS = {"ms": 1.0, "s": 1000.0, "m": 60_000.0, "min": 60_000.0, "h": 3_600_000.0}
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_THRESHOLD_RE = re.compile(rf"^\s*({_NUMBER})\s*(ms|s|min|m|h|%)?\s*$")

DURATION_EXAMPLE = "a duration like 30s, 10m, 1h, 1d or 1w"


def describe_value(value: object) -> str:
    """How an unexpected YAML value reads in a message: ``true`` (and why), ``nothing``, ..."""
    if isinstance(value, bool):
        word = "true" if value else "false"
        return f"{word} (YAML reads an unquoted yes/no/on/off/true/false as {word})"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# The largest threshold or count accepted: 2**53, the largest integer a float (and Sentry's UI,
# in JavaScript) holds exactly; a bound of para-monitor's own.
MAX_MAGNITUDE = float(2**53)


def finite(number: float, written: object) -> float:
    """``number`` if finite; infinity and NaN are refused (Sentry's JSON cannot carry them)."""
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {_clip(written)}")
    return number


def bounded(number: float, written: object) -> float:
    """``number`` if finite and within +-:data:`MAX_MAGNITUDE`."""
    finite(number, written)
    if abs(number) > MAX_MAGNITUDE:
        raise ValueError(f"{_clip(written)} is too large: the limit is 2**53 (9007199254740992)")
    return number


def _clip(written: object) -> str:
    text = repr(written)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_duration(value: object, *, allow_zero: bool = False) -> int:
    """``"10m"`` -> ``600`` (seconds). Integers are refused: a bare number has no unit."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"expected {DURATION_EXAMPLE}, got {describe_value(value)}")
    if isinstance(value, int):
        if value == 0 and allow_zero:
            return 0
        raise ValueError(f"expected {DURATION_EXAMPLE} (a bare number has no unit), got {value}")
    text = value.strip()
    if allow_zero and text in {"0", "0s", "0m"}:
        return 0
    match = _DURATION_RE.match(text)
    if not match:
        raise ValueError(f"expected {DURATION_EXAMPLE}, got {value!r}")
    amount, unit = int(match.group(1)), match.group(2)
    unit = _UNIT_ALIASES.get(unit, unit)
    seconds = amount * _DURATION_UNITS[unit]
    if seconds == 0 and not allow_zero:
        raise ValueError(f"expected a duration above zero, got {value!r}")
    return seconds


def format_duration(seconds: int) -> str:
    """``600`` -> ``"10m"``: the largest unit that divides the value exactly."""
    if seconds == 0:
        return "0m"
    for unit in ("w", "d", "h", "m"):
        size = _DURATION_UNITS[unit]
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class Quantity:
    """A threshold as written: its number in Sentry's unit and the unit the file used."""

    value: float
    unit: str  # "" (plain number), "ms" (any duration unit, converted), or "%"


def parse_quantity(value: object) -> Quantity:
    """``"3s"`` -> ``Quantity(3000.0, "ms")``; ``"95%"`` -> ``Quantity(95.0, "%")``."""
    expected = "expected a number, a duration like 3s or 250ms, or a percentage"
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"{expected}, got {describe_value(value)}")
    if isinstance(value, (int, float)):
        try:
            return Quantity(bounded(float(value), value), "")
        except OverflowError:  # an int too large for a float
            raise ValueError(f"expected a finite number, got {value!r}") from None
    match = _THRESHOLD_RE.match(value)
    if not match:
        raise ValueError(
            "expected a number, a duration like 3s or 250ms, or a percentage like 5%, "
            f"got {value!r}"
        )
    number = bounded(float(match.group(1)), value)
    unit = match.group(2) or ""
    if unit in _THRESHOLD_DURATION_MS:
        return Quantity(bounded(number * _THRESHOLD_DURATION_MS[unit], value), "ms")
    return Quantity(number, unit)


def parse_threshold(value: object) -> float:
    """A threshold's number in Sentry's unit (durations in ms)."""
    return parse_quantity(value).value


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def format_threshold(value: float, *, duration: bool = False, percent: bool = False) -> str:
    """Back to the file's form: ``3000.0`` on a duration aggregate -> ``"3s"``."""
    if percent:
        return f"{format_number(value)}%"
    if duration:
        seconds = format_number(value / 1000)
        if value >= 1000 and float(seconds) * 1000 == value:  # 1500.0 -> 1.5s, read back exactly
            return f"{seconds}s"
        return f"{format_number(value)}ms"
    return format_number(value)


# --- comparisons -------------------------------------------------------------------------

OPERATORS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "==": "eq", "=": "eq"}
OPERATOR_TEXT = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "=="}

#: The operator is any run of comparison characters, so a typo (``=>``, ``>>``, ``!=``) is named
#: as such instead of being read as part of the aggregate.
_CONDITION_RE = re.compile(r"^\s*(?P<agg>.+?)\s*(?P<op>[<>=!]+)\s*(?P<value>[^<>=!]+?)\s*$")
CONDITION_OPERATORS = (">", ">=", "<", "<=")


@dataclass(frozen=True)
class ParsedCondition:
    """``p95(transaction.duration) > 3s`` split into its parts."""

    aggregate: str
    operator: str  # "gt" | "gte" | "lt" | "lte" | "eq"
    threshold: Quantity
    threshold_text: str


def parse_condition(text: object) -> ParsedCondition:
    """Parse a monitor's ``condition:`` shorthand, e.g. ``count() > 10``."""
    if not isinstance(text, str):
        raise ValueError("expected an expression like 'p95(span.duration) > 3s'")
    match = _CONDITION_RE.match(text)
    if not match:
        raise ValueError(
            f"expected '<aggregate> <op> <threshold>', e.g. 'p95(span.duration) > 3s', got {text!r}"
        )
    operator = match.group("op")
    if operator not in OPERATORS:
        raise ValueError(
            f"unknown comparison {operator!r}, expected one of {' '.join(CONDITION_OPERATORS)}"
        )
    return ParsedCondition(
        aggregate=match.group("agg"),
        operator=OPERATORS[operator],
        threshold=parse_quantity(match.group("value")),
        threshold_text=match.group("value"),
    )


_COMPARISON_RE = re.compile(r"^\s*(>=|<=|==|>|<|=)?\s*(\S+)\s*$")


def parse_comparison(text: object, what: str) -> tuple[str, str]:
    """``">= fatal"`` -> ``("gte", "fatal")``; a bare word means equality."""
    if not isinstance(text, str):
        raise ValueError(f"expected {what}, e.g. '>= fatal'")
    match = _COMPARISON_RE.match(text)
    if not match:
        raise ValueError(f"expected {what}, e.g. '>= fatal', got {text!r}")
    return OPERATORS[match.group(1) or "=="], match.group(2)


_FREQUENCY_RE = re.compile(
    r"^\s*(?P<op>>=|<=|==|>|<|=)?\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<pct>%)?\s+in\s+(?P<window>\S+)\s*$"
)


@dataclass(frozen=True)
class ParsedFrequency:
    operator: str
    value: float
    percent: bool
    interval: int  # seconds


def parse_frequency(text: object) -> ParsedFrequency:
    """``"> 100 in 1h"`` -> operator gt, value 100, interval 3600 seconds."""
    example = "a count and a window like '> 10 in 1h'"
    if not isinstance(text, str):
        raise ValueError(f"expected {example}")
    match = _FREQUENCY_RE.match(text)
    if not match:
        raise ValueError(f"expected {example}, got {text!r}")
    return ParsedFrequency(
        operator=OPERATORS[match.group("op") or ">"],
        value=bounded(float(match.group("value")), match.group("value")),
        percent=bool(match.group("pct")),
        interval=parse_duration(match.group("window")),
    )
