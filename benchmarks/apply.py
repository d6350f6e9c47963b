"""How many requests, and how long, plan and apply-alerts take for 10, 100 and 1000 resources.

WHAT: for each size N (monitors, alerts and dashboards spread over several projects), against
the sandbox over loopback:

* full apply from an empty organization: requests sent, writes (target: one per resource);
* the no-op plan that follows: requests sent, and how many of them are per-resource GETs
  (target: list calls only; Sentry's dashboard list has no widgets, so each dashboard the
  file names costs one detail GET);
* wall time with the sandbox set like Sentry (rate limit 40 requests a second in fixed windows
  aligned to the epoch, 25 in flight, plus a fixed latency per admitted request).

AGAINST WHAT, two figures per row:

* ``bound``: a TRUE lower bound for the requests the run had admitted (A, the 429s left out:
  the sandbox answers them at once and they use no window slot). Every admitted request takes
  at least the latency L and at most 25 are in flight: ceil(A / 25) x L. At most 40 are
  admitted per window and the windows are fixed, so A requests touch k = ceil(A / 40) windows,
  the first admitted anywhere in its window, the last no earlier than the start of the k-th:
  (k - 2) x 1 s + L. The bound is the larger of the two, so ``wall / bound`` is >= 1 at every
  size (the old "ideal", A / 40, was not a bound below 80 requests: a burst of 40 fits in one
  window, hence ratios of 0.69);
* ``replay``: the measured floor of a client with nothing to decide: the same requests
  (method, path, body) sent again through a bare httpx.Client by 25 threads, no ordering
  between them, each 429 retried when its window resets, against the same sandbox limits
  (the no-op plan's GETs in the state they read, the apply's requests after a reset to the
  same empty organization; what each answered is counted and printed).

Run: python benchmarks/apply.py [--sizes 10,100,1000] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import threading
import time
from collections import Counter as Tally
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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


Recorded = tuple[str, str, bytes]


class Counter:
    """Every request the client sends (method, URL, body) and how many answered 429."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.limited = 0
        self._lock = threading.Lock()

    def hook(self, request: httpx.Request) -> None:
        with self._lock:
            self.requests.append((request.method, str(request.url), request.read()))

    def on_response(self, response: httpx.Response) -> None:
        if response.status_code == 429:
            with self._lock:
                self.limited += 1

    def summary(self) -> dict[str, int]:
        paths = [(m, httpx.URL(u).path) for m, u, _ in self.requests]
        writes = sum(1 for m, _ in paths if m in ("POST", "PUT", "DELETE"))
        detail_gets = sum(
            1 for m, p in paths if m == "GET" and p.rstrip("/").split("/")[-1].isdigit()
        )
        return {
            "requests": len(self.requests),
            "admitted": len(self.requests) - self.limited,
            "writes": writes,
            "detail_gets": detail_gets,
            "list_gets": len(self.requests) - writes - detail_gets,
        }


def run_once(sb: Any, spec_file: Path, counter: Counter) -> tuple[dict[str, int], float, int]:
    spec = load_spec(spec_file)
    hooks: dict[str, list[Callable[..., Any]]] = {
        "request": [counter.hook],
        "response": [counter.on_response],
    }
    http = httpx.Client(event_hooks=hooks, timeout=60)
    with SentryClient(http, base_url=sb.url, token=sb.token, org=sb.org) as client:
        started = time.perf_counter()
        actual = read_actual(client, sb.org, spec=spec)
        desired = desired_resources(spec, actual.directory)
        changes = plan(desired, actual.resources)
        if changes.has_drift:
            apply_plan(changes, client, sb.org, actual.directory)
        elapsed = time.perf_counter() - started
    return counter.summary(), elapsed, len(changes.pending)


def bound(admitted: int, latency: float) -> float:
    """The least time ``admitted`` requests can take under the sandbox's limits (see the
    module docstring): the latency per wave of CONCURRENT, or the fixed windows they span.

    The windows are fixed and aligned to the epoch as in Sentry's limiter
    (RedisRateLimiter in src/sentry/ratelimits/redis.py buckets requests by
    ``int(time() / window)``), which the sandbox's faults.py follows."""
    if admitted == 0:
        return 0.0
    waves = math.ceil(admitted / CONCURRENT) * latency
    windows = max(math.ceil(admitted / RATE) - 2, 0) * WINDOW + latency
    return max(waves, windows)


def replay(requests: list[Recorded], token: str) -> tuple[float, Tally[int]]:
    """The recorded requests again through a bare client, CONCURRENT at a time in no order,
    each 429 retried once its window resets; (seconds, final statuses)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(headers=headers, timeout=60) as bare:

        def send(request: Recorded) -> int:
            method, url, body = request
            while True:
                response = bare.request(method, url, content=body or None)
                if response.status_code != 429:
                    return response.status_code
                reset = float(response.headers.get("X-Sentry-Rate-Limit-Reset", time.time()))
                time.sleep(max(reset - time.time(), 0.0) + 0.001)

        with ThreadPoolExecutor(CONCURRENT) as pool:
            started = time.perf_counter()
            statuses = Tally(pool.map(send, requests))
            return time.perf_counter() - started, statuses


def limits(sb: Any, latency: float) -> None:
    """Sentry's limits with fresh counters, then wait for a window to open: every timed run
    (ours and the replays) starts at the same point of a window, with all of it to use."""
    sb.faults.clear()
    sb.faults.rate_limit("*", limit=RATE, window=WINDOW, concurrent=CONCURRENT)
    sb.faults.latency("*", latency)
    now = time.time()
    time.sleep(math.floor(now / WINDOW + 1) * WINDOW - now + 0.001)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        "WHAT: plan + apply-alerts (full apply from empty, then the no-op plan) against the "
        "sandbox with Sentry's limits. AGAINST WHAT: the true lower bound those limits allow "
        "for the same admitted requests (ratio >= 1 by construction), and the same requests "
        "replayed bare and unordered at the same concurrency (a measured floor)."
    )
    with tempfile.TemporaryDirectory() as tmp:
        seed = seed_with_projects(Path(tmp))
        with run_sandbox(seed=seed) as sb:
            projects = [sb.project] + [f"bench-{i}" for i in range(1, PROJECTS)]
            print(
                f"sandbox limits: {RATE} requests/{WINDOW:g}s, {CONCURRENT} concurrent, "
                f"latency {args.latency * 1000:.0f} ms per request; {PROJECTS} projects"
            )
            header = (
                f"{'N':>5} {'phase':<14} {'changes':>7} {'requests':>8} {'429':>4} "
                f"{'writes':>6} {'list':>5} {'detail':>6} {'wall s':>7} {'bound s':>7} "
                f"{'/bound':>6} {'replay s':>8} {'/replay':>7}  replay statuses"
            )
            print(header)
            for n in sizes:
                sb.reset()
                spec_file = Path(tmp) / f"spec-{n}.yaml"
                spec_file.write_text(spec_text(n, projects), encoding="utf-8")
                rows = []
                for phase in ("full apply", "no-op plan"):
                    limits(sb, args.latency)
                    counter = Counter()
                    stats, elapsed, changes = run_once(sb, spec_file, counter)
                    rows.append((phase, counter, stats, elapsed, changes))
                # the no-op plan's reads in the state they read; the apply's from empty again
                limits(sb, args.latency)
                replays = {"no-op plan": replay(rows[1][1].requests, sb.token)}
                sb.reset()
                limits(sb, args.latency)
                replays["full apply"] = replay(rows[0][1].requests, sb.token)
                for phase, _, stats, elapsed, changes in rows:
                    least = bound(stats["admitted"], args.latency)
                    again, statuses = replays[phase]
                    seen = " ".join(f"{code}x{count}" for code, count in sorted(statuses.items()))
                    print(
                        f"{n:>5} {phase:<14} {changes:>7} {stats['requests']:>8} "
                        f"{stats['requests'] - stats['admitted']:>4} {stats['writes']:>6} "
                        f"{stats['list_gets']:>5} {stats['detail_gets']:>6} {elapsed:>7.2f} "
                        f"{least:>7.2f} {elapsed / least:>5.2f}x {again:>8.2f} "
                        f"{elapsed / again:>6.2f}x  {seen}"
                    )
            print(
                "/bound: wall over the true lower bound (>= 1 by construction); /replay: wall "
                "over the same requests sent bare, unordered (a measured floor, not a bound)"
            )


if __name__ == "__main__":
    main()
