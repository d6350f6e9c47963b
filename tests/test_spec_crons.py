"""The ``crons:`` and ``uptime:`` sections: schedules parsed as Sentry's ConfigValidator reads
them, the config the API and the SDK's check-ins receive, and alerts that refer to both kinds."""

from __future__ import annotations

import pytest

from para_monitor_cli.spec import check_text
from para_monitor_cli.spec.model import CronMonitor, Spec, UptimeMonitor, slugify
from para_monitor_cli.spec.rules import uptime_request_size
from para_monitor_cli.spec.schedule import Schedule, parse_schedule


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("0 6 * * 1", "0 6 * * 1"),
        ("  0   6 *  * 1 ", "0 6 * * 1"),  # whitespace collapsed as Sentry does
        ("@weekly", "0 0 * * 0"),  # nicknames stored translated (NONSTANDARD_CRONTAB_SCHEDULES)
        ("@annually", "0 0 1 1 *"),
        ("*/15 9-17 * JAN-MAR MON-FRI", "*/15 9-17 * JAN-MAR MON-FRI"),
        ("0 0 L * *", "0 0 L * *"),
        ("0 0 * * 5#2", "0 0 * * 5#2"),
        ("0 0 * * 5L", "0 0 * * 5L"),
        ("0 0 29 2 *", "0 0 29 2 *"),  # exists in leap years
        ("0 0 31 1,2 *", "0 0 31 1,2 *"),  # exists in January
        ("0 12 * * 7", "0 12 * * 7"),  # 7 is Sunday too
    ],
)
def test_crontabs_sentry_accepts(text: str, stored: str) -> None:
    schedule = parse_schedule(text)
    assert schedule == Schedule("crontab", crontab=stored)
    assert schedule.wire == stored


@pytest.mark.parametrize(
    ("text", "count", "unit"),
    [
        ("every day", 1, "day"),
        ("every 2 hours", 2, "hour"),
        ("Every 30 Minutes", 30, "minute"),
        ("every 1 week", 1, "week"),
    ],
)
def test_intervals(text: str, count: int, unit: str) -> None:
    schedule = parse_schedule(text)
    assert (schedule.type, schedule.count, schedule.unit) == ("interval", count, unit)
    assert schedule.wire == [count, unit]
    assert parse_schedule(schedule.text) == schedule  # export writes what import reads


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@reboot", "Schedule was not parseable"),
        ("0 0 * * * *", "Only 5 field crontab syntax is supported"),
        ("0 0 * *", "a crontab has 5 fields"),
        ("60 * * * *", "minute 60 is outside 0-59"),
        ("0 0 0 * *", "day of month 0 is outside 1-31"),
        ("0 0 * 13 *", "month 13 is outside 1-12"),
        ("0 0 * * 8", "day of week 8 is outside 0-7"),
        ("*/0 * * * *", "bad step '0'"),
        ("5-1 * * * *", "range '5-1' ends before it starts"),
        ("0 0 30 2 *", "day 30 does not occur"),
        ("0 0 * * MON#6", "needs #1 to #5"),
        ("0 0 * FOO *", "'FOO' is not a value of the month field"),
        ("1,,2 * * * *", "empty value in the minute field"),
        ("every 0 days", "Interval must be greater than zero"),
        ("every two days", "Invalid schedule for schedule unit count"),
        ("every 3 fortnights", "Invalid schedule for schedule unit name"),
        ("every", "Invalid schedule for 'interval' type"),
        ("", "got an empty string"),
        (5, "expected a crontab"),
    ],
)
def test_schedules_sentry_refuses(text: object, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_schedule(text)


def test_cron_config_for_the_api_and_for_check_ins() -> None:
    cron = CronMonitor.model_validate(
        {
            "name": "Weekly review generation",
            "schedule": "0 6 * * 1",
            "timezone": "Europe/Berlin",
            "checkin_margin": "10m",
            "max_runtime": "2h",
            "failure_issue_threshold": 2,
            "recovery_threshold": 1,
            "owner": "team:backend",
        }
    )
    assert cron.monitor_slug == "weekly-review-generation"
    assert cron.wire_config() == {
        "schedule_type": "crontab",
        "schedule": "0 6 * * 1",
        "checkin_margin": 10,
        "max_runtime": 120,
        "timezone": "Europe/Berlin",
        "failure_issue_threshold": 2,
        "recovery_threshold": 1,
    }
    # the upsert form Relay's MonitorConfig reads; the owner (a slug here) is not sent
    assert cron.monitor_config() == {
        "schedule": {"type": "crontab", "value": "0 6 * * 1"},
        "checkin_margin": 10,
        "max_runtime": 120,
        "timezone": "Europe/Berlin",
        "failure_issue_threshold": 2,
        "recovery_threshold": 1,
    }
    interval = CronMonitor.model_validate({"name": "sync", "schedule": "every 15 minutes"})
    assert interval.monitor_config() == {
        "schedule": {"type": "interval", "value": 15, "unit": "minute"}
    }


def test_slugs() -> None:
    assert slugify("MCP sync (hourly)") == "mcp-sync-hourly"
    assert slugify("x" * 80) == "x" * 50
    assert slugify("!!!") == ""


def test_spec_finds_a_cron_by_slug_or_name() -> None:
    spec = Spec.model_validate(
        {
            "version": 1,
            "crons": [
                {"name": "Data cleanup", "slug": "cleanup", "schedule": "@daily"},
                {"name": "MCP sync", "schedule": "every hour"},
            ],
        }
    )
    assert spec.cron("cleanup") is spec.crons[0]
    assert spec.cron("Data cleanup") is spec.crons[0]
    assert spec.cron("mcp-sync") is spec.crons[1]
    assert spec.cron("nothing") is None


def test_uptime_headers_are_pairs_and_request_size_counts_as_sentry_does() -> None:
    check = UptimeMonitor.model_validate(
        {"name": "API", "url": "https://api.example.com/health", "headers": {"Accept": "x/y"}}
    )
    assert check.headers == (("Accept", "x/y"),)
    assert (check.interval, check.timeout, check.downtime_threshold) == (60, 5, 3)
    # "GET <url> HTTP/1.1\r\n" + "Accept" + "x/y" + "\r\n" (compute_http_request_size)
    line = len("GET https://api.example.com/health HTTP/1.1\r\n")
    assert uptime_request_size("GET", check.url, check.headers, None) == line + 6 + 3 + 2
    assert uptime_request_size("POST", "u", (), "é") == len("POST u HTTP/1.1\r\n") + 2 + 2


ALERTING = """\
version: 1
targets:
  mail: {type: email, team: backend}
crons:
  - {name: Weekly review, slug: weekly-review, schedule: "0 6 * * 1", timezone: Europe/Berlin}
  - {name: MCP sync, schedule: every 15 minutes}
uptime:
  - {name: API health, url: "https://api.example.com/health", interval: 1m, timeout: 10s}
alerts:
  - name: jobs and outages
    monitors: [weekly-review, MCP sync, API health]
    actions: [mail]
"""


def test_alerts_connect_crons_by_slug_or_name_and_uptime_checks_by_name() -> None:
    spec, problems = check_text(ALERTING, "alert_rules.yaml")
    assert spec is not None
    assert [p.message for p in problems] == []
