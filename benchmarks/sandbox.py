"""The sandbox against kent and the Spotlight sidecar, on the same operations with the same
realistic events.

    python benchmarks/sandbox.py [--events 500] [--size 50000] [--reads 500] [--rounds 3]

WHAT: three local Sentry stand-ins, each in its own process on 127.0.0.1, started side by side
in this run: ``para-monitor sandbox`` (ours), kent (PyPI, a fake Sentry receiver on Flask) and
the Spotlight sidecar (npm @spotlightjs/spotlight). Each receives the same gzip envelopes,
realistic error events of about ``--size`` bytes that the real sentry-sdk produced
(benchmarks/realistic_events.py), over one keep-alive httpx client, one request at a time.

AGAINST WHAT, operation by operation, only where the peer serves the same thing:

* ingest: POST every envelope to ``/api/<project>/envelope/``; envelopes per second (all three);
* list the last N events (N = min(100, events): kent keeps only its last 100, Sentry's page
  holds at most 100): the sandbox's ``GET /api/0/projects/{org}/{project}/events/?per_page=N``
  against kent's ``GET /api/eventlist/``, both a list of N summaries; lists per second. The
  Spotlight sidecar has no list endpoint (``GET /stream`` replays whole envelopes as
  server-sent events and never ends), so it is skipped there;
* fetch one event by its id, cycling over those N events: the sandbox's
  ``GET .../events/{event_id}/``, kent's ``GET /api/event/{kent id}`` and Spotlight's
  ``GET /envelope/{spotlight id}`` (ids read from each server's own listing); fetches per second;
* memory: peak RSS (VmHWM) of each server process after the workload.

Each read is timed ``--rounds`` times, the servers taking turns within a round, and the median
is reported with its ratio sandbox/peer (above 1: the sandbox is faster; for memory, below 1:
the sandbox uses less). A peer that cannot run here is skipped with the reason printed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack

import httpx

# run as ``python benchmarks/sandbox.py``: this folder is first on sys.path
from peers import (
    PeerUnavailable,
    Server,
    kent_server,
    sandbox_server,
    spotlight_server,
)
from realistic_events import envelopes

ENVELOPE_HEADERS = {
    "Content-Type": "application/x-sentry-envelope",
    "Content-Encoding": "gzip",
}
# Sentry's list endpoints page 100 at most (Endpoint.get_per_page / paginate in
# src/sentry/api/base.py: default_per_page=100, max_per_page=100), and kent keeps its last 100
LIST_MAX = 100
# Spotlight's sidecar keeps its last 500 envelopes (MessageBuffer's default size, 4.11.8)
SPOTLIGHT_BUFFER = 500


def gzipped(body: bytes) -> bytes:
    return body if body[:2] == b"\x1f\x8b" else gzip.compress(body)


def event_id_of(envelope: bytes) -> str:
    """The event id in an envelope's header line (the SDK's id, as Sentry stores it)."""
    head = gzip.decompress(envelope) if envelope[:2] == b"\x1f\x8b" else envelope
    return str(json.loads(head.split(b"\n", 1)[0])["event_id"]).replace("-", "")


Headers = dict[str, str]


class Target:
    """One server, and how each operation is spelled against it: a subclass per server."""

    name = ""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.client = httpx.Client(base_url=server.base, timeout=120)
        self.fetch_ids: list[str] = []

    def ingest_url(self) -> str:
        return "/api/1/envelope/?sentry_key=public"

    def list_request(self, n: int) -> tuple[str, Headers] | None:
        """The request for the last ``n`` event summaries; None where the server has none."""
        return None

    def listed(self, response: httpx.Response) -> list[str]:
        """The ids in one list answer, oldest first, as the fetch endpoint names them."""
        raise NotImplementedError(f"{self.name} has no list endpoint")

    def last_ids(self, n: int, ingested: int) -> list[str]:
        """The ids of the last ``n`` of the ``ingested`` events, from the server's own list."""
        request = self.list_request(n)
        assert request is not None
        url, headers = request
        return self.listed(self.client.get(url, headers=headers))[-n:]

    def fetch_request(self, event_id: str) -> tuple[str, Headers]:
        raise NotImplementedError


class SandboxTarget(Target):
    name = "sandbox"

    def _auth(self) -> Headers:
        return {"Authorization": f"Bearer {self.server.info['token']}"}

    def _events(self) -> str:
        info = self.server.info
        return f"/api/0/projects/{info['org']}/{info['project']}/events/"

    def ingest_url(self) -> str:
        info = self.server.info
        key = info["dsn"].split("//", 1)[1].split("@", 1)[0]
        return f"/api/{info['projectId']}/envelope/?sentry_key={key}"

    def list_request(self, n: int) -> tuple[str, Headers] | None:
        return f"{self._events()}?per_page={n}", self._auth()

    def listed(self, response: httpx.Response) -> list[str]:
        return [str(e["eventID"]) for e in reversed(response.json())]  # Sentry: newest first

    def fetch_request(self, event_id: str) -> tuple[str, Headers]:
        return f"{self._events()}{event_id}/", self._auth()


class KentTarget(Target):
    name = "kent"

    def list_request(self, n: int) -> tuple[str, Headers] | None:
        return "/api/eventlist/", {}  # all it keeps: its last 100

    def listed(self, response: httpx.Response) -> list[str]:
        return [str(e["event_id"]) for e in response.json()["events"]]

    def fetch_request(self, event_id: str) -> tuple[str, Headers]:
        return f"/api/event/{event_id}", {}


class SpotlightTarget(Target):
    name = "spotlight"

    def last_ids(self, n: int, ingested: int) -> list[str]:
        """Read from the ``id:`` lines of the event stream (the only place Spotlight names its
        envelopes), which replays the envelopes it holds and then waits for more."""
        held = min(ingested, SPOTLIGHT_BUFFER)
        ids: list[str] = []
        with self.client.stream("GET", "/stream", timeout=30) as response:
            for line in response.iter_lines():
                if line.startswith("id:"):
                    ids.append(line[3:].strip())
                    if len(ids) == held:
                        break
        return ids[-n:]

    def fetch_request(self, event_id: str) -> tuple[str, Headers]:
        return f"/envelope/{event_id}", {}


def timed(
    requests: Iterator[tuple[str, str, bytes | None, dict[str, str]]],
    client: httpx.Client,
    check: Callable[[httpx.Response], None] | None = None,
) -> tuple[int, float]:
    count, started = 0, time.perf_counter()
    for method, url, body, headers in requests:
        response = client.request(method, url, content=body, headers=headers)
        if response.status_code >= 300:
            raise SystemExit(f"{method} {url.split('?')[0]}: HTTP {response.status_code}")
        if check is not None:
            check(response)
        count += 1
    return count, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500, help="envelopes ingested (500)")
    parser.add_argument("--size", type=int, default=50_000, help="bytes per event (50000)")
    parser.add_argument("--reads", type=int, default=500, help="fetches by id per round (500)")
    parser.add_argument("--lists", type=int, default=50, help="lists per round (50)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of reads (3)")
    args = parser.parse_args()

    raw = envelopes(args.events, size=args.size)
    bodies = [gzipped(body) for body in raw]
    ids = [event_id_of(body) for body in bodies]
    n = min(LIST_MAX, args.events)
    mean_raw = statistics.mean(len(gzip.decompress(b)) for b in bodies)
    mean_gz = statistics.mean(len(b) for b in bodies)
    print(" ".join(__doc__.split("\n\n")[2].replace("``", "").split()))
    print(
        "AGAINST WHAT: kent and Spotlight on the operations each also serves (ingest; list "
        "the last N: kent only; fetch one by id), same events, same N; ratios sandbox/peer."
    )
    print(
        f"events: {args.events} envelopes from realistic_events.envelopes(size={args.size}), "
        f"mean {mean_raw / 1000:.1f} kB ({mean_gz / 1000:.1f} kB gzip); list N = {n}; "
        f"{args.reads} fetches by id and {args.lists} lists per round, {args.rounds} rounds"
    )

    results: dict[str, dict[str, float]] = {}
    skipped: dict[str, str] = {}
    with ExitStack() as stack:
        targets: list[Target] = []
        token = secrets.token_hex(16)
        starters: list[tuple[type[Target], Callable[[], AbstractContextManager[Server]]]] = [
            (SandboxTarget, lambda: sandbox_server(token)),
            (KentTarget, kent_server),
            (SpotlightTarget, spotlight_server),
        ]
        for kind, starter in starters:
            name = kind.name
            try:
                server = stack.enter_context(starter())
            except PeerUnavailable as why:
                if kind is SandboxTarget:
                    raise SystemExit(f"the sandbox did not start: {why}") from None
                skipped[name] = str(why)
                print(f"peer {name} skipped: {why}", file=sys.stderr)
                continue
            target = kind(server)
            stack.callback(target.client.close)
            targets.append(target)
            results[name] = {}

        # ingest: every server gets the same envelopes in the same order
        for target in targets:
            url = target.ingest_url()
            count, seconds = timed(
                ((("POST", url, b, ENVELOPE_HEADERS)) for b in bodies), target.client
            )
            results[target.name]["ingest /s"] = count / seconds

        # what each server calls the last N events, from its own listing
        for target in targets:
            target.fetch_ids = target.last_ids(n, args.events)
            if len(target.fetch_ids) != n:
                raise SystemExit(f"{target.name} listed {len(target.fetch_ids)} events, not {n}")
        if targets[0].fetch_ids != ids[-n:]:
            raise SystemExit("the sandbox's last page is not the last events ingested, in order")

        def check_list(target: Target) -> Callable[[httpx.Response], None]:
            def check(response: httpx.Response) -> None:
                if len(target.listed(response)) != n:
                    raise SystemExit(f"{target.name} listed a different number of events")

            return check

        samples: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.rounds):
            for target in targets:
                request = target.list_request(n)
                if request is not None:
                    url, headers = request
                    count, seconds = timed(
                        (("GET", url, None, headers) for _ in range(args.lists)),
                        target.client,
                        check_list(target),
                    )
                    samples.setdefault((target.name, f"list last {n} /s"), []).append(
                        count / seconds
                    )
                fetches = (
                    ("GET", *target.fetch_request(target.fetch_ids[i % n]))
                    for i in range(args.reads)
                )
                count, seconds = timed(((m, u, None, h) for m, u, h in fetches), target.client)
                samples.setdefault((target.name, "fetch by id /s"), []).append(count / seconds)
        for (name, op), values in samples.items():
            results[name][op] = statistics.median(values)
        for target in targets:
            peak, now = target.server.memory_kib()
            results[target.name]["peak RSS MB"] = peak / 1024
            results[target.name]["RSS MB"] = now / 1024

    report(results, skipped, n)


def report(results: dict[str, dict[str, float]], skipped: dict[str, str], n: int) -> None:
    names = list(results)
    ops = ["ingest /s", f"list last {n} /s", "fetch by id /s", "peak RSS MB", "RSS MB"]
    print(
        f"{'operation':<20}"
        + "".join(f"{name:>12}" for name in names)
        + "".join(f"{'sandbox/' + name:>18}" for name in names[1:])
    )
    for op in ops:
        cells, ratios = "", ""
        for name in names:
            value = results[name].get(op)
            cells += f"{value:>12.1f}" if value is not None else f"{'not served':>12}"
        for name in names[1:]:
            ours, theirs = results["sandbox"].get(op), results[name].get(op)
            ratio = f"{ours / theirs:.2f}x" if ours and theirs else "-"
            ratios += f"{ratio:>18}"
        print(f"{op:<20}{cells}{ratios}")
    print(
        "rates: higher is better, a ratio above 1 means the sandbox is faster; "
        "memory: a ratio below 1 means the sandbox holds less"
    )
    for name, why in skipped.items():
        print(f"{name}: skipped ({why})")
    if "spotlight" in results:
        print(
            "spotlight: no list endpoint (GET /stream replays whole envelopes as server-sent "
            "events), so no list figure"
        )


if __name__ == "__main__":
    main()
