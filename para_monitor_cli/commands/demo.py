"""``para-monitor demo``: the whole product against a local sandbox, in one command.

1. start the sandbox in-process (a local Sentry stand-in on 127.0.0.1, random port);
2. send a test error and message through the backend's own SDK set-up and confirm they arrived;
3. apply alert_rules.yaml (monitors, alerts, dashboards);
4. run check-setup against it: every check must pass.

Nothing is read from the user's environment, ``.env`` or ``.sentryclirc``: the demo's settings
point at the sandbox only, so it can never touch a real Sentry.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from para_monitor_cli.errors import EXIT_FINDINGS, EXIT_OK
from para_monitor_cli.settings import Settings, Value, display_value, resolve
from para_monitor_cli.wording import plural

if TYPE_CHECKING:
    from para_monitor_cli.checks import CheckResult, Report
    from para_monitor_cli.commands.apply import ApplyOutcome
    from para_monitor_cli.probe import ProbeResult

SANDBOX_SOURCE = "the demo's sandbox"  # where the demo's settings come from (for evidence)
DEMO_ENVIRONMENT = "production"
DEMO_VERSION = "0.1.0"  # the sandbox seeds the release para-autopilot@0.1.0
ARRIVAL_TIMEOUT = 15.0

Say = Callable[[str, str], None]  # (kind, text): kind is "stage", "line" or "note"


@dataclass
class DemoResult:
    sandbox: dict[str, str]
    config: Path
    probe: ProbeResult | None = None
    applied: ApplyOutcome | None = None
    report: Report | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    def exit_code(self) -> int:
        if self.report is None:
            return EXIT_FINDINGS
        return self.report.exit_code()

    @property
    def ok(self) -> bool:
        return self.exit_code() == EXIT_OK


BUNDLED_SPEC = Path(__file__).resolve().parents[1] / "spec" / "alert_rules.example.yaml"


def demo_config(settings: Settings) -> Path:
    """The spec to apply: --config when it exists, else the copy of the repository's
    alert_rules.yaml that ships with the package (so the demo runs from anywhere)."""
    if settings.config.is_file():
        return settings.config
    return BUNDLED_SPEC


def demo_seed(directory: Path) -> Path:
    """The sandbox's default seed without the legacy (deprecated-API) rules: a project that
    was set up with the current APIs, as a new user's would be."""
    from para_monitor_cli.sandbox.seed import load_seed

    seed = copy.deepcopy(load_seed())
    for org in seed.get("organizations", []):
        org["alert_rules"] = []
        for project in org.get("projects", []):
            project["rules"] = []
    path = directory / "demo-seed.json"
    path.write_text(json.dumps(seed), encoding="utf-8")
    return path


def demo_settings(base: Settings, server: Any, config: Path, home: Path) -> Settings:
    flags = {
        "url": server.url,
        "auth_token": server.token,
        "org": server.org,
        "project": server.project,
        "dsn": server.dsn,
    }
    settings = resolve(
        flags,
        environ={"ENVIRONMENT": DEMO_ENVIRONMENT, "VERSION": DEMO_VERSION},
        cwd=home,
        home=home,
        config=config,
        output=base.output,
        debug=base.debug,
    )
    # the user passed none of these: say they are the sandbox's, not "flag --dsn"
    values = {
        name: Value(item.value, SANDBOX_SOURCE) if item.value is not None else item
        for name, item in settings.values.items()
    }
    return dataclasses.replace(settings, values=values)


def run_demo(
    base: Settings,
    *,
    say: Say | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
    arrival_timeout: float = ARRIVAL_TIMEOUT,
) -> DemoResult:
    """Run the four stages; ``say`` narrates them, ``on_result`` gets each check result."""
    from para_monitor_cli.api.client import client_from_settings
    from para_monitor_cli.commands.apply import apply_command
    from para_monitor_cli.commands.check_setup import CheckSetupOptions, check_setup
    from para_monitor_cli.probe import ProbeOptions, run_probe
    from para_monitor_cli.sandbox.testing import run_sandbox
    from para_monitor_cli.spec import load_spec

    def tell(kind: str, text: str) -> None:
        if say is not None:
            say(kind, text)

    started = time.monotonic()
    config = demo_config(base)
    spec = load_spec(config)  # a broken file is a usage error before anything starts
    with tempfile.TemporaryDirectory(prefix="para-monitor-demo-") as tmp:
        home = Path(tmp)
        tell("stage", "1/4 Starting a local Sentry sandbox")
        mark = time.monotonic()
        with run_sandbox(seed=demo_seed(home)) as server:
            settings = demo_settings(base, server, config, home)
            result = DemoResult(
                sandbox={
                    "url": server.url,
                    "org": server.org,
                    "project": server.project,
                    "dsn": server.dsn,
                },
                config=config,
            )
            tell(
                "line",
                f"sandbox at {server.url} (organization {server.org}, project {server.project})",
            )
            tell(
                "line",
                f"DSN {display_value('dsn', server.dsn)}; an API token was generated for this run",
            )
            result.stage_seconds["sandbox"] = time.monotonic() - mark

            tell("stage", "2/4 Sending a test error through the backend's Sentry set-up")
            mark = time.monotonic()
            client = client_from_settings(settings, on_warning=lambda _text: None)
            try:
                result.probe = run_probe(
                    ProbeOptions(
                        dsn=server.dsn,
                        environment=DEMO_ENVIRONMENT,
                        version=DEMO_VERSION,
                        sensitive_fields=tuple(spec.scrubbing.sensitive_fields),
                        safe_fields=tuple(spec.scrubbing.safe_fields),
                    ),
                    api=client,
                    org=server.org,
                    project=server.project,
                    base_url=server.url,
                    timeout=arrival_timeout,
                )
                _tell_probe(tell, result.probe)
                result.stage_seconds["test_event"] = time.monotonic() - mark

                tell("stage", f"3/4 Applying {config.name}: monitors, alerts and dashboards")
                mark = time.monotonic()
                result.applied = apply_command(
                    settings,
                    client=client,
                    on_progress=lambda change, status: _tell_change(tell, change, status),
                )
                counts = result.applied.planned.plan.counts()
                applied = len(result.applied.applied)
                tell(
                    "line",
                    f"Applied {plural(applied, 'change')} "
                    f"({counts['create']} created, {counts['update']} updated, "
                    f"{counts['delete']} deleted); {counts['noop']} already matched the file",
                )
                result.stage_seconds["apply"] = time.monotonic() - mark
                _run_jobs_once(settings, server.dsn, tell)
            finally:
                client.http.close()

            tell("stage", "4/4 Running check-setup: the Monitoring Checklist")
            mark = time.monotonic()
            result.report = check_setup(
                settings,
                CheckSetupOptions(arrival_timeout=arrival_timeout),
                on_result=on_result,
            )
            result.stage_seconds["check_setup"] = time.monotonic() - mark
    result.seconds = time.monotonic() - started
    return result


def _run_jobs_once(settings: Settings, dsn: str, tell: Callable[[str, str], None]) -> None:
    """One ok run of each background job in the file, as ``monitor_job`` reports it (the
    check-ins ``test-event --check-in`` sends), so "Background jobs check in" has runs to see."""
    from para_monitor_cli.probe.checkin import send_check_ins
    from para_monitor_cli.spec import load_spec

    jobs = load_spec(settings.config).crons
    if not jobs:
        return
    for cron in jobs:
        sent = send_check_ins(
            dsn,
            cron.monitor_slug,
            rules=settings.config,
            environment=cron.environment or settings.environment,
            version=settings.version,
            send_timeout=10.0,
        )
        if sent.delivery_error is not None:
            tell("note", f"{cron.monitor_slug}: check-in not delivered: {sent.delivery_error}")
    names = ", ".join(c.monitor_slug for c in jobs)
    tell("line", f"Ran each background job once: {plural(len(jobs), 'check-in')} ok ({names})")


def _tell_change(tell: Callable[[str, str], None], change: Any, status: str) -> None:
    if status == "done":
        tell("line", f"{change.action}d {change.label}")
    elif status != "start":
        tell("note", f"failed to {change.action} {change.label}")


def _tell_probe(tell: Callable[[str, str], None], probe: ProbeResult) -> None:
    if probe.delivery_error is not None:
        tell("note", f"delivery failed: {probe.delivery_error.message}")
        return
    for event in probe.events:
        arrived = (
            f"arrived in {event.arrival.seconds:.1f} s"
            if event.arrival is not None
            and event.arrival.found
            and event.arrival.seconds is not None
            else "not confirmed"
        )
        tell("line", f"{event.kind} {event.event_id}: {event.delivery}, {arrived}")
    verdict = (
        "no planted secret reached the server"
        if not probe.leaks
        else f"{plural(len(probe.leaks), 'planted secret')} reached the server"
    )
    tell("line", verdict)


def demo_document(result: DemoResult) -> dict[str, Any]:
    """The demo as JSON (the check report is the check-setup JSON document)."""
    probe = result.probe
    applied = result.applied
    return {
        "ok": result.ok,
        "exit_code": result.exit_code(),
        "seconds": round(result.seconds, 3),
        "stages": {k: round(v, 3) for k, v in result.stage_seconds.items()},
        "sandbox": dict(result.sandbox),
        "config": str(result.config),
        "test_event": None
        if probe is None
        else {
            "ok": probe.ok,
            "events": [
                {
                    "kind": e.kind,
                    "event_id": e.event_id,
                    "delivery": e.delivery,
                    "arrived": e.arrived,
                }
                for e in probe.events
            ],
            "leaks": len(probe.leaks),
        },
        "apply": None
        if applied is None
        else {
            "summary": applied.planned.plan.counts(),
            "applied": [f"{c.action} {c.label}" for c in applied.applied],
        },
        "check_setup": None if result.report is None else result.report.to_json(),
    }
