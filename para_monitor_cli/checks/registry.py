"""The checklist: the seed's "Monitoring Checklist", one check per item, in its order."""

from __future__ import annotations

from para_monitor_cli.checks import jobs, local, remote
from para_monitor_cli.checks.base import Check

CHECKS: tuple[Check, ...] = (
    Check(
        "spec",
        "alert_rules.yaml is valid",
        local.check_spec,
        network="none",
        description="the spec file loads: schema, Sentry's server-side rules, lints",
    ),
    Check(
        "dsn",
        "Sentry DSN added to environment variables",
        local.check_dsn,
        network="optional",
        description="SENTRY_DSN is set, well formed, and an active client key of the project",
    ),
    Check(
        "environment_release",
        "Environment and release configured",
        local.check_environment_release,
        network="none",
        description="ENVIRONMENT and VERSION give the runtime an environment and a release",
    ),
    Check(
        "test_error",
        "Test error capture working",
        remote.check_test_error,
        needs=("dsn",),
        description="a test error and message sent through the runtime arrive in the project",
    ),
    Check(
        "scrubbing",
        "Sensitive data filtering verified",
        local.check_scrubbing,
        network="none",
        description="the scrubbing hook leaks nothing over the corpus and any --samples",
    ),
    Check(
        "server_scrubbing",
        "Server-side data scrubbing enabled",
        remote.check_server_scrubbing,
        description="the project's dataScrubber, dataScrubberDefaults and scrubIPAddresses",
    ),
    Check(
        "alerts",
        "Alerts configured (error rate, performance)",
        remote.check_alerts,
        needs=("spec", "notifications"),
        description="no drift between the file's monitors and alerts and Sentry",
    ),
    Check(
        "dashboards",
        "Dashboard widgets set up",
        remote.check_dashboards,
        needs=("spec",),
        description="no drift between the file's dashboards and Sentry",
    ),
    Check(
        "jobs",
        "Background jobs check in",
        jobs.check_jobs,
        needs=("spec",),
        description="each cron monitor exists, checked in on time, and its last run was ok",
    ),
    Check(
        "uptime",
        "Uptime monitored",
        jobs.check_uptime,
        needs=("spec",),
        description="each uptime check exists, is enabled, and its URL is up",
    ),
    Check(
        "team",
        "Team invited to Sentry project",
        remote.check_team,
        description="the project has a team with members besides the token's owner",
    ),
    Check(
        "notifications",
        "Slack/email notifications configured",
        remote.check_notifications,
        needs=("spec",),
        description="every target in the file resolves to an integration, team or member",
    ),
    Check(
        "release",
        "Release tracking enabled",
        remote.check_release,
        needs=("environment_release",),
        description="a release para-autopilot@VERSION exists and the runtime sends it",
    ),
    Check(
        "legacy_alerts",
        "No rules left on deprecated alert endpoints",
        remote.check_legacy_alerts,
        description="legacy metric and issue alert rules (warning, with the migration command)",
    ),
)

NAMES: tuple[str, ...] = tuple(c.name for c in CHECKS)
