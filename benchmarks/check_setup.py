"""check-setup per API request, against a bare httpx client sending the very same requests.

    python benchmarks/check_setup.py [--runs 5]

WHAT: ``check_setup()`` (the Monitoring Checklist) against the sandbox, run in its own process
and set up as the demo does (current-API seed, one event in the spec's environment,
alert_rules.yaml applied). Every API request check-setup makes is recorded (method, URL,
headers, body) by an httpx event hook, with the most it had in flight at once.

AGAINST WHAT: the peer replays exactly those recorded requests (the same count, the same
bodies) through one bare ``httpx.Client``, with as many in flight as check-setup had (a thread
pool of that size), and does nothing with the answers. Both sides are normalised per request
made: wall milliseconds per request, and CPU milliseconds per request of this process (the
sandbox's CPU is its own process's, so it counts on neither side). The ratio ours/peer is the
price of the checklist's own work over the bare round trips it needs (1.0 would be free).

Two selections: every check except test_error, and the full checklist. test_error sends an
event through sentry-sdk (not an API request) and polls for its arrival, waiting on Sentry's
one-lookup-per-second pace: its wall time is mostly waiting, so its row is shown for
completeness and the first row is the like-for-like figure.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

# run as ``python benchmarks/check_setup.py``: this folder is first on sys.path
from peers import Server, sandbox_server

from para_monitor_cli.api.client import client_from_settings
from para_monitor_cli.commands.apply import apply_command
from para_monitor_cli.commands.check_setup import CheckSetupOptions, check_setup
from para_monitor_cli.commands.demo import demo_seed
from para_monitor_cli.settings import Settings, resolve

REPO = Path(__file__).resolve().parents[1]
ENVIRONMENT, VERSION = "production", "0.1.0"


@dataclass
class Recorder:
    """Every request a client sends, and the most in flight at once."""

    requests: list[tuple[str, str, list[tuple[str, str]], bytes]] = field(default_factory=list)
    in_flight: int = 0
    most: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_request(self, request: httpx.Request) -> None:
        with self.lock:
            self.requests.append(
                (
                    request.method,
                    str(request.url),
                    list(request.headers.multi_items()),
                    request.read(),
                )
            )
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)

    def on_response(self, _response: httpx.Response) -> None:
        with self.lock:
            self.in_flight -= 1


def send_environment_event(server: Server) -> None:
    """One event in the spec's environment: Sentry refuses a monitor on an environment the
    organization has not seen yet (the demo sends its test event first for the same reason)."""
    info = server.info
    key = info["dsn"].split("//", 1)[1].split("@", 1)[0]
    event_id = uuid.uuid4().hex
    payload = json.dumps(
        {
            "event_id": event_id,
            "level": "error",
            "platform": "python",
            "environment": ENVIRONMENT,
            "release": VERSION,
            "message": "check-setup benchmark: environment seen",
        }
    ).encode()
    body = b"\n".join(
        [
            json.dumps({"event_id": event_id}).encode(),
            json.dumps({"type": "event", "length": len(payload)}).encode(),
            payload,
        ]
    )
    response = httpx.post(
        f"{server.base}/api/{info['projectId']}/envelope/?sentry_key={key}",
        content=body,
        headers={"Content-Type": "application/x-sentry-envelope"},
    )
    response.raise_for_status()


def settings_for(server: Server, home: Path) -> Settings:
    info = server.info
    return resolve(
        {
            "url": info["url"],
            "auth_token": info["token"],
            "org": info["org"],
            "project": info["project"],
            "dsn": info["dsn"],
        },
        environ={"ENVIRONMENT": ENVIRONMENT, "VERSION": VERSION},
        cwd=home,
        home=home,
        config=REPO / "alert_rules.yaml",
    )


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)

    def per_request_ms(self, count: int) -> tuple[float, float]:
        return (
            statistics.median(self.wall) / count * 1000,
            statistics.median(self.cpu) / count * 1000,
        )


def ours(settings: Settings, options: CheckSetupOptions, runs: int) -> tuple[Timing, Recorder]:
    """``runs`` timed runs after one untimed (the first run imports the checks' modules)."""
    timing, last = Timing(), Recorder()
    for run in range(runs + 1):
        recorder = Recorder()
        client = client_from_settings(
            settings,
            on_warning=lambda _w: None,
            event_hooks={"request": [recorder.on_request], "response": [recorder.on_response]},
        )
        wall, cpu = time.perf_counter(), time.process_time()
        report = check_setup(settings, options, client=client)
        if run:
            timing.add(time.perf_counter() - wall, time.process_time() - cpu)
        client.http.close()
        failed = [(r.name, r.summary) for r in report.results if r.status != "passed"]
        if report.exit_code() != 0:
            raise SystemExit(f"check-setup did not pass against the sandbox: {failed}")
        last = recorder
    return timing, last


def peer(recorded: Recorder, runs: int) -> Timing:
    """The recorded requests again, through a bare client, as many in flight as recorded."""
    timing = Timing()
    workers = max(recorded.most, 1)
    with httpx.Client(timeout=60) as bare, ThreadPoolExecutor(workers) as pool:

        def send(request: tuple[str, str, list[tuple[str, str]], bytes]) -> int:
            method, url, headers, body = request
            return bare.request(method, url, headers=headers, content=body or None).status_code

        for _ in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            statuses = list(pool.map(send, recorded.requests))
            timing.add(time.perf_counter() - wall, time.process_time() - cpu)
            if any(status >= 500 for status in statuses):
                raise SystemExit(f"the replay got server errors: {sorted(set(statuses))}")
    return timing


def run_each_job_once(server: Server, settings: Settings) -> None:
    """One ok run of each background job of the file, as the demo does (its check-ins)."""
    from para_monitor_cli.probe.checkin import send_check_ins
    from para_monitor_cli.spec import load_spec

    for cron in load_spec(settings.config).crons:
        send_check_ins(
            server.info["dsn"],
            cron.monitor_slug,
            rules=settings.config,
            environment=cron.environment or settings.environment,
            version=settings.version,
            send_timeout=10.0,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each side (5)")
    args = parser.parse_args()
    print(" ".join(__doc__.split("\n\n")[2].split()))
    print(" ".join(__doc__.split("\n\n")[3].split()))
    with tempfile.TemporaryDirectory(prefix="bench-check-setup-") as tmp:
        home = Path(tmp)
        with sandbox_server(secrets.token_hex(16), seed=demo_seed(home)) as server:
            send_environment_event(server)
            settings = settings_for(server, home)
            setup = client_from_settings(settings, on_warning=lambda _w: None)
            apply_command(settings, client=setup)
            setup.http.close()
            run_each_job_once(server, settings)
            print(
                f"median of {args.runs} runs per side; per request: wall ms, CPU ms (this process)"
            )
            header = (
                f"{'selection':<22} {'requests':>8} {'in flight':>9} {'ours wall':>9} "
                f"{'peer wall':>9} {'ratio':>6} {'ours cpu':>9} {'peer cpu':>9} {'ratio':>6}"
            )
            print(header)
            offline, _ = ours(settings, CheckSetupOptions(offline=True), args.runs)
            local_wall = statistics.median(offline.wall) * 1000
            local_cpu = statistics.median(offline.cpu) * 1000
            for label, skip in (
                ("all but test_error", ("test_error",)),
                ("full check-setup", ()),
            ):
                options = CheckSetupOptions(skip=skip, arrival_timeout=30)
                timing, recorded = ours(settings, options, args.runs)
                count = len(recorded.requests)
                replay = peer(recorded, args.runs)
                o_wall, o_cpu = timing.per_request_ms(count)
                p_wall, p_cpu = replay.per_request_ms(count)
                print(
                    f"{label:<22} {count:>4}/{count:<3} {recorded.most:>9} {o_wall:>9.2f} "
                    f"{p_wall:>9.2f} {o_wall / p_wall:>5.1f}x {o_cpu:>9.2f} {p_cpu:>9.2f} "
                    f"{o_cpu / p_cpu:>5.1f}x"
                )
            print(
                f"of which the local checks alone (check-setup --offline, no request, run "
                f"concurrently with the API checks in the rows above): "
                f"{local_wall:.1f} ms wall, {local_cpu:.1f} ms CPU per run"
            )
    print("requests: ours/peer (the peer sends the same requests, so the counts are equal)")


if __name__ == "__main__":
    main()
