"""Start-up cost of every para-monitor path, each as a ratio to `python -c "import typer"`.

Measured interleaved in one run: each round times the peer, then every path once, so machine
noise hits them alike. Paths: `para-monitor --help`, every sub-command's `--help`, and
`para-monitor validate` of the repository's alert_rules.yaml.

Targets (issue 16): every `--help` at most 1.5x `import typer`; `validate` at most 2x.
Usage: python benchmarks/startup.py [--runs N] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELP_TARGET = 1.5
VALIDATE_TARGET = 2.0


def commands() -> list[str]:
    """The sub-commands, as the CLI lists them (imported here, not in the timed processes)."""
    import typer

    from para_monitor_cli.cli import app

    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return list(group.commands)


def paths() -> list[tuple[str, list[str], float]]:
    """(label, argv after the interpreter, target ratio) for every path measured."""
    ours = [sys.executable, "-m", "para_monitor_cli"]
    found = [("--help", [*ours, "--help"], HELP_TARGET)]
    found += [(f"{name} --help", [*ours, name, "--help"], HELP_TARGET) for name in commands()]
    spec = str(ROOT / "alert_rules.yaml")
    found.append(("validate alert_rules.yaml", [*ours, "validate", spec], VALIDATE_TARGET))
    return found


def once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, check=False, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=12, help="rounds (default 12)")
    parser.add_argument("--only", nargs="*", default=None, help="labels to measure")
    args = parser.parse_args()
    # no SENTRY_* settings from the caller's environment: the same work on every machine
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    measured = [p for p in paths() if args.only is None or p[0] in args.only]
    peer = [sys.executable, "-c", "import typer"]
    base = [sys.executable, "-c", "pass"]
    for cmd in (peer, base, *(c for _, c, _ in measured)):
        once(cmd, env)  # warm the file cache and the bytecode
    # per path: (wall, cpu) of each round, and its ratios to the peer of the same round
    times: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in measured}
    peer_times: list[tuple[float, float]] = []
    base_times: list[tuple[float, float]] = []
    for _ in range(args.runs):
        peer_times.append(once(peer, env))
        base_times.append(once(base, env))
        for label, cmd, _ in measured:
            times[label].append(once(cmd, env))
    report(measured, times, peer_times, base_times)


def report(
    measured: list[tuple[str, list[str], float]],
    times: dict[str, list[tuple[float, float]]],
    peer_times: list[tuple[float, float]],
    base_times: list[tuple[float, float]],
) -> None:
    """Medians, ratios to the peer (CPU time decides: it is what the start-up costs; wall
    time on a shared machine mostly measures the other processes) and per-round ranges."""

    def median(values: list[tuple[float, float]], index: int) -> float:
        return statistics.median(v[index] for v in values)

    p_wall, p_cpu = median(peer_times, 0), median(peer_times, 1)
    print(f"{'':<28} {'wall':>9} {'cpu':>9}")
    b_wall, b_cpu = median(base_times, 0), median(base_times, 1)
    print(f"{'python -c pass':<28} {b_wall * 1e3:6.1f} ms {b_cpu * 1e3:6.1f} ms")
    print(f"{'python -c import typer':<28} {p_wall * 1e3:6.1f} ms {p_cpu * 1e3:6.1f} ms  (peer)")
    print(
        f"{'path':<28} {'wall':>9} {'cpu':>9} {'wall/peer':>9} {'cpu/peer':>9}"
        f"  {'cpu/peer per round':>18}  target"
    )
    missed = []
    for label, _, target in measured:
        wall, cpu = median(times[label], 0), median(times[label], 1)
        rounds = [t[1] / q[1] for t, q in zip(times[label], peer_times, strict=True) if q[1]]
        ratio = cpu / p_cpu
        ok = ratio <= target
        missed += [] if ok else [label]
        print(
            f"{label:<28} {wall * 1e3:6.1f} ms {cpu * 1e3:6.1f} ms {wall / p_wall:8.2f}x"
            f" {ratio:8.2f}x  {min(rounds):7.2f}x-{max(rounds):5.2f}x"
            f"  <= {target}x {'ok' if ok else 'MISSED'}"
        )
    print(f"{len(measured) - len(missed)} of {len(measured)} paths within their target (cpu/peer)")


if __name__ == "__main__":
    main()
