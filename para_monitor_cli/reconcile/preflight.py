"""plan's pre-flight: every name the file depends on, checked against the organization.

Before anything is planned (and so before anything is written), each name the file refers to
is looked up in what ``reconcile/state.py`` read from Sentry: projects, environments, teams,
members, integrations and their status, PagerDuty services. A missing one is a problem that
names the file line (:class:`~para_monitor_cli.spec.check.SpecSource`) and the remedy; plan and
apply-alerts stop with :class:`~para_monitor_cli.errors.PreflightError` (exit 3) when any is an
error. What Sentry's API cannot show is said in a note: whether a Slack channel id exists is
Slack's answer, which Sentry asks for when the alert is written (the id's form is checked
offline by ``validate``, rule T3).

Why each is an error, in Sentry's terms:

* a monitor's ``environment`` must be an environment of the organization
  (``EnvironmentField.to_internal_value``: "Environment is not part of this organization"),
  and so must an alert's (the workflow's ``environment``, see ``kinds/alert.py`` ``alert_body``).
  An environment appears when the first event carrying it is saved;
* a target's integration must exist and be active on both levels (``_get_integrations`` in
  src/sentry/notifications/notification_action/types.py; the same rule check-setup applies,
  through :func:`~para_monitor_cli.api.wire.read_integration`); a PagerDuty service must be one
  of the integration's services (``PagerdutyActionValidatorHandler._get_services``);
* teams, members and projects are resolved to ids: an unknown one has no id to send.

A dashboard's environment filter is not checked by Sentry; one the organization has never seen
only shows nothing, so it is a warning.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field

from para_monitor_cli.api.wire import (
    DEFAULT_ISSUE_DETECTOR_TYPES,
    ENVIRONMENT_REMEDY,
    Directory,
    Integration,
)
from para_monitor_cli.errors import SpecProblem
from para_monitor_cli.kinds import registry
from para_monitor_cli.kinds.base import YamlPath
from para_monitor_cli.spec.check import SpecSource
from para_monitor_cli.spec.model import EmailTarget, PagerDutyTarget, SlackTarget, Spec

Path = YamlPath


@dataclass
class Preflight:
    """What the pre-flight found: ``problems`` (errors and warnings, each at its file line)
    and ``notes`` (what could not be checked)."""

    problems: list[SpecProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[SpecProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[SpecProblem]:
        return [p for p in self.problems if p.severity != "error"]


def _listing(names: Iterable[str]) -> str:
    known = sorted(str(n) for n in names)
    if not known:
        return ""
    return f" (there is: {', '.join(known[:10])}{', ...' if len(known) > 10 else ''})"


def preflight(
    spec: Spec,
    directory: Directory,
    source: SpecSource,
    *,
    default_project: str | None = None,
) -> Preflight:
    """Check every name ``spec`` depends on against ``directory`` (read from the organization)."""
    result = Preflight()
    result.problems.extend(_projects(spec, directory, source, default_project))
    result.problems.extend(_environments(spec, directory, source))
    result.problems.extend(_targets(spec, directory, source))
    result.problems.extend(_issue_detectors(spec, directory, source, default_project))
    result.problems.sort(key=lambda p: (p.line or 0, p.column or 0, p.message))
    used = {name for alert in spec.alerts for name in alert.actions}
    if any(isinstance(spec.targets.get(n), SlackTarget) for n in used):
        result.notes.append(
            "not checked: whether each Slack channel exists. Sentry's API lists no Slack "
            "channels; Sentry asks Slack when the alert is written (by channel_id when the file "
            "gives one, else by name) and refuses a channel Slack does not know"
        )
    return result


def _projects(
    spec: Spec, directory: Directory, source: SpecSource, default_project: str | None
) -> Iterator[SpecProblem]:
    org = directory.org
    seen: set[tuple[str, Path]] = set()

    def missing(slug: str, path: Path) -> Iterator[SpecProblem]:
        if slug in directory.projects or (slug, path) in seen:
            return
        seen.add((slug, path))
        yield source.problem(
            path,
            f"project {slug!r} does not exist in organization {org}{_listing(directory.projects)}"
            " (or the token cannot see it); remedy: create it in Sentry, give the token access, "
            "or fix the slug",
        )

    fallback = spec.project or default_project
    for kind in registry():
        for slug, path in kind.project_refs(spec, fallback):
            yield from missing(slug, path)


def _environments(spec: Spec, directory: Directory, source: SpecSource) -> Iterator[SpecProblem]:
    org = directory.org
    known = _listing(directory.environments) or " (it has none yet)"

    def message(name: str, what: str) -> str:
        return (
            f"environment {name!r} is not part of organization {org}{known}: {what}; remedy: "
            + ENVIRONMENT_REMEDY.format(name=name)
        )

    for kind in registry():
        for ref in kind.environment_refs(spec):
            if ref.name not in directory.environments:
                yield source.problem(ref.path, message(ref.name, ref.effect), ref.severity)


def _issue_detectors(
    spec: Spec, directory: Directory, source: SpecSource, default_project: str | None
) -> Iterator[SpecProblem]:
    """An issue alert is linked to its projects' default issue detectors (types ``error`` and
    ``issue_stream``, which Sentry creates with each project): without them the alert cannot
    be linked, and apply would stop after writing the monitors."""
    effective = spec
    if spec.project is None and default_project:
        effective = spec.model_copy(update={"project": default_project})
    for i, alert in enumerate(spec.alerts):
        for k, slug in enumerate(effective.alert_projects(alert)):
            pid = directory.projects.get(slug)
            if pid is None:
                continue  # reported as a missing project
            kinds = {
                directory.detector_keys.get(d, "") for d in directory.default_detectors.get(pid, [])
            }
            lacking = [t for t in DEFAULT_ISSUE_DETECTOR_TYPES if f"{slug}/@{t}" not in kinds]
            if lacking:
                where: Path = (
                    ("alerts", i, "projects", k) if alert.projects is not None else ("alerts", i)
                )
                yield source.problem(
                    where,
                    f"project {slug!r} has no default {' or '.join(lacking)} issue monitor in "
                    f"Sentry (the token may not see it), so alert {alert.name!r} cannot watch its "
                    "issues; remedy: check the token's project access, or link the alert to "
                    "monitors only",
                )


def _targets(spec: Spec, directory: Directory, source: SpecSource) -> Iterator[SpecProblem]:
    org = directory.org
    used = {name for alert in spec.alerts for name in alert.actions}
    for name, target in spec.targets.items():
        if name not in used:
            continue  # written nowhere (validate warns, rule T1)
        base: Path = ("targets", name)
        if isinstance(target, EmailTarget):
            if target.team is not None and target.team not in directory.teams:
                yield source.problem(
                    (*base, "team"),
                    f"no team {target.team!r} in organization {org}"
                    f"{_listing(directory.teams)}; remedy: create the team in Sentry "
                    "(Settings > Teams) or fix the slug",
                )
            if target.member is not None and target.member.lower() not in directory.members:
                yield source.problem(
                    (*base, "member"),
                    f"{target.member} is not a member of organization {org} (or has not "
                    "accepted the invitation yet); remedy: invite them in Sentry (Settings > "
                    "Members) or fix the address",
                )
        elif isinstance(target, SlackTarget):
            yield from _integration(directory, source, base, "slack", target.workspace)
        elif isinstance(target, PagerDutyTarget):
            found = yield from _integration(
                directory, source, base, "pagerduty", target.integration
            )
            if found is not None and target.service not in found.services:
                yield source.problem(
                    (*base, "service"),
                    f"no PagerDuty service {target.service!r} in integration "
                    f"{target.integration!r}{_listing(found.services)}; remedy: add the service "
                    "to the integration's configuration in Sentry or fix the name",
                )


def _integration(
    directory: Directory, source: SpecSource, base: Path, provider: str, name: str
) -> Generator[SpecProblem, None, Integration | None]:
    """Problems of one target's integration; returns its record when it exists and is active."""
    key = "workspace" if provider == "slack" else "integration"
    label = {"slack": "Slack", "pagerduty": "PagerDuty"}[provider]
    iid = directory.integrations.get((provider, name))
    if iid is None:
        installed = [n for (p, n) in directory.integrations if p == provider]
        yield source.problem(
            (*base, key),
            f"no {label} integration named {name!r} in organization {directory.org}"
            + (_listing(installed) or f" (no {label} integration is installed)")
            + f"; remedy: install {label} in Sentry (Settings > Integrations) or fix the name",
        )
        return None
    record = directory.integration_records.get(iid)
    if record is not None and not record.active:
        yield source.problem(
            (*base, key),
            f"the {label} integration {name!r} is {record.status}, not active: Sentry refuses "
            "to send through it; remedy: re-enable it in Sentry (Settings > Integrations)",
        )
        return None
    return record


__all__ = ["Preflight", "preflight"]
