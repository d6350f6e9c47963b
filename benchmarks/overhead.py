"""What our scrubbing hooks add to a FastAPI request, next to what sentry-sdk itself costs.

    python benchmarks/overhead.py [--quick] [--trials T] [--requests N]

One FastAPI app with realistic handlers (a login with a JSON password body, a project listing,
a report endpoint that raises with the request headers, a user and a database URL in its
locals; INFO logs as breadcrumbs; SQL spans whose description has a ``%s`` placeholder and
whose data holds the parameters), driven in-process by calling the ASGI app directly: only the
app and the SDK are timed (no socket, no server, no client library for the SDK to instrument).
Every request brings a new user, new ids and new secrets, as in a running backend. Four
contenders run the same app:

* ``none``: no Sentry at all;
* ``sdk``: sentry-sdk with our options (include_local_variables, traces_sample_rate 1.0, the
  logging and FastAPI integrations) but none of our hooks: ``sdk_options()`` with the three
  hooks removed. The SDK's default EventScrubber (not recursive) runs, as it does by default;
* ``eventscrubber``: the same with ``event_scrubber=EventScrubber(recursive=True)``;
* ``ours``: ``init_sentry()`` from para_monitor_cli.runtime, the same arguments (its three hooks
  and the global event processor it registers are clocked).

All four use a transport that serialises each envelope to bytes and drops it (the
serialisation a real send pays, no network), and session profiling off (a 10% per-process
profiling draw would make one contender's process profile and another's not).

Why one worker process per contender, run in lockstep: sentry-sdk installs its integrations
once per process (they patch Starlette, FastAPI and logging classes and cannot be removed), and
keeps per-process state (the scope's memos, our engine's memos, interned strings), so
contenders sharing a process would bleed into each other, and a fresh process per trial would
time a cold process. Each contender therefore lives in its own long-lived process, warmed by the
same requests; the parent asks each in turn, in a rotating order, for one trial of N requests
of one kind (only one process runs at a time), so machine noise hits all four alike. Figures
are medians over trials, and the added costs are medians of the differences between adjacent
trials (paired), with their interquartile range. A trial is timed in CPU time of its process
(``time.process_time``): on a loaded machine, wall time mostly measures how long a process
waited for a CPU.

The added costs are also clocked where they are paid, in the same requests: the CPU time
inside our three hooks (``ours``), and inside the SDK's EventScrubber (``eventscrubber`` less
``sdk``), read from the thread's CPU clock around each call, less what two back-to-back reads
of that clock measure. These figures do not move with what the rest of the machine does
between two trials, as the differences do. They are the figures to go by: processes differ by
themselves (memory layout, the string hash seed), so a difference between two contenders'
totals carries a bias of its own (in one run the ``eventscrubber`` process, which does more
than ``sdk``, was 12% cheaper per error request).

On a shared machine every figure moves with the load: compare the ratios, which hold better
than the absolute times, and run it more than once.
"""

# no `from __future__ import annotations`: FastAPI reads the handlers' annotations as classes
import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import secrets
import statistics
import subprocess
import sys
import time
from typing import Any

CONTENDERS = ("none", "sdk", "eventscrubber", "ours")
KINDS = ("error", "ok")
DSN = "http://benchpublic@127.0.0.1:9/1"  # never contacted: the transport discards
HOOKS = ("before_send", "before_send_transaction", "before_breadcrumb")
log = logging.getLogger("backend.api")


# -- the app -----------------------------------------------------------------------------------


class Unavailable(Exception):
    """The report service failed (raised on purpose)."""


def build_app() -> Any:
    import sentry_sdk
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    app = FastAPI()
    database_url = "postgresql://para_app:" + secrets.token_hex(12) + "@db.internal:5432/para"

    def query(sql: str, *params: Any) -> None:
        with sentry_sdk.start_span(op="db", name=sql) as span:
            span.set_data("db.system", "postgresql")
            span.set_data("db.name", "para")
            span.set_data("db.params", list(params))

    @app.post("/api/auth/login")
    async def login(request: Request) -> JSONResponse:
        body = await request.json()
        email = body.get("email", "")
        log.info("login attempt from %s", request.headers.get("user-agent", "?"))
        query("SELECT id, password_hash, disabled FROM users WHERE email = %s", email)
        user_id = secrets.token_hex(8)
        sentry_sdk.set_user({"id": user_id})
        query("INSERT INTO sessions (user_id, expires_at) VALUES (%s, now() + interval '1h')", 1)
        log.info("user %s logged in", user_id)
        return JSONResponse({"access_token": secrets.token_urlsafe(24), "expires_in": 3600})

    @app.get("/api/projects/{project_id}")
    async def project(project_id: int, request: Request) -> JSONResponse:
        user_id = request.headers.get("x-user-id", "anonymous")
        sentry_sdk.set_user({"id": user_id})
        log.info("listing tasks of project %s", project_id)
        query("SELECT id, name, owner_id FROM projects WHERE id = %s AND owner_id = %s", 1, 2)
        query("SELECT id, title, status, due FROM tasks WHERE project_id = %s LIMIT 50", 1)
        tasks = [{"id": i, "title": f"task {i}", "status": "open"} for i in range(20)]
        return JSONResponse({"project": project_id, "tasks": tasks})

    @app.post("/api/reports/{report_id}")
    async def report(report_id: int, request: Request) -> JSONResponse:
        headers = dict(request.headers)
        user = {"id": request.headers.get("x-user-id"), "email": "ana@example.com"}
        sentry_sdk.set_user({"id": user["id"]})
        log.info("building report %s", report_id)
        query("SELECT * FROM reports WHERE id = %s AND owner_id = %s", report_id, user["id"])
        if headers and user and database_url:  # all three stay in the frame's locals
            raise Unavailable(f"report {report_id} could not be built")
        return JSONResponse({})

    return app


Request = tuple[str, str, str, dict[str, str], bytes]  # method, path, query, headers, body


def request_for(kind: str, i: int) -> Request:
    """One request of ``kind`` (``ok`` alternates a login and a project listing), each from a
    new user with new secrets."""
    user = secrets.token_hex(6)
    headers = {
        "host": "backend.test",
        "user-agent": "para-web/2.3 (Macintosh; Intel Mac OS X 14_4)",
        "accept": "application/json",
        "x-user-id": user,
        "authorization": "Bearer eyJhbGciOiJIUzI1NiJ9." + secrets.token_urlsafe(48),
        "cookie": f"sessionid={secrets.token_hex(16)}; theme=dark; lang=en",
        "x-request-id": secrets.token_hex(16),
    }
    if kind == "error":
        return "POST", f"/api/reports/{i}", "format=pdf", headers, b""
    if i % 2:
        return "GET", f"/api/projects/{i}", "page=1", headers, b""
    body = {"email": f"{user}@example.com", "password": secrets.token_urlsafe(12)}
    headers["content-type"] = "application/json"
    return "POST", "/api/auth/login", "", headers, json.dumps(body).encode()


async def call(app: Any, request: Request) -> int:
    """One HTTP request straight into the ASGI app (no client library, no socket): returns
    the response status."""
    method, path, query, headers, body = request
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "client": ("10.0.0.7", 51234),
        "server": ("backend.test", 80),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status = 0

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    with contextlib.suppress(Unavailable):  # Starlette answers 500, then re-raises
        await app(scope, receive, send)
    return status


# -- a contender's process ---------------------------------------------------------------------


def init_contender(name: str) -> None:
    if name == "none":
        return
    import sentry_sdk
    from sentry_sdk.envelope import Envelope
    from sentry_sdk.scrubber import EventScrubber
    from sentry_sdk.transport import Transport

    from para_monitor_cli.runtime import init_sentry, sdk_options

    class DiscardingTransport(Transport):
        """Serialises each envelope to bytes, as a real send would, then drops it."""

        def capture_envelope(self, envelope: Envelope) -> None:
            envelope.serialize()

    settings: dict[str, Any] = {
        "environment": "production",
        "release": "para-autopilot@0.1.0",
        "traces_sample_rate": 1.0,
        "profiles_sample_rate": 0.0,
        "environ": {},
        "transport": DiscardingTransport(),
    }
    if name == "ours":
        init_sentry(DSN, **settings)
        timed_hooks(sentry_sdk.get_client().options)
        return
    options = sdk_options(DSN, **settings)
    for hook in HOOKS:
        options.pop(hook)
    if name == "eventscrubber":
        options["event_scrubber"] = EventScrubber(recursive=True)
    sentry_sdk.init(**options)
    timed_scrubber(sentry_sdk.get_client().options["event_scrubber"])


# CPU seconds spent inside what each contender adds: our three hooks (``ours``), the SDK's
# EventScrubber (``sdk``: the default one, ``eventscrubber``: the recursive one), and the
# number of calls clocked
IN_HOOKS = [0.0, 0]
CLOCK = time.thread_time  # CPU time of this thread: a wait for the CPU is not counted


def clock_bias() -> float:
    """What two back-to-back clock reads measure (a CPU-time read is a system call, about a
    microsecond): subtracted once per clocked call. The median of many pairs."""
    pairs = []
    for _ in range(2001):
        start = CLOCK()
        pairs.append(CLOCK() - start)
    return statistics.median(pairs)


def clocked(call: Any) -> Any:
    """``call`` with the CPU time inside it added to IN_HOOKS."""

    def wrapper(*args: Any) -> Any:
        start = CLOCK()
        try:
            return call(*args)
        finally:
            IN_HOOKS[0] += CLOCK() - start
            IN_HOOKS[1] += 1

    wrapper.__dict__.update(getattr(call, "__dict__", {}))  # attributes the runtime reads
    return wrapper


def timed_scrubber(scrubber: Any) -> None:
    """Clock ``scrubber.scrub_event``."""
    scrubber.scrub_event = clocked(scrubber.scrub_event)


def timed_hooks(options: dict[str, Any]) -> None:
    """Clock the client's three hooks, and the global event processor init_sentry registers
    (it bounds the application's scope data before the SDK serialises an event)."""
    from sentry_sdk import scope

    for key in HOOKS:
        options[key] = clocked(options[key])
    processors = scope.global_event_processors
    for i, processor in enumerate(processors):
        if getattr(processor, "__module__", "").startswith("para_monitor_cli"):
            processors[i] = clocked(processor)


def worker(name: str, warmup: int) -> None:
    """Serve trials on stdin/stdout: ``<kind> <n>`` -> seconds per request."""
    # INFO logs reach the logging integration (breadcrumbs), then a handler that drops them
    log.setLevel(logging.INFO)
    log.addHandler(logging.NullHandler())
    log.propagate = False
    init_contender(name)
    app = build_app()
    loop = asyncio.new_event_loop()
    counter = iter(range(10**9))

    bias = clock_bias()

    async def run(kind: str, n: int) -> tuple[float, float]:
        expected = 500 if kind == "error" else 200
        IN_HOOKS[:] = [0.0, 0]
        start = time.process_time()
        for _ in range(n):
            status = await call(app, request_for(kind, next(counter)))
            if status != expected:
                raise SystemExit(f"{name}: {kind} request answered {status}")
        inside = max(0.0, IN_HOOKS[0] - IN_HOOKS[1] * bias)
        return (time.process_time() - start) / n, inside / n

    for kind in KINDS:  # as a running backend: earlier requests came before
        loop.run_until_complete(run(kind, warmup))
    print("ready", flush=True)
    for line in sys.stdin:
        kind, n = line.split()
        gc.collect()
        elapsed, in_hooks = loop.run_until_complete(run(kind, int(n)))
        print(elapsed, in_hooks, flush=True)


# -- the parent --------------------------------------------------------------------------------


class Contender:
    def __init__(self, name: str, warmup: int, package: str | None = None) -> None:
        """``package``: a directory holding another copy of para_monitor_cli to import."""
        self.name = name
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        env.pop("SENTRY_DSN", None)
        if package:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [package, env.get("PYTHONPATH")]))
        worker_name = name.split("@", maxsplit=1)[0]
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", worker_name, "--warmup", str(warmup)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def ready(self) -> None:
        line = self._read()
        if line != "ready":
            raise SystemExit(f"{self.name}: worker said {line!r}")

    def trial(self, kind: str, n: int) -> tuple[float, float]:
        """Seconds per request, and of that, seconds inside our hooks (0 but for ours)."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"{kind} {n}\n")
        self.process.stdin.flush()
        elapsed, in_hooks = self._read().split()
        return float(elapsed), float(in_hooks)

    def _read(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line:
            raise SystemExit(f"{self.name}: worker exited ({self.process.wait()})")
        return line

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return q1, q2, q3


def paired(a: list[float], b: list[float]) -> tuple[float, float, float]:
    """Quartiles of a - b, trial by trial (adjacent trials: the same machine moment)."""
    return quartiles([x - y for x, y in zip(a, b, strict=True)])


def report(kind: str, times: dict[str, list[float]], clocked: dict[str, list[float]]) -> None:
    ms = 1000.0
    med = {name: statistics.median(values) for name, values in times.items()}
    print(f"{kind} requests (median of {len(times['none'])} trials, CPU ms per request):")
    for name, values in times.items():
        q1, _, q3 = quartiles(values)
        print(f"  {name:14s} {med[name] * ms:8.3f}   (IQR {q1 * ms:.3f} - {q3 * ms:.3f})")
    sdk = paired(times["sdk"], times["none"])
    ours = paired(times["ours"], times["sdk"])
    es = paired(times["eventscrubber"], times["sdk"])
    print(f"  SDK's own cost (sdk - none)              {sdk[1] * ms:8.3f} ms")
    print(
        f"  our hooks add (ours - sdk)               {ours[1] * ms:8.3f} ms"
        f"   {ours[1] / sdk[1]:6.1%} of the SDK's own cost"
        f"   (IQR {ours[0] / sdk[1]:.1%} - {ours[2] / sdk[1]:.1%})"
    )
    print(
        f"  EventScrubber(recursive) adds (es - sdk) {es[1] * ms:8.3f} ms"
        f"   {es[1] / sdk[1]:6.1%} of the SDK's own cost"
    )
    ratio = (
        f"{ours[1] / es[1]:.2f}x" if es[1] > 0 else "n/a (EventScrubber adds nothing measurable)"
    )
    print(f"  ours / EventScrubber's added cost        {ratio}")
    print("  clocked inside the scrubbers, in the same requests:")
    for name in [n for n in times if n.startswith("ours")]:
        inside = quartiles(clocked[name])
        label = "our hooks" if name == "ours" else f"our hooks ({name})"
        print(
            f"  {label:40s} {inside[1] * ms:8.3f} ms"
            f"   {inside[1] / sdk[1]:6.1%} of the SDK's own cost"
            f"   (IQR {inside[0] / sdk[1]:.1%} - {inside[2] / sdk[1]:.1%})"
        )
        if name != "ours":
            diff = paired(clocked[name], clocked["ours"])
            print(
                f"  {name} - ours, paired by trial".ljust(43)
                + f"{diff[1] * ms:8.3f} ms   (IQR {diff[0] * ms:.3f} - {diff[2] * ms:.3f})"
            )
    inside = quartiles(clocked["ours"])
    es_in = statistics.median(clocked["eventscrubber"]) - statistics.median(clocked["sdk"])
    print(
        f"  EventScrubber(recursive) less the default {es_in * ms:7.3f} ms"
        f"   {es_in / sdk[1]:6.1%} of the SDK's own cost"
    )
    print(f"  ours / EventScrubber's added (clocked)   {inside[1] / es_in:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (about 30 s)")
    parser.add_argument("--trials", type=int, default=40, help="trials per contender and kind")
    parser.add_argument(
        "--requests",
        type=int,
        default=40,
        help="successful requests per trial (a quarter as many errors)",
    )
    parser.add_argument("--warmup", type=int, default=150, help="requests of each kind first")
    parser.add_argument(
        "--compare",
        metavar="DIR",
        action="append",
        default=[],
        help="also run ``ours`` with the para_monitor_cli found in DIR (another version of"
        " the engine, A/B in the same run; may be repeated)",
    )
    parser.add_argument("--worker", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.warmup)
        return
    if args.quick:
        args.trials, args.requests, args.warmup = 12, 20, 60
    print(
        "WHAT: the CPU time our scrubbing hooks (init_sentry) add to a FastAPI request. "
        "AGAINST WHAT: the same app and requests with no Sentry, with sentry-sdk alone (its "
        "default EventScrubber) and with EventScrubber(recursive=True), one process each, "
        "in lockstep; ratio: our added cost over EventScrubber's."
    )
    load = os.getloadavg()[0]
    print(
        f"{len(CONTENDERS) + len(args.compare)} contenders, one process each,"
        f" {args.trials} interleaved trials of"
        f" {args.requests} successful or {max(1, args.requests // 4)} error requests after"
        f" {args.warmup} warm-up requests of each kind;"
        f" load average {load:.2f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    contenders = {name: Contender(name, args.warmup) for name in CONTENDERS}
    for package in args.compare:
        other = f"ours@{os.path.basename(os.path.normpath(package))}"
        contenders[other] = Contender(other, args.warmup, package)
    names = list(contenders)
    try:
        for contender in contenders.values():
            contender.ready()
        times: dict[str, dict[str, list[float]]] = {k: {n: [] for n in names} for k in KINDS}
        clocked: dict[str, dict[str, list[float]]] = {k: {n: [] for n in names} for k in KINDS}
        order = list(names)
        # an error request costs the SDK some 20 times a successful one: fewer per trial, so
        # that trials stay short and interleave finely
        sizes = {"error": max(1, args.requests // 4), "ok": args.requests}
        for _ in range(args.trials):
            for kind in KINDS:
                for name in order:
                    elapsed, in_hooks = contenders[name].trial(kind, sizes[kind])
                    times[kind][name].append(elapsed)
                    clocked[kind][name].append(in_hooks)
                order = order[1:] + order[:1]  # rotate: no contender always runs first
    finally:
        for contender in contenders.values():
            contender.close()
    for kind in KINDS:
        report("error" if kind == "error" else "successful", times[kind], clocked[kind])
    print(f"load average at the end {os.getloadavg()[0]:.2f} (other processes share the CPUs)")


if __name__ == "__main__":
    main()
