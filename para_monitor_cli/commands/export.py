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
from typing import TYPE_CHECKING, Any

from para_monitor_cli.settings import Settings

if TYPE_CHECKING:
    from para_monitor_cli.api.client import SentryClient
    from para_monitor_cli.kinds.base import ExportContext


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
    client: SentryClient | None = None,
    on_warning: Callable[[str], None] | None = None,
    force: bool = False,
) -> ExportResult:
    import yaml

    from para_monitor_cli.commands.plan import make_client
    from para_monitor_cli.errors import SpecError
    from para_monitor_cli.kinds import registry
    from para_monitor_cli.kinds.base import ExportContext
    from para_monitor_cli.kinds.targets import TargetBook
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
    ctx = ExportContext(directory=directory, book=TargetBook(directory))
    sections: dict[str, list[dict[str, Any]]] = {}
    for kind in registry():
        exported = (kind.export(obj, ctx) for obj in actual.listed[kind.name])
        sections[kind.section] = [item for item in exported if item is not None]
    if legacy:
        _export_legacy(client, org, ctx, sections)

    document: dict[str, Any] = {"version": 1, "organization": org}
    if project:
        document["project"] = project
    if ctx.book.targets:
        document["targets"] = ctx.book.targets
    for kind in registry():
        document[kind.section] = sorted(sections[kind.section], key=kind.export_sort_key)
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
    counts = {kind.plural: len(document[kind.section]) for kind in registry()}
    counts["targets"] = len(ctx.book.targets)
    return ExportResult(
        text=text,
        org=org,
        counts=counts,
        problems=ctx.problems,
        output=output,
    )


def _export_legacy(
    client: SentryClient,
    org: str,
    ctx: ExportContext,
    sections: dict[str, list[dict[str, Any]]],
) -> None:
    """Add the legacy metric alert rules (as monitors, with an alert for their actions) and
    issue alert rules (as alerts) to ``sections``, unless the new API already holds one of the
    same name (``kinds/legacy.py`` translates; the monitor and alert kinds export)."""
    from para_monitor_cli.errors import GoneError, NotFoundError
    from para_monitor_cli.kinds import alert, legacy, monitor

    directory, problems = ctx.directory, ctx.problems
    monitors = sections[monitor.KIND.section]
    alerts = sections[alert.KIND.section]
    monitor_names = {(m["project"], m["name"]) for m in monitors}
    alert_names = {a["name"] for a in alerts}
    try:
        rules = client.metric_alert_rules(org)
    except (GoneError, NotFoundError) as exc:
        problems.append(f"legacy metric alert rules not read: {exc.message}")
        rules = []
    for rule in rules:
        detector, actions = legacy.legacy_metric_rule_to_detector(rule, directory)
        item = monitor.export_detector(detector, directory, problems)
        if (item["project"], item["name"]) not in monitor_names:
            monitor_names.add((item["project"], item["name"]))
            monitors.append(item)
        if actions and item["name"] not in alert_names:
            alert_names.add(item["name"])
            workflow = {
                "name": item["name"],
                "detectorIds": [],
                "actionFilters": [{"logicType": "all", "conditions": [], "actions": actions}],
            }
            shaped = alert.export_workflow(workflow, directory, ctx.book, problems)
            shaped["monitors"] = [item["name"]]
            alerts.append(shaped)
    for project in sorted(directory.projects):
        try:
            issue_rules = client.issue_alert_rules(project, org)
        except (GoneError, NotFoundError) as exc:
            problems.append(f"legacy issue alert rules of {project} not read: {exc.message}")
            continue
        for rule in issue_rules:
            workflow = legacy.legacy_issue_rule_to_workflow(rule, problems)
            if workflow["name"] in alert_names:
                continue
            alert_names.add(workflow["name"])
            shaped = alert.export_workflow(workflow, directory, ctx.book, problems)
            shaped["projects"] = [project]
            alerts.append(shaped)
