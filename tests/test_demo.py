"""para-monitor demo: the README's first command must pass every check, in text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from para_monitor_cli.checks import NAMES, result_schema
from para_monitor_cli.cli import app

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_json() -> dict[str, object]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        result = CliRunner().invoke(app, ["--output", "json", "demo"])
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_demo_passes_every_check(demo_json: dict[str, object]) -> None:
    report = demo_json["check_setup"]
    assert isinstance(report, dict)
    jsonschema.validate(report, result_schema())
    assert [c["name"] for c in report["checks"]] == list(NAMES)
    assert {c["name"]: c["status"] for c in report["checks"]} == dict.fromkeys(NAMES, "passed")
    assert demo_json["ok"] is True
    assert demo_json["exit_code"] == 0


def test_demo_sends_a_test_event_and_applies_the_spec(demo_json: dict[str, object]) -> None:
    probe = demo_json["test_event"]
    assert isinstance(probe, dict)
    assert probe["ok"] is True
    assert probe["leaks"] == 0
    assert {e["kind"] for e in probe["events"]} == {"error", "message"}
    assert all(e["arrived"] for e in probe["events"])
    applied = demo_json["apply"]
    assert isinstance(applied, dict)
    assert applied["summary"]["create"] == len(applied["applied"]) > 0
    assert set(demo_json["stages"]) == {"sandbox", "test_event", "apply", "check_setup"}  # type: ignore[arg-type]


def test_demo_text_tells_the_story(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for stage in ("==> 1/4", "==> 2/4", "==> 3/4", "==> 4/4"):
        assert stage in out
    assert "no planted secret reached the server" in out
    assert "created monitor 'para-autopilot-backend/Error rate above 10 per hour'" in out
    assert "OK: 14 checks: 14 passed, 0 failed, 0 warnings, 0 skipped" in out
    assert "Failed" not in out
    assert "DSN http://****@127.0.0.1:" in out  # the DSN key is never printed
    assert "from the demo's sandbox" in out
    assert "flag --" not in out  # the user passed no flag
    assert "(s)" not in out
    assert "deleted); 0 already matched the file" in out
    assert "Alerts configured (error rate, performance) [alerts]" in out


def test_the_packaged_spec_is_the_repository_one() -> None:
    from para_monitor_cli.commands.demo import BUNDLED_SPEC

    assert BUNDLED_SPEC.read_bytes() == (REPO / "alert_rules.yaml").read_bytes()


def test_demo_runs_from_anywhere_with_the_packaged_spec(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no alert_rules.yaml here
    result = CliRunner().invoke(app, ["--output", "json", "demo"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["ok"] is True
    assert document["apply"]["summary"]["create"] > 0
