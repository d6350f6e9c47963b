"""Bounds on every input of ``validate``: file size and kind, values and nesting, numbers.

Ends with a fuzz of 1,000 mutated spec files (huge numbers in every numeric field, nan/inf,
deep nesting, huge strings, wrong types, broken text) run in-process through the ``validate``
command function, and a sample of them through the real CLI in subprocesses: no hang, no
traceback, and no exit code outside the README's table.

Time is checked only as a hang watchdog (:data:`HANG`), far above any honest run on a loaded
machine; the fuzz records its slowest run (printed, and in the JUnit report as a property).
Speed itself is a benchmark's business (benchmarks/), never a timed assertion here.
"""

from __future__ import annotations

import copy
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from para_monitor_cli.commands.validate import validate
from para_monitor_cli.errors import EXIT_CODES
from para_monitor_cli.spec import check as spec_check
from para_monitor_cli.spec import check_text
from para_monitor_cli.spec.check import MAX_FILE_BYTES
from para_monitor_cli.spec.loader import MAX_DEPTH, MAX_NODES

ROOT = Path(__file__).resolve().parents[1]
SPEC_TEXT = (ROOT / "alert_rules.yaml").read_text("utf-8")
SPEC_DATA: dict[str, Any] = yaml.safe_load(SPEC_TEXT)

#: Seconds after which one check is taken to hang (a watchdog, not a speed target: a fuzzed
#: spec takes well under a second; a loaded CI machine once took 6 s for the slowest).
HANG = 60.0


def messages(path: Path) -> list[str]:
    return [str(p) for p in validate(path).problems]


# --------------------------------------------------------------------------- files
def test_a_file_over_the_size_limit_is_refused_before_parsing_naming_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "alert_rules.yaml"
    big.write_text(SPEC_TEXT + "#" * (5 * MAX_FILE_BYTES), "utf-8")

    def parse(*_args: Any) -> Any:
        raise AssertionError("an oversized file was parsed")

    monkeypatch.setattr(spec_check, "_check", parse)
    result = validate(big)
    assert result.exit_code == 2
    (problem,) = result.problems
    assert re.fullmatch(r"alert_rules\.yaml is 5(\.0[0-9])? MB; the limit is 1 MB", problem.message)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: Path("/dev/zero"), "is not a regular file"),
        (lambda tmp: tmp, "is a directory"),
        (lambda tmp: tmp / "missing.yaml", "file not found"),
    ],
)
def test_what_is_not_a_regular_file_is_one_clear_problem(
    tmp_path: Path, make: Any, expected: str
) -> None:
    result = validate(make(tmp_path))
    assert result.exit_code == 2
    (problem,) = result.problems
    assert expected in problem.message


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "rules.yaml"
    os.mkfifo(fifo)
    assert "is not a regular file" in messages(fifo)[0]


def test_values_and_nesting_are_bounded_before_anything_is_built() -> None:
    many = "version: 1\nx: [" + ",".join(["1"] * (MAX_NODES + 10)) + "]\n"
    deep_flow = "version: 1\nx: " + "[" * 100_000 + "]" * 100_000 + "\n"
    deep_block = "version: 1\n" + "".join(" " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5))
    for text, expected in (
        (many, f"the document has more than {MAX_NODES} values (the limit)"),
        (deep_flow, f"the document is nested more than {MAX_DEPTH} levels deep (the limit)"),
        (deep_block, f"the document is nested more than {MAX_DEPTH} levels deep (the limit)"),
    ):
        started = time.monotonic()
        spec, problems = check_text(text)
        assert time.monotonic() - started < HANG
        assert spec is None
        assert [p.message for p in problems] == [expected]
        assert problems[0].line is not None


# --------------------------------------------------------------------------- numbers
def with_layout(h: int, y2: int = 0) -> str:
    return (
        "version: 1\nproject: p\ndashboards:\n  - title: T\n    widgets:\n"
        f"      - {{title: A, display: line, dataset: error-events, aggregates: [count()], "
        f"layout: {{x: 0, y: 0, w: 3, h: {h}}}}}\n"
        f"      - {{title: B, display: line, dataset: error-events, aggregates: [count()], "
        f"layout: {{x: 2, y: {y2}, w: 3, h: 1}}}}\n"
    )


def test_layout_numbers_are_bounded_and_the_overlap_check_compares_intervals() -> None:
    started = time.monotonic()
    _, problems = check_text(with_layout(100_000_000))
    assert time.monotonic() - started < HANG  # cell by cell, 10^8 rows would not finish
    assert [p.message for p in problems] == ["expected a number <= 1000, got 100000000"]
    _, problems = check_text(with_layout(1000, y2=999))
    assert [p.message for p in problems] == ["widget overlaps 'A' on the grid [D8]"]
    _, problems = check_text(with_layout(1000, y2=1000))
    assert problems == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("count() > 10", "count() > 1e300", "is too large: the limit is 2**53"),
        ("count() > 10", "count() > 1" + "0" * 400, "expected a finite number"),
        ("count() > 10", "count() > .nan", "expected a number, a duration like 3s"),
        ("> 2s", "> 9999999999999s", "is too large: the limit is 2**53"),
        ("h: 2,", "h: .inf,", "expected a finite number"),
        ("y: 0,", "y: 99999999999999999999999,", "expected a number <= 10000"),
        ('users: "> 100 in 1h"', 'users: "> 99999999999 in 1h"', "expected a number <= 2147483647"),
    ],
)
def test_huge_and_non_finite_numbers_are_refused(old: str, new: str, expected: str) -> None:
    assert old in SPEC_TEXT
    spec, problems = check_text(SPEC_TEXT.replace(old, new, 1))
    assert spec is None
    assert any(expected in p.message for p in problems), [str(p) for p in problems]


# --------------------------------------------------------------------------- the fuzz
HUGE = [
    10**30,
    -(10**30),
    2**63,
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    "9" * 500,
    "1e999",
    ".nan",
    "-.inf",
    "1e400s",
    "> 1e999 in 1h",
    "count() > 1e999",
    "99999999999999999999w",
]
WRONG = [None, True, [], {}, [[[[1]]]], {"a": {"b": {"c": 1}}}, "", "@@long100000@@", 0, -1, 0.5]


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += paths(value, (*prefix, index))
    return out


def numeric_paths(data: Any) -> list[tuple[Any, ...]]:
    """Where the file holds a number, or a string with digits (durations, thresholds)."""
    found = []
    for path in paths(data):
        value = get(data, path)
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number or (isinstance(value, str) and any(c.isdigit() for c in value)):
            found.append(path)
    return found


def get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def put(data: Any, path: tuple[Any, ...], value: Any) -> None:
    get(data, path[:-1])[path[-1]] = value


def mutate(rng: random.Random) -> str:
    data = copy.deepcopy(SPEC_DATA)
    for _ in range(rng.randint(1, 4)):
        every = paths(data)[1:]  # after the mutations so far
        numbers = numeric_paths(data) or every
        roll = rng.random()
        if roll < 0.45:  # a huge or non-finite number where the file holds a number
            put(data, rng.choice(numbers), rng.choice(HUGE))
        elif roll < 0.7:  # a wrong type anywhere (a copy: a shared list or mapping put
            # twice, once inside itself, made the file a cycle, which no YAML can hold)
            put(data, rng.choice(every), copy.deepcopy(rng.choice(WRONG)))
        elif roll < 0.8:  # deep nesting anywhere
            put(data, rng.choice(every), f"@@deep{rng.choice([10, 70, 500, 5000])}@@")
        elif roll < 0.9:  # many values
            put(data, rng.choice(every), f"@@many{rng.choice([100, 30_000])}@@")
        else:  # an unknown key
            parent = get(data, rng.choice(every)[:-1])
            if isinstance(parent, dict):
                parent[rng.choice(["windw", "x" * 1000, "1"])] = rng.choice(HUGE)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(data, Dumper=dumper, sort_keys=False, width=10**9)
    # deep nesting, long lists and huge strings written into the text (PyYAML's dumper
    # recurses per level and is slow on big values)
    text = re.sub(r"'?@@deep(\d+)@@'?", lambda m: "[" * int(m[1]) + "]" * int(m[1]), text)
    text = re.sub(r"'?@@many(\d+)@@'?", lambda m: "[" + ", ".join(["1"] * int(m[1])) + "]", text)
    text = re.sub(r"'?@@long(\d+)@@'?", lambda m: "x" * int(m[1]), text)
    if rng.random() < 0.15:  # broken text: cut, or a stray character
        cut = rng.randrange(len(text))
        text = text[:cut] + rng.choice(["", "\t", "[", "{", ": :", "\x00", "&a *a"]) + text[cut:]
    return text


def test_a_thousand_mutated_specs_never_hang_crash_or_exit_outside_the_table(
    tmp_path: Path, record_property: Any
) -> None:
    rng = random.Random(15)  # reproducible fuzz
    path = tmp_path / "alert_rules.yaml"
    slowest = 0.0
    codes: set[int] = set()
    for _ in range(1000):
        text = mutate(rng)
        path.write_text(text, "utf-8")
        started = time.monotonic()
        result = validate(path)  # an exception here is a traceback for the user
        took = time.monotonic() - started
        slowest = max(slowest, took)
        assert took < HANG, text[:2000]
        codes.add(result.exit_code)
        for problem in result.problems:
            assert problem.message
            assert len(str(problem)) < 2000  # a problem names, never dumps, the value
    record_property("slowest_seconds", round(slowest, 3))
    print(f"slowest of 1,000 mutated specs: {slowest:.3f} s")
    assert codes <= set(EXIT_CODES)
    assert 2 in codes  # the mutations do make files invalid


def test_mutated_specs_through_the_cli_exit_with_a_documented_code(tmp_path: Path) -> None:
    rng = random.Random(1515)  # reproducible fuzz
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    for index in range(8):
        path = tmp_path / f"rules{index}.yaml"
        path.write_text(mutate(rng), "utf-8")
        done = subprocess.run(  # the timeout is the hang watchdog, start-up included
            [sys.executable, "-m", "para_monitor_cli", "validate", str(path)],
            capture_output=True,
            text=True,
            timeout=HANG,
            env=env,
            check=False,
        )
        assert done.returncode in EXIT_CODES
        assert "Traceback" not in done.stderr
        assert "Traceback" not in done.stdout
    for special in ("/dev/zero", str(tmp_path)):
        done = subprocess.run(
            [sys.executable, "-m", "para_monitor_cli", "validate", special],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
