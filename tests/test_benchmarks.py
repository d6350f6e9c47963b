"""Every script in benchmarks/ runs at its smallest size and prints its comparison.

Each runs as a user runs it (``python benchmarks/X.py`` from the repository root) under a
watchdog (a subprocess timeout); the figures themselves are not checked (no timing assertion):
only that the run finished, said what it compares against what, and printed the rows and
ratios of that comparison. Peers are never installed here (PARA_MONITOR_BENCH_INSTALL=0: tests
do not reach the network); a peer the machine lacks is skipped with the script's own reason.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
WATCHDOG = 300  # seconds: each of these runs takes a few to some tens of seconds here

# (script, smallest-size arguments)
SMALLEST = {
    "sandbox.py": [
        "--events",
        "3",
        "--size",
        "10000",
        "--reads",
        "3",
        "--lists",
        "2",
        "--rounds",
        "1",
    ],
    "check_setup.py": ["--runs", "1"],
    "monitor_job.py": ["--rounds", "4", "--calls", "50"],
    "startup.py": ["--runs", "1"],
    "apply.py": ["--sizes", "3", "--latency", "0.01"],
    "scrub.py": ["--rounds", "1", "--trials", "1", "--passes", "1", "--requests", "4"],
    "overhead.py": ["--trials", "2", "--requests", "4", "--warmup", "4"],
    "sandbox_scale.py": [
        "--resources",
        "30",
        "--small",
        "3",
        "--events",
        "10",
        "--distinct",
        "2",
        "--size",
        "10000",
        "--pages",
        "1",
        "--chunk",
        "30",
    ],
}
# what each script holds that is not a benchmark (imported by the others)
HELPERS = {"peers.py", "realistic_events.py"}

_runs: dict[str, subprocess.CompletedProcess[str]] = {}


def run(script: str) -> subprocess.CompletedProcess[str]:
    """One run of ``script`` at its smallest size (once per test session)."""
    if script not in _runs:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("SENTRY_") and k not in ("ENVIRONMENT", "VERSION")
        }
        env["PARA_MONITOR_BENCH_INSTALL"] = "0"
        done = subprocess.run(
            [sys.executable, str(BENCHMARKS / script), *SMALLEST[script]],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=WATCHDOG,
            check=False,
        )
        assert done.returncode == 0, f"{script} exited {done.returncode}:\n{done.stderr[-3000:]}"
        _runs[script] = done
    return _runs[script]


def states_what(out: str) -> None:
    """The run opens by saying what it measures, then against what."""
    assert out.startswith("WHAT:"), out[:500]
    assert "AGAINST WHAT:" in out, out[:500]


def test_every_script_is_covered() -> None:
    scripts = {p.name for p in BENCHMARKS.glob("*.py")} - HELPERS
    assert scripts == set(SMALLEST)


def test_every_script_is_in_the_readme() -> None:
    readme = (BENCHMARKS / "README.md").read_text(encoding="utf-8")
    for script in SMALLEST:
        assert f"python benchmarks/{script}" in readme, script


def test_sandbox_against_kent() -> None:
    out = run("sandbox.py").stdout
    states_what(out)
    header = next(line for line in out.splitlines() if line.startswith("operation"))
    assert "sandbox/kent" in header, out
    rows = {line.split()[0]: line for line in out.splitlines()}
    for op in ("ingest", "list", "fetch", "peak"):
        assert re.search(r"\d+\.\d+x", rows[op]), (op, out)
    # three events: the list holds all three, on both sides
    assert "list last 3 /s" in out


def test_sandbox_against_spotlight() -> None:
    out = run("sandbox.py").stdout
    skipped = re.search(r"^spotlight: skipped \((.*)\)$", out, re.MULTILINE)
    if skipped:
        pytest.skip(f"the Spotlight peer cannot run here: {skipped.group(1)}")
    header = next(line for line in out.splitlines() if line.startswith("operation"))
    assert "sandbox/spotlight" in header, out
    assert re.search(r"^fetch by id /s.*\d+\.\d+x\s+\d+\.\d+x$", out, re.MULTILINE), out
    assert "spotlight: no list endpoint" in out


def test_check_setup_per_request() -> None:
    out = run("check_setup.py").stdout
    states_what(out)
    for label in ("all but test_error", "full check-setup"):
        row = next(line for line in out.splitlines() if line.startswith(label))
        ours, theirs = re.search(r"(\d+)/(\d+)", row).groups()  # type: ignore[union-attr]
        assert int(ours) == int(theirs) > 0, row
        assert len(re.findall(r"\d+\.\d+x", row)) == 2, row


def test_startup_every_sub_command() -> None:
    from typer.main import get_command

    from para_monitor_cli.cli import app

    out = run("startup.py").stdout
    states_what(out)
    assert "python -c import typer" in out
    for name in get_command(app).commands:  # type: ignore[attr-defined]
        assert re.search(rf"^{name} --help .*x", out, re.MULTILINE), name
    for real in ("config", "schema", "validate alert_rules.yaml", "check-setup --offline"):
        assert re.search(rf"^{re.escape(real)}\s+\d.*x", out, re.MULTILINE), real
    assert re.search(r"^plan: --help only \(", out, re.MULTILINE)


def test_apply_against_its_lower_bound() -> None:
    out = run("apply.py").stdout
    states_what(out)
    rows = [line.split() for line in out.splitlines() if re.match(r"\s+3 ", line)]
    assert [row[1:3] for row in rows] == [["full", "apply"], ["no-op", "plan"]], out
    for row in rows:
        assert len([cell for cell in row if re.fullmatch(r"\d+\.\d+x", cell)]) == 2, row


def test_scrub_against_eventscrubber() -> None:
    out = run("scrub.py").stdout
    states_what(out)
    assert out.count("vs EventScrubber") >= 8
    assert "planted secrets still sent" in out


def test_overhead_against_the_sdk() -> None:
    out = run("overhead.py").stdout
    states_what(out)
    assert "ours / EventScrubber's added cost" in out
    assert "SDK's own cost (sdk - none)" in out


def test_sandbox_scale_against_the_issue_17_targets() -> None:
    out = run("sandbox_scale.py").stdout
    for target in ("target 1, list pages", "target 2, no-op plan", "target 3, sandbox peak RSS"):
        assert re.search(rf"^{re.escape(target)}: .*(met|NOT met)", out, re.M), out


def test_monitor_job_against_sentry_sdk_monitor() -> None:
    out = run("monitor_job.py").stdout
    states_what(out)
    assert re.search(
        r"with a client: monitor_job [\d.]+ us/run, sentry_sdk.monitor [\d.]+ us/run; "
        r"ratio [\d.]+",
        out,
    ), out
    assert re.search(r"without a client: \+[-\d.]+ us per call .*imported: -$", out, re.M), out
