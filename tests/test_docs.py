"""The README stays honest: its quick start, its command table and CI agree with the code."""

from __future__ import annotations

import json
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

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


DOCS = [README, *(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))]


def documented_invocations() -> list[str]:
    """Every ``para-monitor ...`` command line in the README's and docs' shell blocks."""
    found: list[str] = []
    for doc in DOCS:
        for block in re.findall(r"```(?:bash|console|yaml)\n(.*?)```", doc, re.S):
            for raw in block.splitlines():
                line = raw.split("#", 1)[0].strip().removeprefix("$ ").removeprefix("run: ")
                for piece in line.split("&&"):
                    command = piece.strip()
                    if command.startswith("para-monitor ") and "..." not in command:
                        found.append(command)
    return found


def test_every_documented_command_line_parses() -> None:
    lines = documented_invocations()
    assert len(lines) >= 8
    for line in lines:
        args = shlex.split(line)[1:]
        result = CliRunner().invoke(app, [*args, "--help"])
        assert result.exit_code == 0, f"{line!r}: {result.output}"


# ------------------------------------------------------------------ the examples, run as written
def global_options() -> dict[str, bool]:
    """Each global option's names -> whether it takes a value (the root callback's options)."""
    group = typer.main.get_command(app)
    found: dict[str, bool] = {}
    for param in group.params:
        if getattr(param, "hidden", False) or param.is_eager:
            continue
        for name in param.opts:
            found[name] = not getattr(param, "is_flag", False)
    return found


def moved_after_the_command(args: list[str]) -> list[str]:
    """``--output json demo`` -> ``demo --output json``: every global option written before
    the command, moved after it."""
    takes_value = global_options()
    before: list[str] = []
    index = 0
    while index < len(args) and args[index].startswith("-"):
        name = args[index].split("=", 1)[0]
        width = 2 if takes_value.get(name) and "=" not in args[index] else 1
        before += args[index : index + width]
        index += width
    return [*args[index:], *before]


def test_moving_global_options_after_the_command() -> None:
    assert moved_after_the_command(["--output", "json", "demo"]) == ["demo", "--output", "json"]
    assert moved_after_the_command(["-o", "json", "--debug", "plan", "--prune"]) == [
        "plan",
        "--prune",
        "-o",
        "json",
        "--debug",
    ]
    assert moved_after_the_command(["--org=a", "validate", "x.yaml"]) == [
        "validate",
        "x.yaml",
        "--org=a",
    ]


def inline_examples() -> list[str]:
    """Every ``para-monitor ...`` written as inline code in the README's and docs' prose."""
    return [m for doc in DOCS for m in re.findall(r"`(para-monitor [^`]*)`", doc)]


def examples() -> list[list[str]]:
    """The documented command lines that run to completion, once each: the shell blocks in
    document order (they form sequences), then the prose's inline examples. The sandbox
    server, which runs until stopped, is run by its own test below."""
    seen: list[list[str]] = []
    for line in [*documented_invocations(), *inline_examples()]:
        args = shlex.split(line)[1:]
        if args and args[0] != "sandbox" and args not in seen:
            seen.append(args)
    return seen


@pytest.mark.parametrize("placement", ["as written", "global options after the command"])
def test_every_documented_example_runs_on_the_sandbox(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, placement: str
) -> None:
    """The README's and docs' examples, in their order, against the sandbox as the README's
    "Trying it by hand" section sets it up (settings in the environment). Moved: every global
    option after the command, and the settings given as flags after it instead of the
    environment. Both placements give the same exit codes (0) and the same JSON documents."""
    (tmp_path / "alert_rules.yaml").write_bytes((ROOT / "alert_rules.yaml").read_bytes())
    monkeypatch.chdir(tmp_path)
    settings = {
        "--url": sandbox.url,
        "--auth-token": sandbox.token,
        "--org": sandbox.org,
        "--project": sandbox.project,
        "--dsn": sandbox.dsn,
    }
    env = {"ENVIRONMENT": "production", "VERSION": "0.1.0"}
    flags: list[str] = []
    if placement == "as written":
        env |= {"SENTRY_" + k[2:].replace("-", "_").upper(): v for k, v in settings.items()}
    else:
        flags = [part for item in settings.items() for part in item]
    lines = examples()
    assert len(lines) >= 15
    shapes: dict[str, object] = {}
    for args in lines:
        argv = args if placement == "as written" else [*moved_after_the_command(args), *flags]
        result = CliRunner().invoke(app, argv, env=env)
        assert result.exit_code == 0, f"{argv}: {result.output[-3000:]}"
        if "json" in args:
            shapes[" ".join(args)] = shape(json.loads(result.stdout))
    assert shapes, "an example with --output json"
    recorded = EXAMPLE_SHAPES.setdefault(placement, shapes)
    other = [v for k, v in EXAMPLE_SHAPES.items() if k != placement]
    for shapes_before in other:
        assert shapes_before == recorded


EXAMPLE_SHAPES: dict[str, dict[str, object]] = {}


def shape(document: Any) -> Any:
    """A JSON document's keys and value types (run ids, times and URLs differ between runs)."""
    if isinstance(document, dict):
        return {key: shape(value) for key, value in document.items()}
    if isinstance(document, list):
        return [shape(item) for item in document[:1]]
    return type(document).__name__


def test_the_documented_sandbox_command_prints_its_token() -> None:
    """``para-monitor sandbox --port 9000 --auth-token dev-token``, on a free port instead of
    9000 (other test runs share this machine), with the option before and after the command."""
    (line,) = {line for line in documented_invocations() if line.split()[1] == "sandbox"}
    args = shlex.split(line)[1:]
    port = args.index("--port")
    args[port + 1] = "0"
    for argv in (args, ["--auth-token", "dev-token", *args[: args.index("--auth-token")]]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "para_monitor_cli", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            printed = [proc.stdout.readline() for _ in range(4)]
            assert "  SENTRY_AUTH_TOKEN=dev-token\n" in printed, printed
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=15)
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
