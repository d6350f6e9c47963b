"""Wall time of a full check-setup against the sandbox, and the API requests it made.

    python benchmarks/check_setup.py [--runs N]

The sandbox is seeded, legacy rules are removed and alert_rules.yaml is applied (as in the
demo), then check-setup runs N times. Requests are counted by an httpx event hook on the
client check-setup uses. The peer, measured in the same run: the same number of sequential
GETs of the project detail through a bare httpx.Client; the ratio shows what the checklist
costs over the raw HTTP round trips it needs (the test_error check also waits for Sentry's
1 request/second event-id lookup, so it is reported with and without that check).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from para_monitor_cli.api.client import SentryClient, client_from_settings
from para_monitor_cli.commands.apply import apply_command
from para_monitor_cli.commands.check_setup import CheckSetupOptions, check_setup
from para_monitor_cli.commands.demo import demo_seed
from para_monitor_cli.sandbox.testing import run_sandbox
from para_monitor_cli.settings import resolve

REPO = Path(__file__).resolve().parents[1]


def counted_client(settings: Any, counter: list[int]) -> SentryClient:
    def hook(_request: httpx.Request) -> None:
        counter[0] += 1

    return client_from_settings(
        settings, on_warning=lambda _w: None, event_hooks={"request": [hook]}
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(__import__("tempfile").mkdtemp(prefix="bench-check-setup-"))
    with run_sandbox(seed=demo_seed(tmp)) as sb:
        settings = resolve(
            {
                "url": sb.url,
                "auth_token": sb.token,
                "org": sb.org,
                "project": sb.project,
                "dsn": sb.dsn,
            },
            environ={"ENVIRONMENT": "production", "VERSION": "0.1.0"},
            cwd=tmp,
            home=tmp,
            config=REPO / "alert_rules.yaml",
        )
        setup = client_from_settings(settings, on_warning=lambda _w: None)
        apply_command(settings, client=setup)
        setup.http.close()

        rows = []
        for label, skip in (("full check-setup", ()), ("without test_error", ("test_error",))):
            times, requests = [], []
            for _ in range(args.runs):
                counter = [0]
                client = counted_client(settings, counter)
                started = time.perf_counter()
                report = check_setup(
                    settings, CheckSetupOptions(skip=skip, arrival_timeout=15), client=client
                )
                times.append(time.perf_counter() - started)
                client.http.close()
                requests.append(counter[0])
                assert report.exit_code() == 0, [
                    (r.name, r.summary) for r in report.results if r.status != "passed"
                ]
            rows.append((label, statistics.median(times), statistics.median(requests)))

        # the peer: as many sequential GETs through a bare httpx.Client
        peer_n = int(rows[0][2])
        url = f"{sb.url}api/0/projects/{sb.org}/{sb.project}/"
        headers = {"Authorization": f"Bearer {sb.token}"}
        peer_times = []
        with httpx.Client() as bare:
            for _ in range(args.runs):
                started = time.perf_counter()
                for _ in range(peer_n):
                    bare.get(url, headers=headers).raise_for_status()
                peer_times.append(time.perf_counter() - started)
        peer = statistics.median(peer_times)

    print(f"check-setup against the sandbox, median of {args.runs} runs")
    for label, seconds, count in rows:
        print(
            f"  {label:<22} {seconds * 1000:8.1f} ms  {count:4.0f} API requests  "
            f"{seconds / peer:6.1f}x the peer"
        )
    print(f"  peer: {peer_n} sequential GETs through a bare httpx.Client: {peer * 1000:.1f} ms")


if __name__ == "__main__":
    main()
