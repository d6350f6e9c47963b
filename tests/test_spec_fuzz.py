"""Fuzzing the loader: any text, any YAML-shaped data, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from para_monitor_cli.errors import SpecError, SpecProblem
from para_monitor_cli.spec import check_text, load_spec

ROOT = Path(__file__).parent.parent
KEYS = [
    "version",
    "targets",
    "monitors",
    "alerts",
    "dashboards",
    "scrubbing",
    "name",
    "type",
    "condition",
    "aggregate",
    "window",
    "high",
    "medium",
    "resolve",
    "dataset",
    "detection",
    "filters",
    "level",
    "users",
    "events",
    "actions",
    "widgets",
    "layout",
    "x",
    "w",
    "title",
    "display",
    "frequency",
    "triggers",
    "monitors",
    "channel",
    "team",
    "<<",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True),
    st.sampled_from(["1h", "10m", "3s", "> 10 in 1h", ">= fatal", "count() > 10", "email", "1"]),
    st.text(max_size=12),
)
data = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), inner, max_size=5),
    ),
    max_leaves=25,
)


def assert_problems(problems: list[SpecProblem]) -> None:
    for problem in problems:
        assert isinstance(problem, SpecProblem)
        assert problem.severity in ("error", "warning")
        assert problem.message
        str(problem)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_gives_problems_not_tracebacks(text: str) -> None:
    spec, problems = check_text(text, "fuzz.yaml")
    assert_problems(problems)
    assert spec is not None or any(p.severity == "error" for p in problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data)
def test_any_yaml_data_gives_problems_not_tracebacks(value: Any) -> None:
    text = yaml.safe_dump({"version": 1, **value} if isinstance(value, dict) else value)
    _spec, problems = check_text(text, "fuzz.yaml")
    assert_problems(problems)


BASE = (ROOT / "alert_rules.yaml").read_text().splitlines(keepends=True)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(BASE) - 1), st.text(max_size=20), st.booleans())
def test_mutated_repo_file_never_crashes(index: int, junk: str, replace: bool) -> None:
    lines = list(BASE)
    if replace:
        lines[index] = junk + "\n"
    else:
        lines.insert(index, junk + "\n")
    _spec, problems = check_text("".join(lines), "mutant.yaml")
    assert_problems(problems)
    for problem in problems:
        assert problem.line is None or 1 <= problem.line <= len(lines) + 1


def test_alias_bomb_and_recursion_are_problems(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefg", "bcdefgh", strict=True)
    )
    _, problems = check_text(bomb, "bomb.yaml")
    assert any("more than 20000 values (the limit" in p.message for p in problems)
    _, problems = check_text("version: 1\nmonitors: &m [*m]\n", "rec.yaml")
    assert any("refers to itself" in p.message for p in problems)


def test_load_spec_raises_spec_error_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\nmonitors:\n  - name: m\n    windw: 1h\n")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert len(caught.value.problems) == 3  # aggregate and window missing, windw unknown
    assert caught.value.exit_code == 2
    assert "broken.yaml:3" in str(caught.value)


def test_unreadable_files_are_problems(tmp_path: Path) -> None:
    from para_monitor_cli.spec import check_spec

    _, problems = check_spec(tmp_path / "missing.yaml")
    assert problems[0].message == "file not found"
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"version: 1\n\xff\xfe")
    _, problems = check_spec(binary)
    assert "not UTF-8" in problems[0].message
    _, problems = check_spec(tmp_path)
    assert problems
    assert problems[0].severity == "error"
