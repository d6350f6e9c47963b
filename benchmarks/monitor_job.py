"""What ``monitor_job`` costs a job, against sentry-sdk's own ``monitor`` decorator.

    python benchmarks/monitor_job.py [--rounds 15] [--calls 2000]

WHAT: ``para_monitor_cli.runtime.monitor_job("weekly-review")`` around an empty job (so only
the monitoring is measured), in two set-ups. With an SDK client (a transport that serialises
each envelope and drops it, as the overhead benchmark does): each run sends in_progress and ok
check-ins carrying the schedule read from a small alert_rules.yaml (parsed on the first run,
then kept while the file is unchanged). Without a client (no DSN, the backend in
development), in a fresh interpreter where sentry-sdk was never imported: the microseconds
added per call, and whether sentry_sdk, yaml or pydantic were imported (they must not be).

AGAINST WHAT: with a client, ``sentry_sdk.monitor(monitor_slug=..., monitor_config=...)`` given
the same config by hand, in the same process, interleaved over the same rounds (CPU time of
this process); the ratio ours/theirs is the price of reading the config from the file and of
never letting monitoring fail the job (target: at most 1.5). Without a client, the same job
undecorated (target: under 5 us added per call). Medians over rounds, with the IQR.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

RULES = """\
version: 1
crons:
  - name: Weekly review generation
    slug: weekly-review
    schedule: "0 6 * * 1"
    timezone: Europe/Berlin
    checkin_margin: 15m
    max_runtime: 1h
"""
CONFIG = {
    "schedule": {"type": "crontab", "value": "0 6 * * 1"},
    "checkin_margin": 15,
    "max_runtime": 60,
    "timezone": "Europe/Berlin",
}
RATIO_TARGET = 1.5
NO_CLIENT_TARGET_US = 5.0


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(values, n=4)
    return q[0], statistics.median(values), q[2]


def with_client(rounds: int, calls: int) -> tuple[list[float], list[float]]:
    import sentry_sdk
    from sentry_sdk.envelope import Envelope
    from sentry_sdk.transport import Transport

    from para_monitor_cli.runtime import monitor_job

    class Serialising(Transport):
        def capture_envelope(self, envelope: Envelope) -> None:
            envelope.serialize()

    sentry_sdk.init(
        dsn="https://k@o1.ingest.sentry.io/1",
        transport=Serialising,
        default_integrations=False,
    )

    @monitor_job("weekly-review")
    def ours() -> None:
        pass

    @sentry_sdk.monitor(monitor_slug="weekly-review", monitor_config=CONFIG)  # type: ignore[arg-type]
    def theirs() -> None:
        pass

    for _ in range(200):  # warm both (our first call reads the file)
        ours()
        theirs()
    ours_t: list[float] = []
    theirs_t: list[float] = []
    for r in range(rounds):
        order: list[tuple[Any, list[float]]] = [(ours, ours_t), (theirs, theirs_t)]
        if r % 2:
            order.reverse()
        for fn, out in order:
            start = time.process_time()
            for _ in range(calls):
                fn()
            out.append((time.process_time() - start) / calls)
    sentry_sdk.get_client().close()
    return ours_t, theirs_t


NO_CLIENT = textwrap.dedent(
    """
    import statistics, sys, time
    from para_monitor_cli.runtime import monitor_job

    @monitor_job("weekly-review")
    def ours():
        pass

    def plain():
        pass

    rounds, calls = int(sys.argv[1]), int(sys.argv[2])
    added = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(calls):
            ours()
        mid = time.process_time()
        for _ in range(calls):
            plain()
        end = time.process_time()
        added.append(((mid - start) - (end - mid)) / calls * 1e6)
    q = statistics.quantiles(added, n=4)
    loaded = [m for m in ("sentry_sdk", "yaml", "pydantic") if m in sys.modules]
    print(q[0], statistics.median(added), q[2], ",".join(loaded) or "-")
    """
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    print(" ".join(__doc__.split("\n\n")[2].split()))
    print(" ".join(__doc__.split("\n\n")[3].split()))
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "alert_rules.yaml"
        rules.write_text(RULES, encoding="utf-8")
        import os

        os.environ["PARA_MONITOR_CONFIG"] = str(rules)
        ours_t, theirs_t = with_client(args.rounds, args.calls)
        ratios = [o / t for o, t in zip(ours_t, theirs_t, strict=True)]
        lo, med, hi = _quartiles(ratios)
        _, ours_med, _ = _quartiles(ours_t)
        _, theirs_med, _ = _quartiles(theirs_t)
        print(
            f"with a client: monitor_job {ours_med * 1e6:.1f} us/run, sentry_sdk.monitor "
            f"{theirs_med * 1e6:.1f} us/run; ratio {med:.2f} (IQR {lo:.2f}-{hi:.2f}), "
            f"target <= {RATIO_TARGET}"
        )
        done = subprocess.run(
            [sys.executable, "-c", NO_CLIENT, str(args.rounds), str(args.calls * 10)],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp,
        )
        q1, q2, q3, loaded = done.stdout.split()
        print(
            f"without a client: +{float(q2):.2f} us per call "
            f"(IQR {float(q1):.2f}-{float(q3):.2f}), target < {NO_CLIENT_TARGET_US} us; "
            f"imported: {loaded}"
        )
        ok = med <= RATIO_TARGET and float(q2) < NO_CLIENT_TARGET_US and loaded == "-"
    print("OK" if ok else "OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
