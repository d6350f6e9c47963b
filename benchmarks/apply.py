"""How many requests, and how long, plan and apply-alerts take for 10, 100 and 1000 resources.

For each size N (monitors, alerts and dashboards spread over several projects), against the
sandbox over loopback:

* full apply from an empty organization: requests sent, writes (target: one per resource);
* the no-op plan that follows: requests sent, and how many of them are per-resource GETs
  (target: list calls only; Sentry's dashboard list has no widgets, so each dashboard the
  file names costs one detail GET);
* wall time with the sandbox set like Sentry (rate limit 40 requests/s, 25 concurrent, plus a
  fixed latency per request), against the ideal those limits allow for the same number of
  requests: max(requests / 40, requests x latency / 25). Ratio 1.0 is the best possible.

Run: python benchmarks/apply.py [--sizes 10,100,1000] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from para_monitor_cli.api.client import SentryClient
from para_monitor_cli.reconcile.apply import apply_plan
from para_monitor_cli.reconcile.plan import plan
from para_monitor_cli.reconcile.state import desired_resources, read_actual
from para_monitor_cli.sandbox.seed import load_seed
from para_monitor_cli.sandbox.testing import run_sandbox
from para_monitor_cli.spec.check import load_spec

PROJECTS = 4
RATE, WINDOW, CONCURRENT = 40, 1.0, 25


def seed_with_projects(directory: Path) -> Path:
    seed = load_seed(None)
    org = seed["organizations"][0]
    base = org["projects"][0]
    for i in range(1, PROJECTS):
        extra = {k: v for k, v in base.items() if k not in ("keys", "rules", "id")}
        extra.update({"slug": f"bench-{i}", "name": f"bench-{i}"})
        org["projects"].append(extra)
    org["alert_rules"] = []
    for project in org["projects"]:
        project.pop("rules", None)
    path = directory / "seed.yaml"
    path.write_text(yaml.safe_dump(seed), encoding="utf-8")
    return path


def spec_text(n: int, projects: list[str]) -> str:
    monitors, alerts, dashboards = [], [], []
    n_dash = max(1, n // 10)
    n_alert = max(1, (n - n_dash) // 3)
    n_mon = n - n_dash - n_alert
    for i in range(n_mon):
        monitors.append(
            {
                "name": f"errors {i}",
                "project": projects[i % len(projects)],
                "dataset": "events",
                "condition": f"count() > {10 + i}",
                "window": "1h",
            }
        )
    for i in range(n_alert):
        alerts.append(
            {"name": f"alert {i}", "monitors": [f"errors {i % n_mon}"], "actions": ["team"]}
        )
    for i in range(n_dash):
        dashboards.append(
            {
                "title": f"board {i}",
                "widgets": [
                    {
                        "title": "Errors",
                        "display": "line",
                        "dataset": "error-events",
                        "aggregates": ["count()"],
                        "layout": {"x": 0, "y": 0, "w": 3, "h": 2},
                    }
                ],
            }
        )
    doc = {
        "version": 1,
        "project": projects[0],
        "targets": {"team": {"type": "email", "team": "backend"}},
        "monitors": monitors,
        "alerts": alerts,
        "dashboards": dashboards,
    }
    return yaml.safe_dump(doc, sort_keys=False)


class Counter:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []

    def hook(self, request: httpx.Request) -> None:
        self.requests.append((request.method, request.url.path))

    def reset(self) -> None:
        self.requests.clear()

    def summary(self) -> dict[str, int]:
        writes = sum(1 for m, _ in self.requests if m in ("POST", "PUT", "DELETE"))
        detail_gets = sum(
            1 for m, p in self.requests if m == "GET" and p.rstrip("/").split("/")[-1].isdigit()
        )
        return {
            "requests": len(self.requests),
            "writes": writes,
            "detail_gets": detail_gets,
            "list_gets": len(self.requests) - writes - detail_gets,
        }


def run_once(sb: Any, spec_file: Path, counter: Counter) -> tuple[dict[str, int], float, int]:
    spec = load_spec(spec_file)
    http = httpx.Client(event_hooks={"request": [counter.hook]}, timeout=60)
    with SentryClient(http, base_url=sb.url, token=sb.token, org=sb.org) as client:
        started = time.perf_counter()
        actual = read_actual(client, sb.org, spec=spec)
        desired = desired_resources(spec, actual.directory)
        changes = plan(desired, actual.resources)
        if changes.has_drift:
            apply_plan(changes, client, sb.org, actual.directory)
        elapsed = time.perf_counter() - started
    return counter.summary(), elapsed, len(changes.pending)


def ideal(requests: int, latency: float) -> float:
    return max(requests / (RATE / WINDOW), requests * latency / CONCURRENT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        seed = seed_with_projects(Path(tmp))
        with run_sandbox(seed=seed) as sb:
            projects = [sb.project] + [f"bench-{i}" for i in range(1, PROJECTS)]
            print(
                f"sandbox limits: {RATE} requests/{WINDOW:g}s, {CONCURRENT} concurrent, "
                f"latency {args.latency * 1000:.0f} ms per request; {PROJECTS} projects"
            )
            header = (
                f"{'N':>5} {'phase':<14} {'changes':>7} {'requests':>8} {'writes':>6} "
                f"{'list':>5} {'detail':>6} {'wall s':>7} {'ideal s':>7} {'ratio':>6}"
            )
            print(header)
            for n in sizes:
                sb.reset()
                sb.faults.rate_limit("*", limit=RATE, window=WINDOW, concurrent=CONCURRENT)
                sb.faults.latency("*", args.latency)
                spec_file = Path(tmp) / f"spec-{n}.yaml"
                spec_file.write_text(spec_text(n, projects), encoding="utf-8")
                for phase in ("full apply", "no-op plan"):
                    counter = Counter()
                    stats, elapsed, changes = run_once(sb, spec_file, counter)
                    best = ideal(stats["requests"], args.latency)
                    print(
                        f"{n:>5} {phase:<14} {changes:>7} {stats['requests']:>8} "
                        f"{stats['writes']:>6} {stats['list_gets']:>5} {stats['detail_gets']:>6} "
                        f"{elapsed:>7.2f} {best:>7.2f} {elapsed / best:>6.2f}"
                    )


if __name__ == "__main__":
    main()
