"""Cron monitor schedules as alert_rules.yaml writes them, checked as Sentry checks them.

Standard library only: the runtime's ``monitor_job`` and the spec both read schedules here.

The file writes a schedule as one string:

* a crontab of 5 fields (``0 6 * * 1``) or one of Sentry's nicknames (``@daily``, ``@weekly``,
  ...), which Sentry stores translated (``@weekly`` -> ``0 0 * * 0``);
* an interval: ``every 2 hours``, ``every day``, ``every 30 minutes`` (Sentry's units: minute,
  hour, day, week, month, year).

Rules mirrored (Sentry ``src/sentry/monitors/validators.py``, ``ConfigValidator.validate``):
whitespace is collapsed; ``@`` names other than the six nicknames are refused ("Schedule was not
parseable"; ``@reboot`` cannot be scheduled); more than 5 fields are refused ("Only 5 field crontab
syntax is supported"); the expression must be one cronsim can step through ("Schedule is
invalid"), which this module checks field by field (numbers in range, ranges not reversed, steps
of at least 1, month and weekday names, ``L`` and ``#``, and a day of month that exists in one of
the months); an interval count is a whole number above zero ("Interval must be greater than zero")
and the unit one of Sentry's names ("Invalid schedule for schedule unit name").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ScheduleType = Literal["crontab", "interval"]
IntervalUnit = Literal["year", "month", "week", "day", "hour", "minute"]

#: Sentry's interval unit names (``INTERVAL_NAMES`` in monitors/validators.py).
INTERVAL_UNITS: tuple[IntervalUnit, ...] = ("year", "month", "week", "day", "hour", "minute")

#: Sentry's crontab nicknames and what it stores for them (``NONSTANDARD_CRONTAB_SCHEDULES``).
NICKNAMES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@hourly": "0 * * * *",
}

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _DAYS),
)
_EVERY = re.compile(r"^every\s+(?:(\S+)\s+)?([a-z]+?)s?$", re.IGNORECASE)
_NUMBER = re.compile(r"^\d+$")

SCHEDULE_PATTERN = r"^\s*(@[a-z]+|every\s+.+|\S+(\s+\S+){4})\s*$"
SCHEDULE_EXAMPLE = "a crontab like '0 6 * * 1', '@daily', or 'every 2 hours'"


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: ``crontab`` with its normalised expression, or ``interval``."""

    type: ScheduleType
    crontab: str = ""
    count: int = 0
    unit: IntervalUnit = "day"

    @property
    def wire(self) -> str | list[int | str]:
        """Sentry's ``config.schedule``: the crontab string or ``[count, unit]``."""
        return self.crontab if self.type == "crontab" else [self.count, self.unit]

    @property
    def text(self) -> str:
        """The schedule as the file writes it (``export`` writes this)."""
        if self.type == "crontab":
            return self.crontab
        if self.count == 1:
            return f"every {self.unit}"
        return f"every {self.count} {self.unit}s"


def parse_schedule(value: object) -> Schedule:
    """``'0 6 * * 1'``, ``'@daily'`` or ``'every 2 hours'`` -> :class:`Schedule`.

    Raises ``ValueError`` with Sentry's message for the problem and what was expected.
    """
    if not isinstance(value, str):
        raise ValueError(f"expected {SCHEDULE_EXAMPLE}")
    text = re.sub(r"\s+", " ", value).strip()
    if not text:
        raise ValueError(f"expected {SCHEDULE_EXAMPLE}, got an empty string")
    if text.lower().startswith("every"):
        return _interval(text)
    return Schedule("crontab", crontab=parse_crontab(text))


def _interval(text: str) -> Schedule:
    match = _EVERY.match(text)
    if not match:
        raise ValueError(
            f"Invalid schedule for 'interval' type: expected 'every <count> <unit>', got {text!r}"
        )
    count_text, unit_text = match.group(1), match.group(2).lower()
    if count_text is None:
        count = 1
    elif _NUMBER.match(count_text):
        count = int(count_text)
    else:
        raise ValueError(
            f"Invalid schedule for schedule unit count: {count_text!r} is not a whole number"
        )
    if count <= 0:
        raise ValueError("Interval must be greater than zero")
    if unit_text not in INTERVAL_UNITS:
        units = ", ".join(INTERVAL_UNITS)
        raise ValueError(f"Invalid schedule for schedule unit name {unit_text!r}: use {units}")
    unit: IntervalUnit = next(u for u in INTERVAL_UNITS if u == unit_text)
    return Schedule("interval", count=count, unit=unit)


def parse_crontab(text: str) -> str:
    """Check a crontab as Sentry does and return what Sentry stores for it."""
    expression = re.sub(r"\s+", " ", text).strip()
    if expression.startswith("@"):
        if expression.lower() not in NICKNAMES:
            raise ValueError(
                f"Schedule was not parseable: {expression!r} is not one of " + ", ".join(NICKNAMES)
            )
        return NICKNAMES[expression.lower()]
    fields = expression.split(" ")
    if len(fields) > 5:
        raise ValueError("Only 5 field crontab syntax is supported")
    if len(fields) < 5:
        raise ValueError(
            f"Schedule is invalid: a crontab has 5 fields (minute hour day month weekday), "
            f"got {len(fields)}"
        )
    values = [
        _field(part, name, low, high, names)
        for part, (name, low, high, names) in zip(fields, _FIELDS, strict=True)
    ]
    days, months = values[2], values[3]
    if fields[2] != "*" and days and fields[4] == "*":
        longest = max(_MONTH_DAYS[m - 1] for m in months)
        if min(days) > longest:
            raise ValueError(
                f"Schedule is invalid: day {min(days)} does not occur in the months it names"
            )
    return expression


def _field(part: str, name: str, low: int, high: int, names: tuple[str, ...]) -> set[int]:
    """The values one crontab field selects; ``ValueError`` names the field and the problem."""
    selected: set[int] = set()
    for item in part.split(","):
        selected |= _item(item, name, low, high, names)
    return selected


def _item(item: str, name: str, low: int, high: int, names: tuple[str, ...]) -> set[int]:
    if not item:
        raise ValueError(f"Schedule is invalid: empty value in the {name} field")
    if name == "day of month" and item.upper() == "L":
        return {28}
    if name == "day of week":
        upper = item.upper()
        if "#" in upper:
            day, _, nth = upper.partition("#")
            if not _NUMBER.match(nth) or not 1 <= int(nth) <= 5:
                raise ValueError(f"Schedule is invalid: {item!r} needs #1 to #5 in {name}")
            return {_value(day, name, low, high, names)}
        if upper.endswith("L") and len(upper) > 1:
            return {_value(upper[:-1], name, low, high, names)}
    base, slash, step_text = item.partition("/")
    step = 1
    if slash:
        if not _NUMBER.match(step_text) or int(step_text) == 0:
            raise ValueError(f"Schedule is invalid: bad step {step_text!r} in the {name} field")
        step = int(step_text)
    if base == "*":
        start, end = low, high
    elif "-" in base:
        first, _, last = base.partition("-")
        start = _value(first, name, low, high, names)
        end = _value(last, name, low, high, names)
        if end < start:
            raise ValueError(f"Schedule is invalid: range {base!r} ends before it starts")
    else:
        start = _value(base, name, low, high, names)
        end = high if slash else start
    return set(range(start, end + 1, step))


def _value(text: str, name: str, low: int, high: int, names: tuple[str, ...]) -> int:
    upper = text.upper()
    if names and upper in names:
        return names.index(upper) + (1 if name == "month" else 0)
    if not _NUMBER.match(text):
        raise ValueError(f"Schedule is invalid: {text!r} is not a value of the {name} field")
    number = int(text)
    if not low <= number <= high:
        raise ValueError(f"Schedule is invalid: {name} {number} is outside {low}-{high}")
    return number


__all__ = [
    "INTERVAL_UNITS",
    "NICKNAMES",
    "SCHEDULE_EXAMPLE",
    "SCHEDULE_PATTERN",
    "IntervalUnit",
    "Schedule",
    "ScheduleType",
    "parse_crontab",
    "parse_schedule",
]
