"""Start-up cost of `para-monitor --help` against `python -c "import typer"`, same run.

Target (issue #2): at most 1.5x. Usage: python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def measure(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, capture_output=True, check=False)  # warm the file cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    ours_cmd = [sys.executable, "-m", "para_monitor_cli", "--help"]
    peer_cmd = [sys.executable, "-c", "import typer"]
    base_cmd = [sys.executable, "-c", "pass"]
    # interleave so that machine noise hits both alike
    ours, peer, base = [], [], []
    for _ in range(3):
        ours.append(measure(ours_cmd, args.runs))
        peer.append(measure(peer_cmd, args.runs))
        base.append(measure(base_cmd, args.runs))
    o, p, b = statistics.median(ours), statistics.median(peer), statistics.median(base)
    print(f"python -c pass            {b * 1000:7.1f} ms")
    print(f"python -c 'import typer'  {p * 1000:7.1f} ms")
    print(f"para-monitor --help       {o * 1000:7.1f} ms")
    print(f"ratio --help / import typer: {o / p:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
