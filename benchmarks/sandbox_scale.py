"""The sandbox at scale: list pages, a no-op plan, and the sandbox's memory, with 3,000 resources.

    python benchmarks/sandbox_scale.py [--resources 3000] [--small 30] [--events 5000]
                                       [--distinct 500] [--size 50000] [--pages 10]

What it does, against ONE sandbox run as its own process (``para-monitor sandbox --data DIR``,
so its peak RSS is its own, read from /proc/PID/status VmHWM at the end):

1. ``apply-alerts`` (the real CLI) with a spec of ``--small`` resources, then the no-op ``plan``
   of that spec, timed (T_small);
2. ``apply-alerts`` of ``--resources`` more resources (monitors + alerts + dashboards over 4
   projects, benchmarks/apply.py's mix), then their no-op ``plan``, timed (T_big). The CLI reads
   at most 20,000 YAML values per file (spec/loader.py), about 1,500 resources of this shape, so
   the big set is written as files of ``--chunk`` resources and T_big sums their plans (each
   plan reads every list of the organization);
3. ``--events`` realistic ~``--size`` byte error events (benchmarks/realistic_events.py: made by
   the real sentry-sdk; ``--distinct`` of them are generated and each is sent several times
   under a new event id, which keeps generation time down) posted to the envelope endpoint;
4. every list page the client reads (detectors, workflows, dashboards, a project's events)
   walked by following the ``Link: rel="next"`` header, at most ``--pages`` pages each, each page
   fetched 3 times (the median counts); the script prints first, median and worst page times.

What it compares: target 1 is the worst list page against 100 ms; target 2 is T_big against
the sum over files of 2 x (T_small + the extra requests that file's plan must send x the
median time of such a request), the extra requests counted from the list sizes (one per extra
page of 100) plus one dashboard detail GET per extra dashboard of the file (Sentry's dashboard
list carries no widgets); target 3
is the sandbox's peak RSS against 150 MB. The client's own time is inside T_big and T_small (the
same CLI both times).
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import yaml
from apply import seed_with_projects  # benchmarks/apply.py: the same four projects
from realistic_events import envelope_of, events

PAGE = 100


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli() -> list[str]:
    # this interpreter, so that PYTHONPATH picks the checkout measured (e.g. main's, for "before")
    return [sys.executable, "-m", "para_monitor_cli"]


class Sandbox:
    """``para-monitor sandbox`` in a child process, with what a client needs to reach it."""

    def __init__(self, directory: Path) -> None:
        self.seed = seed_with_projects(directory)
        self.token = "sntrys_bench_" + secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process = subprocess.Popen(
            [
                *cli(),
                "sandbox",
                "--port",
                str(self.port),
                "--data",
                str(directory / "data"),
                "--seed",
                str(self.seed),
                "--auth-token",
                self.token,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.http = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=600
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self.http.get("/api/0/").raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the sandbox did not start") from None
                time.sleep(0.2)
        orgs = self.http.get("/api/0/organizations/").json()
        self.org = orgs[0]["slug"]
        projects = self.http.get(f"/api/0/organizations/{self.org}/projects/").json()
        self.projects = [p["slug"] for p in projects]
        self.project = self.projects[0]

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SENTRY_URL": self.url,
            "SENTRY_AUTH_TOKEN": self.token,
            "SENTRY_ORG": self.org,
            "SENTRY_PROJECT": self.project,
        }

    def run(self, *args: str) -> float:
        started = time.perf_counter()
        done = subprocess.run(
            [*cli(), *args], env=self.env(), capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter() - started
        if done.returncode not in (0,):
            sys.exit(f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-2000:]}")
        return elapsed

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="ascii")
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.http.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def send_events(sb: Sandbox, count: int, distinct: int, size: int) -> float:
    keys = sb.http.get(f"/api/0/projects/{sb.org}/{sb.project}/keys/").json()
    public = keys[0]["public"]
    project_id = keys[0]["projectId"]
    made = events(min(distinct, count), size)
    rng = random.Random(5)
    started = time.perf_counter()
    with httpx.Client(base_url=sb.url, timeout=60) as http:
        for index in range(count):
            event = dict(made[index % len(made)])
            event["event_id"] = uuid.UUID(int=rng.getrandbits(128)).hex
            response = http.post(
                f"/api/{project_id}/envelope/",
                content=gzip.compress(envelope_of(event), 1),
                headers={
                    "Content-Encoding": "gzip",
                    "X-Sentry-Auth": f"Sentry sentry_version=7, sentry_key={public}",
                },
            )
            response.raise_for_status()
    return time.perf_counter() - started


def walk(sb: Sandbox, path: str, pages: int) -> tuple[list[float], int]:
    """Page times (median of 3 fetches each) following rel="next", and the items seen."""
    times: list[float] = []
    url: str | None = path
    seen = 0
    while url and len(times) < pages:
        samples = []
        for _ in range(3):
            started = time.perf_counter()
            response = sb.http.get(url)
            samples.append(time.perf_counter() - started)
            response.raise_for_status()
        times.append(statistics.median(samples))
        seen += len(response.json())
        nxt = response.links.get("next") or {}
        url = nxt.get("url") if nxt.get("results") == "true" else None
    return times, seen


def counts(n: int) -> dict[str, int]:
    """Monitors, alerts, dashboards in a spec of ``n`` resources (benchmarks/apply.py's mix)."""
    dashboards = max(1, n // 10)
    alerts = max(1, (n - dashboards) // 3)
    return {"detectors": n - dashboards - alerts, "workflows": alerts, "dashboards": dashboards}


def spec_text(n: int, projects: list[str], prefix: str) -> str:
    """benchmarks/apply.py's spec shape, names prefixed so that several files do not overlap."""
    size = counts(n)
    monitors = [
        {
            "name": f"{prefix}errors {i}",
            "project": projects[i % len(projects)],
            "condition": f"count() > {10 + i}",
            "window": "1h",
        }
        for i in range(size["detectors"])
    ]
    alerts = [
        {
            "name": f"{prefix}alert {i}",
            "monitors": [f"{prefix}errors {i % size['detectors']}"],
            "actions": ["team"],
        }
        for i in range(size["workflows"])
    ]
    widget = {
        "title": "Errors",
        "display": "line",
        "dataset": "error-events",
        "aggregates": ["count()"],
    }
    boards = [
        {"title": f"{prefix}board {i}", "widgets": [widget]} for i in range(size["dashboards"])
    ]
    doc = {
        "version": 1,
        "project": projects[0],
        "targets": {"team": {"type": "email", "team": "backend"}},
        "monitors": monitors,
        "alerts": alerts,
        "dashboards": boards,
    }
    return yaml.safe_dump(doc, sort_keys=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=3000)
    parser.add_argument("--small", type=int, default=30)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--distinct", type=int, default=500)
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--chunk", type=int, default=1500, help="resources per spec file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sb = Sandbox(Path(tmp))
        try:
            small = Path(tmp) / "small.yaml"
            small.write_text(spec_text(args.small, sb.projects, "s "), encoding="utf-8")
            # the CLI reads at most 20,000 YAML values per file (spec/loader.py MAX_NODES):
            # the big organization is applied, and planned, as files of --chunk resources
            chunks = []
            for start in range(0, args.resources, args.chunk):
                part = Path(tmp) / f"big-{start}.yaml"
                size = min(args.chunk, args.resources - start)
                part.write_text(spec_text(size, sb.projects, f"b{start} "), encoding="utf-8")
                chunks.append((part, size))
            sb.run("apply-alerts", "--yes", "--config", str(small))
            t_small = min(sb.run("plan", "--config", str(small)) for _ in range(3))
            t_apply = sum(sb.run("apply-alerts", "--yes", "--config", str(p)) for p, _ in chunks)
            print(
                f"apply-alerts of {args.resources} resources ({len(chunks)} files): {t_apply:.1f} s"
            )
            t_big = sum(sb.run("plan", "--config", str(p)) for p, _ in chunks)
            t_events = send_events(sb, args.events, args.distinct, args.size)
            print(
                f"{args.events} events of ~{args.size} bytes ({args.distinct} distinct) "
                f"posted in {t_events:.1f} s ({args.events / t_events:.0f}/s)"
            )
            lists = {
                "detectors": f"/api/0/organizations/{sb.org}/detectors/",
                "workflows": f"/api/0/organizations/{sb.org}/workflows/",
                "dashboards": f"/api/0/organizations/{sb.org}/dashboards/",
                "events": f"/api/0/projects/{sb.org}/{sb.project}/events/",
                "detectors?query": f"/api/0/organizations/{sb.org}/detectors/?query=errors",
            }
            all_pages: list[float] = []
            print(
                f"{'list':<16} {'pages':>5} {'items':>6} {'first ms':>8} {'median':>7} {'worst':>7}"
            )
            for name, path in lists.items():
                times, seen = walk(sb, path, args.pages)
                all_pages += times
                print(
                    f"{name:<16} {len(times):>5} {seen:>6} {times[0] * 1000:>8.1f} "
                    f"{statistics.median(times) * 1000:>7.1f} {max(times) * 1000:>7.1f}"
                )
            page_cost = statistics.median(all_pages)
            board = sb.http.get(f"/api/0/organizations/{sb.org}/dashboards/").json()[-1]["id"]
            started = time.perf_counter()
            for _ in range(5):
                sb.http.get(f"/api/0/organizations/{sb.org}/dashboards/{board}/")
            detail_cost = (time.perf_counter() - started) / 5
            # each chunk's plan reads every list of the whole organization, and GETs each of
            # its own dashboards (Sentry's dashboard list carries no widgets)
            few, total = counts(args.small), counts(args.resources + args.small)
            extra_pages = sum(math.ceil(total[k] / PAGE) - math.ceil(few[k] / PAGE) for k in few)
            allowed = sum(
                2
                * (
                    t_small
                    + extra_pages * page_cost
                    + (counts(size)["dashboards"] - few["dashboards"]) * detail_cost
                )
                for _, size in chunks
            )
            # the same budget with every extra page at the 100 ms page target (a slow list
            # page would otherwise widen its own allowance)
            strict = sum(
                2
                * (
                    t_small
                    + extra_pages * min(page_cost, 0.1)
                    + (counts(size)["dashboards"] - few["dashboards"]) * detail_cost
                )
                for _, size in chunks
            )
            rss = sb.peak_rss_mb()
            worst = max(all_pages) * 1000
            print(
                f"target 1, list pages: worst {worst:.1f} ms (target < 100 ms): "
                f"{'met' if worst < 100 else 'NOT met'}"
            )
            print(
                f"target 2, no-op plan: {args.resources} resources ({len(chunks)} files) "
                f"{t_big:.2f} s; {args.small} resources {t_small:.2f} s; per file: extra "
                f"{extra_pages} list pages x {page_cost * 1000:.1f} ms + its extra dashboard "
                f"GETs x {detail_cost * 1000:.1f} ms; allowed 2 x that, summed = "
                f"{allowed:.2f} s: "
                f"{'met' if t_big <= allowed else 'NOT met'} (ratio {t_big / allowed * 2:.2f} "
                "of the 1x budget)"
            )
            print(
                f"  with pages at most 100 ms: allowed {strict:.2f} s: "
                f"{'met' if t_big <= strict else 'NOT met'}"
            )
            print(
                f"target 3, sandbox peak RSS: {rss:.0f} MB (target < 150 MB): "
                f"{'met' if rss < 150 else 'NOT met'}"
            )
        finally:
            sb.stop()


if __name__ == "__main__":
    main()
