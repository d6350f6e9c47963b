"""Start-up cost of every para-monitor sub-command, each as a ratio to `python -c "import typer"`.

WHAT: `para-monitor --help`, every sub-command's `--help`, and the cheapest real run of every
sub-command that needs no network (config, schema, validate of the repository's
alert_rules.yaml, scrub-check of the built-in corpus, check-setup --offline), each a fresh
process; CPU time (user + system) of the process, median of N rounds.

AGAINST WHAT: `python -c "import typer"` (the peer: the least a Typer CLI costs), measured in
the same rounds: each round times the peer, then every path once, so machine noise hits them
alike. `python -c pass` is printed as the floor. The sub-commands whose every run needs Sentry
or a receiver (plan, apply-alerts, export, test-event) or serves until stopped (sandbox, demo)
have their `--help` only; the script says so.

Targets (issue 16): every `--help` at most 1.5x `import typer`; `validate` at most 2x; the
other real runs have no target (they do work: their ratio is what that work costs).
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
# what the offline checks need to pass (the values the demo uses)
CHECK_ENV = {"ENVIRONMENT": "production", "VERSION": "0.1.0"}
# sub-commands with no run that needs no network, and why
NO_OFFLINE_RUN = {
    "plan": "every run reads Sentry",
    "apply-alerts": "every run reads and writes Sentry",
    "export": "every run reads Sentry",
    "test-event": "every run sends to a receiver and reads Sentry",
    "sandbox": "it serves until stopped",
    "demo": "it runs a sandbox and the whole job: seconds of work, not start-up",
}
Path_ = tuple[str, list[str], "float | None", dict[str, str]]


def commands() -> list[str]:
    """The sub-commands, as the CLI lists them (imported here, not in the timed processes)."""
    import typer

    from para_monitor_cli.cli import app

    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return list(group.commands)


def paths(names: list[str]) -> list[Path_]:
    """(label, argv, target ratio or None, extra environment) for every path measured."""
    ours = [sys.executable, "-m", "para_monitor_cli"]
    found: list[Path_] = [("--help", [*ours, "--help"], HELP_TARGET, {})]
    found += [(f"{name} --help", [*ours, name, "--help"], HELP_TARGET, {}) for name in names]
    spec = str(ROOT / "alert_rules.yaml")
    config = ["--config", spec]
    real: dict[str, Path_] = {
        "config": ("config", [*ours, "config", *config], None, {}),
        "schema": ("schema", [*ours, "schema"], None, {}),
        "validate": ("validate alert_rules.yaml", [*ours, "validate", spec], VALIDATE_TARGET, {}),
        "scrub-check": ("scrub-check (corpus)", [*ours, "scrub-check"], None, {}),
        "check-setup": (
            "check-setup --offline",
            [*ours, "check-setup", "--offline", *config],
            None,
            CHECK_ENV,
        ),
    }
    for name in names:
        if name in real:
            found.append(real[name])
        elif name not in NO_OFFLINE_RUN:
            sys.exit(f"sub-command {name!r} is new: add its cheapest offline run to startup.py")
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
    print(" ".join(__doc__.split("\n\n")[1].split()))
    print(" ".join(__doc__.split("\n\n")[2].split()))
    # none of the caller's settings: the same work on every machine
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SENTRY_") and k not in ("ENVIRONMENT", "VERSION")
    }
    names = commands()
    measured = [p for p in paths(names) if args.only is None or p[0] in args.only]
    peer = [sys.executable, "-c", "import typer"]
    base = [sys.executable, "-c", "pass"]
    for cmd in (peer, base):
        once(cmd, env)  # warm the file cache and the bytecode
    for _, cmd, _, extra in measured:
        once(cmd, env | extra)
    # per path: (wall, cpu) of each round, and its ratios to the peer of the same round
    times: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _, _ in measured}
    peer_times: list[tuple[float, float]] = []
    base_times: list[tuple[float, float]] = []
    for _ in range(args.runs):
        peer_times.append(once(peer, env))
        base_times.append(once(base, env))
        for label, cmd, _, extra in measured:
            times[label].append(once(cmd, env | extra))
    print(f"median of {args.runs} rounds")
    report(measured, times, peer_times, base_times)
    for name in names:
        if name in NO_OFFLINE_RUN:
            print(f"{name}: --help only ({NO_OFFLINE_RUN[name]})")


def report(
    measured: list[Path_],
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
    targeted = 0
    for label, _, target, _ in measured:
        wall, cpu = median(times[label], 0), median(times[label], 1)
        rounds = [t[1] / q[1] for t, q in zip(times[label], peer_times, strict=True) if q[1]]
        ratio = cpu / p_cpu
        verdict = "no target"
        if target is not None:
            targeted += 1
            ok = ratio <= target
            missed += [] if ok else [label]
            verdict = f"<= {target}x {'ok' if ok else 'MISSED'}"
        print(
            f"{label:<28} {wall * 1e3:6.1f} ms {cpu * 1e3:6.1f} ms {wall / p_wall:8.2f}x"
            f" {ratio:8.2f}x  {min(rounds):7.2f}x-{max(rounds):5.2f}x  {verdict}"
        )
    print(f"{targeted - len(missed)} of {targeted} paths with a target within it (cpu/peer)")


if __name__ == "__main__":
    main()
