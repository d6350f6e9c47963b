"""``para-monitor export``: what exists in Sentry, written as an alert_rules.yaml.

Monitors (metric detectors), alerts (workflows) and custom dashboards are read through the
current API; legacy metric alert rules and issue alert rules (deprecated endpoints) are
translated into monitors and alerts, so a team can migrate off the old API. Transaction-based
monitors (new or legacy) are written on spans, as Sentry refuses changes to them (each is named
in the export's problems). Objects already
present under the new API with the same name are not duplicated. The result is validated
before it is returned.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from para_monitor_cli.settings import Settings


@dataclass
class ExportResult:
    text: str
    org: str
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # what could not be translated
    output: Path | None = None


def file_defaults(settings: Settings) -> tuple[str, str | None]:
    """The organization and project: settings first, then the --config file's defaults (when
    it exists and is valid), as plan and check-setup do. No organization anywhere is a usage
    error."""
    from para_monitor_cli.spec.check import check_spec

    org, project = settings.org, settings.project
    if (not org or not project) and settings.config.is_file():
        spec, _ = check_spec(settings.config)
        if spec is not None:
            org = org or spec.organization
            project = project or spec.project
    if not org:
        org = settings.require("org")
    return org, project


OVERWRITE_HINT = (
    "export to a new file (e.g. --out alert_rules.exported.yaml), review it and merge what "
    "you want; or pass --force to replace the file"
)


def check_output(path: Path, *, force: bool) -> None:
    """Refuse, before anything is read from Sentry, an --out that cannot be written: an
    existing file without ``force`` (a hand-written spec is never replaced silently), a
    directory, or a file in a directory that does not exist."""
    from para_monitor_cli.errors import UsageError

    if path.is_dir():
        raise UsageError(f"--out {path} is a directory: give a file name")
    if path.exists() and not force:
        raise UsageError(f"--out {path} exists: export does not overwrite it", hint=OVERWRITE_HINT)
    if not path.parent.is_dir():
        raise UsageError(f"--out {path}: the directory {path.parent} does not exist")


def write_output(path: Path, text: str, *, force: bool) -> None:
    """Write the export; without ``force`` only as a new file (exclusive create)."""
    from para_monitor_cli.errors import UsageError

    try:
        with path.open("w" if force else "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(
            f"--out {path} exists: export does not overwrite it", hint=OVERWRITE_HINT
        ) from None
    except OSError as exc:
        raise UsageError(f"--out {path}: cannot write it: {exc.strerror or exc}") from None


def export_command(
    settings: Settings,
    *,
    output: Path | None = None,
    legacy: bool = True,
    client: Any = None,
    on_warning: Callable[[str], None] | None = None,
    force: bool = False,
) -> ExportResult:
    import yaml

    from para_monitor_cli.api import wire
    from para_monitor_cli.commands.plan import make_client
    from para_monitor_cli.errors import GoneError, NotFoundError, SpecError
    from para_monitor_cli.reconcile.state import read_actual
    from para_monitor_cli.spec.check import check_spec

    if output is not None:
        check_output(output, force=force)
    org, project = file_defaults(settings)
    if client is None:
        with make_client(settings, on_warning) as own:
            return export_command(settings, output=output, legacy=legacy, client=own, force=force)
    actual = read_actual(client, org, all_dashboards=True)
    directory = actual.directory
    book = wire.TargetBook(directory)
    problems: list[str] = []

    monitors = [
        wire.export_detector(d, directory, problems)
        for d in actual.detectors
        if not wire.detector_is_builtin(d)
    ]
    alerts = [wire.export_workflow(w, directory, book, problems) for w in actual.workflows]
    monitor_names = {(m["project"], m["name"]) for m in monitors}
    alert_names = {a["name"] for a in alerts}

    if legacy:
        try:
            rules = client.metric_alert_rules(org)
        except (GoneError, NotFoundError) as exc:
            problems.append(f"legacy metric alert rules not read: {exc.message}")
            rules = []
        for rule in rules:
            detector, actions = wire.legacy_metric_rule_to_detector(rule, directory)
            monitor = wire.export_detector(detector, directory, problems)
            if (monitor["project"], monitor["name"]) not in monitor_names:
                monitor_names.add((monitor["project"], monitor["name"]))
                monitors.append(monitor)
            if actions and monitor["name"] not in alert_names:
                alert_names.add(monitor["name"])
                workflow = {
                    "name": monitor["name"],
                    "detectorIds": [],
                    "actionFilters": [{"logicType": "all", "conditions": [], "actions": actions}],
                }
                alert = wire.export_workflow(workflow, directory, book, problems)
                alert["monitors"] = [monitor["name"]]
                alerts.append(alert)
        for project in sorted(directory.projects):
            try:
                issue_rules = client.issue_alert_rules(project, org)
            except (GoneError, NotFoundError) as exc:
                problems.append(f"legacy issue alert rules of {project} not read: {exc.message}")
                continue
            for rule in issue_rules:
                shaped = wire.legacy_issue_rule_to_workflow(rule, problems)
                if shaped["name"] in alert_names:
                    continue
                alert_names.add(shaped["name"])
                alert = wire.export_workflow(shaped, directory, book, problems)
                alert["projects"] = [project]
                alerts.append(alert)

    dashboards = [wire.export_dashboard(d, directory) for d in actual.dashboards]
    document: dict[str, Any] = {"version": 1, "organization": org}
    if project:
        document["project"] = project
    if book.targets:
        document["targets"] = book.targets
    document["monitors"] = sorted(monitors, key=lambda m: (m["project"], m["name"]))
    document["alerts"] = sorted(alerts, key=lambda a: a["name"])
    document["dashboards"] = sorted(dashboards, key=lambda d: str(d["title"]))
    header = (
        f"# Exported by para-monitor from organization {org}.\n"
        "# Review it, then keep it in version control and apply it with apply-alerts.\n"
    )
    text = header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)

    with tempfile.TemporaryDirectory() as tmp:
        candidate = Path(tmp) / "alert_rules.yaml"
        candidate.write_text(text, encoding="utf-8")
        spec, found = check_spec(candidate)
    errors = [p for p in found if p.severity == "error"]
    if spec is None or errors:
        raise SpecError(errors or found)
    if output is not None:
        write_output(output, text, force=force)
    return ExportResult(
        text=text,
        org=org,
        counts={
            "monitors": len(document["monitors"]),
            "alerts": len(document["alerts"]),
            "dashboards": len(document["dashboards"]),
            "targets": len(book.targets),
        },
        problems=problems,
        output=output,
    )
