"""A user's hook (``--hook module:function``) that calls sys.exit() or raises is reported as
such, with file:line, and the report (text, JSON, JUnit) is still written; a --junit path that
cannot be written fails before any check runs (exit 2)."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from para_monitor_cli.cli import app
from para_monitor_cli.errors import UsageError
from para_monitor_cli.render import open_report_file

HOOKS = """\
import sys


def exits(event, hint):
    sys.exit(3)


def exits_with_text(event, hint):
    sys.exit("password=hunter2")


def raises(event, hint):
    return {}["password=hunter2"]
"""


@pytest.fixture
def hooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    module = f"hooks_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text(HOOKS)
    monkeypatch.chdir(tmp_path)
    return module


def invoke(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


def test_a_hook_calling_sys_exit_is_reported_with_file_and_line(hooks: str) -> None:
    result = CliRunner().invoke(app, ["scrub-check", "--hook", f"{hooks}:exits"])
    assert result.exit_code == 1, result.output
    assert f"sys.exit(3) at {hooks}.py:5 (SystemExit)" in result.stdout
    from para_monitor_cli.scrub.checker import load_corpus

    events = len(load_corpus()[0])
    assert f"{hooks}:exits raised on {events} of {events} events" in result.stdout
    assert "Traceback" not in result.output


def test_a_hooks_own_words_never_reach_the_report(hooks: str) -> None:
    for name, shown in (("exits_with_text", "sys.exit(...) at"), ("raises", "KeyError at")):
        result = CliRunner().invoke(app, ["-o", "json", "scrub-check", "--hook", f"{hooks}:{name}"])
        assert result.exit_code == 1, result.output
        data = json.loads(result.stdout)
        assert all(shown in error for error in data["hook_errors"])
        assert f"{hooks}.py:" in data["hook_errors"][0]
        assert "hunter2" not in result.output


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def broken(:\n    pass\n", "SyntaxError at {module}.py:1"),
        ("import sys\nsys.exit(5)\n", "it called sys.exit(5) at {module}.py:2"),
        ("x = 1\nraise RuntimeError('boom')\n", "(RuntimeError at {module}.py:2)"),
    ],
)
def test_a_hook_module_that_cannot_be_imported_names_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, expected: str
) -> None:
    module = f"bad_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["scrub-check", "--hook", f"{module}:f"])
    assert result.exit_code == 2, result.output
    assert expected.format(module=module) in result.stderr
    assert "Traceback" not in result.output


def test_check_setup_with_an_exiting_hook_still_writes_output_and_junit(
    hooks: str, tmp_path: Path
) -> None:
    junit = tmp_path / "report.xml"
    result = CliRunner().invoke(
        app,
        ["check-setup", "--offline", "--hook", f"{hooks}:exits", "--junit", str(junit)],
    )
    assert result.exit_code == 1, result.output
    assert "sys.exit(3) at" in result.stdout
    xml = junit.read_text("utf-8")
    assert "<testsuite" in xml
    assert "sys.exit(3) at" in xml


def test_an_unwritable_junit_path_fails_before_any_check_runs(tmp_path: Path) -> None:
    for path, reason in (
        (tmp_path / "missing" / "report.xml", "does not exist"),
        (tmp_path, "is a directory"),
        (tmp_path / "a-file" / "report.xml", "does not exist"),
    ):
        (tmp_path / "a-file").write_text("")
        result = CliRunner().invoke(app, ["check-setup", "--offline", "--junit", str(path)])
        assert result.exit_code == 2, result.output
        assert reason in result.stderr
        assert "spec" not in result.stdout  # no check ran


@pytest.mark.skipif(
    not Path("/dev/full").exists(), reason="no /dev/full on this platform (a Linux device)"
)
def test_a_report_refused_at_the_end_is_an_operational_error_not_a_bug() -> None:
    # /dev/full opens for writing for any user, then refuses every byte (ENOSPC): said, exit 3
    result = CliRunner().invoke(app, ["check-setup", "--offline", "--junit", "/dev/full"])
    assert result.exit_code == 3, result.output
    assert "--junit /dev/full: the report could not be written" in result.stderr


def test_a_report_file_is_created_up_front_and_removed_if_never_written(tmp_path: Path) -> None:
    path = tmp_path / "report.xml"
    with open_report_file(path, "--junit") as report:
        assert path.exists()
    assert not path.exists()
    path.write_text("an earlier, longer report\n")
    with open_report_file(path, "--junit") as report:
        assert path.read_text() == "an earlier, longer report\n"  # kept until replaced
        report.write("<new/>")
    assert path.read_text() == "<new/>"


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="root bypasses file modes (CAP_DAC_OVERRIDE): a 0400 file stays writable for root",
)
def test_a_report_file_without_write_permission_is_refused_up_front(tmp_path: Path) -> None:
    path = tmp_path / "report.xml"
    path.write_text("read only\n")
    path.chmod(0o400)
    with pytest.raises(UsageError, match="cannot write there"):
        open_report_file(path, "--junit")
