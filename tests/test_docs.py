"""The README stays honest: its quick start, its command table and CI agree with the code."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from para_monitor_cli.cli import app
from para_monitor_cli.errors import EXIT_CODES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None, "the quick start has no bash block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def commands() -> dict[str, str]:
    click_app = typer.main.get_command(app)
    assert isinstance(click_app, typer.core.TyperGroup)
    return {name: cmd.help or "" for name, cmd in click_app.commands.items()}


def test_quick_start_is_two_one_line_commands() -> None:
    lines = quick_start()
    assert len(lines) == 2
    assert lines[0].startswith("pip install ")
    assert "para-monitor demo" in lines[0]
    assert "scripts/check" in lines[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = quick_start()[1]
    # CI may call pip through the interpreter, but the command is the README's
    normalised = test_command.replace("pip install", "python -m pip install --quiet")
    assert normalised in ci


def test_every_command_is_documented_and_has_help() -> None:
    for name, help_text in commands().items():
        assert help_text.strip(), f"`{name}` has no help text"
        assert f"`para-monitor {name}`" in README, f"`{name}` is missing from the README"


def test_exit_code_table_matches_errors() -> None:
    table = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", README, re.M))
    assert sorted(int(code) for code in table) == sorted(EXIT_CODES)


def documented_invocations() -> list[str]:
    """Every ``para-monitor ...`` command line in the README's and docs' shell blocks."""
    found: list[str] = []
    for doc in (README, (ROOT / "docs" / "check-setup.md").read_text(encoding="utf-8")):
        for block in re.findall(r"```(?:bash|console|yaml)\n(.*?)```", doc, re.S):
            for raw in block.splitlines():
                line = raw.split("#", 1)[0].strip().removeprefix("$ ").removeprefix("run: ")
                for piece in line.split("&&"):
                    command = piece.strip()
                    if command.startswith("para-monitor ") and "..." not in command:
                        found.append(command)
    return found


def test_every_documented_command_line_parses() -> None:
    import shlex

    from typer.testing import CliRunner

    lines = documented_invocations()
    assert len(lines) >= 8
    for line in lines:
        args = shlex.split(line)[1:]
        result = CliRunner().invoke(app, [*args, "--help"])
        assert result.exit_code == 0, f"{line!r}: {result.output}"
