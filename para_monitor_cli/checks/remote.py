"""Checks that ask Sentry: project settings, team, targets, release, rules, dashboards, events."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from para_monitor_cli.checks.base import Outcome, failed, passed, skipped, warning
from para_monitor_cli.checks.context import CheckContext
from para_monitor_cli.errors import GoneError, NotFoundError
from para_monitor_cli.wording import plural

if TYPE_CHECKING:
    from para_monitor_cli.api.wire import Integration

EXPORT_HINT = (
    "migrate them: para-monitor export --out alert_rules.exported.yaml (a new file; it "
    "translates legacy rules), review it and merge it into alert_rules.yaml, "
    "para-monitor apply-alerts, then delete the legacy rules in Sentry"
)


# --------------------------------------------------------------------------- project settings
SCRUB_SETTINGS = (
    ("dataScrubber", "server-side data scrubber is off (dataScrubber)"),
    ("dataScrubberDefaults", "Sentry's default sensitive fields are off (dataScrubberDefaults)"),
    ("scrubIPAddresses", "IP addresses are stored unscrubbed (scrubIPAddresses)"),
)


def check_server_scrubbing(ctx: CheckContext) -> Outcome:
    project = ctx.project()
    problems = [text for key, text in SCRUB_SETTINGS if project.get(key) is not True]
    where = ctx.where()
    if problems:
        return failed(
            f"{where}: " + "; ".join(problems),
            "hint: Project Settings > Security & Privacy: enable Data Scrubber, Use Default "
            "Scrubbers and Prevent Storing of IP Addresses",
        )
    fields = project.get("sensitiveFields") or []
    extra = f", {len(fields)} extra sensitive fields" if fields else ""
    return passed(f"{where}: data scrubber on, default fields on, IP addresses scrubbed{extra}")


# --------------------------------------------------------------------------- team
def check_team(ctx: CheckContext) -> Outcome:
    client = ctx.client()
    org = ctx.org()
    project = ctx.project()
    teams = [t for t in project.get("teams") or [] if isinstance(t, dict) and t.get("slug")]
    where = ctx.where()
    if not teams:
        return failed(
            f"{where} has no team: nobody but org owners sees its issues",
            "hint: Project Settings > Teams: add the backend team",
        )
    identity = client.identity()  # the token's user (None for an organization token)
    owner = identity.id if identity is not None else None
    slugs = [str(t["slug"]) for t in teams]

    def team_members(slug: str) -> Callable[[], list[Any]]:
        return lambda: client.team_members(slug, org=org)

    lists = client.gather([team_members(slug) for slug in slugs])
    counts: list[tuple[str, int, int]] = []
    for slug, members in zip(slugs, lists, strict=True):
        people = [m for m in members if isinstance(m, dict) and not m.get("pending")]
        others = [m for m in people if _user_id(m) != owner]
        counts.append((slug, len(people), len(others)))
    shown = ", ".join(f"{slug}: {plural(total, 'member')}" for slug, total, _ in counts)
    invited = sum(others for _slug, _total, others in counts)
    if invited == 0:
        return failed(
            f"{where}'s teams have no member besides the token's owner ({shown})",
            "hint: invite the team in Settings > Teams > Members",
        )
    noun = "team" if len(counts) == 1 else "teams"
    return passed(f"{where} has {noun} {shown}; {invited} besides the token's owner")


def _user_id(member: dict[str, Any]) -> str | None:
    user = member.get("user")
    if isinstance(user, dict) and user.get("id") is not None:
        return str(user["id"])
    return None


# --------------------------------------------------------------------------- notifications
def check_notifications(ctx: CheckContext) -> Outcome:
    from para_monitor_cli.spec import EmailTarget, PagerDutyTarget, SlackTarget

    spec = ctx.spec()
    if not spec.targets:
        return failed(
            f"{ctx.spec_path} defines no notification target: nobody is told about alerts",
            "hint: add Slack, PagerDuty or email targets under 'targets:'",
        )
    needs_integrations = any(
        isinstance(t, SlackTarget | PagerDutyTarget) for t in spec.targets.values()
    )
    integrations = ctx.integrations() if needs_integrations else []
    teams = (
        ctx.teams()
        if any(isinstance(t, EmailTarget) and t.team for t in spec.targets.values())
        else []
    )
    members = (
        ctx.members()
        if any(isinstance(t, EmailTarget) and t.member for t in spec.targets.values())
        else []
    )
    team_slugs = {str(t.get("slug")) for t in teams}
    emails = {
        str(m.get("email") or (m.get("user") or {}).get("email") or "").lower()
        for m in members
        if not m.get("pending")
    }
    problems: list[str] = []
    kinds = {"slack": 0, "pagerduty": 0, "email": 0}
    for name, target in sorted(spec.targets.items()):
        if isinstance(target, SlackTarget):
            # whether the channel exists is Slack's answer: Sentry's API lists no channels
            found = _integration(integrations, "slack", target.workspace)
            if found is None:
                problems.append(
                    f"{name}: no active Slack integration named {target.workspace!r}"
                    + _installed(integrations, "slack")
                )
                continue
            kinds["slack"] += 1
        elif isinstance(target, PagerDutyTarget):
            found = _integration(integrations, "pagerduty", target.integration)
            if found is None:
                problems.append(
                    f"{name}: no active PagerDuty integration named {target.integration!r}"
                    + _installed(integrations, "pagerduty")
                )
                continue
            if target.service not in found.services:
                problems.append(
                    f"{name}: PagerDuty service {target.service!r} is not in integration "
                    f"{target.integration!r}"
                )
                continue
            kinds["pagerduty"] += 1
        elif isinstance(target, EmailTarget):
            if target.team is not None and target.team not in team_slugs:
                problems.append(f"{name}: no team {target.team!r} in {ctx.org()}")
                continue
            if target.member is not None and target.member.lower() not in emails:
                problems.append(f"{name}: {target.member} is not a member of {ctx.org()}")
                continue
            kinds["email"] += 1
    if problems:
        summary = problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        return failed(summary, *problems)
    resolved = ", ".join(f"{n} {k}" for k, n in kinds.items() if n)
    return passed(f"all {len(spec.targets)} targets resolve in {ctx.org()}: {resolved}")


def _integration(
    integrations: list[dict[str, Any]], provider: str, name: str
) -> Integration | None:
    """The active integration of that provider and name, read as the client's wiring reads it
    (``api.wire.read_integration``: active on both Sentry's levels)."""
    from para_monitor_cli.api.wire import read_integration

    for item in integrations:
        record = read_integration(item)
        if record.provider == provider and record.name == name and record.active:
            return record
    return None


def _installed(integrations: list[dict[str, Any]], provider: str) -> str:
    from para_monitor_cli.api.wire import read_integration

    records = [read_integration(i) for i in integrations]
    names = sorted(
        r.name + ("" if r.active else f" ({r.status})") for r in records if r.provider == provider
    )
    return f" (installed: {', '.join(names)})" if names else f" (no {provider} integration)"


# --------------------------------------------------------------------------- release
def check_release(ctx: CheckContext) -> Outcome:
    from para_monitor_cli.runtime import release_for

    version = ctx.settings.version
    release = release_for(version)
    if release is None:
        return failed("VERSION is not set: the runtime sends no release to look for")
    client, org, project = ctx.client(), ctx.org(), ctx.project_slug()
    where = ctx.where()
    try:  # one lookup by version, not a walk through every release of the project
        found = client.release(release, org=org)
    except NotFoundError:
        found = None
    projects = found.get("projects") if isinstance(found, dict) else None
    slugs = {str(p.get("slug")) for p in projects or [] if isinstance(p, dict)}
    if project in slugs:
        return passed(f"release {release} exists for {where} and the runtime sends it")
    if found is not None:
        reason = f"release {release} exists in {org} but not for project {project}"
    else:
        latest = client.get(f"projects/{org}/{project}/releases/", params={"per_page": "1"})
        newest = latest[0].get("version") if isinstance(latest, list) and latest else None
        reason = f"no release {release} for {where}" + (
            f" (latest: {newest})" if newest else " (the project has no release)"
        )
    return failed(
        reason,
        f"hint: create it when deploying: sentry-cli releases new {release} --project {project}",
    )


# --------------------------------------------------------------------------- legacy rules
def check_legacy_alerts(ctx: CheckContext) -> Outcome:
    client = ctx.client()
    org, project = ctx.org(), ctx.project_slug()
    found: list[str] = []
    notes: list[str] = []
    readers: tuple[tuple[str, Callable[[], list[Any]]], ...] = (
        ("metric alert rule", lambda: client.metric_alert_rules(org=org)),
        ("issue alert rule", lambda: client.issue_alert_rules(project, org=org)),
    )
    for label, read in readers:
        try:
            rules = read()
        except NotFoundError:
            notes.append(f"the {label} endpoint is removed (404)")
            continue
        except GoneError:
            notes.append(f"the {label} endpoint is in a brownout (410): could not read it")
            continue
        found += [f"{label} {r.get('name')!r}" for r in rules if isinstance(r, dict)]
    if found:
        return warning(
            f"{plural(len(found), 'rule')} still on deprecated alert endpoints: "
            + ", ".join(found[:3])
            + (", ..." if len(found) > 3 else ""),
            *(found if len(found) > 3 else ()),  # the evidence line names at most three
            f"hint: {EXPORT_HINT}",
        )
    if len(notes) == 2 and all("brownout" in n for n in notes):
        return skipped("the deprecated endpoints are in a brownout: " + "; ".join(notes))
    if any("brownout" in n for n in notes):
        return warning("could not read every deprecated endpoint", *notes)
    return passed(
        "no rules on the deprecated alert endpoints" + (f" ({'; '.join(notes)})" if notes else "")
    )


# --------------------------------------------------------------------------- drift
def _drift(ctx: CheckContext, group: str) -> Outcome:
    """Drift of the kinds one check covers (``ResourceKind.check_group``), between the file's
    part of those kinds and what Sentry holds of them."""
    from para_monitor_cli.errors import PreflightError
    from para_monitor_cli.kinds import registry
    from para_monitor_cli.reconcile.plan import plan
    from para_monitor_cli.reconcile.preflight import preflight
    from para_monitor_cli.reconcile.state import desired_resources, read_actual

    spec, source = ctx.spec_source()
    org = ctx.org()
    client = ctx.client()
    actual = ctx.memo("actual", lambda: read_actual(client, org, spec=spec))
    kinds = registry().group(group)
    covered = {k.name for k in kinds}
    part = spec.model_copy(
        update={k.section: () for k in registry() if k.name not in covered},
    )
    # the pre-flight of this part: names it depends on, each at its file line
    checked = preflight(part, actual.directory, source, default_project=ctx.project_slug())
    if checked.errors:
        raise PreflightError(
            checked.errors,
            hint="the organization lacks what the file refers to: para-monitor plan lists it",
        )
    desired = desired_resources(part, actual.directory, default_project=ctx.project_slug())
    names = {k.name: len(k.entries(part)) for k in kinds}
    wanted = ", ".join(plural(names[k.name], k.name, k.plural) for k in kinds)
    actual_part = [r for r in actual.resources if r.kind in covered]
    result = plan(desired, actual_part)
    pending = [c for c in result.pending if c.kind in covered]
    if not pending:
        if not any(names.values()):
            return failed(f"{ctx.spec_path} defines no {' or '.join(k.plural for k in kinds)}")
        verb = "matches" if sum(names.values()) == 1 else "match"
        return passed(f"no drift: {wanted} in {ctx.spec_path} {verb} Sentry")
    lines = []
    for change in pending:
        if change.action == "update":
            fields = ", ".join(d.path for d in change.diff[:4])
            more = "..." if len(change.diff) > 4 else ""
            lines.append(f"{change.label} differs in Sentry: {fields}{more}")
        elif change.action == "create":
            lines.append(f"{change.label} is missing in Sentry")
        else:
            lines.append(f"{change.label} is in Sentry but not in the file")
    return failed(
        f"drift: {lines[0]}" + (f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""),
        *lines,
        "hint: para-monitor plan shows the diff; para-monitor apply-alerts fixes it",
    )


def check_alerts(ctx: CheckContext) -> Outcome:
    return _drift(ctx, "alerts")


def check_dashboards(ctx: CheckContext) -> Outcome:
    return _drift(ctx, "dashboards")


# --------------------------------------------------------------------------- test event
def check_test_error(ctx: CheckContext) -> Outcome:
    from para_monitor_cli.probe import ProbeOptions, run_probe

    settings = ctx.settings
    dsn = settings.dsn
    if not dsn:
        return failed("SENTRY_DSN is not set: nothing to send the test error with")
    sensitive: tuple[str, ...] = ()
    safe: tuple[str, ...] = ()
    try:
        scrubbing = ctx.spec().scrubbing
    except Exception:  # the spec check reports a broken file; use the defaults here
        scrubbing = None
    if scrubbing is not None:
        sensitive, safe = tuple(scrubbing.sensitive_fields), tuple(scrubbing.safe_fields)
    result = run_probe(
        ProbeOptions(
            dsn=dsn,
            environment=settings.environment,
            version=settings.version,
            sensitive_fields=sensitive,
            safe_fields=safe,
        ),
        api=ctx.client(),
        org=ctx.org(),
        project=ctx.project_slug(),
        base_url=settings.url,
        timeout=ctx.options.arrival_timeout,
    )
    if result.delivery_error is not None:
        raise result.delivery_error
    if result.dropped:
        why = "; ".join(f"the test {e.kind} was {e.reason or 'dropped'}" for e in result.dropped)
        return failed(f"{why}: nothing reaches Sentry")
    if result.missing:
        first = result.missing[0]
        reason = first.arrival.reason if first.arrival is not None else None
        return failed(
            f"the test {first.kind} was accepted but never arrived in {ctx.where()}"
            + (f": {reason}" if reason else ""),
            *(
                f"{e.kind} {e.event_id}: {e.arrival.reason if e.arrival else ''}"
                for e in result.missing
            ),
        )
    arrived = [e for e in result.events if e.arrived]
    if not arrived:
        return failed("no test event could be confirmed: " + (result.verify_note or "unknown"))
    took = f" in {result.arrival_seconds:.1f} s" if result.arrival_seconds is not None else ""
    kinds = " and ".join(e.kind for e in arrived)
    ids = tuple(f"{e.kind} event id {e.event_id}" for e in arrived)
    links = tuple(f"{e.kind}: {e.link}" for e in arrived if e.link)
    if result.leaks:
        return warning(
            f"test {kinds} arrived in {ctx.where()}{took}, but "
            f"{plural(len(result.leaks), 'planted secret')} "
            f"{'was' if len(result.leaks) == 1 else 'were'} stored unscrubbed "
            "(see the scrubbing check)",
            *(f"leak at {leak.path} ({leak.place})" for leak in result.leaks),
            *ids,
        )
    return passed(
        f"test {kinds} arrived in {ctx.where()}{took} (environment {result.environment!r}, "
        f"release {result.release!r}); no planted secret stored",
        *ids,
        *links,
    )
