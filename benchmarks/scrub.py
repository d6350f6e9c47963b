"""Scrubbing speed: our before_send against sentry-sdk's EventScrubber (recursive) and
json.dumps of the same events, measured in the same run, on two workloads.

    python benchmarks/scrub.py [--rounds N] [--trials T] [--passes P] [--requests R]

* ``corpus``: the built-in corpus (16 small hand-written events, dense with planted secrets).
* ``fastapi``: R error events that sentry-sdk really produces for a login request that raises
  in a FastAPI app (20-odd framework frames with their local variables, request, breadcrumbs),
  captured through the runtime's own SDK set-up: one long-lived app, each request from a new
  user with new secrets.

EventScrubber mutates events (it writes AnnotatedValue objects), so it runs on deep copies
made before the clock starts. Our engine copies on write and leaves its input alone. It keeps
bounded memos of strings it has already judged (clean strings as they are, scrubbed ones only
by keyed digest), so what it costs depends on what it has seen:

* "warm": every string was seen before (the same events again);
* "stream" (fastapi only): a running backend; the memos hold what earlier requests brought,
  each timed event is a new request (its own objects at new addresses in frame variables, new
  ids and secrets), so its new strings pay the value rules;
* "cold": the memos cleared before every pass; every string pays the value rules.

Each figure is the best of many short trials (events per second, higher is better): every
round runs each contender T times, the contenders interleaved trial by trial, so that machine
noise hits them alike and the best trial of each is one the noise spared (on a shared machine,
long trials almost never are).
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from collections.abc import Callable
from typing import Any

import sentry_sdk
from sentry_sdk.scrubber import EventScrubber

from para_monitor_cli.runtime.scrubbing import engine_hooks
from para_monitor_cli.scrub import Scrubber, ScrubConfig
from para_monitor_cli.scrub.checker import load_corpus

Trial = Callable[[], float]  # one trial: events per second


def rate(
    events: list[dict[str, Any]], passes: int, scrub: Callable[[dict[str, Any]], Any]
) -> Trial:
    def trial() -> float:
        start = time.perf_counter()
        for _ in range(passes):
            for e in events:
                scrub(e)
        return passes * len(events) / (time.perf_counter() - start)

    return trial


def cold(events: list[dict[str, Any]], passes: int, config: ScrubConfig) -> Trial:
    engine = Scrubber(config)

    def trial() -> float:
        elapsed = 0.0
        for _ in range(passes):
            engine.forget()
            start = time.perf_counter()
            for e in events:
                engine.event(e)
            elapsed += time.perf_counter() - start
        return passes * len(events) / elapsed

    return trial


def stream(earlier: list[dict[str, Any]], timed: list[dict[str, Any]]) -> Trial:
    """A fresh engine that has seen the earlier requests, timed once over the later ones."""

    def trial() -> float:
        engine = Scrubber()
        for e in earlier:
            engine.event(e)
        start = time.perf_counter()
        for e in timed:
            engine.event(e)
        return len(timed) / (time.perf_counter() - start)

    return trial


def event_scrubber(events: list[dict[str, Any]], passes: int) -> Trial:
    scrubber = EventScrubber(recursive=True)

    def trial() -> float:
        copies = [copy.deepcopy(e) for _ in range(passes) for e in events]
        start = time.perf_counter()  # only the scrubbing is timed, not the copies
        for e in copies:
            scrubber.scrub_event(e)
        return len(copies) / (time.perf_counter() - start)

    return trial


def fastapi_events(requests: int) -> list[dict[str, Any]]:
    """What sentry-sdk hands before_send for ``requests`` login requests that raise, sent to
    one long-lived FastAPI app (as in a running backend: the app, its router and middleware
    keep their objects; each request brings its own), each from a new user with new secrets."""
    from para_monitor_cli.probe.sdk_pipeline import (
        login_client,
        login_secrets,
        sdk_client,
        send_login,
    )

    seen: list[dict[str, Any]] = []

    def keep(event: dict[str, Any], hint: Any) -> dict[str, Any]:
        seen.append(copy.deepcopy(event))
        return event

    with sdk_client(keep):
        client = login_client()
        if client is None:
            raise SystemExit("the fastapi workload needs fastapi: pip install -e '.[dev]'")
        for _ in range(requests):
            send_login(client, login_secrets())
        sentry_sdk.flush(timeout=2)
    return [e for e in seen if "exception" in e]


def measure(name: str, contenders: dict[str, Trial], trials: int) -> None:
    # trials interleave the contenders, so a burst of machine noise hits them alike
    best = dict.fromkeys(contenders, 0.0)
    for _ in range(trials):
        for label, trial in contenders.items():
            best[label] = max(best[label], trial())
    es = best["sentry_sdk EventScrubber(recursive=True)"]
    js = best["json.dumps"]
    print(name)
    for label, value in best.items():
        print(
            f"  {label:42s} {value:10,.0f} events/s"
            f"   x{value / es:5.2f} vs EventScrubber   x{value / js:5.2f} vs json.dumps"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--trials", type=int, default=10, help="trials per contender per round")
    parser.add_argument("--passes", type=int, default=5, help="passes over the corpus per trial")
    parser.add_argument("--requests", type=int, default=40, help="FastAPI requests captured")
    args = parser.parse_args()
    trials = args.rounds * args.trials

    samples, config = load_corpus()
    corpus = [s.event for s in samples]
    before_send, _ = engine_hooks(config.sensitive_fields, config.safe_fields)
    assert before_send is not None
    for e in corpus:  # warm the memos once, as a running backend would be
        before_send(e, {})
    print(
        f"best of {args.rounds} rounds x {args.trials} trials;"
        f" corpus: {len(corpus)} events x {args.passes} passes per trial"
    )
    measure(
        "corpus",
        {
            "ours before_send (warm)": rate(corpus, args.passes, lambda e: before_send(e, {})),
            "ours before_send (cold)": cold(corpus, args.passes, config),
            "sentry_sdk EventScrubber(recursive=True)": event_scrubber(corpus, args.passes),
            "json.dumps": rate(corpus, args.passes, json.dumps),
        },
        trials,
    )

    events = fastapi_events(args.requests)
    half = len(events) // 2
    earlier, timed = events[:half], events[half:]
    size = sum(len(json.dumps(e)) for e in timed) // len(timed)
    warm_engine = Scrubber()
    for e in timed:
        warm_engine.event(e)
    measure(
        f"fastapi: {len(timed)} error events of ~{size // 1000} kB timed,"
        f" after {len(earlier)} earlier requests",
        {
            "ours before_send (warm)": rate(timed, 1, warm_engine.event),
            "ours before_send (stream)": stream(earlier, timed),
            "ours before_send (cold)": cold(timed, 1, ScrubConfig()),
            "sentry_sdk EventScrubber(recursive=True)": event_scrubber(timed, 1),
            "json.dumps": rate(timed, 1, json.dumps),
        },
        max(1, trials // 4),
    )


if __name__ == "__main__":
    main()
