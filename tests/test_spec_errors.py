"""How validate reports bad input: non-finite numbers, YAML syntax, typos, what it got."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from para_monitor_cli.cli import app
from para_monitor_cli.render import Output
from para_monitor_cli.spec import check_text

ROOT = Path(__file__).parent.parent
REPO_SPEC = (ROOT / "alert_rules.yaml").read_text(encoding="utf-8")
runner = CliRunner()

MONITOR = "version: 1\nmonitors:\n  - name: m\n    window: 1h\n"


def errors_of(text: str) -> list[tuple[int | None, str, str]]:
    spec, problems = check_text(text, "t.yaml")
    assert spec is None
    return [(p.line, p.path, p.message) for p in problems if p.severity == "error"]


@pytest.mark.parametrize(
    ("lines", "line", "path", "written"),
    [
        ("    condition: count() > 1e400\n", 5, "monitors[0].condition", "1e400"),
        ("    condition: count() > 1e400ms\n", 5, "monitors[0].condition", "1e400ms"),
        ("    aggregate: count()\n    high: .inf\n", 6, "monitors[0].high", ".inf"),
        (
            "    aggregate: count()\n    high: 1\n    resolve: .nan\n",
            7,
            "monitors[0].resolve",
            ".nan",
        ),
        ("    aggregate: count()\n    high: 1e400\n", 6, "monitors[0].high", "1e400"),
        ("    aggregate: count()\n    high: -.inf\n", 6, "monitors[0].high", "-.inf"),
        ("    aggregate: count()\n    high: '1e999'\n", 6, "monitors[0].high", "1e999"),
    ],
)
def test_non_finite_numbers_are_errors_at_their_line(
    lines: str, line: int, path: str, written: str
) -> None:
    assert errors_of(MONITOR + lines) == [
        (line, path, f"expected a finite number, got {written!r}")
    ]


def test_non_finite_number_anywhere_is_an_error() -> None:
    text = "version: 1\ndashboards:\n  - title: d\n    widgets: []\n    period: .inf\n"
    assert errors_of(text) == [(5, "dashboards[0].period", "expected a finite number, got '.inf'")]
    # a frequency filter count too large for a float
    huge = "9" * 400
    text = (
        "version: 1\ntargets: {t: {type: email, team: a}}\nalerts:\n"
        f"  - {{name: a, filters: [{{events: '> {huge} in 1h'}}], actions: [t]}}\n"
    )
    ((line, path, message),) = errors_of(text)
    assert (line, path) == (4, "alerts[0].filters[0].events")
    assert message.startswith("expected a finite number")


def test_validate_refuses_an_infinite_threshold_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "alert_rules.yaml"
    path.write_text(REPO_SPEC.replace("count() > 10", "count() > 1e400"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "monitors[0].condition: expected a finite number, got '1e400'" in result.stdout
    assert f"{path}:52:" in result.stdout


def test_emit_json_never_writes_nan_or_infinity() -> None:
    out = io.StringIO()
    Output("json", stdout=out).emit_json(
        {"a": float("inf"), "b": [float("-inf"), float("nan"), 1.5], "c": {"d": (float("nan"),)}}
    )

    def refuse(name: str) -> None:
        raise AssertionError(f"non-standard JSON constant {name}")

    document = json.loads(out.getvalue(), parse_constant=refuse)
    assert document == {"a": "inf", "b": ["-inf", "nan", 1.5], "c": {"d": ["nan"]}}


def test_yaml_syntax_error_is_located_at_the_unclosed_bracket() -> None:
    text = "version: 1\nalerts:\n  - name: a\n    monitors: [x, y\n    actions: [t]\n"
    ((_, path, message),) = errors_of(text)
    assert path == ""
    _, problems = check_text(text, "t.yaml")
    assert (problems[0].line, problems[0].column) == (4, 15)  # the '['
    assert message.startswith("YAML syntax error: while parsing a flow sequence that starts here")
    assert "at line 5, column 12" in message  # where the parser gave up


def test_yaml_syntax_error_in_a_block_keeps_the_problem_mark() -> None:
    # a block mapping's context mark is its first line: not where the mistake is
    spec, problems = check_text("version: 1\nmonitors: [a]\n  bad: 1\n", "t.yaml")
    assert spec is None
    assert (problems[0].line, problems[0].column) == (3, 3)


def test_unclosed_quote_is_located_at_its_opening() -> None:
    _, problems = check_text('version: 1\nname: "abc\n\nx: 1\n', "t.yaml")
    assert (problems[0].line, problems[0].column) == (2, 7)
    assert "quoted scalar that starts here" in problems[0].message


def test_unknown_comparison_is_one_clear_error() -> None:
    text = MONITOR + "    dataset: transactions\n    condition: p95(transaction.duration) => 3s\n"
    text += "    resolve: 2s\n"
    assert errors_of(text) == [
        (6, "monitors[0].condition", "unknown comparison '=>', expected one of > >= < <=")
    ]


def test_a_bare_yes_says_what_it_got() -> None:
    text = "version: 1\nmonitors:\n  - {name: m, window: yes, condition: count() > 1}\n"
    ((_, path, message),) = errors_of(text)
    assert path == "monitors[0].window"
    assert message.startswith("expected a duration like 30s, 10m, 1h, 1d or 1w, got true")
    assert "yes" in message


def test_a_parsed_scalar_keeps_the_files_path() -> None:
    text = (
        "version: 1\ntargets: {t: {type: email, team: a}}\nalerts:\n"
        "  - {name: a, triggers: [first_seen], filters: [{level: '>= critical'}], actions: [t]}\n"
    )
    ((_, path, message),) = errors_of(text)
    assert path == "alerts[0].filters[0].level"
    assert "got 'critical'" in message


@pytest.mark.parametrize("command", [["plan"], ["apply-alerts", "--yes"]])
def test_plan_and_apply_on_an_invalid_file_list_every_error(
    command: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "alert_rules.yaml"
    path.write_text(REPO_SPEC.replace("    window: 10m\n", "    windw: 10m\n", 1), "utf-8")
    result = runner.invoke(app, ["--config", str(path), "--org", "o", *command])
    assert result.exit_code == 2
    assert f"error: {path}:60:5: monitors[1]: missing required key 'window'\n" in result.stderr
    assert f"error: {path}:65:5: monitors[1].windw: unknown key 'windw'; did you mean" in (
        result.stderr
    )
    assert "more)" not in result.stderr
