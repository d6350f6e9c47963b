"""The repo's alert_rules.yaml covers every alert, notification and widget the seed documents.

The seed's monitoring sections are copied verbatim into tests/seed/MONITORING.md (its header
names the source), so this test reads nothing outside the repository and never skips.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from para_monitor_cli.spec import PagerDutyTarget, SlackTarget, Spec, load_spec

ROOT = Path(__file__).parent.parent
SEED = Path(__file__).parent / "seed" / "MONITORING.md"


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec(ROOT / "alert_rules.yaml")


def kinds(spec: Spec, names: tuple[str, ...]) -> set[str]:
    return {spec.targets[n].type for n in names}


def alert(spec: Spec, name: str):  # type: ignore[no-untyped-def]
    found = [a for a in spec.alerts if a.name == name]
    assert len(found) == 1, name
    return found[0]


def test_error_rate_alert(spec: Spec) -> None:
    """Error Rate Alert: error count > 10 in 1 hour, warning, email + Slack."""
    a = alert(spec, "Error rate alert")
    (monitor_name,) = a.monitors
    monitor = spec.monitor(monitor_name)
    assert monitor is not None
    assert (monitor.dataset, monitor.aggregate, monitor.window) == ("events", "count()", 3600)
    assert (monitor.direction, monitor.high) == ("above", 10)
    assert kinds(spec, a.actions) == {"email", "slack"}
    assert "pagerduty" not in kinds(spec, a.actions)  # a warning: nobody is paged


def test_critical_error_alert(spec: Spec) -> None:
    """Critical Error Alert: 1 critical error, critical, PagerDuty."""
    a = alert(spec, "Critical error alert")
    assert "first_seen" in a.triggers
    (level,) = [f.level for f in a.filters if f.level is not None]
    assert (level.match, level.level, level.value) == ("gte", "fatal", 50)
    (target,) = [spec.targets[n] for n in a.actions]
    assert isinstance(target, PagerDutyTarget)
    assert target.severity == "critical"


@pytest.mark.parametrize(
    ("name", "threshold_ms", "kind", "severity"),
    [
        ("Performance alert", 2000.0, "pagerduty", "warning"),  # p95 > 2s: notify on-call
        ("Performance degradation alert", 3000.0, "slack", None),  # p95 > 3s: warning, Slack
    ],
)
def test_performance_alerts(
    spec: Spec, name: str, threshold_ms: float, kind: str, severity: str | None
) -> None:
    a = alert(spec, name)
    (monitor_name,) = a.monitors
    monitor = spec.monitor(monitor_name)
    assert monitor is not None
    # response time on spans, the form Sentry accepts: the p95 of the spans that are
    # transactions (a request's own span), not the refused transaction-based dataset
    assert monitor.dataset == "spans"
    assert monitor.aggregate == "p95(span.duration)"
    assert "is_transaction:true" in monitor.query
    assert monitor.high == threshold_ms
    assert monitor.is_duration
    (target,) = [spec.targets[n] for n in a.actions]
    assert target.type == kind
    if severity is not None:
        assert isinstance(target, PagerDutyTarget)
        assert target.severity == severity


def test_user_impact_alert(spec: Spec) -> None:
    """User Impact Alerts: error affects > 100 users -> page on-call team."""
    a = alert(spec, "User impact alert")
    (users,) = [f.users for f in a.filters if f.users is not None]
    assert (users.value, users.interval) == (100, 3600)
    (target,) = [spec.targets[n] for n in a.actions]
    assert isinstance(target, PagerDutyTarget)
    assert target.severity == "critical"


def test_slack_and_email_notifications_configured(spec: Spec) -> None:
    slack = [t for t in spec.targets.values() if isinstance(t, SlackTarget)]
    assert slack
    assert all(t.channel_id for t in slack)
    assert any(t.type == "email" for t in spec.targets.values())


WIDGETS = {
    # seed item -> (dataset, an aggregate the widget must chart)
    "errors per hour": ("error-events", "count()"),
    "errors per day": ("error-events", "count()"),
    "how many users hit errors": ("error-events", "count_unique(user)"),
    "user impact percentage": ("metrics", "crash_free_rate(user)"),
    "crash-free sessions": ("metrics", "crash_free_rate(session)"),
    "adoption rate": ("metrics", "sum(session)"),
    "endpoint response times": ("transaction-like", "p95(transaction.duration)"),
    "slow queries": ("spans", "p95(span.duration)"),
    "apdex score": ("transaction-like", "apdex(300)"),
}


@pytest.mark.parametrize("item", sorted(WIDGETS))
def test_each_seed_widget_has_a_widget(spec: Spec, item: str) -> None:
    dataset, aggregate = WIDGETS[item]
    widgets = [w for d in spec.dashboards for w in d.widgets]
    assert any(w.dataset == dataset and aggregate in w.aggregates for w in widgets), item


def test_error_frequency_widgets_show_hour_and_day(spec: Spec) -> None:
    widgets = [w for d in spec.dashboards for w in d.widgets if w.dataset == "error-events"]
    assert {w.interval for w in widgets if w.aggregates == ("count()",)} >= {"1h", "1d"}


def seed_filtered_fields() -> set[str]:
    """The names under the seed's "**Filtered Fields**:" list (`password`, `Cookie` header...)."""
    text = SEED.read_text(encoding="utf-8")
    block = text.split("**Filtered Fields**:", 1)[1].split("\n\n", 1)[0]
    return {name.lower() for name in re.findall(r"^- `([^`]+)`", block, re.M)}


def test_scrubbing_lists_the_seed_filtered_fields(spec: Spec) -> None:
    seed = seed_filtered_fields()
    assert seed == {
        "password",
        "token",
        "api_key",
        "secret",
        "anthropic_key",
        "authorization",
        "cookie",
    }
    fields = {f.lower() for f in spec.scrubbing.sensitive_fields}
    assert fields >= seed


def test_every_mapped_widget_is_a_seed_item() -> None:
    text = SEED.read_text(encoding="utf-8").lower()
    # the seed writes the two error frequencies as one item, "Errors per hour/day"
    text = text.replace("errors per hour/day", "errors per hour, errors per day")
    assert [item for item in WIDGETS if item not in text] == []


def test_seed_still_documents_what_we_map() -> None:
    text = SEED.read_text(encoding="utf-8")
    for phrase in (
        "error count > 10 in 1 hour",
        "p95 response time > 2 seconds",
        "error affects > 100 users",
        "Threshold: 1 critical error",
        "Threshold: p95 > 3 seconds",
        "Crash-free sessions",
        "Apdex score",
        "Slow queries",
    ):
        assert phrase in text, phrase


def _seed_list(heading: str) -> list[str]:
    """The items under one numbered heading of the seed's "What's Monitored"."""
    text = SEED.read_text(encoding="utf-8")
    block = text.split(f"**{heading}**", 1)[1].split("\n\n", 1)[0]
    return [line.strip()[2:] for line in block.splitlines() if line.strip().startswith("- ")]


def test_every_background_job_checks_in_and_is_alerted(spec: Spec) -> None:
    """What's Monitored / Background Jobs: each job is a cron monitor an alert connects."""
    jobs = _seed_list("Background Jobs")
    assert jobs == ["Weekly review generation", "MCP sync operations", "Data cleanup tasks"]
    linked = {name for a in spec.alerts for name in a.monitors}
    for job in jobs:
        words = job.lower().replace(" operations", "").replace(" tasks", "")
        (cron,) = [c for c in spec.crons if c.name.lower() == words]
        assert cron.name in linked or cron.monitor_slug in linked, job
        assert cron.max_runtime is not None, job
        assert cron.checkin_margin is not None, job


def test_the_api_is_watched_from_outside(spec: Spec) -> None:
    """What's Monitored / API Endpoints: an uptime check of the health endpoint, paged like a
    critical error (the API down for everyone sends no error at all)."""
    assert _seed_list("API Endpoints")
    (check,) = spec.uptime
    assert check.url.startswith("https://")
    assert check.url.endswith("/health")
    (down,) = [a for a in spec.alerts if check.name in a.monitors]
    pagers = [spec.targets[n] for n in down.actions if isinstance(spec.targets[n], PagerDutyTarget)]
    assert [t.severity for t in pagers] == ["critical"]  # type: ignore[union-attr]
