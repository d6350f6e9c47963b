"""Checks of the local set-up: the spec file, the DSN, environment and release, scrubbing.

These run with ``--offline`` (the DSN check then skips its one API call: whether the key is
an active client key of the project).
"""

from __future__ import annotations

from para_monitor_cli.checks.base import Outcome, failed, passed, skipped, warning
from para_monitor_cli.checks.context import CheckContext
from para_monitor_cli.errors import InvalidDsnError
from para_monitor_cli.wording import plural

DSN_SOURCES = "pass --dsn or set SENTRY_DSN (environment, .env or backend/.env)"


def check_spec(ctx: CheckContext) -> Outcome:
    """alert_rules.yaml loads and validates (every problem is listed in the details)."""
    from para_monitor_cli.spec import check_spec as check_file

    path = ctx.spec_path
    if not path.is_file():
        return failed(f"{path} not found", "hint: pass --config PATH, or run para-monitor export")
    spec, problems = check_file(path)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if spec is None or errors:
        first = errors[0] if errors else None
        summary = f"{path} is invalid: {first}" if first else f"{path} is invalid"
        if len(errors) > 1:
            summary += f" (and {len(errors) - 1} more)"
        return failed(summary, *(str(p) for p in problems))
    from para_monitor_cli.kinds import registry

    counts = ", ".join(
        [
            plural(len(spec.targets), "target"),
            *(plural(len(k.entries(spec)), k.name, k.plural) for k in registry()),
        ]
    )
    if warnings:
        return warning(
            f"{path} is valid ({counts}) with {plural(len(warnings), 'warning')}",
            *(str(p) for p in warnings),
        )
    return passed(f"{path} is valid: {counts}")


def check_dsn(ctx: CheckContext) -> Outcome:
    """SENTRY_DSN is set, well formed, and (online) an active client key of the project."""
    from para_monitor_cli.runtime.sentry import validate_dsn

    dsn = ctx.settings.dsn
    if not dsn and ctx.offline:
        # A fork's pull request runs ``check-setup --offline`` without the repository's
        # secrets: the DSN is checked where they are (the online run), not failed here.
        return skipped(
            "SENTRY_DSN is not set: checked by the online run (--offline runs without secrets)",
            DSN_SOURCES,
        )
    if not dsn:
        return failed("SENTRY_DSN is not set: the backend starts with Sentry disabled", DSN_SOURCES)
    source = ctx.settings.values["dsn"].source
    try:
        parsed = validate_dsn(dsn, source)
    except InvalidDsnError as exc:
        return failed(exc.message, *((f"hint: {exc.hint}",) if exc.hint else ()))
    host = parsed.netloc
    shape = f"well formed (host {host}, project id {parsed.project_id}, from {source})"
    if ctx.offline:
        return passed(f"DSN {shape}; key not checked (--offline)")
    client = ctx.client()
    keys = client.project_keys(ctx.project_slug(), org=ctx.org())
    where = ctx.where()
    for key in keys:
        if not isinstance(key, dict):
            continue
        if parsed.public_key not in (key.get("public"), key.get("id")):
            continue
        name = str(key.get("name") or key.get("label") or "unnamed")
        project_id = key.get("projectId")
        if project_id is not None and str(project_id) != str(parsed.project_id):
            return failed(
                f"the DSN names project id {parsed.project_id} but its key {name!r} belongs "
                f"to project id {project_id}",
                "hint: copy the DSN again from Project Settings > Client Keys",
            )
        if not key.get("isActive", False):
            return failed(
                f"the DSN's key {name!r} is revoked (inactive) in {where}: events are refused",
                "hint: re-enable the key or use an active key's DSN (Project Settings > "
                "Client Keys)",
            )
        return passed(f"DSN {shape}; key {name!r} is active in {where}")
    active = sum(1 for k in keys if isinstance(k, dict) and k.get("isActive"))
    return failed(
        f"the DSN's key is not a client key of {where} ({len(keys)} keys, {active} active)",
        "hint: the DSN may belong to another project, or its key was deleted",
    )


def check_environment_release(ctx: CheckContext) -> Outcome:
    """The environment and release the runtime's ``sdk_options`` sends."""
    from para_monitor_cli.runtime import sdk_options

    settings = ctx.settings
    options = sdk_options(
        None,
        environment=settings.environment,
        version=settings.version,
        environ={},  # the settings were resolved already (flags > env > .env)
    )
    environment = str(options["environment"])
    release = options.get("release")
    rate = float(options["traces_sample_rate"])
    said = f"environment {environment!r}, release {release!r}, traces sampled at {rate:.0%}"
    if not release:
        return failed(
            "VERSION is not set: the runtime sends no release, so release tracking and "
            "release health are empty",
            "hint: set VERSION (e.g. VERSION=0.1.0 in backend/.env); the runtime sends "
            "para-autopilot@<VERSION>",
        )
    if not settings.environment:
        return warning(
            f"ENVIRONMENT is not set: the runtime reports {said}",
            "hint: set ENVIRONMENT=production (or staging, development) where the backend runs",
        )
    return passed(f"the runtime sends {said}")


def check_scrubbing(ctx: CheckContext) -> Outcome:
    """The configured scrubbing hook over the built-in corpus and any ``--samples``.

    The hook is ``--hook module:function`` (the backend's own ``before_send``) when given,
    otherwise the runtime's engine configured with the spec's sensitive and safe fields.
    """
    from para_monitor_cli.errors import UsageError
    from para_monitor_cli.runtime.hooks import load_hook
    from para_monitor_cli.runtime.scrubbing import engine_hooks
    from para_monitor_cli.scrub import Scrubber
    from para_monitor_cli.scrub.checker import (
        SampleError,
        check,
        direct_runner,
        findings,
        load_corpus,
        load_samples,
    )

    samples, corpus_config = load_corpus()
    corpus_count = len(samples)
    try:
        if ctx.options.samples:
            samples += load_samples(ctx.options.samples)
        hook_spec = ctx.options.hook
        sensitive: list[str] = list(corpus_config.sensitive_fields)
        safe: list[str] = list(corpus_config.safe_fields)
        try:
            scrubbing = ctx.spec().scrubbing
        except Exception:  # the spec check reports a broken file; scrub with the defaults
            scrubbing = None
        if scrubbing is not None:
            sensitive += [f for f in scrubbing.sensitive_fields if f not in sensitive]
            safe += [f for f in scrubbing.safe_fields if f not in safe]
        if hook_spec:
            hook = load_hook(hook_spec)
            name = hook_spec
        else:
            engine, _crumbs = engine_hooks(sensitive, safe)
            if engine is None:
                return failed("no scrubbing hook is configured in the runtime")
            hook = engine
            name = "para-monitor's scrubbing engine"
    except (SampleError, UsageError) as exc:
        return failed(str(exc))
    from para_monitor_cli.scrub import ScrubConfig

    detector = Scrubber(ScrubConfig(tuple(sensitive), tuple(safe)))
    report = check(samples, direct_runner(hook), detector=detector, scrubber=name)
    extra = len(samples) - corpus_count
    over = f"{corpus_count} corpus events" + (f" and {extra} sample events" if extra else "")
    found = findings(report)  # the verdict scrub-check gives too
    if found:
        details = [
            f"leak: {leak.sample}: {leak.path} ({leak.kind}, rule {leak.rule}, {leak.redacted})"
            for leak in report.leaks
        ]
        details += [f"hook raised on {e}" for e in report.hook_errors]
        if len(report.dropped) < report.samples:  # all of them: the summary says so
            details += [f"dropped: {sample}" for sample in report.dropped]
        return failed(
            "; ".join(found),
            *details,
            "hint: para-monitor scrub-check shows every leak, raise and drop by sample",
        )
    destroyed = len(report.destroyed)
    summary = f"{name}: no leak over {over} ({report.planted} planted secrets)" + (
        f"; {report.harmless - destroyed}/{report.harmless} harmless values kept"
    )
    if destroyed:
        return warning(
            summary,
            *(f"destroyed: {d.sample}: {d.path} (was {d.expected})" for d in report.destroyed),
        )
    return passed(summary)
