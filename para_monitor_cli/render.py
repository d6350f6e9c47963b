"""Everything that leaves the program as text goes through here.

Data goes to stdout, diagnostics to stderr, each through its own Rich console. Every string is
redacted on the way out, so a token or DSN key can never be printed by accident.

Rich is imported only when it draws something: styled lines for a terminal, tables. Lines
written to a file or a pipe (CI logs, ``validate`` in a script) are the same text written
directly, as Rich would write them there, without its import (~40 ms of start-up); a line
with a tab still goes through Rich (its tab stops follow character cell widths).
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from para_monitor_cli.redaction import redact
from para_monitor_cli.wording import plural

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

    from para_monitor_cli.checks import CheckResult, Report
    from para_monitor_cli.commands.apply import ApplyOutcome
    from para_monitor_cli.commands.demo import DemoResult
    from para_monitor_cli.commands.export import ExportResult
    from para_monitor_cli.commands.plan import PlanResult
    from para_monitor_cli.commands.sandbox import SandboxInfo
    from para_monitor_cli.commands.schema import SchemaResult
    from para_monitor_cli.commands.validate import ValidateResult
    from para_monitor_cli.errors import ApplyProgress
    from para_monitor_cli.probe import ProbeResult
    from para_monitor_cli.probe.checkin import CheckInResult
    from para_monitor_cli.reconcile.plan import Change, Plan
    from para_monitor_cli.scrub.checker import CheckReport

# the control codes rich.text.Text removes from every string (rich.control.strip_control_codes)
_RICH_STRIPPED = dict.fromkeys((7, 8, 11, 12, 13))


def is_terminal(stream: Any) -> bool:
    """Whether Rich would treat ``stream`` as a terminal (``rich.console.Console.is_terminal``:
    TTY_COMPATIBLE, then FORCE_COLOR, then ``isatty()``)."""
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except ValueError:  # a closed stream
        return False


def plain(text: str) -> str:
    """``text`` (without tabs) as Rich prints it to a stream that is not a terminal (no
    styles, soft wrap): its control codes removed."""
    return text.translate(_RICH_STRIPPED)


class Output:
    """The two output streams, their Rich consoles (made when first needed) and the output
    format chosen with --output."""

    def __init__(self, fmt: str = "text", *, stdout: Any = None, stderr: Any = None) -> None:
        self.format = fmt
        self.emitted = False  # a JSON document went to stdout
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self._consoles: dict[int, Console] = {}

    @property
    def out(self) -> Console:
        """The Rich console on stdout."""
        return self._console(self.stdout)

    @property
    def err(self) -> Console:
        """The Rich console on stderr."""
        return self._console(self.stderr)

    def _console(self, stream: Any) -> Console:
        console = self._consoles.get(id(stream))
        if console is None:
            from rich.console import Console

            console = Console(file=stream, highlight=False, soft_wrap=True)
            self._consoles[id(stream)] = console
        return console

    @property
    def json(self) -> bool:
        return self.format == "json"

    def _write(self, stream: Any, parts: Iterable[tuple[str, str | None]]) -> None:
        """One line made of (text, style) parts: through Rich on a terminal, else as text."""
        parts = [(redact(text), style) for text, style in parts]
        # tabs stop at Rich's cell widths (wide and zero-width characters): Rich expands them
        if is_terminal(stream) or any("\t" in text for text, _ in parts):
            from rich.text import Text

            line = Text()
            for text, style in parts:
                line.append(text, style=style or "")
            self._console(stream).print(line)
            return
        stream.write(plain("".join(text for text, _ in parts)) + "\n")
        stream.flush()

    def line(self, text: str, style: str | None = None) -> None:
        """One line of data on stdout."""
        self._write(self.stdout, [(text, style)])

    def styled(self, parts: Iterable[tuple[str, str | None]]) -> None:
        """One line of data on stdout, each part in its own style."""
        self._write(self.stdout, parts)

    def lines(self, lines: Iterable[tuple[str, str | None]]) -> None:
        """Many lines of data on stdout in one print (one Rich print per line dominated the
        rendering of large plans)."""
        parts: list[tuple[str, str | None]] = []
        for line, style in lines:
            parts += [("\n", None), (line, style)] if parts else [(line, style)]
        if parts:
            self._write(self.stdout, parts)

    def note(self, text: str, style: str | None = None) -> None:
        """One line of diagnostics on stderr."""
        self._write(self.stderr, [(text, style)])

    def warning(self, text: str) -> None:
        self.note(f"warning: {text}", style="yellow")

    def error(self, text: str) -> None:
        self.note(f"error: {text}", style="bold red")

    def emit_json(self, data: Any) -> None:
        """A JSON document on stdout (redacted, stable key order). Never ``NaN``/``Infinity``
        (not JSON): a non-finite float is written as the string ``"nan"``, ``"inf"`` or
        ``"-inf"``."""
        text = json.dumps(
            _finite_json(data), indent=2, sort_keys=True, default=str, allow_nan=False
        )
        self.stdout.write(redact(text) + "\n")
        self.stdout.flush()
        self.emitted = True

    def emit_error(
        self, kind: str, message: str, exit_code: int, *, hint: str | None, problems: list[str]
    ) -> None:
        """Under ``--output json``, a command that failed before printing its document prints
        this one instead, so stdout always holds exactly one JSON document."""
        if not self.json or self.emitted:
            return
        error: dict[str, Any] = {"type": kind, "message": message, "exit_code": exit_code}
        if hint:
            error["hint"] = hint
        if problems:
            error["problems"] = problems
        self.emit_json({"error": error})

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        from rich.table import Table

        table = Table(*headers, show_edge=False, box=None, pad_edge=False)
        for row in rows:
            table.add_row(*(redact(cell) for cell in row))
        self.out.print(table)


def _finite_json(value: Any) -> Any:
    """``value`` with every non-finite float turned into its name (strict JSON has none)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _finite_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_json(item) for item in value]
    return value


def settings_rows(rows: Iterable[tuple[str, str, str]]) -> list[dict[str, str]]:
    return [{"name": n, "value": v, "source": s} for n, v, s in rows]


def show_settings(output: Output, rows: list[tuple[str, str, str]]) -> None:
    if output.json:
        output.emit_json({"settings": settings_rows(rows)})
    else:
        output.table(["setting", "value", "source"], rows)


# --------------------------------------------------------------------------- test-event (#7)
def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def probe_document(result: ProbeResult) -> dict[str, Any]:
    """The JSON document of ``test-event --output json`` (no secret, only paths)."""
    leaks = []
    for event in result.events:
        for leak in (*event.outgoing_leaks, *event.stored_leaks):
            leaks.append(
                {
                    "kind": event.kind,
                    "event_id": event.event_id,
                    "path": leak.path,
                    "place": leak.place,
                    "key": leak.key,
                }
            )
    checked = ["sent"]
    if any(e.arrived for e in result.events):  # stored events were read and checked
        checked.append("stored")
    return {
        "run_id": result.run_id,
        "ok": result.ok,
        "environment": result.environment,
        "release": result.release,
        "verified": result.verified,
        "verify_note": result.verify_note,
        "verify_error": None if result.verify_error is None else result.verify_error.message,
        "interrupted": result.interrupted,
        "send_seconds": round(result.send_seconds, 3),
        "arrival_seconds": (
            None if result.arrival_seconds is None else round(result.arrival_seconds, 3)
        ),
        "delivery": {
            "ok": result.delivery_error is None,
            "error": None if result.delivery_error is None else result.delivery_error.message,
        },
        "scrubbing": {"verdict": result.scrubbing, "checked": checked, "leaks": leaks},
        "events": [
            {
                "kind": e.kind,
                "event_id": e.event_id,
                "delivery": e.delivery,
                "status": e.status,
                "send_seconds": None if e.send_seconds is None else round(e.send_seconds, 3),
                "arrived": e.arrived if e.arrival is not None else None,
                "arrival_seconds": (
                    None
                    if e.arrival is None or e.arrival.seconds is None
                    else round(e.arrival.seconds, 3)
                ),
                "run_tag_ok": e.run_tag_ok,
                "link": e.link,
                "reason": e.reason or (e.arrival.reason if e.arrival is not None else None),
            }
            for e in result.events
        ],
    }


# test-event's delivery outcomes (probe.transport's tokens, kept as they are in JSON) in words
_DELIVERY_WORDS = {
    "rate_limited": "rate limited",
    "not_sent": "not sent (still queued at the deadline)",
    "timeout": "timed out",
}


def show_check_in(output: Output, result: CheckInResult) -> None:
    """``test-event --check-in``: the check-ins sent, their delivery and what Sentry shows."""
    document: dict[str, Any] = {
        "job": result.job,
        "monitor_slug": result.slug,
        "environment": result.environment,
        "check_in_id": result.check_in_id,
        "schedule_sent": result.with_config,
        "delivered": result.delivered,
        "delivery_error": str(result.delivery_error) if result.delivery_error else None,
        "verified": result.verified,
        "status": (result.found or {}).get("status"),
        "seconds": result.seconds,
        "reason": result.reason,
    }
    if output.json:
        output.emit_json(document)
        return
    schedule = (
        "with its schedule from alert_rules.yaml"
        if result.with_config
        else ("WITHOUT a schedule (not under crons: in alert_rules.yaml)")
    )
    output.line(
        f"check-in {result.check_in_id or '(not sent)'} for {result.slug} "
        f"(environment {result.environment}), {schedule}"
    )
    if result.delivery_error is not None:
        output.line(f"delivery: FAILED ({result.delivery_error})", style="red")
        return
    output.line("delivery: in_progress and ok accepted")
    if result.found is not None and result.found.get("status") == "ok":
        output.line(
            f"arrival: found, status ok, after {_seconds(result.seconds or 0.0)}", style="green"
        )
    elif result.verified:
        output.line(f"arrival: NOT FOUND ({result.reason})", style="red")
    else:
        output.line(f"arrival: NOT VERIFIED ({result.reason})", style="yellow")


def show_test_event(output: Output, result: ProbeResult) -> None:
    """Event ids, delivery, arrival, links, timings and the scrubbing verdict."""
    if output.json:
        output.emit_json(probe_document(result))
        return
    release = result.release or "(no release)"
    output.line(
        f"test-event run {result.run_id}: environment {result.environment}, release {release}"
    )
    width = max(len(e.kind) for e in result.events) if result.events else 0
    for e in result.events:
        delivery = _DELIVERY_WORDS.get(e.delivery, e.delivery)
        delivery += f" (HTTP {e.status})" if e.status is not None else ""
        if e.send_seconds is not None:
            delivery += f" in {_seconds(e.send_seconds)}"
        if e.arrival is None:
            arrival = "arrival not checked"
        elif e.arrival.found:
            arrival = f"arrived after {_seconds(e.arrival.seconds)}"
        else:
            arrival = "NOT FOUND"
        output.line(f"{e.kind:<{width}}  {e.event_id or '(dropped)'}  {delivery}, {arrival}")
        if e.link:
            output.line(f"{'':<{width}}  {e.link}")
        reason = e.reason or (e.arrival.reason if e.arrival is not None else None)
        if reason:
            output.line(f"{'':<{width}}  {reason}", style="red")
        if e.run_tag_ok is False:
            output.line(f"{'':<{width}}  the stored event does not carry this run's tag", "yellow")
    output.line(f"sent in {_seconds(result.send_seconds)}")
    if result.verified:
        arrived = sum(1 for e in result.events if e.arrived)
        checked = sum(1 for e in result.events if e.arrival is not None)
        output.line(
            f"arrival: {arrived} of {plural(checked, 'event')} confirmed through the API"
            + (f" in {_seconds(result.arrival_seconds)}" if result.arrival_seconds else "")
        )
    elif result.verify_note:
        output.line(f"arrival: NOT VERIFIED ({result.verify_note})", style="yellow")
    leaks = result.leaks
    # "stored" only when a stored event was read back: a run that found nothing checked
    # only what was sent
    stored = any(e.arrived for e in result.events)
    where = "sent and stored events" if stored else "sent events"
    if leaks:
        found = plural(len(leaks), "planted secret")
        output.line(f"scrubbing: LEAKED ({found} found)", "bold red")
        for leak in leaks:
            output.line(f"  {leak.describe()}", style="red")
    elif result.scrubbing == "clean":
        output.line(f"scrubbing: clean (no planted secret in the {where})", style="green")
    elif result.scrubbing == "not verified":
        output.line(
            "scrubbing: NOT VERIFIED (no planted secret in the sent events, but no stored "
            "event could be read to check what Sentry kept)",
            style="yellow",
        )
    else:
        output.line("scrubbing: not checked (no event was sent)", style="yellow")


# --- validate / schema (issue 5) --------------------------------------------------------


def validate_document(result: ValidateResult) -> dict[str, Any]:
    """``validate --output json``: the file, the verdict, counts and every located problem."""
    return {
        "file": result.file,
        "valid": result.valid,
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "counts": result.counts,
        "problems": [
            {
                "severity": p.severity,
                "file": p.file,
                "line": p.line,
                "column": p.column,
                "path": p.path,
                "message": p.message,
            }
            for p in result.problems
        ],
    }


def show_validate(output: Output, result: ValidateResult) -> None:
    """One line per problem (``file:line:col: severity: path: message``), then a verdict."""
    if output.json:
        output.emit_json(validate_document(result))
        return
    output.lines(
        (
            f"{p.location()}: {p.severity}:{f' {p.path}:' if p.path else ''} {p.message}",
            "red" if p.severity == "error" else "yellow",
        )
        for p in result.problems
    )
    warnings = plural(len(result.warnings), "warning")
    if result.valid:
        counts = _counts_text(result.counts)
        output.note(f"{result.file}: valid ({counts}); {warnings}", style="green")
    else:
        errors = plural(len(result.errors), "error")
        output.note(f"{result.file}: invalid, {errors} and {warnings}", style="bold red")


def _counts_text(counts: dict[str, int]) -> str:
    """``{"monitors": 3, "dashboards": 1}`` -> ``3 monitors, 1 dashboard``."""
    return ", ".join(plural(n, name.removesuffix("s")) for name, n in counts.items())


def show_schema(output: Output, result: SchemaResult) -> None:
    """The JSON Schema on stdout (already JSON, whatever --output says)."""
    output.stdout.write(redact(result.text))
    output.stdout.flush()


# --- plan / apply-alerts / export (issue 6) ---------------------------------------------

_PLAN_SIGNS = {"create": "+", "update": "~", "delete": "-", "noop": "="}
_PLAN_STYLES = {"create": "green", "update": "yellow", "delete": "red", "noop": "dim"}


def _plan_value(value: Any) -> str:
    """A value as the file would write it: ``10m``, ``> 2s``, ``[slack-alerts]``, ``true``;
    ``(none)`` for a field not set and ``""`` for an empty text."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value and value == value.strip() else json.dumps(value)
    if isinstance(value, int | float):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_plan_value(item) for item in value) + "]"
    return json.dumps(value, sort_keys=True, default=str)


def _plan_fields(value: Any, path: str = "", *, skip_empty: bool = False) -> list[tuple[str, str]]:
    """A created resource's fields as (dotted path, value) rows, one per scalar or list of
    scalars, so a dashboard reads widget by widget instead of as one JSON line. With
    ``skip_empty``, fields left unset or empty are not listed (the file would not write them)."""
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            rows += _plan_fields(item, child, skip_empty=skip_empty)
        return rows
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        rows = []
        for index, item in enumerate(value):
            rows += _plan_fields(item, f"{path}[{index}]", skip_empty=skip_empty)
        return rows
    if skip_empty and value in (None, "", [], ()):
        return []
    return [(path, _plan_value(value))]


def plan_lines(plan: Plan, org: str, *, show_noop: bool = False) -> list[tuple[str, str]]:
    """The plan as (text, style) lines: one per change, one per changed field, a summary."""
    lines: list[tuple[str, str]] = [(f"Plan for organization {org}:", "bold")]
    unchanged = 0
    for change in plan.changes:
        if change.action == "noop" and not show_noop:
            unchanged += 1
            continue
        sign = _PLAN_SIGNS[change.action]
        rid = f" (id {change.actual.id})" if change.actual is not None and change.actual.id else ""
        if change.duplicate_of is not None:
            rid = ""  # the label names both ids
        lines.append((f"  {sign} {change.action} {change.label}{rid}", _PLAN_STYLES[change.action]))
        if change.action == "create" and change.desired is not None:
            for key, value in _plan_fields(dict(change.desired.view), skip_empty=True):
                lines.append((f"      {key}: {value}", "green"))
        for item in change.diff:
            lines.append(
                (
                    f"      {item.path}: {_plan_value(item.before)} -> {_plan_value(item.after)}",
                    "yellow",
                )
            )
    for warning in plan.warnings:
        lines.append((f"  ! {warning}", "yellow"))
    for note in plan.notes:
        lines.append((f"  note: {note}", "dim"))
    counts = plan.counts()
    if not plan.has_drift:
        lines.append((f"No changes: {counts['noop']} up to date.", "green"))
    else:
        lines.append(
            (
                f"Plan: {counts['create']} to create, {counts['update']} to update, "
                f"{counts['delete']} to delete, {counts['noop']} unchanged.",
                "bold",
            )
        )
    return lines


def show_plan(output: Output, result: PlanResult) -> None:
    """A plan as a readable diff (text) or as JSON."""
    if output.json:
        output.emit_json({"organization": result.org, **result.plan.to_json()})
        return
    output.lines(plan_lines(result.plan, result.org))


def show_apply_progress(output: Output, change: Change, status: str) -> None:
    """One stderr line per change, when it has finished (done or failed)."""
    if status == "start":
        return
    if status == "done":
        output.note(f"  {_PLAN_SIGNS[change.action]} {change.action}d {change.label}", "green")
    else:
        output.note(f"  ! failed to {change.action} {change.label}", "red")


def show_apply(output: Output, outcome: ApplyOutcome) -> None:
    """The end of an apply: what was done (or why nothing was)."""
    counts = outcome.planned.plan.counts()
    if output.json:
        output.emit_json(
            {
                "organization": outcome.planned.org,
                "dry_run": outcome.dry_run,
                "declined": outcome.declined,
                "applied": [c.to_json() for c in outcome.applied],
                **outcome.planned.plan.to_json(),
            }
        )
        return
    if not outcome.planned.has_drift:
        return
    if outcome.dry_run:
        output.note("dry run: nothing was changed")
    elif outcome.declined:
        output.note("not applied")
    else:
        output.note(
            f"Applied {plural(len(outcome.applied), 'change')} ({counts['create']} created, "
            f"{counts['update']} updated, {counts['delete']} deleted).",
            "green",
        )


def show_apply_error(output: Output, progress: ApplyProgress) -> None:
    """What a stopped apply did and did not do (stderr)."""
    for title, items in (
        ("applied", progress.applied),
        ("failed", progress.failed),
        ("not attempted", progress.not_attempted),
        (
            "in flight when interrupted (may or may not have happened; plan shows it)",
            progress.in_flight,
        ),
    ):
        if items:
            output.note(f"{title}: {', '.join(items)}")


def show_export(output: Output, result: ExportResult) -> None:
    """The exported YAML on stdout (or a note naming the file), problems as warnings."""
    for problem in result.problems:
        output.warning(problem)
    counts = _counts_text(result.counts)
    if output.json:
        output.emit_json(
            {
                "organization": result.org,
                "counts": result.counts,
                "problems": result.problems,
                "output": None if result.output is None else str(result.output),
                "yaml": None if result.output is not None else result.text,
            }
        )
        return
    if result.output is None:
        output.stdout.write(redact(result.text))
        output.stdout.flush()
        output.note(f"exported {counts}")
    else:
        output.note(f"wrote {result.output}: {counts}", "green")


# --------------------------------------------------------------------------- check-setup
CHECKLIST_WIDTH = 79  # pre-commit's line width
# detail lines under a result in the text output (hints are always shown)
MAX_DETAILS = {"failed": 10, "warning": 5, "not_run": 5}
STATUS_WORDS = {
    "passed": ("Passed", "green"),
    "failed": ("Failed", "bold red"),
    "warning": ("Warning", "yellow"),
    "skipped": ("Skipped", "cyan"),
    "not_run": ("Not run", "bold magenta"),
}


def checklist_line(result: CheckResult) -> tuple[str, str, str]:
    """``(label, dots, status word)`` for one result: ``title [name]......Passed``."""
    label = f"{result.title} [{result.name}]"
    word = STATUS_WORDS[result.status][0]
    dots = "." * max(3, CHECKLIST_WIDTH - len(label) - len(word))
    return label, dots, word


def show_check_result(output: Output, result: CheckResult) -> None:
    """One checklist entry: the dotted line, the evidence, and details when it did not pass."""
    label, dots, word = checklist_line(result)
    output.styled([(label + dots, None), (word, STATUS_WORDS[result.status][1])])
    output.line(f"  {result.summary}")
    if result.status in MAX_DETAILS:
        limit = MAX_DETAILS[result.status]
        hints = [d for d in result.details if d.startswith("hint:")]
        evidence = [d for d in result.details if not d.startswith("hint:")]
        for detail in evidence[:limit]:
            output.line(f"    {detail}", style="dim")
        if len(evidence) > limit:
            more = len(evidence) - limit
            output.line(f"    ... and {more} more (--output json lists them all)", style="dim")
        for hint in hints:
            output.line(f"    {hint}", style="dim")


class ChecklistPrinter:
    """Prints results in checklist order as soon as every earlier one is known."""

    def __init__(self, output: Output, names: Sequence[str]) -> None:
        self.output = output
        self.names = list(names)
        self.ready: dict[str, CheckResult] = {}
        self.next = 0

    def __call__(self, result: CheckResult) -> None:
        self.ready[result.name] = result
        while self.next < len(self.names) and self.names[self.next] in self.ready:
            show_check_result(self.output, self.ready[self.names[self.next]])
            self.next += 1


def check_summary(report: Report) -> str:
    counts = report.counts()
    parts = [
        f"{counts['passed']} passed",
        f"{counts['failed']} failed",
        plural(counts["warning"], "warning"),
        f"{counts['skipped']} skipped",
    ]
    if counts["not_run"]:
        parts.append(f"{counts['not_run']} not run")
    requests = f", {plural(report.requests, 'API request')}" if report.requests is not None else ""
    verdict = {
        0: "OK",
        1: "FAILED",
        3: "INCOMPLETE",
        4: "ERROR",
    }.get(report.exit_code(), "FAILED")
    total = plural(len(report.results), "check")
    return f"{verdict}: {total}: {', '.join(parts)} ({report.seconds:.1f} s{requests})"


CAUSE_LINES = {
    "unreachable": "Sentry could not be reached: the checks that need it could not run",
    "token": "Sentry refused the token (401): check --auth-token / SENTRY_AUTH_TOKEN",
    "server": "Sentry kept failing (5xx) past the retry budget: rerun when it recovers",
    "rate_limited": "Sentry kept rate-limiting (429) past the retry budget: rerun later",
    # not_found and not_sentry: the result's own summary names the organization or server
}


def show_check_report(output: Output, report: Report, *, printed: bool = False) -> None:
    """The whole report: JSON with --output json, else the checklist (unless ``printed``
    live already) and a summary line."""
    if output.json:
        output.emit_json(report.to_json())
        return
    if not printed:
        for result in report.results:
            show_check_result(output, result)
    style = {0: "bold green", 1: "bold red"}.get(report.exit_code(), "bold red")
    output.line(check_summary(report), style=style)
    for cause in report.causes():
        line = CAUSE_LINES.get(cause)
        if line is None:  # the first such result says it best (names org, server, visible orgs)
            first = next(r for r in report.not_checked if r.cause == cause)
            line = first.summary.removeprefix("not run: ")
        output.error(line)


def junit_xml(report: Report, suite: str = "para-monitor check-setup") -> str:
    """The report as JUnit XML: one testcase per check; failed -> <failure>, skipped ->
    <skipped>, not run (the check could not run) -> <error type="NotRun">, warning -> a
    passing testcase with the warning in <system-out>."""
    import xml.etree.ElementTree as ET

    counts = report.counts()
    root = ET.Element("testsuites", name="para-monitor", tests=str(len(report.results)))
    root.set("failures", str(counts["failed"]))
    root.set("errors", str(counts["not_run"]))
    root.set("skipped", str(counts["skipped"]))
    root.set("time", f"{report.seconds:.3f}")
    tsuite = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(report.results)),
        failures=str(counts["failed"]),
        errors=str(counts["not_run"]),
        skipped=str(counts["skipped"]),
        time=f"{report.seconds:.3f}",
    )
    for result in report.results:
        case = ET.SubElement(
            tsuite,
            "testcase",
            classname="para-monitor.check-setup",
            name=result.name,
            time=f"{result.seconds:.3f}",
        )
        text = "\n".join(redact(x) for x in (result.title, result.summary, *result.details))
        if result.status == "failed":
            failure = ET.SubElement(
                case, "failure", message=redact(result.summary), type="CheckFailed"
            )
            failure.text = text
        elif result.status == "skipped":
            ET.SubElement(case, "skipped", message=redact(result.summary))
        elif result.status == "not_run":
            error = ET.SubElement(case, "error", message=redact(result.summary), type="NotRun")
            error.text = text
        else:
            out = ET.SubElement(case, "system-out")
            out.text = f"warning: {text}" if result.status == "warning" else text
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


class ReportFile:
    """A report's output file, opened (created if missing) before the work starts, so that a
    path that cannot be written fails up front as a usage error (exit 2), and the report,
    written at the end, is never lost to it. Use as a context manager: a file it created and
    never wrote (the work stopped first) is removed again."""

    def __init__(self, path: Path, flag: str) -> None:
        import os

        self.path = path
        self.flag = flag
        self.written = False
        existed = path.exists()
        try:
            # O_WRONLY without O_TRUNC: an earlier report stays until this one replaces it
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
        except OSError as exc:
            from para_monitor_cli.errors import UsageError

            reason = exc.strerror or type(exc).__name__
            raise UsageError(f"{flag} {path}: cannot write there ({reason})") from None
        self._created = not existed

    def write(self, text: str) -> None:
        import contextlib
        import os

        data = text.encode("utf-8")
        try:
            with contextlib.suppress(OSError):  # a pipe or a terminal cannot be truncated
                os.ftruncate(self._fd, 0)
                os.lseek(self._fd, 0, os.SEEK_SET)
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as exc:  # opened, yet refused (a full disk, a /proc file)
            from para_monitor_cli.errors import ParaMonitorError

            reason = exc.strerror or type(exc).__name__
            raise ParaMonitorError(
                f"{self.flag} {self.path}: the report could not be written ({reason})"
            ) from None
        self.written = True

    def close(self) -> None:
        import contextlib
        import os

        if self._fd < 0:
            return
        os.close(self._fd)
        self._fd = -1
        if self._created and not self.written:
            with contextlib.suppress(OSError):
                self.path.unlink()

    def __enter__(self) -> ReportFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_report_file(path: Path, flag: str) -> ReportFile:
    """Open ``path`` for a report now (see :class:`ReportFile`); a usage error if it cannot be
    written: a directory, a missing directory, no permission, a read-only file system."""
    if path.is_dir():
        from para_monitor_cli.errors import UsageError

        raise UsageError(f"{flag} {path} is a directory: give a file name")
    return ReportFile(path, flag)


def write_junit(report: Report, path: Path | ReportFile) -> None:
    """The report as JUnit XML, into a :class:`ReportFile` opened up front (or a path)."""
    if isinstance(path, ReportFile):
        path.write(junit_xml(report))
    else:
        path.write_text(junit_xml(report), encoding="utf-8")


# --------------------------------------------------------------------------- demo
def demo_narrator(output: Output) -> Callable[[str, str], None]:
    """Print the demo's stages as they happen (nothing with --output json)."""

    def say(kind: str, text: str) -> None:
        if output.json:
            return
        if kind == "stage":
            output.line("")
            output.line(f"==> {text}", style="bold")
        elif kind == "note":
            output.line(f"  ! {text}", style="yellow")
        else:
            output.line(f"  {text}")

    return say


def show_demo(output: Output, result: DemoResult) -> None:
    from para_monitor_cli.commands.demo import demo_document

    if output.json:
        output.emit_json(demo_document(result))
        return
    report = result.report
    output.line("")
    if report is not None:
        style = "bold green" if result.ok else "bold red"
        output.line(check_summary(report), style=style)
    output.line(f"demo finished in {result.seconds:.1f} s; the sandbox has been stopped.")
    if result.ok:
        output.line("")
        output.line("Next, point para-monitor at your own Sentry:")
        output.line("  export SENTRY_AUTH_TOKEN=... SENTRY_ORG=... SENTRY_PROJECT=...")
        output.line("  export SENTRY_DSN=... ENVIRONMENT=production VERSION=0.1.0")
        output.line("  para-monitor test-event   # its environment exists once an event arrived")
        output.line("  para-monitor validate && para-monitor plan && para-monitor apply-alerts")
        output.line("  para-monitor check-setup --junit check-setup.xml   # the CI gate")


def show_sandbox(output: Output, info: SandboxInfo) -> None:
    """The running sandbox's URL, DSN and API token (a ``commands.sandbox.SandboxInfo``).

    Printed raw on purpose, bypassing redaction: these are throw-away credentials of a local
    server, and handing them to the user is the command's whole job.
    """
    if output.json:
        data = {
            "url": info.url,
            "dsn": info.dsn,
            "token": info.token,
            "org": info.org,
            "project": info.project,
            "projectId": info.project_id,
            "data": str(info.data) if info.data else None,
            "faults": list(info.faults),
        }
        output.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    else:
        lines = [
            f"Sentry sandbox running on {info.url}",
            f"  SENTRY_URL={info.url}",
            f"  SENTRY_DSN={info.dsn}",
            f"  SENTRY_AUTH_TOKEN={info.token}",
            f"  SENTRY_ORG={info.org}",
            f"  SENTRY_PROJECT={info.project}",
        ]
        output.stdout.write("\n".join(lines) + "\n")
        where = f"state in {info.data}" if info.data else "state in memory (lost on exit)"
        faults = f"; faults: {', '.join(info.faults)}" if info.faults else ""
        output.note(f"{where}{faults}. Press Ctrl-C to stop.")
    output.stdout.flush()


def show_scrub_check(output: Output, report: CheckReport) -> None:
    """The leak report of ``scrub-check`` (a ``scrub.checker.CheckReport``): every leak by
    sample, JSON path, kind and rule (never the leaked value), every event the hook raised on
    or dropped, and the verdict of ``scrub.checker.findings``."""
    from para_monitor_cli.scrub.checker import findings

    found = findings(report)
    leaks = [
        {"sample": x.sample, "path": x.path, "kind": x.kind, "rule": x.rule, "value": x.redacted}
        for x in report.leaks
    ]
    destroyed = [
        {"sample": d.sample, "path": d.path, "expected": d.expected} for d in report.destroyed
    ]
    if output.json:
        output.emit_json(
            {
                "scrubber": report.scrubber,
                "mode": report.mode,
                "samples": report.samples,
                "planted_secrets": report.planted,
                "harmless_values": report.harmless,
                "leaks": leaks,
                "destroyed_harmless": destroyed,
                "dropped_samples": list(report.dropped),
                "hook_errors": list(report.hook_errors),
                "findings": found,
                "ok": report.ok,
            }
        )
        return
    for x in leaks:
        output.line(f"LEAK {x['sample']}: {x['path']}  kind={x['kind']}  rule={x['rule']}")
    for problem in report.hook_errors:
        output.line(f"HOOK RAISED {problem} (the SDK would lose the event)")
    for name in report.dropped:
        output.line(f"DROPPED {name} (nothing came out of the scrubber: not sent)")
    for d in destroyed:
        output.warning(
            f"harmless value destroyed: {d['sample']}: {d['path']} (was {d['expected']})"
        )
    samples = plural(report.samples, "sample")
    how = "real sentry-sdk pipeline" if report.mode == "sdk" else "hook called directly"
    facts = (
        f"{samples} through {report.scrubber} ({how}); planted secrets: {report.planted};"
        f" harmless values destroyed: {len(destroyed)} of {report.harmless}"
    )
    if found:
        output.line(f"FAILED: {'; '.join(found)}", style="bold red")
        output.line(facts)
    else:
        output.line(f"no leaks in {facts}", style="green")
