"""Scrubbing speed: our before_send against sentry-sdk's EventScrubber (recursive) and
json.dumps of the same events, measured in the same run, on two workloads.

    python benchmarks/scrub.py [--rounds N] [--trials T] [--passes P] [--requests R]

* ``corpus``: the built-in corpus (16 small hand-written events, dense with planted secrets).
* ``fastapi``: R error events that sentry-sdk really produces for a login request that raises
  in a FastAPI app (20-odd framework frames with their local variables, request, breadcrumbs),
  captured through the runtime's own SDK set-up: one long-lived app, each request from a new
  user with new secrets.

Both scrubbers change the event they are given, as they do inside sentry-sdk (EventScrubber
writes AnnotatedValue objects; our before_send scrubs the freshly serialised event the SDK hands
it in place), so each is timed on a deep copy of the event made just before it, outside the
clock. Our engine keeps bounded memos of strings it has already judged (clean strings as they
are, scrubbed ones only by keyed digest), so what it costs depends on what it has seen:

* "warm": the memos hold what other, different events brought, never the timed event's own
  strings (corpus: every other event of the corpus; fastapi: the earlier requests, each timed
  event a new request with its own objects at new addresses in frame variables, new ids and
  secrets, so its new strings pay the value rules), as in a running backend;
* "cold": the memos cleared before every pass; every string pays the value rules.

The corpus also times a bare walk: every container visited, every key and string looked up in
the engine's memos, no rule applied. It is the least any scrubber that looks at every surface
pays in Python, where EventScrubber looks at six. Then it prints how many of the corpus's planted
secrets each scrubber leaves in what sentry-sdk would send. The FastAPI section ends with the
memory our memos hold after every request.

Each figure is the best of many short trials (events per second, higher is better): every
round runs each contender T times, the contenders interleaved trial by trial, so that machine
noise hits them alike and the best trial of each is one the noise spared (on a shared machine,
long trials almost never are). The garbage collector is off during a trial, as in timeit.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import sentry_sdk
from sentry_sdk.scrubber import EventScrubber
from sentry_sdk.serializer import serialize

from para_monitor_cli.runtime.scrubbing import engine_hooks
from para_monitor_cli.scrub import Scrubber, ScrubConfig, text
from para_monitor_cli.scrub.checker import Sample, leaves, load_corpus

Trial = Callable[[], float]  # one trial: events per second


def rate(
    events: list[dict[str, Any]], passes: int, scrub: Callable[[dict[str, Any]], Any]
) -> Trial:
    """``scrub`` on a fresh deep copy of each event, made just before it (as sentry-sdk
    serialises each event just before its hooks run); only the scrubbing is timed."""

    def trial() -> float:
        elapsed = 0.0
        clock = time.perf_counter
        for _ in range(passes):
            for e in events:
                event = copy.deepcopy(e)
                start = clock()
                scrub(event)
                elapsed += clock() - start
        return passes * len(events) / elapsed

    return trial


def hooked(before_send: Callable[[dict[str, Any], dict[str, Any]], Any]) -> Callable[..., Any]:
    """``before_send`` called as sentry-sdk calls it, with the event and a hint."""
    hint: dict[str, Any] = {}
    return lambda event: before_send(event, hint)


def cold(events: list[dict[str, Any]], passes: int, config: ScrubConfig) -> Trial:
    """:func:`rate` for an engine whose memos are emptied before every pass."""
    engine = Scrubber(config).in_place()  # what engine_hooks gives before_send
    one_pass = rate(events, 1, engine.event)

    def trial() -> float:
        elapsed = 0.0
        for _ in range(passes):
            engine.forget()
            elapsed += len(events) / one_pass()
        return passes * len(events) / elapsed

    return trial


def warm(earlier: list[dict[str, Any]], timed: list[dict[str, Any]]) -> Trial:
    """A fresh engine that has seen the earlier requests, timed once over the later ones
    (each timed event is scrubbed once: its own strings were never in the memos)."""

    def trial() -> float:
        engine = Scrubber().in_place()
        for e in copy.deepcopy(earlier):
            engine.event(e)
        return rate(timed, 1, engine.event)()

    return trial


def warm_by_others(events: list[dict[str, Any]], passes: int, config: ScrubConfig) -> Trial:
    """Each event scrubbed by an engine whose text memos were emptied, then filled by every
    other event, never this one (the warming is not timed). Its memo of key names is kept:
    a backend's events repeat their key names, not their values."""
    engine = Scrubber(config).in_place()  # what engine_hooks gives before_send
    copies = [copy.deepcopy(events) for _ in range(passes)]  # warming copies, made once

    def trial() -> float:
        elapsed = 0.0
        clock = time.perf_counter
        for p in range(passes):
            for i, e in enumerate(events):
                engine.forget()
                for other in copies[p][:i] + copies[p][i + 1 :]:
                    engine.event(copy.deepcopy(other))
                event = copy.deepcopy(e)
                start = clock()
                engine.event(event)
                elapsed += clock() - start
        return passes * len(events) / elapsed

    return trial


def secrets_left(samples: list[Sample], scrub: Callable[[dict[str, Any]], Any]) -> int:
    """How many of the corpus's planted secrets are still in what sentry-sdk would send after
    ``scrub`` (its output, or the event it changed, through the SDK's own serialiser)."""
    left = 0
    for sample in samples:
        event = copy.deepcopy(sample.event)
        out = scrub(event)
        sent = serialize(out if isinstance(out, dict) else event)
        texts = [leaf if isinstance(leaf, str) else str(leaf) for _, leaf in leaves(sent)]
        left += sum(any(p in t for t in texts) for p in {p.value for p in sample.planted})
    return left


def memo_bytes(engine: Scrubber) -> tuple[int, int]:
    """The strings ``engine``'s text memos hold, and their size in bytes (the strings, the
    set and dict, the memo entries)."""
    clean, dirty = engine._text.clean, engine._text.dirty
    size = sys.getsizeof(clean) + sum(map(sys.getsizeof, clean)) + sys.getsizeof(dirty)
    for out, rules, _ in dirty.values():
        size += sys.getsizeof((out, rules, 0)) + sys.getsizeof(out) + sys.getsizeof(rules)
    return len(clean) + len(dirty), size


def bare_walk(engine: Scrubber) -> Callable[[Any], int]:
    """Every container visited, every key and string looked up in ``engine``'s memos (key
    kinds, clean strings), nothing judged or changed; it returns how many strings it found."""
    kinds = engine._keys.kinds
    clean = engine._text.clean

    def walk(node: Any) -> int:
        found = 0
        if type(node) is dict:
            for k, v in node.items():
                if type(v) is str:
                    found += kinds.get(k) is None and v in clean
                else:
                    found += walk(v)
        elif type(node) is list:
            for v in node:
                found += v in clean if type(v) is str else walk(v)
        return found

    return walk


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
            gc.collect()
            gc.disable()
            try:
                best[label] = max(best[label], trial())
            finally:
                gc.enable()
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
    walked = Scrubber(config)
    for e in copy.deepcopy(corpus):  # the bare walk looks strings up in a filled memo
        walked.event(e)
    print(
        "WHAT: events per second of our before_send (warm and cold memos). AGAINST WHAT: "
        "sentry-sdk's EventScrubber(recursive=True) and json.dumps of the same events in the "
        "same run, on the built-in corpus and on real FastAPI error events; then the planted "
        "secrets each scrubber leaves."
    )
    print(
        f"best of {args.rounds} rounds x {args.trials} trials;"
        f" corpus: {len(corpus)} events x {args.passes} passes per trial;"
        " warm = after other, different events (never the timed ones)"
    )
    measure(
        "corpus",
        {
            "ours before_send (warm: other events)": warm_by_others(corpus, args.passes, config),
            "ours before_send (cold)": cold(corpus, args.passes, config),
            "bare walk (no rule, see above)": rate(corpus, args.passes, bare_walk(walked)),
            "sentry_sdk EventScrubber(recursive=True)": rate(
                corpus, args.passes, EventScrubber(recursive=True).scrub_event
            ),
            "json.dumps": rate(corpus, args.passes, json.dumps),
        },
        trials,
    )
    planted = sum(len({p.value for p in s.planted}) for s in samples)
    ours_left = secrets_left(samples, hooked(before_send))
    es_left = secrets_left(samples, EventScrubber(recursive=True).scrub_event)
    print(
        f"  planted secrets still sent, of {planted}: ours {ours_left},"
        f" EventScrubber(recursive=True) {es_left}"
    )

    events = fastapi_events(args.requests)
    half = len(events) // 2
    earlier, timed = events[:half], events[half:]
    size = sum(len(json.dumps(e)) for e in timed) // len(timed)
    measure(
        f"fastapi: {len(timed)} error events of ~{size // 1000} kB timed,"
        f" after {len(earlier)} earlier requests",
        {
            "ours before_send (warm: earlier requests)": warm(earlier, timed),
            "ours before_send (cold)": cold(timed, 1, ScrubConfig()),
            "sentry_sdk EventScrubber(recursive=True)": rate(
                timed, 1, EventScrubber(recursive=True).scrub_event
            ),
            "json.dumps": rate(timed, 1, json.dumps),
        },
        max(1, trials // 4),
    )
    engine = Scrubber().in_place()
    for e in copy.deepcopy(events):
        engine.event(e)
    strings, size = memo_bytes(engine)
    print(
        f"  memos after {len(events)} requests: {strings:,} strings, {size / 1024:,.0f} kB"
        f" (bounded: {text.CLEAN_MEMO_LIMIT:,} strings, {text.MEMO_CHARS:,} characters)"
    )


if __name__ == "__main__":
    main()
