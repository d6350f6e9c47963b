"""``para-monitor apply-alerts``: show the plan, then apply it (the applier is the only writer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from para_monitor_cli.commands.plan import PlanResult, plan_command
from para_monitor_cli.settings import Settings

if TYPE_CHECKING:  # imported lazily at run time, to keep --help fast
    from para_monitor_cli.api.client import SentryClient
    from para_monitor_cli.reconcile.plan import Change
    from para_monitor_cli.spec.check import SpecSource
    from para_monitor_cli.spec.model import Spec


@dataclass
class ApplyOutcome:
    planned: PlanResult
    applied: list[Change] = field(default_factory=list)
    dry_run: bool = False
    declined: bool = False


def apply_command(
    settings: Settings,
    *,
    prune: bool = False,
    dry_run: bool = False,
    confirm: Callable[[PlanResult], bool] | None = None,
    on_plan: Callable[[PlanResult], None] | None = None,
    on_progress: Callable[[Change, str], None] | None = None,
    client: SentryClient | None = None,
    on_warning: Callable[[str], None] | None = None,
    spec: Spec | None = None,
    source: SpecSource | None = None,
) -> ApplyOutcome:
    """Plan; unless ``dry_run`` (or ``confirm`` declines), apply every pending change.

    Raises :class:`~para_monitor_cli.errors.ApplyError` when the apply stops part-way.
    """
    from para_monitor_cli.commands.plan import make_client
    from para_monitor_cli.reconcile.apply import apply_plan
    from para_monitor_cli.spec.check import load_spec_source

    if spec is None:  # an invalid file is reported before any setting or network is needed
        spec, source = load_spec_source(settings.config)
    if client is None:
        with make_client(settings, on_warning) as own:
            return apply_command(
                settings,
                prune=prune,
                dry_run=dry_run,
                confirm=confirm,
                on_plan=on_plan,
                on_progress=on_progress,
                client=own,
                on_warning=on_warning,
                spec=spec,
                source=source,
            )
    # plan's pre-flight raises PreflightError before anything is written
    planned = plan_command(settings, prune=prune, client=client, spec=spec, source=source)
    if on_plan is not None:
        on_plan(planned)
    outcome = ApplyOutcome(planned=planned, dry_run=dry_run)
    if dry_run or not planned.has_drift:
        return outcome
    if confirm is not None and not confirm(planned):
        outcome.declined = True
        return outcome
    result = apply_plan(
        planned.plan,
        client,
        planned.org,
        planned.directory,
        on_progress=on_progress,
        on_notice=on_warning,
    )
    outcome.applied = result.applied
    return outcome
