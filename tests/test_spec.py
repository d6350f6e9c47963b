"""The spec model, its units, and the validate / schema commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from para_monitor_cli.cli import app
from para_monitor_cli.spec import check_text
from para_monitor_cli.spec.model import Monitor, Spec
from para_monitor_cli.spec.units import (
    format_duration,
    format_threshold,
    parse_condition,
    parse_duration,
    parse_frequency,
    parse_quantity,
)

ROOT = Path(__file__).parent.parent
runner = CliRunner()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("10m", 600), ("1h", 3600), ("1 d", 86400), ("1w", 604800), ("5min", 300)],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "1", "1y", "-1h", "0m", 60, True, None, "1.5h"])
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_format_duration_round_trips() -> None:
    for seconds in (60, 300, 3600, 5400, 86400, 604800, 45, 0):
        text = format_duration(seconds)
        assert (parse_duration(text, allow_zero=True)) == seconds


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("3s", 3000.0, "ms"),
        ("250ms", 250.0, "ms"),
        ("1.5s", 1500.0, "ms"),
        ("2m", 120000.0, "ms"),
        ("99.5%", 99.5, "%"),
        (10, 10.0, ""),
        ("0.25", 0.25, ""),
        (1e3, 1000.0, ""),
    ],
)
def test_quantities(text: object, value: float, unit: str) -> None:
    q = parse_quantity(text)
    assert (q.value, q.unit) == (value, unit)


def test_format_threshold() -> None:
    assert format_threshold(3000.0, duration=True) == "3s"
    assert format_threshold(250.0, duration=True) == "250ms"
    assert format_threshold(99.5, percent=True) == "99.5%"
    assert format_threshold(10.0) == "10"


def test_condition_and_frequency() -> None:
    c = parse_condition("p95(transaction.duration) >= 3s")
    assert (c.aggregate, c.operator, c.threshold.value) == (
        "p95(transaction.duration)",
        "gte",
        3000,
    )
    f = parse_frequency("> 100 in 1h")
    assert (f.operator, f.value, f.interval) == ("gt", 100, 3600)


def test_model_holds_parsed_values_and_is_frozen() -> None:
    m = Monitor.model_validate(
        {
            "name": "slow",
            "dataset": "transactions",
            "condition": "p95(transaction.duration) > 3s",
            "medium": "2s",
            "window": "10m",
        }
    )
    assert (m.aggregate, m.direction, m.high, m.medium, m.window) == (
        "p95(transaction.duration)",
        "above",
        3000.0,
        2000.0,
        600,
    )
    assert m.resolve_threshold == 2000.0  # defaults to the lowest alerting threshold
    assert (m.query_type, m.wire_event_types) == (1, ("transaction",))
    with pytest.raises(Exception, match="frozen"):
        m.name = "other"  # type: ignore[misc]


def test_crash_rate_alias_becomes_sentry_aggregate() -> None:
    m = Monitor.model_validate(
        {
            "name": "c",
            "dataset": "metrics",
            "aggregate": "crash_free_rate(session)",
            "direction": "below",
            "high": "99%",
            "window": "1h",
        }
    )
    assert m.aggregate == "percentage(sessions_crashed, sessions) AS _crash_rate_alert_aggregate"
    assert (m.query_type, m.wire_event_types, m.high) == (2, (), 99.0)


def test_spec_defaults_for_projects() -> None:
    spec, problems = check_text(
        "version: 1\nproject: backend\ntargets: {m: {type: email, member: a@example.com}}\n"
        "monitors: [{name: x, condition: count() > 1, window: 1h}]\n"
        "alerts:\n  - {name: a, monitors: [x], actions: [m]}\n"
        "  - {name: b, triggers: [first_seen], filters: [{level: '>= error'}], actions: [m],"
        " frequency: 0}\n",
        "t.yaml",
    )
    assert problems == []
    assert spec is not None
    assert spec.monitor_project(spec.monitors[0]) == "backend"
    assert spec.alert_projects(spec.alerts[0]) == ()
    assert spec.alert_projects(spec.alerts[1]) == ("backend",)
    assert spec.alerts[1].frequency == 0
    assert str(spec.alerts[1].filters[0].level) == ">= error"


def test_problems_are_reported_all_at_once() -> None:
    _, problems = check_text(
        "version: 1\nmonitors:\n  - name: a\n    window: 1y\n    aggregate: count()\n"
        "    high: 1\n  - name: b\n    window: 1h\n    detection: sttic\n    aggregate: count()\n"
        "    high: 2\ndashboards:\n  - titel: d\n",
        "many.yaml",
    )
    assert [(p.line, p.path) for p in problems] == [
        (4, "monitors[0].window"),
        (9, "monitors[1].detection"),
        (13, "dashboards[0]"),
        (13, "dashboards[0].titel"),
    ]


# --- the CLI -----------------------------------------------------------------------------


def test_validate_the_repo_file() -> None:
    result = runner.invoke(app, ["validate", str(ROOT / "alert_rules.yaml")])
    assert result.exit_code == 0, result.output
    assert (
        "valid (4 targets, 3 monitors, 3 cron monitors, 1 uptime check, 7 alerts, 1 dashboard, "
        "10 widgets)" in result.output
    )


def test_validate_uses_the_config_setting(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\nscrubbing: {sensitive_fields: [a, A]}\n")
    result = runner.invoke(app, ["--config", str(path), "validate"])
    assert result.exit_code == 0
    assert f"{path}:2:" in result.output
    assert "warning:" in result.output
    assert "1 warning" in result.output


def test_validate_invalid_file_exits_2_with_every_problem() -> None:
    case = ROOT / "tests" / "spec_cases" / "unknown_key.yaml"
    result = runner.invoke(app, ["validate", str(case)])
    assert result.exit_code == 2
    assert f"{case}:6:5: error: monitors[0]: missing required key 'window'" in result.output
    assert (
        f"{case}:8:5: error: monitors[0].windw: unknown key 'windw'; did you mean" in result.output
    )
    assert "invalid, 2 errors and 0 warnings" in result.output
    assert "Traceback" not in result.output


def test_validate_json_output() -> None:
    case = ROOT / "tests" / "spec_cases" / "M13_unconnected_monitor.yaml"
    result = runner.invoke(app, ["--output", "json", "validate", str(case)])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["valid"] is True
    assert document["warnings"] == 1
    (problem,) = document["problems"]
    assert (problem["line"], problem["severity"], problem["path"]) == (
        3,
        "warning",
        "monitors[0].name",
    )


def test_validate_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_schema_command_prints_the_committed_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads((ROOT / "alert_rules.schema.json").read_text())


def test_help_does_not_import_pydantic() -> None:
    code = (
        "import sys\nfrom para_monitor_cli.cli import app\n"
        "from typer.testing import CliRunner\n"
        "CliRunner().invoke(app, ['--help'])\n"
        "print('pydantic' in sys.modules)\n"
        "CliRunner().invoke(app, ['validate', '--help'])\n"
        "CliRunner().invoke(app, ['schema', '--help'])\n"
        "print('para_monitor_cli.spec' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # (Typer itself imports pydantic for a sub-command's parameters; the spec stays unloaded.)
    assert out.stdout.split() == ["False", "False"]


def test_spec_json_schema_mentions_every_section() -> None:
    schema = Spec.model_json_schema()
    assert set(schema["properties"]) == {
        "version",
        "organization",
        "project",
        "targets",
        "monitors",
        "crons",
        "uptime",
        "alerts",
        "dashboards",
        "scrubbing",
    }


@given(st.integers(min_value=1, max_value=10**9), st.sampled_from([1, 10, 100, 1000]))
def test_duration_thresholds_are_written_as_the_file_does_and_read_back(
    millis: int, scale: int
) -> None:
    value = float(millis) / scale
    text = format_threshold(value, duration=True)
    assert text.endswith(("ms", "s"))
    assert parse_quantity(text).value == value
    if value >= 1000 and value % 1000 == 0:
        assert text == f"{int(value) // 1000}s"


def test_format_threshold_in_seconds_when_exact() -> None:
    assert format_threshold(1500.0, duration=True) == "1.5s"
    assert format_threshold(2500.0, duration=True) == "2.5s"
    assert format_threshold(1234.0, duration=True) == "1.234s"
    # 1.001 * 1000 is not 1001.0 in floating point: kept in ms so it reads back exactly
    assert format_threshold(1001.0, duration=True) == "1001ms"
