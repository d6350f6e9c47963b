"""The leak checker: run a scrubbing hook over sample events and report what still leaks.

A sample is an event plus, for the built-in corpus, a manifest of the fake secrets planted in
it (path and kind) and of harmless values that must survive. After the hook runs, a leak is:

* a planted secret still present anywhere in the output (even inside a longer string), or
* any value the engine's own rules would still change (so samples without a manifest, such as
  the user's own event files, are checked too).

Each leak is reported by JSON path, kind and rule, never with the secret itself. Harmless values
that did not survive are counted as destroyed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from para_monitor_cli.scrub.engine import Path as JsonPath
from para_monitor_cli.scrub.engine import Scrubber, ScrubConfig

Hook = Callable[[dict[str, Any], dict[str, Any]], Any]
SAMPLE_SUFFIXES = (".json", ".jsonl", ".ndjson", ".envelope")
CORPUS_PACKAGE = "para_monitor_cli.scrub.corpus"


class SampleError(ValueError):
    """A sample file or a hook that cannot be used (the message names the file, never data)."""


@dataclass(frozen=True)
class Planted:
    path: str
    kind: str
    value: str


@dataclass(frozen=True)
class Harmless:
    path: str
    value: Any


@dataclass
class Sample:
    """An event to check; ``produce`` (when set) replaces running the event through the
    runner: it makes the payloads itself (the FastAPI request scenario does)."""

    name: str
    event: dict[str, Any]
    planted: list[Planted] = field(default_factory=list)
    harmless: list[Harmless] = field(default_factory=list)
    produce: Callable[[], list[dict[str, Any]]] | None = None


@dataclass(frozen=True)
class Leak:
    sample: str
    path: str
    kind: str
    rule: str
    redacted: str  # a description of the leaked value, never the value


@dataclass(frozen=True)
class Destroyed:
    sample: str
    path: str
    expected: str  # the harmless value (it is harmless, so it may be shown)


@dataclass
class CheckReport:
    scrubber: str
    mode: str
    samples: int = 0
    planted: int = 0
    harmless: int = 0
    leaks: list[Leak] = field(default_factory=list)
    destroyed: list[Destroyed] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # samples the hook dropped (None)
    hook_errors: list[str] = field(default_factory=list)  # samples on which the hook raised

    @property
    def ok(self) -> bool:
        """No leak, and every event came out of the hook: a hook that raises or returns None
        loses the event, which is no way to keep a secret out of Sentry."""
        return not self.leaks and not self.hook_errors and not self.dropped


def findings(report: CheckReport) -> list[str]:
    """Why the scrubber fails, one phrase per finding (empty when it passes): values that
    leak, events the hook raised on, events it dropped. ``scrub-check`` and check-setup's
    scrubbing check both judge a scrubber by this."""
    name, total = report.scrubber, report.samples
    found: list[str] = []
    if report.leaks:
        count = len(report.leaks)
        hit = len({leak.sample for leak in report.leaks})
        first = report.leaks[0]
        found.append(
            f"{_counted(count, 'value')} {'leaks' if count == 1 else 'leak'} through {name} "
            f"in {hit} of {_counted(total, 'event')} "
            f"(first: {first.sample}: {first.path}, {first.kind})"
        )
    if report.hook_errors:
        found.append(
            f"{name} raised on {len(report.hook_errors)} of {_counted(total, 'event')} "
            "(the SDK would lose them)"
        )
    if report.dropped:
        dropped = len(report.dropped)
        if dropped == total:
            found.append(
                f"{name} drops every event ({dropped} of {total}): nothing would reach Sentry"
            )
        else:
            found.append(
                f"{name} dropped {dropped} of {_counted(total, 'event')}: "
                f"{'it' if dropped == 1 else 'they'} would never reach Sentry"
            )
    return found


def _counted(count: int, noun: str) -> str:
    """``1 event``, ``2 events``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# ---- JSON paths ---------------------------------------------------------------------------


def format_path(path: Sequence[str | int]) -> str:
    """``("request", "headers", "X-Api-Key")`` -> ``request.headers["X-Api-Key"]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part)}]"
    return out or "$"


def leaves(value: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, Any]]:
    """Every scalar in a JSON-like value, with its path."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, (*path, str(k)))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from leaves(v, (*path, i))
    else:
        yield path, value


def describe_secret(value: str) -> str:
    return f"<{len(value)} chars, redacted>"


# ---- samples ------------------------------------------------------------------------------


def load_corpus() -> tuple[list[Sample], ScrubConfig]:
    """The built-in corpus with its manifest, and the extra sensitive fields it relies on."""
    base = resources.files(CORPUS_PACKAGE)
    events = json.loads(base.joinpath("events.json").read_text(encoding="utf-8"))
    manifest = json.loads(base.joinpath("manifest.json").read_text(encoding="utf-8"))
    samples = {item["name"]: Sample(item["name"], item["event"]) for item in events}
    for s in manifest["secrets"]:
        samples[s["event"]].planted.append(Planted(s["path"], s["kind"], s["value"]))
    for h in manifest["harmless"]:
        samples[h["event"]].harmless.append(Harmless(h["path"], h["value"]))
    config = ScrubConfig(sensitive_fields=tuple(manifest.get("sensitive_fields", ())))
    return list(samples.values()), config


def load_samples(paths: Iterable[Path]) -> list[Sample]:
    """Events from files or folders: a JSON event, a JSON list of events, JSON lines, or Sentry
    envelopes (their event and transaction items)."""
    samples: list[Sample] = []
    for path in paths:
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix in SAMPLE_SUFFIXES
            )
            if not files:
                raise SampleError(f"{path}: no sample files ({', '.join(SAMPLE_SUFFIXES)}) in it")
        elif path.is_file():
            files = [path]
        else:
            raise SampleError(f"{path}: no such file or directory")
        for file in files:
            samples.extend(_load_file(file))
    return samples


def _load_file(file: Path) -> list[Sample]:
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise SampleError(f"{file}: cannot read it ({exc.strerror})") from None
    events = parse_payload(raw, str(file))
    if not events:
        raise SampleError(f"{file}: no event in it")
    if len(events) == 1:
        return [Sample(str(file), events[0])]
    return [Sample(f"{file}#{i + 1}", event) for i, event in enumerate(events)]


def parse_payload(raw: bytes, name: str = "payload") -> list[dict[str, Any]]:
    """The events in one payload: JSON (object or list), JSON lines, or an envelope."""
    text = raw.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    else:
        return _events_in(data, name)
    if b"\n" in raw.strip():
        return _parse_lines(raw, name)
    raise SampleError(f"{name}: not JSON, JSON lines or a Sentry envelope")


def _events_in(data: Any, name: str) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        if isinstance(data.get("event"), dict) and "name" in data:  # corpus item shape
            return [data["event"]]
        return [data]
    if isinstance(data, list) and all(isinstance(d, dict) for d in data):
        return [e for d in data for e in _events_in(d, name)]
    raise SampleError(f"{name}: a JSON sample must be an event object or a list of them")


def _parse_lines(raw: bytes, name: str) -> list[dict[str, Any]]:
    lines = raw.split(b"\n")
    try:
        first = json.loads(lines[0])
    except ValueError:
        raise SampleError(f"{name}: line 1 is not JSON") from None
    second = _json_or_none(lines[1]) if len(lines) > 1 else None
    if isinstance(second, dict) and "type" in second and "event_id" not in second:
        return _parse_envelope(raw, name)
    events: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        item = first if number == 1 else _json_or_none(line)
        if not isinstance(item, dict):
            raise SampleError(f"{name}: line {number} is not a JSON object")
        events.append(item)
    return events


def _json_or_none(line: bytes) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return None


def _parse_envelope(raw: bytes, name: str) -> list[dict[str, Any]]:
    """Sentry envelope: a header line, then items (a header line with an optional length)."""
    pos = raw.find(b"\n") + 1
    events: list[dict[str, Any]] = []
    while pos < len(raw):
        end = raw.find(b"\n", pos)
        end = len(raw) if end < 0 else end
        header_line = raw[pos:end]
        pos = end + 1
        if not header_line.strip():
            continue
        header = _json_or_none(header_line)
        if not isinstance(header, dict):
            raise SampleError(f"{name}: an envelope item header is not JSON")
        length = header.get("length")
        if isinstance(length, int):
            payload = raw[pos : pos + length]
            pos += length + 1
        else:
            end = raw.find(b"\n", pos)
            end = len(raw) if end < 0 else end
            payload = raw[pos:end]
            pos = end + 1
        if header.get("type") in ("event", "transaction"):
            event = _json_or_none(payload)
            if not isinstance(event, dict):
                raise SampleError(f"{name}: an envelope {header['type']} item is not JSON")
            events.append(event)
    return events


# ---- the check ----------------------------------------------------------------------------


def check(
    samples: Sequence[Sample],
    run: Callable[[Sample], list[dict[str, Any]] | None],
    *,
    detector: Scrubber,
    scrubber: str,
    mode: str = "direct",
) -> CheckReport:
    """Run each sample through ``run`` (which returns what would be sent: None when the event
    was dropped) and look for leaks and destroyed harmless values.

    In ``direct`` mode harmless values are looked up at their path; in ``sdk`` mode (where the
    SDK reshapes the event) anywhere in the output.
    """
    report = CheckReport(scrubber=scrubber, mode=mode)
    for sample in samples:
        report.samples += 1
        report.planted += len({p.value for p in sample.planted})
        report.harmless += len(sample.harmless)
        try:
            outputs = sample.produce() if sample.produce is not None else run(sample)
        except Exception as exc:
            # a guarded hook's failure says where (runtime/hooks.py HookFailure.shown); any
            # other exception only by its type: its message may hold the unscrubbed data
            shown = getattr(exc, "shown", None)
            detail = shown if isinstance(shown, str) else type(exc).__name__
            report.hook_errors.append(f"{sample.name}: {detail}")
            continue
        if not outputs:
            report.dropped.append(sample.name)
            continue
        for out in outputs:
            report.leaks.extend(_leaks(sample, out, detector))
        if mode == "direct":
            report.destroyed.extend(_destroyed_at_paths(sample, outputs[0]))
        else:
            report.destroyed.extend(_destroyed_anywhere(sample, outputs))
    return report


def _leaks(sample: Sample, out: dict[str, Any], detector: Scrubber) -> list[Leak]:
    found: dict[str, Leak] = {}
    planted = {p.value: p.kind for p in sample.planted}
    for path, leaf in leaves(out):
        if leaf is None or isinstance(leaf, bool):
            continue
        text = leaf if isinstance(leaf, str) else str(leaf)
        for value, kind in planted.items():
            if value in text:
                where = format_path(path)
                found.setdefault(
                    where, Leak(sample.name, where, kind, "planted", describe_secret(value))
                )
    try:
        findings = detector.findings(out)
    except Exception:  # the detector never raises; belt and braces for a report tool
        findings = []
    for f in findings:
        where = format_path(f.path)
        previous = found.get(where)
        if previous is not None and previous.rule == "planted":
            found[where] = Leak(sample.name, where, previous.kind, f.rule, previous.redacted)
        elif previous is None:
            found[where] = Leak(sample.name, where, f.kind, f.rule, "<redacted>")
    return list(found.values())


def _destroyed_at_paths(sample: Sample, out: dict[str, Any]) -> list[Destroyed]:
    flat = {format_path(p): v for p, v in leaves(out)}
    missing = object()
    return [
        Destroyed(sample.name, h.path, _show(h.value))
        for h in sample.harmless
        if not _same(flat.get(h.path, missing), h.value)
    ]


def _destroyed_anywhere(sample: Sample, outputs: list[dict[str, Any]]) -> list[Destroyed]:
    seen = {json.dumps(v, sort_keys=True) for out in outputs for _, v in leaves(out)}
    return [
        Destroyed(sample.name, h.path, _show(h.value))
        for h in sample.harmless
        if json.dumps(h.value, sort_keys=True) not in seen
    ]


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _show(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def direct_runner(hook: Hook) -> Callable[[Sample], list[dict[str, Any]] | None]:
    """Call the hook as sentry-sdk would, on a deep copy (the sample stays intact)."""

    def run(sample: Sample) -> list[dict[str, Any]] | None:
        event = copy.deepcopy(sample.event)
        hint: dict[str, Any] = {}
        out = hook(event, hint)
        return [out] if isinstance(out, dict) else None

    return run
