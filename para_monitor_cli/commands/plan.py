"""``para-monitor plan``: what apply-alerts would change, as a pure Plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from para_monitor_cli.settings import Settings, with_settings_scope

if TYPE_CHECKING:  # imported lazily at run time, to keep --help fast
    from para_monitor_cli.api.client import SentryClient
    from para_monitor_cli.api.wire import Directory
    from para_monitor_cli.reconcile.plan import Plan
    from para_monitor_cli.spec.check import SpecSource
    from para_monitor_cli.spec.model import Spec


@dataclass(frozen=True)
class PlanResult:
    plan: Plan
    org: str
    config: Path
    directory: Directory  # what resolved the file's names (the applier goes on with it)

    @property
    def has_drift(self) -> bool:
        return bool(self.plan.has_drift)


def make_client(
    settings: Settings, on_warning: Callable[[str], None] | None = None
) -> SentryClient:
    """The SentryClient for these settings (``--debug`` traces go to the api logger); a context
    manager that closes its HTTP connections."""
    from para_monitor_cli.api.client import client_from_settings

    return client_from_settings(settings, on_warning=on_warning)


def plan_command(
    settings: Settings,
    *,
    prune: bool = False,
    client: SentryClient | None = None,
    on_warning: Callable[[str], None] | None = None,
    spec: Spec | None = None,
    source: SpecSource | None = None,
) -> PlanResult:
    """Load the spec (unless given), read Sentry, check every name the file depends on
    (pre-flight: :class:`~para_monitor_cli.errors.PreflightError`, exit 3, when one is missing),
    and compute the Plan (no writes). ``source`` (a ``spec.check.SpecSource``) locates the
    pre-flight's problems in the file when ``spec`` is given."""
    from dataclasses import replace

    from para_monitor_cli.errors import PreflightError
    from para_monitor_cli.reconcile.plan import plan
    from para_monitor_cli.reconcile.preflight import preflight
    from para_monitor_cli.reconcile.state import (
        desired_resources,
        file_scope,
        prune_notes,
        read_actual,
    )
    from para_monitor_cli.spec.check import SpecSource, load_spec_source

    if spec is None:
        spec, source = load_spec_source(settings.config)
    if source is None:  # a spec given without its file: problems name YAML paths only
        source = SpecSource(str(settings.config))
    spec = with_settings_scope(spec, settings)  # --org/--project > env > files > the file
    org = settings.org or spec.organization
    if not org:
        settings.require("org")
        raise AssertionError("unreachable")  # pragma: no cover
    if client is None:
        with make_client(settings, on_warning) as own:
            return plan_command(settings, prune=prune, client=own, spec=spec, source=source)
    actual = read_actual(client, org, spec=spec, prune=prune)
    # pre-flight: every name the file depends on exists in the organization (nothing is
    # planned, so nothing is written, when one does not)
    checked = preflight(spec, actual.directory, source, default_project=settings.project)
    if checked.errors:
        raise PreflightError(
            checked.problems,
            hint="nothing was written: give the organization what the file refers to (or fix "
            "the file), then run plan again",
        )
    desired = desired_resources(spec, actual.directory, default_project=settings.project)
    scope = file_scope(spec, default_project=settings.project)
    planned = plan(desired, actual.resources, prune=prune, scope=scope)
    planned = replace(
        planned,
        notes=(*planned.notes, *checked.notes),
        warnings=(*planned.warnings, *(str(p) for p in checked.warnings)),
    )
    if prune:
        notes, warnings = prune_notes(actual)
        planned = replace(
            planned, notes=(*planned.notes, *notes), warnings=(*planned.warnings, *warnings)
        )
    return PlanResult(
        plan=planned,
        org=org,
        config=settings.config,
        directory=actual.directory,
    )
